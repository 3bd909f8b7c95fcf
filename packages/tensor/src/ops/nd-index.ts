import { runKernel } from '../engine.js';
import { formatShape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { isTensor } from '../tensor.js';
import { tensor, toTensor } from './convert.js';

/** Throw `op: message`. */
export function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/** `toTensor` whose errors name `op` and the argument (a nested array with a hole names only `tensor`). */
export function tensorArg(op: string, arg: string, value: TensorLike): Tensor {
  try {
    return toTensor(value, op, arg);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(`${op}:`) ? msg : `${op}: ${arg}: ${msg}`, { cause: e });
  }
}

/**
 * Indices as an int32 tensor: plain numbers and nested arrays are read as int32; a tensor or typed
 * array must already be int32 (silently truncating floats would hide bugs).
 */
export function intIndices(op: string, arg: string, indices: TensorLike): Tensor {
  if (isTensor(indices)) {
    if (indices.dtype !== 'int32') fail(op, `${arg} must be int32, got ${indices.dtype} (cast with cast(x, 'int32'))`);
    return indices;
  }
  if (typeof indices === 'number' || Array.isArray(indices)) {
    try {
      return tensor(indices, undefined, 'int32');
    } catch (e) {
      fail(op, `${arg} must be integers: ${(e as Error).message}`);
    }
  }
  const t = tensorArg(op, arg, indices);
  if (t.dtype !== 'int32') fail(op, `${arg} must be int32, got ${t.dtype} (an Int32Array or int32 tensor)`);
  return t;
}

/**
 * Row-major positions of the index tuples in the last axis of `indices` (shape `[..., m]`) into a
 * block of shape `dims` (length `m`). Every tuple must lie inside `dims`; the error names the op,
 * the tuple's position in `indices`, the tuple and the axis it leaves.
 */
export function linearIndices(op: string, indices: Tensor, dims: readonly number[], what: string): Int32Array {
  const m = dims.length;
  const values = indices.dataSync();
  const count = m === 0 ? sizeOfPrefix(indices) : values.length / m;
  const out = new Int32Array(count);
  const lead = indices.shape.slice(0, -1);
  for (let t = 0; t < count; t++) {
    let pos = 0;
    for (let j = 0; j < m; j++) {
      const v = values[t * m + j]!;
      const d = dims[j]!;
      if (v < 0 || v >= d) {
        const tuple = Array.from(values.subarray(t * m, t * m + m));
        fail(op, `indices${formatPosition(t, lead)} = [${tuple.join(', ')}] is out of range for ${what}: entry ${j} must be in [0, ${d}), got ${v}`);
      }
      pos = pos * d + v;
    }
    out[t] = pos;
  }
  return out;
}

function sizeOfPrefix(indices: Tensor): number {
  return indices.shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/** `[i, j]` for flat position `t` over `shape` (empty for a single tuple). */
function formatPosition(t: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const at = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    at[i] = t % shape[i]!;
    t = Math.floor(t / shape[i]!);
  }
  return `[${at.join(', ')}]`;
}

/** Check that `indices` has rank ≥ 1 and a last axis of at most `limit` entries; returns that length. */
export function tupleLength(op: string, indices: Tensor, limit: number, xName: string, xShape: readonly number[]): number {
  if (indices.rank === 0) fail(op, `indices must have rank ≥ 1 (its last axis holds each index tuple), got a scalar`);
  const m = indices.shape[indices.rank - 1]!;
  if (m > limit) {
    fail(op, `index tuples (last axis of indices, shape ${formatShape(indices.shape)}) have ${m} entries but ${xName} of shape ${formatShape(xShape)} has only ${limit} axes`);
  }
  return m;
}

/**
 * `x[..., idx[..., j]]` along the last axis: `out[r, j] = x[r, idx[r, j]]` for every leading
 * position `r` (NumPy's take_along_axis on the last axis). Indices must be in range (callers know
 * they are). Built from Reshape, Add and Gather, so the gradient with respect to `x` scatters back
 * through the Gather rule.
 */
export function takeAlongLastAxis(x: Tensor, idx: Tensor): Tensor {
  const n = x.shape[x.rank - 1]!;
  const k = idx.shape[idx.rank - 1]!;
  const rows = n === 0 ? 0 : x.size / n;
  const flatX = runKernel('Reshape', [x], { shape: [x.size] });
  let flatIdx: Tensor;
  if (rows <= 1) {
    flatIdx = runKernel('Reshape', [idx], { shape: [rows * k] });
  } else {
    const offsets = new Int32Array(rows);
    for (let r = 0; r < rows; r++) offsets[r] = r * n;
    const rowStart = tensor(offsets, [rows, 1], 'int32');
    const shifted = runKernel('Add', [runKernel('Reshape', [idx], { shape: [rows, k] }), rowStart], {});
    flatIdx = runKernel('Reshape', [shifted], { shape: [rows * k] });
  }
  const picked = runKernel('Gather', [flatX, flatIdx], { axis: 0 });
  return runKernel('Reshape', [picked], { shape: idx.shape });
}
