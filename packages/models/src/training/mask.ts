import type { Loss, Metric } from '@descent/layers';
import { AutoAccuracy, getMask, MeanMetricWrapper } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { add, cast, div, mul, reshape, sum } from '@descent/tensor';

/** Keras's fuzz factor: the count of real steps gets it added, so an all-masked batch gives 0, not NaN. */
const EPSILON = 1e-7;

/**
 * `sampleWeight` with the mask of `pred` folded in (Keras 3's `apply_mask`), or `sampleWeight` itself
 * when `pred` carries no mask (`getMask`). For a mean-style reduction (`scale`: the loss's
 * `sumOverBatchSize`) the mask is scaled by `steps / realSteps`, so the mean over every value becomes
 * the mean over the real steps only; metrics and sums use the plain 0/1 mask. A per-sample weight
 * (`[batch]` or `[batch, 1]`) gets a trailing axis so it scales every step of its sample.
 */
function maskedSampleWeight(pred: Tensor, sampleWeight: Tensor | null, scale: boolean): Tensor | null {
  const mask = getMask(pred);
  if (mask === null) return sampleWeight;
  let m = cast(mask, 'float32');
  if (scale) m = mul(m, div(m.size, add(sum(m), EPSILON)));
  if (sampleWeight === null) return m;
  let w = sampleWeight.dtype === 'float32' ? sampleWeight : cast(sampleWeight, 'float32');
  // Keras's squeeze_or_expand_to_same_rank: `[b, 1]` against `[b]` drops the 1, `[b]` against `[b, t]` gains one.
  if (w.rank === m.rank + 1 && w.shape[w.rank - 1] === 1) w = reshape(w, w.shape.slice(0, -1));
  while (w.rank > 0 && w.rank < m.rank) w = reshape(w, [...w.shape, 1]);
  return mul(m, w);
}

/** Weight for `loss` on an output `pred`: the mask the output carries, scaled as Keras scales it for the loss's reduction. */
export function lossSampleWeight(loss: Loss, pred: Tensor, sampleWeight: Tensor | null): Tensor | null {
  return maskedSampleWeight(pred, sampleWeight, loss.reduction === 'sumOverBatchSize');
}

/**
 * Weight for `metric` on an output `pred`: Keras applies the output's mask to the metrics that average a
 * per-sample function (its `MeanMetricWrapper`: accuracies, errors, cross-entropies); other metrics
 * (AUC, precision, confusion counts) get the sample weight unchanged, as in Keras.
 */
export function metricSampleWeight(metric: Metric, pred: Tensor, sampleWeight: Tensor | null): Tensor | null {
  if (!(metric instanceof MeanMetricWrapper || metric instanceof AutoAccuracy)) return sampleWeight;
  return maskedSampleWeight(pred, sampleWeight, false);
}
