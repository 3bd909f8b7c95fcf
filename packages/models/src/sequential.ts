import type { Variable } from '@descent/autograd';
import { noGrad, scoped } from '@descent/autograd';
import type { CallKwargs, Layer, LayerInputs, LayerInputShapes, LossIdentifier, MetricIdentifier, SymbolicInputs, SymbolicShape } from '@descent/layers';
import { getMask, Input, isSymbolicInput, SymbolicTensor } from '@descent/layers';
import type { OptimizerIdentifier } from '@descent/optimizers';
import type { Tensor, TensorLike } from '@descent/tensor';
import { concat, formatShape, makeTensor, withScope } from '@descent/tensor';
import type { Callback, Logs } from './callbacks/callback.js';
import { CallbackList, checkCallbacks } from './callbacks/callback.js';
import type { History } from './callbacks/history.js';
import { formatValue } from './format.js';
import { Model } from './functional/model.js';
import type { LayerConfigEntry } from './io/layer-config.js';
import { deserializeEntry, layerError } from './io/layer-config.js';
import { checkJsonDepth } from './io/case.js';
import { formatSummary } from './summary.js';
import type { SummaryOptions } from './summary.js';
import type { BatchData, ClassWeight, Dataset, DataNames } from './training/data.js';
import { asBatchTensor, asSampleWeight, checkSameLength, classWeightsFor, isDataset, multiplyWeights, NO_NAMES, Rows } from './training/data.js';
import type { FitDatasetOptions, FitOptions } from './training/fit.js';
import { fitDataset, fitTensors } from './training/fit.js';
import { checkOptionKeys, COMPILE_ARGS, PREDICT_OPTIONS, TEST_ON_BATCH_OPTIONS, TRAIN_ON_BATCH_OPTIONS } from './training/options.js';

export type { SaveOptions } from './functional/model.js';

// The registries' own identifier types, so `compile` autocompletes every built-in name ('adam',
// 'categoricalCrossentropy', 'accuracy', ...) in both spellings and still takes registered custom names.
export type { LossIdentifier, MetricIdentifier, OptimizerIdentifier };

/** What `compile` takes: how the model is trained and measured. */
export interface CompileArgs {
  /** An optimizer name (`'adam'`), config (`{ className, config }`) or `Optimizer` instance. */
  optimizer: OptimizerIdentifier;
  /**
   * A loss name (`'categoricalCrossentropy'`, snake_case accepted), `Loss` instance or function `(yTrue,
   * yPred) → per-sample losses`.
   */
  loss: LossIdentifier;
  /**
   * Metrics reported during `fit`/`evaluate`: names (`'accuracy'`), `Metric` instances or functions;
   * default none.
   */
  metrics?: readonly MetricIdentifier[];
}

/** Options of the `Sequential` constructor in object form. */
export interface SequentialArgs {
  /** Name of the model (default `sequential`, `sequential_1`, …). */
  name?: string;
  /** The layers, in order (more can be added with `add`). */
  layers?: readonly Layer[];
}

let sequentialCount = 0;

/** Reset the default-name counter ('sequential', 'sequential_1', …), e.g. between tests. */
export function resetSequentialNames(): void {
  sequentialCount = 0;
}

function defaultName(): string {
  const name = sequentialCount === 0 ? 'sequential' : `sequential_${sequentialCount}`;
  sequentialCount++;
  return name;
}

/** A non-narrowing array check, for arguments from untyped JavaScript callers. */
function isArrayValue(v: unknown): boolean {
  return Array.isArray(v);
}

function isLayer(v: unknown): v is Layer {
  return typeof v === 'object' && v !== null && typeof (v as Layer).apply === 'function' && typeof (v as Layer).getConfig === 'function';
}

/** A plain options object (not tensor data: no array, typed array or Tensor), as passed by mistake in y's place. */
function isOptionsObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  return !('dataSync' in v && 'shape' in v);
}

/** A copy that later `Variable.assign` calls cannot change. */
function snapshot(t: Tensor): Tensor {
  return makeTensor(t.dataSync(), t.shape, t.dtype);
}

/**
 * A linear stack of layers, trained with `compile` + `fit` like Keras:
 * ```ts
 * const model = new Sequential([new Dense({ units: 10, activation: 'softmax', inputShape: [784] })]);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 5 });
 * ```
 */
export class Sequential extends Model {
  static override className = 'Sequential';
  private readonly stack: Layer[] = [];
  /** Once built: the graph's input, then each layer's symbolic output, in stack order. */
  private chain: SymbolicTensor[] = [];
  private outputShapeList: SymbolicShape[] = [];

  constructor(layers?: readonly Layer[] | SequentialArgs, args: { name?: string } = {}) {
    let list: readonly Layer[] = [];
    let name = args.name;
    if (Array.isArray(layers)) list = layers as readonly Layer[];
    else if (layers !== undefined) {
      const cfg = layers as SequentialArgs;
      list = cfg.layers ?? [];
      name = cfg.name ?? name;
    }
    if (name !== undefined && (typeof name !== 'string' || name === '')) throw new Error(`Sequential: name must be a non-empty string, got ${JSON.stringify(name)}`);
    super({ name: name ?? defaultName(), deferGraph: true });
    for (const layer of list) this.add(layer);
  }

  /** The layers, in order (a copy: use `add`/`pop` to change the stack). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  protected override subLayers(): Layer[] {
    return this.stack;
  }

  /** @internal The batch input shape once known (declared or built), else null. */
  knownInputShape(): SymbolicShape | null {
    if (this.built) return [...this.chain[0]!.shape];
    return this.stack[0]?.batchInputShape ?? null;
  }

  /** The batch input shape, e.g. `[null, 784]`; throws while it is not known (no `inputShape` on the first layer, not built). */
  override get inputShape(): SymbolicShape {
    const shape = this.knownInputShape();
    if (shape === null) throw new Error(`inputShape: model '${this.name}' does not know its input shape yet; call build(inputShape), give the first layer an inputShape, or fit it first`);
    return shape;
  }

  /** The output shape of the last layer, e.g. `[null, 10]`; throws before the model is built. */
  override get outputShape(): SymbolicShape {
    const shape = this.outputShapeList[this.outputShapeList.length - 1];
    if (shape === undefined) throw new Error(`outputShape: model '${this.name}' is not built yet; call build(inputShape), give the first layer an inputShape, or fit it first`);
    return [...shape];
  }

  /** The one output's shape (empty before the model is built). */
  override get outputShapes(): SymbolicShape[] {
    return this.built ? [this.outputShape] : [];
  }

  /** The output's name: the last layer's name (`output` while there are no layers). */
  override get outputNames(): string[] {
    return this.built ? super.outputNames : [this.stack[this.stack.length - 1]?.name ?? 'output'];
  }

  /** @internal A Sequential takes one tensor for x and one for y, never a list or object of them. */
  override dataNames(): DataNames {
    return NO_NAMES;
  }

  /** True unless every layer is frozen; setting it freezes (`false`) or unfreezes every layer, as Keras's `model.trainable`. */
  override get trainable(): boolean {
    return this.stack.some((l) => l.trainable);
  }

  /** Freezes (`false`) or unfreezes (`true`) every layer of the model. */
  override set trainable(value: boolean) {
    super.trainable = value;
  }

  /** Every weight of every layer, in layer order. */
  override get weights(): Variable[] {
    return this.stack.flatMap((l) => l.weights);
  }

  /** The weights `fit` updates (frozen layers' weights excluded). */
  override get trainableWeights(): Variable[] {
    return this.stack.flatMap((l) => l.trainableWeights);
  }

  /** Weights that `fit` does not update by gradient (moving statistics, frozen layers). */
  override get nonTrainableWeights(): Variable[] {
    return this.stack.flatMap((l) => l.nonTrainableWeights);
  }

  /** Append a layer. Names must be unique in the model; once the input shape is known, the layer is built right away. */
  add(layer: Layer): void {
    if (!isLayer(layer)) throw new Error(`Sequential.add: expected a Layer, got ${layer === null ? 'null' : typeof layer}`);
    if ((layer as unknown) === this) throw new Error(`Sequential.add: model '${this.name}' cannot be added to itself`);
    if (this.stack.includes(layer)) throw new Error(`Sequential.add: layer '${layer.name}' is already in model '${this.name}'`);
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new Error(`Sequential.add: a layer named '${layer.name}' is already in model '${this.name}'; layer names must be unique (give it another name)`);
    }
    this.stack.push(layer);
    if (this.built) {
      const prev = this.outputShapeList[this.outputShapeList.length - 1]!;
      try {
        this.outputShapeList.push(this.buildLayer(layer, prev));
        this.chain.push(layer.apply(this.chain[this.chain.length - 1]!));
        this.setGraph(this.chain[0]!, this.chain[this.chain.length - 1]!);
      } catch (err) {
        this.stack.pop();
        this.outputShapeList.length = this.stack.length;
        this.chain.length = this.stack.length + 1;
        throw err;
      }
    } else if (this.stack.length === 1 && layer.batchInputShape) {
      this.build();
    }
  }

  /** Remove and return the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new Error(`Sequential.pop: model '${this.name}' has no layers`);
    if (this.built) {
      this.outputShapeList.pop();
      this.chain.pop();
      if (this.stack.length > 0) this.setGraph(this.chain[0]!, this.chain[this.chain.length - 1]!);
    }
    if (this.stack.length === 0) {
      this.outputShapeList = [];
      this.chain = [];
      this.clearGraph();
    }
    return layer;
  }

  /** A layer by name or by position (negative counts from the end). */
  override getLayer(nameOrIndex: string | number): Layer {
    if (typeof nameOrIndex === 'number') {
      const i = nameOrIndex < 0 ? this.stack.length + nameOrIndex : nameOrIndex;
      const layer = Number.isInteger(i) ? this.stack[i] : undefined;
      if (!layer) throw new Error(`getLayer: index ${nameOrIndex} is out of range; model '${this.name}' has ${this.stack.length} layers`);
      return layer;
    }
    const layer = this.stack.find((l) => l.name === nameOrIndex);
    if (!layer) {
      throw new Error(`getLayer: no layer named '${nameOrIndex}' in model '${this.name}' (layers: ${this.stack.map((l) => l.name).join(', ') || 'none'})`);
    }
    return layer;
  }

  private buildLayer(layer: Layer, inputShape: SymbolicShape): SymbolicShape {
    if (!layer.built) {
      noGrad(() => layer.build(inputShape));
      layer.built = true;
    }
    return layer.computeOutputShape(inputShape);
  }

  /**
   * Create every layer's weights for `inputShape` (the full batch shape, e.g. `[null, 784]`).
   * Without an argument, the first layer's `inputShape`/`batchInputShape` is used.
   */
  override build(inputShape?: LayerInputShapes): void {
    if (this.stack.length === 0) throw new Error(`build: model '${this.name}' has no layers`);
    const shape = inputShape ?? this.stack[0]!.batchInputShape;
    if (!shape) {
      throw new Error(`build: model '${this.name}' does not know its input shape: pass build([null, ...]) or give the first layer an inputShape`);
    }
    if (!Array.isArray(shape) || (shape as readonly unknown[]).some((d) => d !== null && (typeof d !== 'number' || !Number.isInteger(d) || d < 0))) {
      throw new Error(`build: inputShape must be an array of non-negative integers or null, got ${JSON.stringify(shape)}`);
    }
    const input: SymbolicShape = [...(shape as SymbolicShape)];
    const outs: SymbolicShape[] = [];
    let current = input;
    for (const layer of this.stack) {
      current = this.buildLayer(layer, current);
      outs.push(current);
    }
    // The chain as a graph: the layers are built, so calling them on symbolic tensors only records the calls.
    const chain = [Input({ batchShape: input, name: `${this.name}_input` })];
    for (const layer of this.stack) chain.push(layer.apply(chain[chain.length - 1]!));
    this.setGraph(chain[0]!, chain[chain.length - 1]!);
    this.chain = chain;
    this.outputShapeList = outs;
  }

  /** Build from the first data seen, when no input shape was declared. */
  private ensureBuiltFor(x: Tensor): void {
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
  }

  /** Throw a clear error when `x` does not match the model's input shape. */
  override checkInput(op: string, x: BatchData): void {
    const xt = oneTensor(op, x);
    const expected = this.knownInputShape();
    if (!expected) return;
    const ok = xt.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === xt.shape[i]);
    if (!ok) {
      const shown = `[${expected.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
      throw new Error(`${op}: input shape mismatch: model '${this.name}' expects ${shown}, got x of shape ${formatShape(xt.shape)}`);
    }
  }

  /** Total number of scalars in the model's weights; throws before the model is built. */
  override countParams(): number {
    if (!this.built) throw new Error(`countParams: model '${this.name}' is not built yet; call build(inputShape) or give the first layer an inputShape`);
    return this.stack.reduce((n, l) => n + l.countParams(), 0);
  }

  /** Print the Keras-style table of layers, output shapes and parameter counts. */
  override summary(options: SummaryOptions = {}): void {
    if (!this.built) {
      throw new Error(`summary: model '${this.name}' is not built yet; call build(inputShape), give the first layer an inputShape, or fit it first`);
    }
    const print = options.printFn ?? ((line: string) => console.log(line));
    for (const line of formatSummary(this.name, this.stack, this.outputShapeList, options)) print(line);
  }

  /** Copies of every weight, in layer order (Keras order within each layer). */
  override getWeights(): Tensor[] {
    return this.stack.flatMap((l) => l.getWeights().map(snapshot));
  }

  /** Replaces every weight's value, in `getWeights` order; shapes must match. */
  override setWeights(weights: readonly Tensor[]): void {
    const total = this.weights.length;
    if (weights.length !== total) {
      throw new Error(`setWeights: model '${this.name}' has ${total} weights, got ${weights.length} tensors`);
    }
    let offset = 0;
    for (const layer of this.stack) {
      const own = layer.weights;
      const slice = weights.slice(offset, offset + own.length);
      own.forEach((w, i) => {
        const given = slice[i]!;
        if (given.shape.length !== w.shape.length || given.shape.some((d, j) => d !== w.shape[j])) {
          throw new Error(`setWeights: weight '${w.name}' of layer '${layer.name}' has shape ${formatShape(w.shape)}, got ${formatShape(given.shape)}`);
        }
      });
      if (own.length > 0) layer.setWeights(slice);
      offset += own.length;
    }
  }

  /**
   * Use the model as a function, as TF.js's `model.apply(x, { training })` and Keras's `model(x)`:
   * the output for `x` (inference mode unless `training: true`). Inside `variableGrads`/`grad` it is
   * recorded like any op, so a custom training loop can differentiate through it; called on its own,
   * it frees its intermediates when it returns. On a symbolic tensor, the model becomes one layer of
   * the graph being built (nesting).
   */
  override apply(x: SymbolicInputs, kwargs?: CallKwargs): SymbolicTensor;
  override apply(x: TensorLike | LayerInputs, kwargs?: CallKwargs): Tensor;
  override apply(x: TensorLike | LayerInputs | SymbolicInputs, kwargs?: CallKwargs): Tensor | SymbolicTensor;
  override apply(x: TensorLike | LayerInputs | SymbolicInputs, kwargs: CallKwargs = {}): Tensor | SymbolicTensor {
    if (isSymbolicInput(x)) {
      if (x instanceof SymbolicTensor && !this.built && this.stack.length > 0) this.build([null, ...x.shape.slice(1)]);
      return super.apply(x, kwargs);
    }
    if (typeof kwargs !== 'object' || kwargs === null) throw new Error(`apply: kwargs must be an object such as { training: true }, got ${String(kwargs)}`);
    const training = kwargs.training ?? false;
    if (typeof training !== 'boolean') throw new Error(`apply: training must be true or false, got ${String(training)}`);
    // The output's mask (from Embedding({ maskZero }) or Masking and the layers after them) leaves the scope with it.
    const [y] = scoped(() => {
      const xt = asBatchTensor('apply', x as TensorLike, 'x');
      this.checkInput('apply', xt);
      const out = this.runLayers(xt, training, firstMask(kwargs.mask));
      return [out, getMask(out)] as [Tensor, Tensor | null];
    });
    return y;
  }

  /** Run the layers on `x` (`training`: a flag, or `{ training, mask }` as layers take them). */
  override call(x: LayerInputs, training: boolean | CallKwargs): Tensor {
    const xt = oneTensor('apply', x);
    if (typeof training === 'boolean') return this.runLayers(xt, training);
    return this.runLayers(xt, training.training ?? false, firstMask(training.mask));
  }

  /** @internal The graph run as the chain it is: each layer on the previous one's output. */
  override runGraph(inputs: readonly Tensor[], kwargs: CallKwargs = {}): Tensor[] {
    if (inputs.length !== 1) throw new Error(`Sequential '${this.name}': expects 1 input tensor, got ${inputs.length}`);
    return [this.runLayers(inputs[0]!, kwargs.training ?? false, firstMask(kwargs.mask))];
  }

  /**
   * Each layer on the previous one's output. Masks travel on the tensors (`getMask`): each layer's
   * `apply` reads its input's and attaches its output's; `mask`, when given, is the first layer's input mask.
   */
  private runLayers(x: Tensor, training: boolean, mask?: Tensor | null): Tensor {
    let y = x;
    this.stack.forEach((layer, i) => {
      y = layer.apply(y, i === 0 && mask !== undefined ? { training, mask } : { training });
    });
    return y;
  }

  /** Pick the optimizer, loss and metrics. Identifiers are resolved now, so a typo fails here. */
  override compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) throw new Error('compile: expected { optimizer, loss, metrics? }');
    checkOptionKeys('compile', args, COMPILE_ARGS);
    if (args.optimizer === undefined) throw new Error("compile: 'optimizer' is required (a name such as 'adam', a config object or an Optimizer)");
    if (args.loss === undefined) throw new Error("compile: 'loss' is required (a name such as 'categoricalCrossentropy', a Loss or a function)");
    const metrics = args.metrics ?? [];
    if (!isArrayValue(metrics)) throw new Error(`compile: metrics must be an array, got ${typeof metrics}`);
    // One output: the loss and the metric list are that output's.
    super.compile({ optimizer: args.optimizer, loss: [args.loss], metrics: [[...metrics]] });
    this.compileIds = { loss: args.loss, metrics: [...metrics], lossWeights: undefined };
  }

  /** @internal Build from the batch first, when no input shape was declared. */
  override trainStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
    this.requireCompiled('fit');
    if (!this.built) withScope(() => this.ensureBuiltFor(oneTensor('fit', x)));
    return super.trainStep(x, y, sampleWeight);
  }

  /** @internal Loss (with regularization, as Keras reports it) and metric updates for one batch in inference mode. */
  override testStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
    this.requireCompiled('evaluate');
    if (!this.built) withScope(() => this.ensureBuiltFor(oneTensor('evaluate', x)));
    return super.testStep(x, y, sampleWeight);
  }

  /**
   * @internal Check every label of `y` with the compiled loss's `validateLabels` (one pass over the
   * labels, in the caller's order, so the error names the caller's sample index), before any
   * training step changes a weight. Needs the model built (its output shape gives the classes).
   */
  override checkLabels(op: string, y: BatchData, what = 'y'): void {
    const loss = this.requireCompiled(op).losses[0]!;
    const out = this.outputShapeList[this.outputShapeList.length - 1];
    if (out === undefined) return;
    try {
      loss.validateLabels(oneTensor(op, y), out);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${op}: ${what} does not fit loss '${loss.name}': ${message}`, { cause: err });
    }
  }

  /**
   * @internal Check that a few samples go through the model, loss and metrics, before any
   * training step changes a weight; errors name the op (`fit: …`).
   */
  override checkBatch(op: string, x: BatchData, y: BatchData): void {
    const loss = this.requireCompiled(op).losses[0]!;
    const xt = oneTensor(op, x);
    this.checkInput(op, xt);
    const n = Math.min(2, xt.shape[0]!);
    if (n === 0) throw new Error(`${op}: x has no samples`);
    const xs = new Rows(xt).take(0, n);
    const ys = new Rows(oneTensor(op, y)).take(0, n);
    const metrics = this.compiledMetrics();
    try {
      this.ensureBuiltFor(xs);
      withScope(() =>
        noGrad(() => {
          const yPred = this.runLayers(xs, false);
          loss.apply(ys, yPred);
          for (const m of metrics) m.update(ys, yPred);
        }),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${op}: the data does not fit model '${this.name}' compiled with loss '${loss.name}': ${message}`, { cause: err });
    } finally {
      for (const m of this.metrics) m.reset();
    }
  }

  /**
   * Train. `fit(x, y, options)` with tensors (or arrays), or `fit(dataset, options)` with an
   * (async) iterable of `{ xs, ys }` batches. Resolves to the History of epoch logs.
   */
  override fit(x: TensorLike, y: TensorLike, options?: FitOptions): Promise<History>;
  override fit(dataset: Dataset, options?: FitDatasetOptions): Promise<History>;
  override fit(x: TensorLike | Dataset, y?: TensorLike | FitDatasetOptions, options?: FitOptions): Promise<History> {
    if (isDataset(x)) return fitDataset(this, x, (y ?? {}) as FitDatasetOptions);
    if (y === undefined) return Promise.reject(new Error('fit: y is required when x is a tensor (or pass an iterable of { xs, ys } batches)'));
    if (isOptionsObject(y)) {
      return Promise.reject(
        new Error(
          `fit: y is missing: the second argument is an options object (keys: ${Object.keys(y).join(', ') || 'none'}), but x is tensor data, not a dataset; ` +
            'call fit(x, y, options) with tensors or arrays, or fit(dataset, options) with an iterable of { xs, ys } batches',
        ),
      );
    }
    return fitTensors(this, x, y as TensorLike, options ?? {});
  }

  /** Outputs for `x` in inference mode, computed `batchSize` (32) samples at a time. */
  override predict(x: TensorLike, options: { batchSize?: number; callbacks?: readonly Callback[] } = {}): Tensor {
    const op = 'predict';
    checkOptionKeys(op, options, PREDICT_OPTIONS);
    const userCallbacks = checkCallbacks(op, options.callbacks);
    const xt = asBatchTensor(op, x, 'x');
    this.checkInput(op, xt);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predict: batchSize must be a positive integer, got ${formatValue(batchSize)}`);
    const n = xt.shape[0]!;
    const steps = Math.ceil(n / batchSize);
    const callbacks = new CallbackList(userCallbacks, this, { epochs: 1, steps, verbose: 0, metrics: [] });
    callbacks.runSync(op, 'onPredictBegin', {});
    const rows = new Rows(xt);
    const outs: Tensor[] = [];
    for (let b = 0; b < steps; b++) {
      callbacks.runSync(op, 'onPredictBatchBegin', b, {});
      // The batch copy is released with the step scope; the output survives it.
      outs.push(withScope(() => this.predictOnBatch(steps === 1 ? xt : rows.take(b * batchSize, Math.min(n, (b + 1) * batchSize)))));
      callbacks.runSync(op, 'onPredictBatchEnd', b, {});
    }
    callbacks.runSync(op, 'onPredictEnd', {});
    if (outs.length === 0) {
      this.ensureBuiltFor(xt);
      const shape = this.outputShapeList[this.outputShapeList.length - 1] ?? [0];
      return makeTensor(new Float32Array(0), [0, ...shape.slice(1).map((d) => d ?? 0)], 'float32');
    }
    return outs.length === 1 ? outs[0]! : concat(outs, 0);
  }

  /** Outputs for one batch in inference mode. */
  override predictOnBatch(x: TensorLike): Tensor {
    const xt = asBatchTensor('predictOnBatch', x, 'x');
    this.checkInput('predictOnBatch', xt);
    this.ensureBuiltFor(xt);
    return withScope(() => noGrad(() => this.runLayers(xt, false)));
  }

  private oneBatch(op: string, x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike; classWeight?: ClassWeight }) {
    const xt = asBatchTensor(op, x, 'x');
    const yt = asBatchTensor(op, y, 'y');
    const n = checkSameLength(op, [['x', xt], ['y', yt]]);
    this.checkInput(op, xt);
    if (n > 0) {
      // Built in a scope (as trainStep would), so the initializers' intermediates are released.
      withScope(() => this.ensureBuiltFor(xt));
      this.checkLabels(op, yt);
    }
    let sw = options.sampleWeight === undefined ? null : asSampleWeight(op, options.sampleWeight, n);
    if (options.classWeight !== undefined) sw = multiplyWeights(sw, classWeightsFor(op, yt, options.classWeight));
    return { xt, yt, sw };
  }

  private oneBatchLogs(lossValue: number): Logs {
    const logs: Logs = { loss: lossValue };
    for (const m of this.metrics) logs[m.name] = m.result();
    return logs;
  }

  /** One training step on exactly this batch; returns its loss and metrics (metrics are reset first, as Keras does). */
  override trainOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike; classWeight?: ClassWeight } = {}): Logs {
    checkOptionKeys('trainOnBatch', options, TRAIN_ON_BATCH_OPTIONS);
    this.requireCompiled('trainOnBatch');
    const { xt, yt, sw } = this.oneBatch('trainOnBatch', x, y, options);
    if (xt.shape[0] === 0) throw new Error(`trainOnBatch: the batch is empty: x has shape ${formatShape(xt.shape)} (0 samples); a training step needs at least one`);
    for (const m of this.metrics) m.reset();
    return this.oneBatchLogs(this.trainStep(xt, yt, sw));
  }

  /** Loss and metrics of one batch in inference mode. */
  override testOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike } = {}): Logs {
    checkOptionKeys('testOnBatch', options, TEST_ON_BATCH_OPTIONS);
    this.requireCompiled('testOnBatch');
    const { xt, yt, sw } = this.oneBatch('testOnBatch', x, y, options);
    for (const m of this.metrics) m.reset();
    return this.oneBatchLogs(this.testStep(xt, yt, sw));
  }

  /** Rebuild a model from `getConfig()` output (new, untrained weights). */
  static override fromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }): Sequential {
    return sequentialFromConfig(config);
  }

  /** `{ name, layers: [{ className, config }] }` in camelCase, as `Sequential.fromConfig` takes it; the first layer carries the batch input shape. */
  override getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    const layers = this.stack.map((layer) => ({ className: layer.className, config: { ...layer.getConfig() } }));
    const first = layers[0];
    const inputShape = this.knownInputShape();
    // TF.js rebuilds a Sequential from the first layer's batch_input_shape, so it must be there
    // even when the shape was learned from data rather than declared.
    if (first && inputShape && first.config.batchInputShape === undefined && first.config.batchShape === undefined) {
      first.config.batchInputShape = [...inputShape];
      first.config.dtype ??= 'float32';
    }
    return { name: this.name, layers };
  }
}

/** The one tensor of a Sequential's x or y. */
function oneTensor(op: string, x: BatchData | LayerInputs): Tensor {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new Error(`${op}: a Sequential model takes one tensor, got a list of ${x.length}`);
    return x[0] as Tensor;
  }
  return x as Tensor;
}

/** A Sequential from `{ name, layers: [{ className, config }] }` (camelCase, as `getConfig` returns). */
export function sequentialFromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }, source = 'Sequential.fromConfig'): Sequential {
  if (typeof config !== 'object' || config === null || !isArrayValue(config.layers)) {
    throw new Error(`${source}: expected { name?, layers: [{ className, config }] }`);
  }
  // Wrapper layers (TimeDistributed, Bidirectional) deserialize the layer they wrap recursively.
  checkJsonDepth(config.layers, `${source}: config`);
  const layers = config.layers.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.className !== 'string') {
      throw new Error(`${source}: layer ${i} must be { className, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    return deserializeEntry({ className: entry.className, config: entry.config ?? {} }, i, source);
  });
  const model = config.name === undefined ? new Sequential() : new Sequential([], { name: config.name });
  // Adding a layer builds it (once the input shape is known): an error there names the file's layer.
  layers.forEach((layer, i) => {
    try {
      model.add(layer);
    } catch (err) {
      throw layerError(err, source, i, layer);
    }
  });
  return model;
}

/** The model's input mask from `kwargs.mask` (a Sequential has one input), or undefined when none was given. */
function firstMask(mask: CallKwargs['mask']): Tensor | null | undefined {
  return Array.isArray(mask) ? (mask[0] ?? null) : mask;
}
