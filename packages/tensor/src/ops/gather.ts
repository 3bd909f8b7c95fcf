import { runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import { fail, intIndices as indexTensor } from './nd-index.js';

/** Throw unless every index lies in `[0, limit)`. */
function checkRange(op: string, arg: string, indices: Tensor, limit: number, what: string): void {
  const values = indices.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= limit) fail(op, `${arg} must be in [0, ${limit}) (${what}), got ${v} at flat position ${i}`);
  }
}

/**
 * Pick slices of `x` along `axis` at `indices` (int32, any shape):
 * `out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const op = 'gather';
  const t = toTensor(x, op, 'x');
  const idx = indexTensor(op, 'indices', indices);
  if (t.rank === 0) fail(op, 'expected x of rank ≥ 1, got a scalar');
  const a = normalizeAxis(op, axis, t.rank);
  checkRange(op, 'indices', idx, t.shape[a]!, `axis ${a} of x has shape ${formatShape(t.shape)}`);
  return runKernel('Gather', [t, idx], { axis: a });
}

/**
 * The adjoint of `gather`: a tensor with `size` entries along `axis`, where slice `j` of `updates`
 * (along `axis`, one per index) is added at position `indices[j]`; repeated indices accumulate.
 * `updates.shape` must be `prefix + indices.shape + suffix` with `prefix` of length `axis`.
 */
export function scatterAdd(updates: TensorLike, indices: TensorLike, size: number, axis = 0): Tensor {
  const op = 'scatterAdd';
  const u = toTensor(updates, op, 'updates');
  const idx = indexTensor(op, 'indices', indices);
  if (u.dtype === 'bool') fail(op, 'updates must be float32 or int32, got bool');
  if (!Number.isInteger(size) || size < 0) fail(op, `size must be a non-negative integer, got ${size}`);
  if (!Number.isInteger(axis) || axis < 0 || axis + idx.rank > u.rank) {
    fail(op, `axis must be an integer in [0, ${u.rank - idx.rank}] for updates of shape ${formatShape(u.shape)} and indices of shape ${formatShape(idx.shape)}, got ${formatArg(axis)}`);
  }
  for (let i = 0; i < idx.rank; i++) {
    if (u.shape[axis + i] !== idx.shape[i]) {
      fail(op, `updates of shape ${formatShape(u.shape)} must have indices' shape ${formatShape(idx.shape)} starting at axis ${axis}`);
    }
  }
  checkRange(op, 'indices', idx, size, `size is ${size}`);
  return runKernel('ScatterAdd', [u, idx], { axis, size });
}

/**
 * Sum the entries of `data` that share a segment id: `out[s] = sum of data[j...] where segmentIds[j...] = s`.
 * `segmentIds` (int32) has a prefix of `data.shape`; the output is `[numSegments, ...rest of data.shape]`.
 */
export function unsortedSegmentSum(data: TensorLike, segmentIds: TensorLike, numSegments: number): Tensor {
  const op = 'unsortedSegmentSum';
  const d = toTensor(data, op, 'data');
  const ids = indexTensor(op, 'segmentIds', segmentIds);
  if (d.dtype === 'bool') fail(op, 'data must be float32 or int32, got bool');
  if (!Number.isInteger(numSegments) || numSegments < 0) fail(op, `numSegments must be a non-negative integer, got ${numSegments}`);
  if (ids.rank > d.rank || ids.shape.some((s, i) => s !== d.shape[i])) {
    fail(op, `segmentIds of shape ${formatShape(ids.shape)} must be a prefix of data's shape ${formatShape(d.shape)}`);
  }
  checkRange(op, 'segmentIds', ids, numSegments, `numSegments is ${numSegments}`);
  return runKernel('ScatterAdd', [d, ids], { axis: 0, size: numSegments });
}
