export {
  AutoAccuracy,
  binaryAccuracy,
  BinaryAccuracy,
  categoricalAccuracy,
  CategoricalAccuracy,
  resolveAccuracy,
  sparseCategoricalAccuracy,
  SparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy.js';
export type { AccuracyKind } from './accuracy.js';
export { AUC } from './auc.js';
export type { AUCArgs, AucCurve, AucSummation } from './auc.js';
export { Precision, Recall } from './confusion.js';
export type { PrecisionRecallArgs } from './confusion.js';
export { F1Score } from './f1.js';
export type { F1Average, F1ScoreArgs } from './f1.js';
export { Mean, MeanMetricWrapper, Metric, weightedTotals } from './metric.js';
export type { MetricFunction } from './metric.js';
export { getMetric, listMetrics } from './registry.js';
export type { MetricContext, MetricIdentifier, MetricLogName, MetricName } from './registry.js';
export {
  BinaryCrossentropyMetric,
  CategoricalCrossentropyMetric,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  RootMeanSquaredError,
  SparseCategoricalCrossentropyMetric,
} from './wrappers.js';
