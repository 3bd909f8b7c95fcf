import { runKernel } from '../engine.js';
import { normalizeAxis } from '../shape.js';
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
