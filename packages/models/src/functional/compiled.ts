// What `Model.compile` makes of its arguments (one loss, loss weight and metric list per output), and
// the per-output losses and metric updates of a training or test step.
import { noGrad } from '@descent/autograd';
import type { Loss, LossIdentifier, Metric, MetricIdentifier } from '@descent/layers';
import { getLoss, getMetric } from '@descent/layers';
import type { Optimizer, OptimizerIdentifier } from '@descent/optimizers';
import { get as getOptimizer } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { formatValue } from '../format.js';
import type { BatchData } from '../training/data.js';
import { outputWeight } from '../training/data.js';
import { lossSampleWeight, metricSampleWeight } from '../training/mask.js';
import type { MetricLike } from '../training/model-kind.js';

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

/** What `Model.compile` resolved: the optimizer, and each output's loss, loss weight, loss tracker and metrics. */
export interface Compiled {
  optimizer: Optimizer;
  losses: Loss[];
  lossWeights: number[];
  outputLosses: OutputLoss[];
  metrics: OutputMetric[];
}


/**
 * The compiled state for a model with outputs `names`: the optimizer, the losses, the loss weights and
 * the metrics resolved from their identifiers (so a typo fails at compile time, naming the closest name).
 */
export function compileOutputs(args: ModelCompileArgs, names: readonly string[]): Compiled {
  const optimizer = getOptimizer(args.optimizer);
  const lossIds = perOutput(names, 'loss', args.loss, (v) => typeof v === 'string' || typeof v === 'function' || (typeof v === 'object' && v !== null && 'apply' in v));
  const losses = lossIds.map((id) => getLoss(id));
  const weights = args.lossWeights === undefined ? names.map(() => 1) : perOutput(names, 'lossWeights', args.lossWeights, (v) => typeof v === 'number', true);
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`compile: lossWeights for output '${names[i]}' must be a finite number, got ${formatValue(w)}`);
  });
  const lists = metricLists(names, args.metrics);
  const several = names.length > 1;
  const seen = new Set<Metric>();
  const metrics: OutputMetric[] = [];
  lists.forEach((ids, i) => {
    for (const id of ids) {
      const metric = getMetric(id, { loss: losses[i]! });
      if (seen.has(metric)) throw new Error(`compile: the same Metric instance '${metric.name}' is given for two outputs; a metric keeps state, so give each output its own (or use a name such as 'accuracy')`);
      seen.add(metric);
      metrics.push(new OutputMetric(several ? `${names[i]}_${metric.name}` : metric.name, metric, i));
    }
  });
  const outputLosses = several ? names.map((n) => new OutputLoss(`${n}_loss`)) : [];
  return { optimizer, losses, lossWeights: weights, outputLosses, metrics };
}

/** One value per output from `value` (one for all, a list in output order, or an object by output name). */
function perOutput<T>(names: readonly string[], option: string, value: PerOutput<T>, isOne: (v: unknown) => boolean, noBroadcast = false): T[] {
  const n = names.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`compile: ${option} has ${value.length} entries, but the model has ${n} output${n === 1 ? '' : 's'} (${names.join(', ')})`);
    return [...(value as readonly T[])];
  }
  if (!noBroadcast && isOne(value)) return names.map(() => value as T);
  if (typeof value === 'object' && value !== null) {
    const rec = value as Readonly<Record<string, T>>;
    for (const k of Object.keys(rec)) {
      if (!names.includes(k)) throw new Error(`compile: ${option} has key '${k}', which is not an output name (outputs: ${names.join(', ')})`);
    }
    return names.map((name) => {
      if (rec[name] === undefined) {
        if (noBroadcast) return 1 as T;
        throw new Error(`compile: ${option} has no entry for output '${name}' (outputs: ${names.join(', ')})`);
      }
      return rec[name];
    });
  }
  throw new Error(`compile: ${option} must be one value for every output, a list of ${n} or an object by output name, got ${formatValue(value)}`);
}

/** One list of metric identifiers per output. */
function metricLists(names: readonly string[], metrics: ModelCompileArgs['metrics']): MetricIdentifier[][] {
  const n = names.length;
  if (metrics === undefined) return names.map(() => []);
  if (Array.isArray(metrics)) {
    const nested = metrics.length > 0 && metrics.every((m) => Array.isArray(m));
    if (nested) {
      if (metrics.length !== n) throw new Error(`compile: metrics has ${metrics.length} lists, but the model has ${n} outputs (${names.join(', ')})`);
      return (metrics as readonly (readonly MetricIdentifier[])[]).map((l) => [...l]);
    }
    return names.map(() => [...(metrics as readonly MetricIdentifier[])]);
  }
  if (typeof metrics === 'object' && metrics !== null) {
    const rec = metrics as Readonly<Record<string, MetricIdentifier | readonly MetricIdentifier[]>>;
    for (const k of Object.keys(rec)) {
      if (!names.includes(k)) throw new Error(`compile: metrics has key '${k}', which is not an output name (outputs: ${names.join(', ')})`);
    }
    return names.map((name) => {
      const v = rec[name];
      if (v === undefined) return [];
      return Array.isArray(v) ? [...(v as readonly MetricIdentifier[])] : [v as MetricIdentifier];
    });
  }
  throw new Error(`compile: metrics must be an array (or one array per output, or an object by output name), got ${formatValue(metrics)}`);
}

/** The weighted sum of the outputs' losses (without regularization), and each output's loss. */
export function outputLosses(compiled: Compiled, ys: readonly Tensor[], preds: readonly Tensor[], sampleWeight: BatchData | null): { total: Tensor; parts: Tensor[] } {
  const { losses, lossWeights } = compiled;
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
  return { total: total as unknown as Tensor, parts };
}

/** Add one batch to the per-output loss trackers and the metrics (with each output's mask and sample weights). */
export function updateMetrics(compiled: Compiled, ys: readonly Tensor[], preds: readonly Tensor[], sampleWeight: BatchData | null, parts: readonly Tensor[]): void {
  const { metrics, outputLosses } = compiled;
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
