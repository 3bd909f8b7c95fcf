import type { Tensor } from '@descent/tensor';
import { NameRegistry, neg } from '@descent/tensor';
import type { LiteralUnion, SnakeCase } from '../engine/name-types.js';
import { kullbackLeiblerDivergence, poisson } from '../losses/divergence.js';
import { categoricalHinge, hinge, squaredHinge } from '../losses/hinge.js';
import type { Loss } from '../losses/loss.js';
import { cosineSimilarity, logCosh, meanAbsolutePercentageError, meanSquaredLogarithmicError } from '../losses/regression.js';
import { AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { Precision, Recall } from './confusion.js';
import { FalseNegatives, FalsePositives, TrueNegatives, TruePositives } from './counts.js';
import { F1Score } from './f1.js';
import { FBetaScore } from './fbeta.js';
import { R2Score } from './r2.js';
import { SparseTopKCategoricalAccuracy } from './top-k.js';
import type { MetricFunction } from './metric.js';
import { Mean, MeanMetricWrapper, Metric } from './metric.js';
import {
  BinaryCrossentropyMetric,
  CategoricalCrossentropyMetric,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  RootMeanSquaredError,
  SparseCategoricalCrossentropyMetric,
} from './wrappers.js';

/** What `getMetric` needs to know of the model to resolve some names. */
export interface MetricContext {
  /** The compiled loss: lets 'accuracy' resolve to binary or sparse accuracy as Keras does. */
  loss?: Loss | null;
}

interface Entry {
  /** camelCase name listed to users. */
  name: string;
  /** Keras snake_case name: the metric's name (history key) when looked up by `name`. */
  keras: string;
  /** Short spellings; looked up by one of these, the metric is named by it (Keras keys history by the string given). */
  aliases: readonly string[];
  make: (name: string, ctx: MetricContext) => Metric;
}

const wrap = (fn: MetricFunction) => (name: string) => new MeanMetricWrapper(fn, name);

const ENTRIES = [
  { name: 'accuracy', keras: 'accuracy', aliases: ['acc'], make: (name, ctx) => new AutoAccuracy({ name, loss: ctx.loss ?? null }) },
  { name: 'binaryAccuracy', keras: 'binary_accuracy', aliases: [], make: (name) => new BinaryAccuracy({ name }) },
  { name: 'categoricalAccuracy', keras: 'categorical_accuracy', aliases: [], make: (name) => new CategoricalAccuracy({ name }) },
  { name: 'sparseCategoricalAccuracy', keras: 'sparse_categorical_accuracy', aliases: [], make: (name) => new SparseCategoricalAccuracy({ name }) },
  { name: 'topKCategoricalAccuracy', keras: 'top_k_categorical_accuracy', aliases: [], make: (name) => new TopKCategoricalAccuracy({ name }) },
  { name: 'precision', keras: 'precision', aliases: [], make: (name) => new Precision({ name }) },
  { name: 'recall', keras: 'recall', aliases: [], make: (name) => new Recall({ name }) },
  { name: 'auc', keras: 'auc', aliases: [], make: (name) => new AUC({ name }) },
  { name: 'f1Score', keras: 'f1_score', aliases: [], make: (name) => new F1Score({ name }) },
  { name: 'meanSquaredError', keras: 'mean_squared_error', aliases: ['mse'], make: (name) => new MeanSquaredErrorMetric({ name }) },
  { name: 'meanAbsoluteError', keras: 'mean_absolute_error', aliases: ['mae'], make: (name) => new MeanAbsoluteErrorMetric({ name }) },
  { name: 'meanAbsolutePercentageError', keras: 'mean_absolute_percentage_error', aliases: ['mape'], make: wrap(meanAbsolutePercentageError) },
  { name: 'meanSquaredLogarithmicError', keras: 'mean_squared_logarithmic_error', aliases: ['msle'], make: wrap(meanSquaredLogarithmicError) },
  { name: 'rootMeanSquaredError', keras: 'root_mean_squared_error', aliases: [], make: (name) => new RootMeanSquaredError({ name }) },
  { name: 'binaryCrossentropy', keras: 'binary_crossentropy', aliases: ['bce'], make: (name) => new BinaryCrossentropyMetric({ name }) },
  { name: 'categoricalCrossentropy', keras: 'categorical_crossentropy', aliases: [], make: (name) => new CategoricalCrossentropyMetric({ name }) },
  {
    name: 'sparseCategoricalCrossentropy',
    keras: 'sparse_categorical_crossentropy',
    aliases: [],
    make: (name) => new SparseCategoricalCrossentropyMetric({ name }),
  },
  { name: 'kullbackLeiblerDivergence', keras: 'kullback_leibler_divergence', aliases: ['kld'], make: wrap(kullbackLeiblerDivergence) },
  { name: 'poisson', keras: 'poisson', aliases: [], make: wrap(poisson) },
  { name: 'hinge', keras: 'hinge', aliases: [], make: wrap(hinge) },
  { name: 'squaredHinge', keras: 'squared_hinge', aliases: [], make: wrap(squaredHinge) },
  { name: 'categoricalHinge', keras: 'categorical_hinge', aliases: [], make: wrap(categoricalHinge) },
  { name: 'logCosh', keras: 'logcosh', aliases: [], make: wrap(logCosh) },
  // As a metric the cosine similarity is reported with its natural sign (1 = same direction), as in Keras.
  { name: 'cosineSimilarity', keras: 'cosine_similarity', aliases: [], make: wrap((t: Tensor, p: Tensor) => neg(cosineSimilarity(t, p))) },
  { name: 'mean', keras: 'mean', aliases: [], make: (name) => new Mean({ name }) },
  { name: 'sparseTopKCategoricalAccuracy', keras: 'sparse_top_k_categorical_accuracy', aliases: [], make: (name) => new SparseTopKCategoricalAccuracy({ name }) },
  { name: 'r2Score', keras: 'r2_score', aliases: [], make: (name) => new R2Score({ name }) },
  { name: 'fBetaScore', keras: 'fbeta_score', aliases: [], make: (name) => new FBetaScore({ name }) },
  { name: 'truePositives', keras: 'true_positives', aliases: [], make: (name) => new TruePositives({ name }) },
  { name: 'falsePositives', keras: 'false_positives', aliases: [], make: (name) => new FalsePositives({ name }) },
  { name: 'trueNegatives', keras: 'true_negatives', aliases: [], make: (name) => new TrueNegatives({ name }) },
  { name: 'falseNegatives', keras: 'false_negatives', aliases: [], make: (name) => new FalseNegatives({ name }) },
] as const satisfies readonly Entry[];

type MetricEntry = (typeof ENTRIES)[number];

/**
 * Every built-in metric name and alias: camelCase (`'sparseCategoricalAccuracy'`), snake_case and
 * the Keras name (`'sparse_categorical_accuracy'`, `'logcosh'`); other casings resolve too.
 */
export type MetricName = MetricEntry['name'] | SnakeCase<MetricEntry['name']> | MetricEntry['keras'] | MetricEntry['aliases'][number];

/**
 * The name a built-in metric is logged under (its key in `History` and in callback logs, `val_`
 * prefixed for validation): its Keras name, or the alias it was asked for (`'acc'`, `'mse'`).
 */
export type MetricLogName = MetricEntry['keras'] | MetricEntry['aliases'][number];

/** What a spelling resolves to: how to build the metric, and the name the metric gets (Keras keys history by it). */
interface Found {
  make: Entry['make'];
  metricName: string;
}

// The camelCase name (and so the Keras name, the same name in another casing) names the metric by
// its Keras name; an alias names it by the alias.
const metrics = new NameRegistry<Found>('metric', () =>
  ENTRIES.flatMap((e: Entry) => [[e.name, { make: e.make, metricName: e.keras }] as const, ...e.aliases.map((a) => [a, { make: e.make, metricName: a }] as const)]),
);

/** Every metric name (camelCase) and alias accepted by `getMetric`. */
export function listMetrics(): string[] {
  return metrics.list();
}

/**
 * Make `getMetric(name)` (and so `compile({ metrics: [name] })`) build a metric with `make`, which
 * receives the name to give it: `name` as registered, the key of its values in `History`. Names
 * compare as for the built-ins, and registering a known name replaces it.
 */
export function registerMetric(name: string, make: (name: string) => Metric): void {
  metrics.check(name, make, { fn: 'registerMetric', callable: 'factory' });
  metrics.register(name, { make: (metricName) => make(metricName), metricName: name });
}

/**
 * What `compile`'s `metrics` entries accept: a name (`'accuracy'`), a `Metric`, or a function `(yTrue,
 * yPred) → per-sample values`.
 */
export type MetricIdentifier = LiteralUnion<MetricName> | Metric | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/**
 * Resolve a metric: a name in any casing (named by its Keras snake_case name, or by the alias used:
 * 'acc' → 'acc', 'mse' → 'mse'), a `Metric` (returned as is), or a function
 * `(yTrue, yPred) → per-sample values` averaged over samples. `ctx.loss` lets 'accuracy' resolve
 * from the loss. Each call returns a fresh metric with its own state.
 */
export function getMetric(id: MetricIdentifier, ctx: MetricContext = {}): Metric {
  if (id instanceof Metric) return id;
  if (typeof id === 'function') return new MeanMetricWrapper(id);
  if (typeof id === 'string') {
    const found = metrics.get(id);
    return found.make(found.metricName, ctx);
  }
  throw new Error(`getMetric: expected a metric name, a Metric or a function (yTrue, yPred) => Tensor, got ${id === null ? 'null' : typeof id}`);
}
