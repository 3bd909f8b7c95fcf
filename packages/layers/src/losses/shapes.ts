import type { Tensor, TensorLike } from '@descent/tensor';
import { cast, formatShape, reshape, shapesEqual, toTensor } from '@descent/tensor';

/** Keras's fuzz factor: probabilities are clipped to [EPSILON, 1 − EPSILON] before a logarithm. */
export const EPSILON = 1e-7;

/** Convert to a float32 tensor (labels often arrive as int32 or bool). */
export function toFloat(x: TensorLike, op: string, arg: string): Tensor {
  const t = toTensor(x, op, arg);
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

/**
 * Bring `yTrue` and `yPred` to one shape the way Keras does (a trailing size-1 axis on one side is
 * dropped, so labels `[n]` pair with predictions `[n, 1]`), then require equal shapes. Rank-1
 * pairs become `[n, 1]` so that the per-sample loss always has the batch as its first axis.
 */
export function matchShapes(op: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  let t = toFloat(yTrue, op, 'yTrue');
  let p = toFloat(yPred, op, 'yPred');
  if (t.rank === p.rank + 1 && t.shape[t.rank - 1] === 1) t = reshape(t, t.shape.slice(0, -1));
  else if (p.rank === t.rank + 1 && p.shape[p.rank - 1] === 1) p = reshape(p, p.shape.slice(0, -1));
  if (!shapesEqual(t.shape, p.shape)) {
    throw new Error(`${op}: yTrue and yPred must have the same shape, got yTrue ${formatShape(t.shape)} and yPred ${formatShape(p.shape)}`);
  }
  if (p.rank === 0) throw new Error(`${op}: expected a batch of values, got scalars`);
  if (p.rank === 1) {
    t = reshape(t, [t.size, 1]);
    p = reshape(p, [p.size, 1]);
  }
  return [t, p];
}

/**
 * `sampleWeight` reshaped to broadcast against per-sample values of `shape`: trailing size-1 axes
 * are dropped (`[n, 1]` → `[n]`) and missing trailing axes added, so `[n]` weights scale every
 * value of sample i. A scalar weights everything equally.
 */
export function alignSampleWeight(op: string, sampleWeight: TensorLike, shape: readonly number[]): Tensor {
  let w = toFloat(sampleWeight, op, 'sampleWeight');
  while (w.rank > shape.length && w.shape[w.rank - 1] === 1) w = reshape(w, w.shape.slice(0, -1));
  let ok = w.rank <= shape.length;
  for (let i = 0; ok && i < w.rank; i++) ok = w.shape[i] === 1 || w.shape[i] === shape[i];
  if (!ok) {
    throw new Error(
      `${op}: sampleWeight of shape ${formatShape(w.shape)} does not match the per-sample values of shape ${formatShape(shape)} ` +
        `(expected ${formatShape(shape.slice(0, 1))}, ${formatShape([...shape.slice(0, 1), 1])} or a scalar)`,
    );
  }
  if (w.rank < shape.length) w = reshape(w, [...w.shape, ...new Array<number>(shape.length - w.rank).fill(1)]);
  return w;
}

export function checkLabelSmoothing(op: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new Error(`${op}: labelSmoothing must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}
