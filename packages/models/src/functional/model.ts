import { noGrad, variableGrads } from '@descent/autograd';
import type { Loss, LossIdentifier, Metric, MetricIdentifier, SymbolicShape } from '@descent/layers';
import { Functional, getLoss, getMetric } from '@descent/layers';
import type { Optimizer, OptimizerIdentifier } from '@descent/optimizers';
import { get as getOptimizer } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { concat, dispose, formatShape, makeTensor, withScope } from '@descent/tensor';
import type { Callback, Logs } from '../callbacks/callback.js';
import { CallbackList, checkCallbacks } from '../callbacks/callback.js';
import type { History } from '../callbacks/history.js';
import { formatValue } from '../format.js';
import type { IOHandler, ModelJSON, SaveResult } from '../io/artifacts.js';
import { resolveIOHandler } from '../io/router.js';
import { applyArtifactWeights, loadArtifacts, modelToArtifacts, toModelJSON } from '../io/serialize.js';
import type { JsonObject, JsonValue } from '../io/case.js';
import { checkJsonDepth, isJsonObject, toPythonic } from '../io/case.js';
import { functionalTopologyConfig } from './serialize.js';

import type { SummaryOptions } from '../summary.js';
import { formatGraphSummary } from '../summary.js';
import type { BatchData, ClassWeight, DataNames, Dataset, DataStructure } from '../training/data.js';
import { asBatchData, asSampleWeights, batchLength, checkSameLength, classWeightsFor, DataRows, isDataset, multiplyWeights, namedTensors, outputWeight, singleY, tensorsOf } from '../training/data.js';
import type { EvaluateDatasetOptions, EvaluateOptions } from '../training/evaluate.js';
import { evaluateDatasetLoop, evaluateTensors } from '../training/evaluate.js';
import type { FitDatasetOptions, FitOptions } from '../training/fit.js';
import { fitDataset, fitTensors } from '../training/fit.js';
import { lossSampleWeight, metricSampleWeight } from '../training/mask.js';
import type { MetricLike } from '../training/model-kind.js';
import { checkOptionKeys, PREDICT_OPTIONS, TEST_ON_BATCH_OPTIONS, TRAIN_ON_BATCH_OPTIONS } from '../training/options.js';

/** Per-output values of `compile`: one for every output, a list in output order, or an object by output name. */
export type PerOutput<T> = T | readonly T[] | Readonly<Record<string, T>>;

/** What `Model.compile` takes: `Sequential`'s options, each per output where the model has several. */
export interface ModelCompileArgs {
  /** An optimizer name (`'adam'`), config or `Optimizer` instance. */
  optimizer: OptimizerIdentifier;
  /** One loss for every output, a list (output order) or an object by output name. */
  loss: PerOutput<LossIdentifier>;
  /**
   * Metrics: a list applied to every output, a list of lists (one per output) or an object by output
   * name (a metric or a list). Logged as `<metric>` for one output, `<output>_<metric>` for several.
   */
  metrics?: readonly MetricIdentifier[] | readonly (readonly MetricIdentifier[])[] | Readonly<Record<string, MetricIdentifier | readonly MetricIdentifier[]>>;
  /** Weight of each output's loss in the total (default 1 each): a list (output order) or an object by output name. */
  lossWeights?: readonly number[] | Readonly<Record<string, number>>;
}

/** Options of `save`. */
export interface SaveOptions {
  /** Also save the optimizer's state and the training config, so `fit` resumes exactly after loading (default false). */
  includeOptimizer?: boolean;
}

const MODEL_COMPILE_ARGS = ['optimizer', 'loss', 'metrics', 'lossWeights'];

/** A compiled metric of one output, under its log key (`accuracy`, or `<output>_accuracy` for several outputs). */
class OutputMetric implements MetricLike {
  constructor(
    readonly name: string,
    readonly metric: Metric,
    readonly output: number,
  ) {}

  result(): number {
    return this.metric.result();
  }

  reset(): void {
    this.metric.reset();
  }
}

/** The running, sample-weighted mean of one output's loss (`<output>_loss`), as Keras logs it. */
class OutputLoss implements MetricLike {
  private sum = 0;
  private count = 0;

  constructor(readonly name: string) {}

  update(value: number, n: number): void {
    this.sum += value * n;
    this.count += n;
  }

  result(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

interface Compiled {
  optimizer: Optimizer;
  losses: Loss[];
  lossWeights: number[];
  outputLosses: OutputLoss[];
  metrics: OutputMetric[];
}

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
    const optimizer = getOptimizer(args.optimizer);
    const lossIds = this.perOutput('loss', args.loss, (v) => typeof v === 'string' || typeof v === 'function' || (typeof v === 'object' && v !== null && 'apply' in v));
    const losses = lossIds.map((id) => getLoss(id));
    const weights = args.lossWeights === undefined ? this.outputNames.map(() => 1) : this.perOutput('lossWeights', args.lossWeights, (v) => typeof v === 'number', true);
    weights.forEach((w, i) => {
      if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`compile: lossWeights for output '${this.outputNames[i]}' must be a finite number, got ${formatValue(w)}`);
    });
    const metricLists = this.metricLists(args.metrics);
    const several = this.outputNames.length > 1;
    const seen = new Set<Metric>();
    const metrics: OutputMetric[] = [];
    metricLists.forEach((ids, i) => {
      for (const id of ids) {
        const metric = getMetric(id, { loss: losses[i]! });
        if (seen.has(metric)) throw new Error(`compile: the same Metric instance '${metric.name}' is given for two outputs; a metric keeps state, so give each output its own (or use a name such as 'accuracy')`);
        seen.add(metric);
        metrics.push(new OutputMetric(several ? `${this.outputNames[i]}_${metric.name}` : metric.name, metric, i));
      }
    });
    const outputLosses = several ? this.outputNames.map((n) => new OutputLoss(`${n}_loss`)) : [];
    this.compiled = { optimizer, losses, lossWeights: weights, outputLosses, metrics };
    this.compileIds = { loss: args.loss, metrics: args.metrics, lossWeights: args.lossWeights };
  }

  /** One value per output from `value` (one for all, a list in output order, or an object by output name). */
  private perOutput<T>(option: string, value: PerOutput<T>, isOne: (v: unknown) => boolean, noBroadcast = false): T[] {
    const n = this.outputNames.length;
    if (Array.isArray(value)) {
      if (value.length !== n) throw new Error(`compile: ${option} has ${value.length} entries, but the model has ${n} output${n === 1 ? '' : 's'} (${this.outputNames.join(', ')})`);
      return [...(value as readonly T[])];
    }
    if (!noBroadcast && isOne(value)) return this.outputNames.map(() => value as T);
    if (typeof value === 'object' && value !== null) {
      const rec = value as Readonly<Record<string, T>>;
      for (const k of Object.keys(rec)) {
        if (!this.outputNames.includes(k)) throw new Error(`compile: ${option} has key '${k}', which is not an output name (outputs: ${this.outputNames.join(', ')})`);
      }
      return this.outputNames.map((name) => {
        if (rec[name] === undefined) {
          if (noBroadcast) return 1 as T;
          throw new Error(`compile: ${option} has no entry for output '${name}' (outputs: ${this.outputNames.join(', ')})`);
        }
        return rec[name];
      });
    }
    throw new Error(`compile: ${option} must be one value for every output, a list of ${n} or an object by output name, got ${formatValue(value)}`);
  }

  private metricLists(metrics: ModelCompileArgs['metrics']): MetricIdentifier[][] {
    const n = this.outputNames.length;
    if (metrics === undefined) return this.outputNames.map(() => []);
    if (Array.isArray(metrics)) {
      const nested = metrics.length > 0 && metrics.every((m) => Array.isArray(m));
      if (nested) {
        if (metrics.length !== n) throw new Error(`compile: metrics has ${metrics.length} lists, but the model has ${n} outputs (${this.outputNames.join(', ')})`);
        return (metrics as readonly (readonly MetricIdentifier[])[]).map((l) => [...l]);
      }
      return this.outputNames.map(() => [...(metrics as readonly MetricIdentifier[])]);
    }
    if (typeof metrics === 'object' && metrics !== null) {
      const rec = metrics as Readonly<Record<string, MetricIdentifier | readonly MetricIdentifier[]>>;
      for (const k of Object.keys(rec)) {
        if (!this.outputNames.includes(k)) throw new Error(`compile: metrics has key '${k}', which is not an output name (outputs: ${this.outputNames.join(', ')})`);
      }
      return this.outputNames.map((name) => {
        const v = rec[name];
        if (v === undefined) return [];
        return Array.isArray(v) ? [...(v as readonly MetricIdentifier[])] : [v as MetricIdentifier];
      });
    }
    throw new Error(`compile: metrics must be an array (or one array per output, or an object by output name), got ${formatValue(metrics)}`);
  }

  /** @internal The compiled metrics themselves (without their per-output log names), in log order. */
  protected compiledMetrics(): Metric[] {
    return this.compiled ? this.compiled.metrics.map((m) => m.metric) : [];
  }

  /** @internal */
  requireCompiled(op: string): { optimizer: Optimizer; losses: Loss[] } {
    if (!this.compiled) throw new Error(`${op}: model '${this.name}' must be compiled first: call compile({ optimizer, loss })`);
    return { optimizer: this.compiled.optimizer, losses: this.compiled.losses };
  }

  /** The loss to minimize: the weighted sum of the outputs' losses plus every layer's regularization penalty; also each output's loss. */
  private totalLoss(ys: readonly Tensor[], preds: readonly Tensor[], sampleWeight: BatchData | null): { total: Tensor; parts: Tensor[] } {
    const { losses, lossWeights } = this.compiled!;
    const parts = losses.map((loss, i) => {
      // An output that carries a mask (a sequence after Embedding({ maskZero }) or Masking) weights its loss by it, as Keras does.
      const sw = lossSampleWeight(loss, preds[i]!, outputWeight(sampleWeight, i));
      return sw === null ? loss.apply(ys[i]!, preds[i]!) : loss.apply(ys[i]!, preds[i]!, sw);
    });
    let total: Tensor | null = null;
    parts.forEach((part, i) => {
      const w = lossWeights[i]!;
      const weighted = w === 1 ? part : part.mul(w);
      total = total === null ? weighted : total.add(weighted);
    });
    let sum = total as unknown as Tensor;
    for (const penalty of this.regularizationLosses()) sum = sum.add(penalty);
    return { total: sum, parts };
  }

  private updateMetrics(ys: readonly Tensor[], preds: readonly Tensor[], sampleWeight: BatchData | null, parts: readonly Tensor[]): void {
    const { metrics, outputLosses } = this.compiled!;
    noGrad(() => {
      if (outputLosses.length > 0) {
        const n = ys[0]!.shape[0]!;
        outputLosses.forEach((tracker, i) => tracker.update(parts[i]!.item(), n));
      }
      for (const m of metrics) {
        const sw = metricSampleWeight(m.metric, preds[m.output]!, outputWeight(sampleWeight, m.output));
        if (sw === null) m.metric.update(ys[m.output]!, preds[m.output]!);
        else m.metric.update(ys[m.output]!, preds[m.output]!, sw);
      }
    });
  }

  /** @internal One optimizer step on a batch; updates the compiled metrics; returns the batch loss. */
  trainStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
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
      this.updateMetrics(ys, out, sampleWeight, parts);
      return value.item();
    });
  }

  /** @internal Loss (with regularization) and metric updates for one batch in inference mode. */
  testStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number {
    this.requireCompiled('evaluate');
    return withScope(() =>
      noGrad(() => {
        const ys = tensorsOf(y);
        const preds = this.runGraph(tensorsOf(x), { training: false });
        const { total, parts } = this.totalLoss(ys, preds, sampleWeight);
        this.updateMetrics(ys, preds, sampleWeight, parts);
        return total.item();
      }),
    );
  }

  /** Throw a clear error when `x` does not match the model's inputs (count and shapes). */
  checkInput(op: string, x: BatchData): void {
    const xs = tensorsOf(x);
    if (xs.length !== this.inputs.length) {
      throw new Error(`${op}: model '${this.name}' has ${this.inputs.length} inputs (${this.inputNames.join(', ')}), got ${xs.length} tensors`);
    }
    xs.forEach((t, i) => {
      const expected = this.inputs[i]!.shape;
      const ok = t.rank === expected.length && expected.every((d, j) => j === 0 || d === null || d === t.shape[j]);
      if (!ok) {
        const which = this.inputs.length === 1 ? 'x' : `x.${this.inputNames[i]}`;
        throw new Error(`${op}: input shape mismatch: model '${this.name}' expects ${formatShapeSymbolic(expected)} for input '${this.inputNames[i]}', got ${which} of shape ${formatShape(t.shape)}`);
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
    if (ys.length !== this.outputs.length) {
      throw new Error(`${op}: model '${this.name}' has ${this.outputs.length} outputs (${this.outputNames.join(', ')}), got ${ys.length} label tensors`);
    }
    const n = Math.min(2, batchLength(x));
    if (n === 0) throw new Error(`${op}: x has no samples`);
    const xs = tensorsOf(new DataRows(x).take(0, n));
    const yr = tensorsOf(new DataRows(y).take(0, n));
    try {
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
  predict(x: DataStructure, options: { batchSize?: number; callbacks?: readonly Callback[] } = {}): Tensor | Tensor[] {
    const op = 'predict';
    checkOptionKeys(op, options, PREDICT_OPTIONS);
    const userCallbacks = checkCallbacks(op, options.callbacks);
    const made: Tensor[] = [];
    const xt = asBatchData(op, x, 'x', this.inputNames, made);
    this.checkInput(op, xt);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`predict: batchSize must be a positive integer, got ${formatValue(batchSize)}`);
    const n = batchLength(xt);
    const steps = Math.ceil(n / batchSize);
    const callbacks = new CallbackList(userCallbacks, this, { epochs: 1, steps, verbose: 0, metrics: [] });
    callbacks.runSync(op, 'onPredictBegin', {});
    const rows = new DataRows(xt);
    const outs: Tensor[][] = [];
    for (let b = 0; b < steps; b++) {
      callbacks.runSync(op, 'onPredictBatchBegin', b, {});
      outs.push(withScope(() => this.predictBatch(steps === 1 ? xt : rows.take(b * batchSize, Math.min(n, (b + 1) * batchSize)))));
      callbacks.runSync(op, 'onPredictBatchEnd', b, {});
    }
    callbacks.runSync(op, 'onPredictEnd', {});
    const result = this.outputs.map((o, i) => {
      if (outs.length === 0) return makeTensor(new Float32Array(0), [0, ...o.shape.slice(1).map((d) => d ?? 0)], 'float32');
      return outs.length === 1 ? outs[0]![i]! : concat(outs.map((b) => b[i]!), 0);
    });
    dispose(made.filter((t) => !result.includes(t)));
    return result.length === 1 ? result[0]! : result;
  }

  private predictBatch(x: BatchData): Tensor[] {
    return noGrad(() => this.runGraph(tensorsOf(x), { training: false }));
  }

  /** Outputs for one batch in inference mode (one tensor, or one per output). */
  predictOnBatch(x: DataStructure): Tensor | Tensor[] {
    const made: Tensor[] = [];
    const xt = asBatchData('predictOnBatch', x, 'x', this.inputNames, made);
    this.checkInput('predictOnBatch', xt);
    const out = withScope(() => this.predictBatch(xt));
    return out.length === 1 ? out[0]! : out;
  }

  private batchInputs(op: string, x: DataStructure, y: DataStructure, options: { sampleWeight?: DataStructure; classWeight?: ClassWeight }) {
    const made: Tensor[] = [];
    const xt = asBatchData(op, x, 'x', this.inputNames, made);
    const yt = asBatchData(op, y, 'y', this.outputNames, made);
    const n = checkSameLength(op, [...namedTensors('x', xt, this.inputNames), ...namedTensors('y', yt, this.outputNames)]);
    this.checkInput(op, xt);
    if (n > 0) this.checkLabels(op, yt);
    let sw = options.sampleWeight === undefined ? null : asSampleWeights(op, options.sampleWeight, n, this.outputNames, made);
    if (options.classWeight !== undefined) sw = multiplyWeights(sw as Tensor | null, classWeightsFor(op, singleY(op, yt), options.classWeight));
    return { xt, yt, sw };
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
    if (batchLength(xt) === 0) throw new Error('trainOnBatch: the batch is empty (0 samples); a training step needs at least one');
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
    const source = 'Model.fromConfig';
    if (typeof config !== 'object' || config === null || Array.isArray(config) || !Array.isArray(config.layers)) {
      throw new Error(`${source}: expected { name, layers, inputLayers, outputLayers } (what Model.getConfig() returns), got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config}`);
    }
    if (topologyLoader === null) throw new Error(`${source}: the model loader is not registered (import Model from '@descent/models', not from one of its files)`);
    checkJsonDepth(config, `${source}: config`);
    return topologyLoader({ class_name: 'Functional', config: snakeTopology(config as JsonObject) }, source);
  }
}

/** A snake_case Functional topology (as model.json holds it) with camelCase graph keys (`Model.getConfig`'s form). */
function camelTopology(t: JsonObject): Record<string, unknown> {
  const layers = Array.isArray(t.layers) ? t.layers : [];
  return {
    name: t.name,
    trainable: t.trainable,
    layers: layers.map((raw) => {
      const l = raw as JsonObject;
      const nested = l.class_name === 'Functional' && isJsonObject(l.config ?? null);
      return { className: l.class_name, config: nested ? camelTopology(l.config as JsonObject) : l.config, name: l.name, inboundNodes: l.inbound_nodes };
    }),
    inputLayers: t.input_layers,
    outputLayers: t.output_layers,
  };
}

/**
 * `Model.getConfig`'s form back to model.json's: graph keys and layer configs to snake_case. A config
 * already in model.json's form (layers with `class_name`) is returned as it is.
 */
function snakeTopology(t: JsonObject): JsonObject {
  if (t.input_layers !== undefined || t.output_layers !== undefined) return t;
  const layers = Array.isArray(t.layers) ? t.layers : [];
  const out: JsonObject = {
    layers: layers.map((raw): JsonValue => {
      if (!isJsonObject(raw) || raw.class_name !== undefined) return raw;
      const nested = raw.className === 'Functional' && isJsonObject(raw.config ?? null);
      return {
        class_name: raw.className ?? null,
        config: nested ? snakeTopology(raw.config as JsonObject) : toPythonic(raw.config ?? {}),
        name: raw.name ?? null,
        inbound_nodes: raw.inboundNodes ?? [],
      };
    }),
    input_layers: t.inputLayers ?? null,
    output_layers: t.outputLayers ?? null,
  };
  if (t.name !== undefined) out.name = t.name;
  if (t.trainable !== undefined) out.trainable = t.trainable;
  return out;
}

/** How a Functional topology becomes a model; set by io/load.ts (which imports this module, so it cannot be imported here). */
let topologyLoader: ((topology: JsonObject, source: string) => Model) | null = null;

/** @internal Register the topology loader `Model.fromConfig` uses (io/load.ts does, when it is loaded). */
export function setTopologyLoader(loader: (topology: JsonObject, source: string) => Model): void {
  topologyLoader = loader;
}

function formatShapeSymbolic(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}
