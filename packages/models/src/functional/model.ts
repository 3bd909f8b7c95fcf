import { noGrad, variableGrads } from '@descent/autograd';
import type { Loss, LossIdentifier, SymbolicShape } from '@descent/layers';
import { Functional } from '@descent/layers';
import type { Optimizer } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { dispose, formatShape, withScope } from '@descent/tensor';
import type { Logs } from '../callbacks/callback.js';
import type { History } from '../callbacks/history.js';
import type { IOHandler, ModelJSON, SaveResult } from '../io/artifacts.js';
import { resolveIOHandler } from '../io/router.js';
import { applyArtifactWeights, loadArtifacts, modelToArtifacts, toModelJSON } from '../io/serialize.js';
import type { JsonObject } from '../io/case.js';
import type { Compiled, ModelCompileArgs, PerOutput } from './compiled.js';
import { compileOutputs, outputLosses, updateMetrics } from './compiled.js';
import { camelTopology, functionalTopologyConfig, modelFromConfig } from './serialize.js';
import type { SummaryOptions } from '../summary.js';
import { formatGraphSummary } from '../summary.js';
import type { BatchData, ClassWeight, DataNames, Dataset, DataStructure } from '../training/data.js';
import { asBatchData, asSampleWeights, batchLength, checkSameLength, classWeightsFor, DataRows, fitsShape, isDataset, multiplyWeights, namedTensors, singleY, symbolicShapeText, tensorsOf } from '../training/data.js';
import type { EvaluateDatasetOptions, EvaluateOptions } from '../training/evaluate.js';
import { evaluateDatasetLoop, evaluateTensors } from '../training/evaluate.js';
import type { FitDatasetOptions, FitOptions } from '../training/fit.js';
import { fitDataset, fitTensors } from '../training/fit.js';
import type { MetricLike } from '../training/model-kind.js';
import { checkOptionKeys, TEST_ON_BATCH_OPTIONS, TRAIN_ON_BATCH_OPTIONS } from '../training/options.js';
import type { PredictOptions } from '../training/predict.js';
import { joinOutput, predictBatches } from '../training/predict.js';

export type { ModelCompileArgs, PerOutput } from './compiled.js';

/** Options of `save`. */
export interface SaveOptions {
  /** Also save the optimizer's state and the training config, so `fit` resumes exactly after loading (default false). */
  includeOptimizer?: boolean;
}

const MODEL_COMPILE_ARGS = ['optimizer', 'loss', 'metrics', 'lossWeights'];

/**
 * A model made of a graph of layers (Keras's functional API; TF.js's `tf.model`): its inputs come
 * from `Input(...)`, its outputs are layers' symbolic outputs. Trains like `Sequential` with
 * `compile`/`fit`/`evaluate`/`predict`, with one loss (and metrics) per output where it has several;
 * it is also a layer, so it can be called inside another model.
 * ```ts
 * const x = Input({ shape: [784] });
 * const h = new Dense({ units: 64, activation: 'relu' }).apply(x);
 * const model = new Model({ inputs: x, outputs: new Dense({ units: 10, activation: 'softmax' }).apply(h) });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fit(xTrain, yTrain, { epochs: 5 });
 * ```
 */
export class Model extends Functional {
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) or by you inside a hook to end `fit` after the current batch. */
  stopTraining = false;
  /** @internal What `compile` was given, for the saved training config. */
  compileIds: { loss: PerOutput<LossIdentifier>; metrics: ModelCompileArgs['metrics']; lossWeights: ModelCompileArgs['lossWeights'] } | null = null;
  private compiled: Compiled | null = null;

  constructor(args: ConstructorParameters<typeof Functional>[0]) {
    super(args);
  }

  /** @internal The names `x`/`y` objects are keyed by (a `Sequential` takes one tensor each: no names). */
  dataNames(): DataNames {
    return { x: this.inputNames, y: this.outputNames };
  }

  /** The compiled optimizer, or null before `compile`. */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** The compiled loss of each output (in output order), empty before `compile`. */
  get lossFunctions(): Loss[] {
    return this.compiled ? [...this.compiled.losses] : [];
  }

  /** The compiled loss of a single-output model (as `Sequential.lossFunction`), or null. */
  get lossFunction(): Loss | null {
    return this.compiled?.losses.length === 1 ? this.compiled.losses[0]! : null;
  }

  /**
   * The log entries besides `loss`, in log order: for several outputs, each output's loss
   * (`<output>_loss`) then each output's metrics (`<output>_<metric>`); for one output, its metrics.
   */
  get metrics(): MetricLike[] {
    if (!this.compiled) return [];
    return [...this.compiled.outputLosses, ...this.compiled.metrics];
  }

  /** The batch input shape of a single-input model, e.g. `[null, 784]` (one per input otherwise). */
  override get inputShape(): SymbolicShape | SymbolicShape[] {
    return this.inputs.length === 1 ? [...this.inputs[0]!.shape] : this.inputs.map((t) => [...t.shape]);
  }

  /** The output shape of a single-output model (the first output's otherwise; see `outputShapes`). */
  override get outputShape(): SymbolicShape {
    return [...this.outputs[0]!.shape];
  }

  /** One output shape per output. */
  get outputShapes(): SymbolicShape[] {
    return this.outputs.map((t) => [...t.shape]);
  }

  /** Pick the optimizer, the loss(es), metrics and loss weights. Identifiers are resolved now, so a typo fails here. */
  compile(args: ModelCompileArgs): void {
    if (typeof args !== 'object' || args === null) throw new Error('compile: expected { optimizer, loss, metrics?, lossWeights? }');
    checkOptionKeys('compile', args, MODEL_COMPILE_ARGS);
    if (args.optimizer === undefined) throw new Error("compile: 'optimizer' is required (a name such as 'adam', a config object or an Optimizer)");
    if (args.loss === undefined) throw new Error("compile: 'loss' is required (a name such as 'categoricalCrossentropy', a Loss or a function; one per output, or by output name)");
    this.compiled = compileOutputs(args, this.outputNames);
    this.compileIds = { loss: args.loss, metrics: args.metrics, lossWeights: args.lossWeights };
  }

  /** @internal */
  requireCompiled(op: string): { optimizer: Optimizer; losses: Loss[] } {
    if (!this.compiled) throw new Error(`${op}: model '${this.name}' must be compiled first: call compile({ optimizer, loss })`);
    return { optimizer: this.compiled.optimizer, losses: this.compiled.losses };
  }

  /** The loss to minimize: the weighted sum of the outputs' losses plus every layer's regularization penalty; also each output's loss. */
  private totalLoss(ys: readonly Tensor[], preds: readonly Tensor[], sampleWeight: BatchData | null): { total: Tensor; parts: Tensor[] } {
    const { total, parts } = outputLosses(this.compiled!, ys, preds, sampleWeight);
    let sum = total;
    for (const penalty of this.regularizationLosses()) sum = sum.add(penalty);
    return { total: sum, parts };
  }

  /** @internal One optimizer step on a batch; updates the compiled metrics; returns the batch loss. */
  trainStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
    this.requireCompiled('fit');
    this.buildFor('fit', x);
    return withScope(() => {
      const { optimizer } = this.requireCompiled('fit');
      const xs = tensorsOf(x);
      const ys = tensorsOf(y);
      const vars = this.trainableWeights;
      let preds: Tensor[] | null = null;
      let parts: Tensor[] = [];
      const f = (): Tensor => {
        preds = this.runGraph(xs, { training: true });
        const loss = this.totalLoss(ys, preds, sampleWeight);
        parts = loss.parts;
        return loss.total;
      };
      let value: Tensor;
      if (vars.length === 0) {
        value = noGrad(f);
      } else {
        const result = variableGrads(f, vars);
        value = result.value;
        optimizer.applyGradients(result.grads);
      }
      const out = preds as Tensor[] | null;
      if (out === null) throw new Error('fit: internal error: the forward pass did not run');
      updateMetrics(this.compiled!, ys, out, sampleWeight, parts);
      return value.item();
    });
  }

  /** @internal Loss (with regularization) and metric updates for one batch in inference mode. */
  testStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
    this.requireCompiled('evaluate');
    this.buildFor('evaluate', x);
    return withScope(() =>
      noGrad(() => {
        const ys = tensorsOf(y);
        const preds = this.runGraph(tensorsOf(x), { training: false });
        const { total, parts } = this.totalLoss(ys, preds, sampleWeight);
        updateMetrics(this.compiled!, ys, preds, sampleWeight, parts);
        return total.item();
      }),
    );
  }

  /** @internal Build the model for data `x` if it is not built yet (a `Sequential` may wait for data; a graph model never does). */
  protected buildFor(_op: string, _x: BatchData): void {}

  /** Throw a clear error when `x` does not match the model's inputs (count and shapes). */
  checkInput(op: string, x: BatchData): void {
    const xs = tensorsOf(x);
    if (xs.length !== this.inputs.length) {
      throw new Error(`${op}: model '${this.name}' has ${this.inputs.length} inputs (${this.inputNames.join(', ')}), got ${xs.length} tensors`);
    }
    xs.forEach((t, i) => {
      const expected = this.inputs[i]!.shape;
      if (!fitsShape(t, expected)) {
        const which = this.inputs.length === 1 ? 'x' : `x.${this.inputNames[i]}`;
        throw new Error(`${op}: input shape mismatch: model '${this.name}' expects ${symbolicShapeText(expected)} for input '${this.inputNames[i]}', got ${which} of shape ${formatShape(t.shape)}`);
      }
    });
  }

  /** @internal Check every label of `y` with each output's loss (`validateLabels`), before any step changes a weight. */
  checkLabels(op: string, y: BatchData, what = 'y'): void {
    const { losses } = this.requireCompiled(op);
    const ys = tensorsOf(y);
    if (ys.length !== this.outputs.length) {
      throw new Error(`${op}: model '${this.name}' has ${this.outputs.length} outputs (${this.outputNames.join(', ')}), got ${ys.length} label tensors in ${what}`);
    }
    ys.forEach((t, i) => {
      const loss = losses[i]!;
      try {
        loss.validateLabels(t, this.outputs[i]!.shape);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const which = this.outputs.length === 1 ? what : `${what}.${this.outputNames[i]}`;
        throw new Error(`${op}: ${which} does not fit loss '${loss.name}': ${message}`, { cause: err });
      }
    });
  }

  /** @internal Check that a few samples go through the model, losses and metrics before any step changes a weight. */
  checkBatch(op: string, x: BatchData, y: BatchData): void {
    const { losses } = this.requireCompiled(op);
    this.checkInput(op, x);
    const ys = tensorsOf(y);
    // outputNames, not outputs: a Sequential that waits for data to build has one output but no graph yet.
    if (ys.length !== this.outputNames.length) {
      throw new Error(`${op}: model '${this.name}' has ${this.outputNames.length} outputs (${this.outputNames.join(', ')}), got ${ys.length} label tensors`);
    }
    const n = Math.min(2, batchLength(x));
    if (n === 0) throw new Error(`${op}: x has no samples`);
    const xs = tensorsOf(new DataRows(x).take(0, n));
    const yr = tensorsOf(new DataRows(y).take(0, n));
    try {
      this.buildFor(op, xs);
      withScope(() =>
        noGrad(() => {
          const preds = this.runGraph(xs, { training: false });
          losses.forEach((loss, i) => loss.apply(yr[i]!, preds[i]!));
          for (const m of this.compiled!.metrics) m.metric.update(yr[m.output]!, preds[m.output]!);
        }),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const names = losses.map((l) => `'${l.name}'`).join(', ');
      throw new Error(`${op}: the data does not fit model '${this.name}' compiled with loss ${names}: ${message}`, { cause: err });
    } finally {
      for (const m of this.metrics) m.reset();
    }
  }

  /**
   * Train. `fit(x, y, options)` with tensors (x/y as one tensor, an array in input/output order, or
   * an object by input/output name), or `fit(dataset, options)` with an (async) iterable of
   * `{ xs, ys }` batches of the same structures. Resolves to the History of epoch logs.
   */
  fit(x: DataStructure, y: DataStructure, options?: FitOptions): Promise<History>;
  fit(dataset: Dataset, options?: FitDatasetOptions): Promise<History>;
  fit(x: DataStructure | Dataset, y?: DataStructure | FitDatasetOptions, options?: FitOptions): Promise<History> {
    if (isDataset(x)) return fitDataset(this, x, (y ?? {}) as FitDatasetOptions);
    if (y === undefined) return Promise.reject(new Error('fit: y is required when x is tensor data (or pass an iterable of { xs, ys } batches)'));
    return fitTensors(this, x, y as DataStructure, options ?? {});
  }

  /** Loss and metrics over `x`/`y` in inference mode, by name: `{ loss, accuracy }` (or per-output keys). */
  evaluate(x: DataStructure, y: DataStructure, options: EvaluateOptions = {}): Logs {
    return evaluateTensors(this, x, y, options);
  }

  /** `evaluate` over an (async) iterable of `{ xs, ys }` batches. */
  evaluateDataset(dataset: Dataset, options: EvaluateDatasetOptions = {}): Promise<Logs> {
    return evaluateDatasetLoop(this, dataset, options);
  }

  /**
   * Outputs for `x` in inference mode, computed `batchSize` (32) samples at a time: one tensor for a
   * single-output model, one per output (in output order) otherwise.
   */
  predict(x: DataStructure, options: PredictOptions = {}): Tensor | Tensor[] {
    const made: Tensor[] = [];
    const { x: xt, outs } = predictBatches(this, options, () => this.inputData('predict', x, made), (b) => this.predictBatch('predict', b));
    if (outs.length === 0) this.buildFor('predict', xt);
    const result = this.outputs.map((o, i) => joinOutput(outs, i, o.shape));
    dispose(made.filter((t) => !result.includes(t)));
    return result.length === 1 ? result[0]! : result;
  }

  /** @internal `x` as the model's input data (one tensor per input); tensors made from plain arrays go to `made`. */
  protected inputData(op: string, x: DataStructure, made: Tensor[]): BatchData {
    return asBatchData(op, x, 'x', this.inputNames, made);
  }

  private predictBatch(op: string, x: BatchData): Tensor[] {
    this.buildFor(op, x);
    return noGrad(() => this.runGraph(tensorsOf(x), { training: false }));
  }

  /** Outputs for one batch in inference mode (one tensor, or one per output). */
  predictOnBatch(x: DataStructure): Tensor | Tensor[] {
    const xt = this.inputData('predictOnBatch', x, []);
    this.checkInput('predictOnBatch', xt);
    const out = withScope(() => this.predictBatch('predictOnBatch', xt));
    return out.length === 1 ? out[0]! : out;
  }

  /** @internal The tensors of one batch for `trainOnBatch`/`testOnBatch`, checked against the model. */
  protected batchInputs(op: string, x: DataStructure, y: DataStructure, options: { sampleWeight?: DataStructure; classWeight?: ClassWeight }): { xt: BatchData; yt: BatchData; sw: BatchData | null } {
    const made: Tensor[] = [];
    const xt = this.inputData(op, x, made);
    const yt = asBatchData(op, y, 'y', this.outputNames, made);
    const n = checkSameLength(op, [...namedTensors('x', xt, this.inputNames), ...namedTensors('y', yt, this.outputNames)]);
    this.checkInput(op, xt);
    if (n > 0) this.checkLabels(op, yt);
    let sw = options.sampleWeight === undefined ? null : asSampleWeights(op, options.sampleWeight, n, this.outputNames, made);
    if (options.classWeight !== undefined) sw = multiplyWeights(sw as Tensor | null, classWeightsFor(op, singleY(op, yt), options.classWeight));
    return { xt, yt, sw };
  }

  /** @internal What an empty batch's error adds after "the batch is empty" (a `Sequential` names x's shape). */
  protected emptyBatchDetail(_x: BatchData): string {
    return '';
  }

  private batchLogs(lossValue: number): Logs {
    const logs: Logs = { loss: lossValue };
    for (const m of this.metrics) logs[m.name] = m.result();
    return logs;
  }

  /** One training step on exactly this batch; returns its loss and metrics (metrics are reset first, as Keras does). */
  trainOnBatch(x: DataStructure, y: DataStructure, options: { sampleWeight?: DataStructure; classWeight?: ClassWeight } = {}): Logs {
    checkOptionKeys('trainOnBatch', options, TRAIN_ON_BATCH_OPTIONS);
    this.requireCompiled('trainOnBatch');
    const { xt, yt, sw } = this.batchInputs('trainOnBatch', x, y, options);
    if (batchLength(xt) === 0) throw new Error(`trainOnBatch: the batch is empty${this.emptyBatchDetail(xt)} (0 samples); a training step needs at least one`);
    for (const m of this.metrics) m.reset();
    return this.batchLogs(this.trainStep(xt, yt, sw));
  }

  /** Loss and metrics of one batch in inference mode. */
  testOnBatch(x: DataStructure, y: DataStructure, options: { sampleWeight?: DataStructure } = {}): Logs {
    checkOptionKeys('testOnBatch', options, TEST_ON_BATCH_OPTIONS);
    this.requireCompiled('testOnBatch');
    const { xt, yt, sw } = this.batchInputs('testOnBatch', x, y, options);
    for (const m of this.metrics) m.reset();
    return this.batchLogs(this.testStep(xt, yt, sw));
  }

  /** Print the Keras table of layers with output shapes, parameter counts and the "Connected to" column. */
  summary(options: SummaryOptions = {}): void {
    const print = options.printFn ?? ((line: string) => console.log(line));
    for (const line of formatGraphSummary(this, options)) print(line);
  }

  /**
   * Save to a URL (`'file://./out/model'` in Node after `import '@descent/models/node'`) or an
   * IOHandler, in TF.js's layers-model format with a `Functional` topology.
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

  /** Load weights saved by `save` or `saveWeights` into this model, matching them by name. */
  async loadWeights(source: string | IOHandler): Promise<void> {
    const artifacts = await loadArtifacts(source, 'loadWeights');
    applyArtifactWeights(this, artifacts, artifacts.source ?? 'loadWeights', false);
  }

  /** The model in memory: model.json (object) and the weights as one ArrayBuffer; `fromJSON` reverses it. */
  toJSON(options: SaveOptions = {}): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
    return toModelJSON(modelToArtifacts(this, { includeOptimizer: options.includeOptimizer ?? false, weightsOnly: false }));
  }

  /**
   * The graph as Keras's `Functional.get_config()` gives it, in camelCase (as `Sequential.getConfig`):
   * `{ name, trainable, layers: [{ className, config, name, inboundNodes }], inputLayers, outputLayers }`,
   * each inbound node a list of `[layerName, nodeIndex, tensorIndex, kwargs]`; `Model.fromConfig` takes it.
   * It is model.json's `model_config.config` with camelCase keys. No weights.
   */
  override getConfig(): Record<string, unknown> {
    // Layer configs stay as the layers give them (camelCase); only the graph's own keys are renamed.
    // (A name such as `dense_1` is a value: converting the whole object would rename it too.)
    return camelTopology(functionalTopologyConfig(this, (layer) => JSON.parse(JSON.stringify(layer.getConfig())) as JsonObject));
  }

  /**
   * Rebuild a graph model from `getConfig()` output (camelCase) or from the snake_case `config` of a
   * model.json's `Functional` topology (Keras 2/3 and TF.js forms), with new, untrained weights.
   */
  static fromConfig(config: Record<string, unknown>): Model {
    return modelFromConfig(config);
  }

}
