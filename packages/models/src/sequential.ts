import type { Variable } from '@descent/autograd';
import { noGrad, scoped } from '@descent/autograd';
import type { CallKwargs, Layer, LayerInputs, LayerInputShapes, SymbolicInputs, SymbolicShape } from '@descent/layers';
import { getMask, Input, isSymbolicInput, SymbolicTensor } from '@descent/layers';
import type { Tensor, TensorLike } from '@descent/tensor';
import { formatShape, withScope } from '@descent/tensor';
import type { Logs } from './callbacks/callback.js';
import type { History } from './callbacks/history.js';
import { Model } from './functional/model.js';
import type { LayerConfigEntry } from './io/layer-config.js';
import { deserializeLayerList, layerError, stackConfig } from './io/layer-config.js';
import { formatSummary } from './summary.js';
import type { SummaryOptions } from './summary.js';
import type { BatchData, ClassWeight, Dataset, DataNames, DataStructure } from './training/data.js';
import { asBatchTensor, asSampleWeight, checkSameLength, classWeightsFor, fitsShape, isDataset, multiplyWeights, NO_NAMES, symbolicShapeText } from './training/data.js';
import type { FitDatasetOptions, FitOptions } from './training/fit.js';
import { fitDataset, fitTensors } from './training/fit.js';
import type { PredictOptions } from './training/predict.js';
import type { CompileArgs, SequentialArgs } from './sequential-args.js';
import { checkBuildShape, checkCompileArgs, constructorArgs, defaultSequentialName, findLayer, firstMask, isLayer, isOptionsObject, missingYError, oneTensor, setStackWeights, snapshot } from './sequential-args.js';

export type { SaveOptions } from './functional/model.js';
export type { CompileArgs, LossIdentifier, MetricIdentifier, OptimizerIdentifier, SequentialArgs } from './sequential-args.js';
export { resetSequentialNames } from './sequential-args.js';

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
    const { list, name } = constructorArgs(layers, args);
    super({ name: name ?? defaultSequentialName(), deferGraph: true });
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
    return findLayer(this.name, this.stack, nameOrIndex);
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
    const input = checkBuildShape(shape);
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
    if (!fitsShape(xt, expected)) {
      throw new Error(`${op}: input shape mismatch: model '${this.name}' expects ${symbolicShapeText(expected)}, got x of shape ${formatShape(xt.shape)}`);
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
    setStackWeights(this.name, this.stack, weights);
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
    const metrics = checkCompileArgs(args);
    // One output: the loss and the metric list are that output's.
    super.compile({ optimizer: args.optimizer, loss: [args.loss], metrics: [[...metrics]] });
    this.compileIds = { loss: args.loss, metrics: [...metrics], lossWeights: undefined };
  }

  /** @internal Build from the data first, when no input shape was declared. */
  protected override buildFor(op: string, x: BatchData): void {
    if (!this.built) withScope(() => this.ensureBuiltFor(oneTensor(op, x)));
  }

  /** @internal Labels are checked once the model is built (its output shape gives the classes). */
  override checkLabels(op: string, y: BatchData, what = 'y'): void {
    this.requireCompiled(op);
    if (this.built) super.checkLabels(op, y, what);
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
    if (isOptionsObject(y)) return Promise.reject(missingYError(y as object));
    return fitTensors(this, x, y as TensorLike, options ?? {});
  }

  /** Outputs for `x` in inference mode, computed `batchSize` (32) samples at a time. */
  override predict(x: TensorLike, options: PredictOptions = {}): Tensor {
    return super.predict(x, options) as Tensor;
  }

  /** Outputs for one batch in inference mode. */
  override predictOnBatch(x: TensorLike): Tensor {
    return super.predictOnBatch(x) as Tensor;
  }

  /** @internal A Sequential's x is one tensor. */
  protected override inputData(op: string, x: DataStructure): Tensor {
    return asBatchTensor(op, x as TensorLike, 'x');
  }

  /** @internal One tensor each for x and y (built from x first, when no input shape was declared). */
  protected override batchInputs(op: string, x: DataStructure, y: DataStructure, options: { sampleWeight?: DataStructure; classWeight?: ClassWeight }): { xt: Tensor; yt: Tensor; sw: Tensor | null } {
    const xt = this.inputData(op, x);
    const yt = asBatchTensor(op, y as TensorLike, 'y');
    const n = checkSameLength(op, [['x', xt], ['y', yt]]);
    this.checkInput(op, xt);
    if (n > 0) {
      // Built in a scope (as trainStep would), so the initializers' intermediates are released.
      withScope(() => this.ensureBuiltFor(xt));
      this.checkLabels(op, yt);
    }
    let sw = options.sampleWeight === undefined ? null : asSampleWeight(op, options.sampleWeight as TensorLike, n);
    if (options.classWeight !== undefined) sw = multiplyWeights(sw, classWeightsFor(op, yt, options.classWeight));
    return { xt, yt, sw };
  }

  protected override emptyBatchDetail(x: BatchData): string {
    return `: x has shape ${formatShape((x as Tensor).shape)}`;
  }

  /** One training step on exactly this batch; returns its loss and metrics (metrics are reset first, as Keras does). */
  override trainOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike; classWeight?: ClassWeight } = {}): Logs {
    return super.trainOnBatch(x, y, options);
  }

  /** Loss and metrics of one batch in inference mode. */
  override testOnBatch(x: TensorLike, y: TensorLike, options: { sampleWeight?: TensorLike } = {}): Logs {
    return super.testOnBatch(x, y, options);
  }

  /** Rebuild a model from `getConfig()` output (new, untrained weights). */
  static override fromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }): Sequential {
    return sequentialFromConfig(config);
  }

  /** `{ name, layers: [{ className, config }] }` in camelCase, as `Sequential.fromConfig` takes it; the first layer carries the batch input shape. */
  override getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return { name: this.name, layers: stackConfig(this.stack, this.knownInputShape()) };
  }

}

/** A Sequential from `{ name, layers: [{ className, config }] }` (camelCase, as `getConfig` returns). */
export function sequentialFromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }, source = 'Sequential.fromConfig'): Sequential {
  const layers = deserializeLayerList(config, source);
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
