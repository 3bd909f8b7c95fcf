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
export { FalseNegatives, FalsePositives, TrueNegatives, TruePositives } from './counts.js';
export type { ConfusionCountArgs } from './counts.js';
export { F1Score } from './f1.js';
export type { F1Average, F1ScoreArgs } from './f1.js';
export { FBetaScore } from './fbeta.js';
export type { FBetaScoreArgs } from './fbeta.js';
export { MeanIoU } from './iou.js';
export type { MeanIoUArgs } from './iou.js';
export { R2Score } from './r2.js';
export type { R2ClassAggregation, R2ScoreArgs } from './r2.js';
export { sparseTopKCategoricalAccuracy, SparseTopKCategoricalAccuracy } from './top-k.js';
export type { SparseTopKCategoricalAccuracyArgs } from './top-k.js';
export { Mean, MeanMetricWrapper, Metric, weightedTotals } from './metric.js';
export type { MetricFunction } from './metric.js';
export { getMetric, listMetrics, registerMetric } from './registry.js';
export type { MetricContext, MetricIdentifier, MetricLogName, MetricName } from './registry.js';
export {
  BinaryCrossentropyMetric,
  CategoricalCrossentropyMetric,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  RootMeanSquaredError,
  SparseCategoricalCrossentropyMetric,
} from './wrappers.js';
