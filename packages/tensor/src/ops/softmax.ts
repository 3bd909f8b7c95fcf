import { runKernel } from '../engine.js';
import { formatShape, normalizeAxis, shapesEqual } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import { cast } from './unary.js';

function prepare(op: string, x: TensorLike, axis: number): [Tensor, number] {
  const t = toTensor(x, op, 'x');
  if (t.dtype === 'bool') throw new Error(`${op}: expected a float32 or int32 tensor, got bool`);
  if (t.rank === 0) throw new Error(`${op}: expected a tensor of rank ≥ 1, got a scalar`);
  return [t.dtype === 'float32' ? t : cast(t, 'float32'), normalizeAxis(op, axis, t.rank)];
}

/** `exp(x) / sum(exp(x))` along `axis` (default the last), computed from `x - max(x)` so it never overflows. */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const [t, a] = prepare('softmax', x, axis);
  return runKernel('Softmax', [t], { axis: a });
}

/** `x - logSumExp(x)` along `axis` (default the last); finite even where softmax underflows to 0. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const [t, a] = prepare('logSoftmax', x, axis);
  return runKernel('LogSoftmax', [t], { axis: a });
}

/**
 * Cross-entropy of `targets` (one-hot or soft) against `softmax(logits)` over the last axis, per row:
 * `−Σ targets · logSoftmax(logits)`, shape `logits.shape[:-1]`. One kernel forward and one backward
 * (the gradient for the logits is `dy · (softmax(logits) · Σ targets − targets)`) where the composition
 * takes four and eight; the losses use it when they know the logits.
 */
export function softmaxCrossEntropy(logits: TensorLike, targets: TensorLike): Tensor {
  const op = 'softmaxCrossEntropy';
  const [z] = prepare(op, logits, -1);
  const t = toTensor(targets, op, 'targets');
  if (t.dtype === 'bool') throw new Error(`${op}: targets must be float32 or int32, got bool`);
  if (!shapesEqual(t.shape, z.shape)) {
    throw new Error(`${op}: targets must have the logits' shape ${formatShape(z.shape)}, got ${formatShape(t.shape)}`);
  }
  return runKernel('SoftmaxCrossEntropy', [z, t.dtype === 'float32' ? t : cast(t, 'float32')], {});
}
