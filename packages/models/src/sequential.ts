import type { Variable } from '@descent/autograd';
import { noGrad, scoped, variableGrads } from '@descent/autograd';
import type { Layer, Loss, LossIdentifier, Metric, MetricIdentifier, SymbolicShape } from '@descent/layers';
import { getLoss, getMetric, SymbolicTensor } from '@descent/layers';
import type { Optimizer, OptimizerIdentifier } from '@descent/optimizers';
import { get as getOptimizer } from '@descent/optimizers';
import type { Tensor, TensorLike } from '@descent/tensor';
import { concat, formatShape, makeTensor, withScope } from '@descent/tensor';
import type { Callback, Logs } from './callbacks/callback.js';
import { CallbackList, checkCallbacks } from './callbacks/callback.js';
import type { History } from './callbacks/history.js';
import type { IOHandler, SaveResult } from './io/artifacts.js';
import type { ModelJSON } from './io/artifacts.js';
import { resolveIOHandler } from './io/router.js';
import type { LayerConfigEntry } from './io/serialize.js';
import { applyArtifactWeights, loadArtifacts, modelToArtifacts, sequentialConfig, sequentialFromConfig, toModelJSON } from './io/serialize.js';
import { formatValue } from './format.js';
import { sequentialLayer } from './functional/sequential-layer.js';
import { formatSummary } from './summary.js';
import type { SummaryOptions } from './summary.js';
import type { ClassWeight, Dataset } from './training/data.js';
import { asBatchTensor, asSampleWeight, checkSameLength, classWeightsFor, isDataset, multiplyWeights, Rows } from './training/data.js';
import type { FitDatasetOptions, FitOptions } from './training/fit.js';
import { fitDataset, fitTensors } from './training/fit.js';
import { evaluateDatasetLoop, evaluateTensors } from './training/evaluate.js';
import { checkOptionKeys, COMPILE_ARGS, PREDICT_OPTIONS, TEST_ON_BATCH_OPTIONS, TRAIN_ON_BATCH_OPTIONS } from './training/options.js';
import type { EvaluateDatasetOptions, EvaluateOptions } from './training/evaluate.js';

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

/** Options of `save`. */
export interface SaveOptions {
  /** Also save the optimizer's state and the training config, so `fit` resumes exactly after loading (default false). */
  includeOptimizer?: boolean;
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
export class Sequential {
  /** Name of the model (unique default `sequential`, `sequential_1`, …). */
  readonly name: string;
  /** The Keras class name written into saved configs. */
  readonly className = 'Sequential';
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) or by you inside a hook to end `fit` after the current batch. */
  stopTraining = false;
  /** The compiled optimizer, or null before `compile`. */
  optimizer: Optimizer | null = null;
  /** The compiled loss, or null before `compile`. */
  lossFunction: Loss | null = null;
  /** The compiled metrics, in the order given to `compile`. */
  metrics: Metric[] = [];
  /** @internal What `compile` was given, for the saved training config. */
  compileIds: { loss: LossIdentifier; metrics: readonly MetricIdentifier[] } | null = null;
  private readonly stack: Layer[] = [];
  private builtInputShape: SymbolicShape | null = null;
  private outputShapes: SymbolicShape[] = [];

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
    this.name = name ?? defaultName();
    for (const layer of list) this.add(layer);
  }

  /** The layers, in order (a copy: use `add`/`pop` to change the stack). */
  get layers(): Layer[] {
    return [...this.stack];
  }

  /** True once the input shape is known and every layer is built. */
  get built(): boolean {
    return this.builtInputShape !== null;
  }

  /** The batch input shape, e.g. `[null, 784]`, once known. */
  get inputShape(): SymbolicShape | null {
    return this.builtInputShape ?? this.stack[0]?.batchInputShape ?? null;
  }

  /** The output shape of the last layer, e.g. `[null, 10]`, once built. */
  get outputShape(): SymbolicShape | null {
    return this.outputShapes[this.outputShapes.length - 1] ?? null;
  }

  /** True unless every layer is frozen; setting it freezes (`false`) or unfreezes every layer, as Keras's `model.trainable`. */
  get trainable(): boolean {
    return this.stack.some((l) => l.trainable);
  }

  /** Freezes (`false`) or unfreezes (`true`) every layer of the model. */
  set trainable(value: boolean) {
    for (const l of this.stack) l.trainable = value;
  }

  /** Every weight of every layer, in layer order. */
  get weights(): Variable[] {
    return this.stack.flatMap((l) => l.weights);
  }

  /** The weights `fit` updates (frozen layers' weights excluded). */
  get trainableWeights(): Variable[] {
    return this.stack.flatMap((l) => l.trainableWeights);
  }

  /** Weights that `fit` does not update by gradient (moving statistics, frozen layers). */
  get nonTrainableWeights(): Variable[] {
    return this.stack.flatMap((l) => l.nonTrainableWeights);
  }

  /** Append a layer. Names must be unique in the model; once the input shape is known, the layer is built right away. */
  add(layer: Layer): void {
    if (!isLayer(layer)) throw new Error(`Sequential.add: expected a Layer, got ${layer === null ? 'null' : typeof layer}`);
    if (this.stack.includes(layer)) throw new Error(`Sequential.add: layer '${layer.name}' is already in model '${this.name}'`);
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new Error(`Sequential.add: a layer named '${layer.name}' is already in model '${this.name}'; layer names must be unique (give it another name)`);
    }
    this.stack.push(layer);
    if (this.built) {
      const prev = this.outputShapes[this.outputShapes.length - 1]!;
      try {
        this.outputShapes.push(this.buildLayer(layer, prev));
      } catch (err) {
        this.stack.pop();
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
    if (this.built) this.outputShapes.pop();
    if (this.stack.length === 0) {
      this.builtInputShape = null;
      this.outputShapes = [];
    }
    return layer;
  }

  /** A layer by name or by position (negative counts from the end). */
  getLayer(nameOrIndex: string | number): Layer {
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
  build(inputShape?: SymbolicShape): void {
    if (this.stack.length === 0) throw new Error(`build: model '${this.name}' has no layers`);
    const shape = inputShape ?? this.stack[0]!.batchInputShape;
    if (!shape) {
      throw new Error(`build: model '${this.name}' does not know its input shape: pass build([null, ...]) or give the first layer an inputShape`);
    }
    if (!Array.isArray(shape) || shape.some((d) => d !== null && (!Number.isInteger(d) || d < 0))) {
      throw new Error(`build: inputShape must be an array of non-negative integers or null, got ${JSON.stringify(shape)}`);
    }
    const input: SymbolicShape = [...shape];
    const outs: SymbolicShape[] = [];
    let current = input;
    for (const layer of this.stack) {
      current = this.buildLayer(layer, current);
      outs.push(current);
    }
    this.builtInputShape = input;
    this.outputShapes = outs;
  }

  /** Build from the first data seen, when no input shape was declared. */
  private ensureBuilt(x: Tensor): void {
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
  }

  /** Throw a clear error when `x` does not match the model's input shape. */
  checkInput(op: string, x: Tensor): void {
    const expected = this.inputShape;
    if (!expected) return;
    const ok = x.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
    if (!ok) {
      const shown = `[${expected.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
      throw new Error(`${op}: input shape mismatch: model '${this.name}' expects ${shown}, got x of shape ${formatShape(x.shape)}`);
    }
  }

  /** Total number of scalars in the model's weights; throws before the model is built. */
  countParams(): number {
    if (!this.built) throw new Error(`countParams: model '${this.name}' is not built yet; call build(inputShape) or give the first layer an inputShape`);
    return this.stack.reduce((n, l) => n + l.countParams(), 0);
  }

  /** Print the Keras-style table of layers, output shapes and parameter counts. */
  summary(options: SummaryOptions = {}): void {
    if (!this.built) {
      throw new Error(`summary: model '${this.name}' is not built yet; call build(inputShape), give the first layer an inputShape, or fit it first`);
    }
    const print = options.printFn ?? ((line: string) => console.log(line));
    for (const line of formatSummary(this.name, this.stack, this.outputShapes, options)) print(line);
  }

  /** Copies of every weight, in layer order (Keras order within each layer). */
  getWeights(): Tensor[] {
    return this.stack.flatMap((l) => l.getWeights().map(snapshot));
  }

  /** Replaces every weight's value, in `getWeights` order; shapes must match. */
  setWeights(weights: readonly Tensor[]): void {
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
   * it frees its intermediates when it returns.
   */
  apply(x: SymbolicTensor, kwargs?: { training?: boolean }): SymbolicTensor;
  apply(x: TensorLike, kwargs?: { training?: boolean }): Tensor;
  apply(x: TensorLike | SymbolicTensor, kwargs: { training?: boolean } = {}): Tensor | SymbolicTensor {
    // On a symbolic tensor the model becomes one layer of the graph being built (nesting).
    if (x instanceof SymbolicTensor) return sequentialLayer(this).apply(x, kwargs);
    if (typeof kwargs !== 'object' || kwargs === null) throw new Error(`apply: kwargs must be an object such as { training: true }, got ${String(kwargs)}`);
    const training = kwargs.training ?? false;
    if (typeof training !== 'boolean') throw new Error(`apply: training must be true or false, got ${String(training)}`);
    return scoped(() => {
      const xt = asBatchTensor('apply', x, 'x');
      this.checkInput('apply', xt);
      return this.call(xt, training);
    });
  }

  /** Run the layers on `x`. */
  call(x: Tensor, training: boolean): Tensor {
    let y = x;
    for (const layer of this.stack) y = layer.apply(y, { training });
    return y;
  }

  /** Pick the optimizer, loss and metrics. Identifiers are resolved now, so a typo fails here. */
  compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) throw new Error('compile: expected { optimizer, loss, metrics? }');
    checkOptionKeys('compile', args, COMPILE_ARGS);
    if (args.optimizer === undefined) throw new Error("compile: 'optimizer' is required (a name such as 'adam', a config object or an Optimizer)");
    if (args.loss === undefined) throw new Error("compile: 'loss' is required (a name such as 'categoricalCrossentropy', a Loss or a function)");
    const metrics = args.metrics ?? [];
    if (!isArrayValue(metrics)) throw new Error(`compile: metrics must be an array, got ${typeof metrics}`);
    const optimizer = getOptimizer(args.optimizer);
    const loss = getLoss(args.loss);
    this.optimizer = optimizer;
    this.lossFunction = loss;
    this.metrics = metrics.map((id: MetricIdentifier) => getMetric(id, { loss }));
    this.compileIds = { loss: args.loss, metrics: [...metrics] };
  }

  /** @internal */
  requireCompiled(op: string): { optimizer: Optimizer; loss: Loss } {
    if (!this.optimizer || !this.lossFunction) throw new Error(`${op}: model '${this.name}' must be compiled first: call compile({ optimizer, loss })`);
    return { optimizer: this.optimizer, loss: this.lossFunction };
  }

  /** The loss to minimize: the compiled loss plus every layer's regularization penalty. */
  private totalLoss(loss: Loss, y: Tensor, yPred: Tensor, sampleWeight: Tensor | null): Tensor {
    let total = sampleWeight === null ? loss.apply(y, yPred) : loss.apply(y, yPred, sampleWeight);
    for (const layer of this.stack) for (const penalty of layer.regularizationLosses()) total = total.add(penalty);
    return total;
  }

  /**
   * @internal One optimizer step on a batch; updates the compiled metrics; returns the batch loss.
   * It runs in a step scope: on backends with manual memory every intermediate tensor of the step
   * is released when it ends (Variables and kept state survive), so users never call dispose.
   */
  trainStep(x: Tensor, y: Tensor, sampleWeight: Tensor | null): number {
    return withScope(() => this.trainStepInScope(x, y, sampleWeight));
  }

  private trainStepInScope(x: Tensor, y: Tensor, sampleWeight: Tensor | null): number {
    const { optimizer, loss } = this.requireCompiled('fit');
    this.ensureBuilt(x);
    const vars = this.trainableWeights;
    let yPred: Tensor | null = null;
    const f = (): Tensor => {
      yPred = this.call(x, true);
      return this.totalLoss(loss, y, yPred, sampleWeight);
    };
    let value: Tensor;
    if (vars.length === 0) {
      value = noGrad(f);
    } else {
      const result = variableGrads(f, vars);
      value = result.value;
      optimizer.applyGradients(result.grads);
    }
    const pred = yPred as Tensor | null;
    if (pred === null) throw new Error('fit: internal error: the forward pass did not run');
    noGrad(() => {
      for (const m of this.metrics) if (sampleWeight === null) m.update(y, pred);
      else m.update(y, pred, sampleWeight);
    });
    return value.item();
  }

  /** @internal Loss (with regularization, as Keras reports it) and metric updates for one batch in inference mode. */
  testStep(x: Tensor, y: Tensor, sampleWeight: Tensor | null): number {
    const { loss } = this.requireCompiled('evaluate');
    this.ensureBuilt(x);
    return withScope(() => noGrad(() => {
      const yPred = this.call(x, false);
      const value = this.totalLoss(loss, y, yPred, sampleWeight).item();
      for (const m of this.metrics) if (sampleWeight === null) m.update(y, yPred);
      else m.update(y, yPred, sampleWeight);
      return value;
    }));
  }

  /**
   * @internal Check every label of `y` with the compiled loss's `validateLabels` (one pass over the
   * labels, in the caller's order, so the error names the caller's sample index), before any
   * training step changes a weight. Needs the model built (its output shape gives the classes).
   */
  checkLabels(op: string, y: Tensor, what = 'y'): void {
    const { loss } = this.requireCompiled(op);
    const out = this.outputShape;
    if (out === null) return;
    try {
      loss.validateLabels(y, out);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${op}: ${what} does not fit loss '${loss.name}': ${message}`, { cause: err });
    }
  }

  /**
   * @internal Check that a few samples go through the model, loss and metrics, before any
   * training step changes a weight; errors name the op (`fit: …`).
   */
  checkBatch(op: string, x: Tensor, y: Tensor): void {
    const { loss } = this.requireCompiled(op);
    this.checkInput(op, x);
    const n = Math.min(2, x.shape[0]!);
    if (n === 0) throw new Error(`${op}: x has no samples`);
    const xs = new Rows(x).take(0, n);
    const ys = new Rows(y).take(0, n);
    try {
      this.ensureBuilt(xs);
      withScope(() =>
        noGrad(() => {
          const yPred = this.call(xs, false);
          loss.apply(ys, yPred);
          for (const m of this.metrics) m.update(ys, yPred);
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
  fit(x: TensorLike, y: TensorLike, options?: FitOptions): Promise<History>;
  fit(dataset: Dataset, options?: FitDatasetOptions): Promise<History>;
  fit(x: TensorLike | Dataset, y?: TensorLike | FitDatasetOptions, options?: FitOptions): Promise<History> {
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

  /** Loss and metrics over `x`/`y` in inference mode, by name: `{ loss, accuracy }`. */
  evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): Logs {
    return evaluateTensors(this, x, y, options);
  }

  /** `evaluate` over an (async) iterable of `{ xs, ys }` batches. */
  evaluateDataset(dataset: Dataset, options: EvaluateDatasetOptions = {}): Promise<Logs> {
    return evaluateDatasetLoop(this, dataset, options);
  }

  /** Outputs for `x` in inference mode, computed `batchSize` (32) samples at a time. */
  predict(x: TensorLike, options: { batchSize?: number; callbacks?: readonly Callback[] } = {}): Tensor {
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
      this.ensureBuilt(xt);
      const shape = this.outputShape ?? [0];
      return makeTensor(new Float32Array(0), [0, ...shape.slice(1).map((d) => d ?? 0)], 'float32');
    }
    return outs.length === 1 ? outs[0]! : concat(outs, 0);
  }

  /** Outputs for one batch in inference mode. */
  predictOnBatch(x: TensorLike): Tensor {
    const xt = asBatchTensor('predictOnBatch', x, 'x');
    this.checkInput('predictOnBatch', xt);
    this.ensureBuilt(xt);
    return withScope(() => noGrad(() => this.call(xt, false)));
  }

  private batchInputs(op: string, x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike; classWeight?: ClassWeight }) {
    const xt = asBatchTensor(op, x, 'x');
    const yt = asBatchTensor(op, y, 'y');
    const n = checkSameLength(op, [['x', xt], ['y', yt]]);
    this.checkInput(op, xt);
    if (n > 0) {
      // Built in a scope (as trainStep would), so the initializers' intermediates are released.
      withScope(() => this.ensureBuilt(xt));
      this.checkLabels(op, yt);
    }
    let sw = options.sampleWeight === undefined ? null : asSampleWeight(op, options.sampleWeight, n);
    if (options.classWeight !== undefined) sw = multiplyWeights(sw, classWeightsFor(op, yt, options.classWeight));
    return { xt, yt, sw };
  }

  private batchLogs(lossValue: number): Logs {
    const logs: Logs = { loss: lossValue };
    for (const m of this.metrics) logs[m.name] = m.result();
    return logs;
  }

  /** One training step on exactly this batch; returns its loss and metrics (metrics are reset first, as Keras does). */
  trainOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike; classWeight?: ClassWeight } = {}): Logs {
    checkOptionKeys('trainOnBatch', options, TRAIN_ON_BATCH_OPTIONS);
    const { xt, yt, sw } = this.batchInputs('trainOnBatch', x, y, options);
    if (xt.shape[0] === 0) throw new Error(`trainOnBatch: the batch is empty: x has shape ${formatShape(xt.shape)} (0 samples); a training step needs at least one`);
    for (const m of this.metrics) m.reset();
    return this.batchLogs(this.trainStep(xt, yt, sw));
  }

  /** Loss and metrics of one batch in inference mode. */
  testOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike } = {}): Logs {
    checkOptionKeys('testOnBatch', options, TEST_ON_BATCH_OPTIONS);
    const { xt, yt, sw } = this.batchInputs('testOnBatch', x, y, options);
    this.requireCompiled('testOnBatch');
    for (const m of this.metrics) m.reset();
    return this.batchLogs(this.testStep(xt, yt, sw));
  }

  /** Rebuild a model from `getConfig()` output (new, untrained weights). */
  static fromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }): Sequential {
    return sequentialFromConfig(config);
  }

  /** `{ name, layers: [{ className, config }] }` in camelCase, as `Sequential.fromConfig` takes it. */
  getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return sequentialConfig(this);
  }

  /**
   * Save to a URL (`'file://./out/model'` in Node after `import '@descent/models/node'`) or an
   * IOHandler, in TF.js's layers-model format (model.json + weights.bin).
   */
  async save(destination: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
    const handler = resolveIOHandler(destination, 'save');
    if (!handler.save) throw new Error('save: this IOHandler cannot save (it has no save method)');
    return handler.save(modelToArtifacts(this, { includeOptimizer: options.includeOptimizer ?? false, weightsOnly: false }));
  }

  /** Save only the weights (model.json with a weights manifest and no topology, plus weights.bin). */
  async saveWeights(destination: string | IOHandler): Promise<SaveResult> {
    const handler = resolveIOHandler(destination, 'saveWeights');
    if (!handler.save) throw new Error('saveWeights: this IOHandler cannot save (it has no save method)');
    return handler.save(modelToArtifacts(this, { includeOptimizer: false, weightsOnly: true }));
  }

  /** Load weights saved by `save` or `saveWeights` into this (already shaped) model, matching them by name. */
  async loadWeights(source: string | IOHandler): Promise<void> {
    const artifacts = await loadArtifacts(source, 'loadWeights');
    applyArtifactWeights(this, artifacts, artifacts.source ?? 'loadWeights', false);
  }

  /**
   * The model in memory: the model.json object (what `JSON.stringify` should write to model.json)
   * and the weights as one ArrayBuffer (weights.bin). `fromJSON` reverses it.
   */
  toJSON(options: SaveOptions = {}): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
    return toModelJSON(modelToArtifacts(this, { includeOptimizer: options.includeOptimizer ?? false, weightsOnly: false }));
  }
}
