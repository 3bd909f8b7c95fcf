import type { DType } from '../dtype.js';
import { checkAllocation, runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, shapesEqual, sizeFromShape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { isTensor } from '../tensor.js';
import { tensor } from './convert.js';
import { fail, intIndices, linearIndices, tensorArg, tupleLength } from './nd-index.js';

/*
 * The N-d gathers and scatters are composites over a flattened view: the first `m` axes of the
 * data (those an index tuple addresses) become one axis of size `prod(shape[:m])`, each tuple its
 * row-major position there, and the existing Gather and ScatterAdd kernels do the work along axis 0.
 * So they run on every backend and their gradients come from the Gather/ScatterAdd rules.
 */

function int32List(values: Int32Array): Tensor {
  return tensor(values, [values.length], 'int32');
}

/** Updates as a tensor of `dtype`: plain arrays are read in that dtype, a tensor must already have it. */
function updatesOf(op: string, updates: TensorLike, dtype: DType): Tensor {
  if (!isTensor(updates) && (Array.isArray(updates) || typeof updates === 'number')) {
    try {
      return tensor(updates, undefined, dtype);
    } catch (e) {
      fail(op, `updates must be ${dtype} values like x: ${(e as Error).message}`);
    }
  }
  const u = tensorArg(op, 'updates', updates);
  if (u.dtype !== dtype) fail(op, `updates must have x's dtype ${dtype}, got ${u.dtype}`);
  return u;
}

/** Throw unless `updates.shape = indices.shape[:-1] + shape[m:]`. */
function checkUpdatesShape(op: string, updates: Tensor, indices: Tensor, shape: readonly number[], m: number, shapeName: string): void {
  const expected = [...indices.shape.slice(0, -1), ...shape.slice(m)];
  if (!shapesEqual(updates.shape, expected)) {
    fail(op, `updates must have shape ${formatShape(expected)} (indices' shape ${formatShape(indices.shape)} without its last axis, then ${shapeName} ${formatShape(shape)} after its first ${m} axes), got ${formatShape(updates.shape)}`);
  }
}

/**
 * Slices of `x` addressed by the index tuples in the last axis of `indices` (int32, shape
 * `[..., m]` with `m ≤ x.rank`), as TF's `gather_nd`: `out[i...] = x[indices[i..., 0], …,
 * indices[i..., m-1], ...]`, so `out.shape = indices.shape[:-1] + x.shape[m:]`. An index outside
 * `x` is an error naming the tuple (TF.js returns zeros there instead). Differentiable in `x`.
 *
 * ```ts
 * gatherND([[1, 2], [3, 4]], [[1, 0], [0, 1]]).toArray(); // [3, 2]
 * gatherND([[1, 2], [3, 4]], [[1]]).toArray();           // [[3, 4]]
 * ```
 */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  const op = 'gatherND';
  const t = tensorArg(op, 'x', x);
  const idx = intIndices(op, 'indices', indices);
  const m = tupleLength(op, idx, t.rank, 'x', t.shape);
  const dims = t.shape.slice(0, m);
  const rest = t.shape.slice(m);
  const outShape = [...idx.shape.slice(0, -1), ...rest];
  checkAllocation(op, outShape, t.dtype);
  const positions = linearIndices(op, idx, dims, `x of shape ${formatShape(t.shape)}`);
  const flat = runKernel('Reshape', [t], { shape: [sizeFromShape(dims), ...rest] });
  const picked = runKernel('Gather', [flat, int32List(positions)], { axis: 0 });
  return runKernel('Reshape', [picked], { shape: outShape });
}

/** Validated `shape` argument of scatterND. */
function shapeArg(op: string, shape: readonly number[]): number[] {
  const given: unknown = shape;
  if (!Array.isArray(given) || !given.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    fail(op, `shape must be an array of non-negative integers, got ${formatArg(shape)}`);
  }
  return [...(given as number[])];
}

/** Sum `updates` rows into a `[prod(dims), ...rest]` block at `positions` (ScatterAdd along axis 0). */
function scatterRows(updates: Tensor, positions: Int32Array, size: number, rest: readonly number[]): Tensor {
  const rows = runKernel('Reshape', [updates], { shape: [positions.length, ...rest] });
  return runKernel('ScatterAdd', [rows, int32List(positions)], { axis: 0, size });
}

/**
 * A tensor of `shape`, zero except where `updates` are scattered to the index tuples in the last
 * axis of `indices` (int32, `[..., m]`), as TF's `scatter_nd`: `updates.shape = indices.shape[:-1]
 * + shape[m:]`, and updates that land on the same place add up. float32 or int32; an index outside
 * `shape` is an error naming the tuple. Differentiable in `updates`.
 *
 * ```ts
 * scatterND([[1], [3], [1]], [10, 20, 5], [4]).toArray(); // [0, 15, 0, 20]
 * ```
 */
export function scatterND(indices: TensorLike, updates: TensorLike, shape: readonly number[]): Tensor {
  const op = 'scatterND';
  const s = shapeArg(op, shape);
  const idx = intIndices(op, 'indices', indices);
  const u = tensorArg(op, 'updates', updates);
  if (u.dtype === 'bool') fail(op, 'updates must be float32 or int32, got bool (duplicates add up)');
  const m = tupleLength(op, idx, s.length, 'shape', s);
  checkUpdatesShape(op, u, idx, s, m, 'shape');
  checkAllocation(op, s, u.dtype);
  const dims = s.slice(0, m);
  const positions = linearIndices(op, idx, dims, `shape ${formatShape(s)}`);
  const block = scatterRows(u, positions, sizeFromShape(dims), s.slice(m));
  return runKernel('Reshape', [block], { shape: s });
}

/**
 * `x` plus `updates` scattered to the index tuples in `indices`, as TF's `tensor_scatter_nd_add`:
 * `x + scatterND(indices, updates, x.shape)` (repeated tuples add up). `updates` has x's dtype
 * (float32 or int32) and shape `indices.shape[:-1] + x.shape[m:]`. Differentiable in both.
 *
 * ```ts
 * tensorScatterAdd([1, 1, 1], [[0], [2], [0]], [5, 7, 1]).toArray(); // [7, 1, 8]
 * ```
 */
export function tensorScatterAdd(x: TensorLike, indices: TensorLike, updates: TensorLike): Tensor {
  const op = 'tensorScatterAdd';
  const t = tensorArg(op, 'x', x);
  if (t.dtype === 'bool') fail(op, 'x must be float32 or int32, got bool');
  const idx = intIndices(op, 'indices', indices);
  const u = updatesOf(op, updates, t.dtype);
  const m = tupleLength(op, idx, t.rank, 'x', t.shape);
  checkUpdatesShape(op, u, idx, t.shape, m, 'x.shape');
  const dims = t.shape.slice(0, m);
  const positions = linearIndices(op, idx, dims, `x of shape ${formatShape(t.shape)}`);
  if (positions.length === 0) return t;
  const block = scatterRows(u, positions, sizeFromShape(dims), t.shape.slice(m));
  return runKernel('Add', [t, runKernel('Reshape', [block], { shape: t.shape })], {});
}

/**
 * `x` with the slices at the index tuples in `indices` replaced by `updates`, as TF's
 * `tensor_scatter_nd_update`. When a tuple repeats, its last update wins (TF's documented CPU
 * behaviour, here on every backend). Any dtype; `updates` has x's dtype and shape
 * `indices.shape[:-1] + x.shape[m:]`. Differentiable in both: the replaced entries of `x` get no
 * gradient, and an update overwritten by a later one gets none either.
 *
 * ```ts
 * tensorScatterUpdate([[1, 2], [3, 4]], [[1, 0]], [9]).toArray(); // [[1, 2], [9, 4]]
 * tensorScatterUpdate([0, 0, 0], [[1], [1]], [5, 6]).toArray();   // [0, 6, 0]
 * ```
 */
export function tensorScatterUpdate(x: TensorLike, indices: TensorLike, updates: TensorLike): Tensor {
  const op = 'tensorScatterUpdate';
  const t = tensorArg(op, 'x', x);
  const idx = intIndices(op, 'indices', indices);
  const u = updatesOf(op, updates, t.dtype);
  const m = tupleLength(op, idx, t.rank, 'x', t.shape);
  checkUpdatesShape(op, u, idx, t.shape, m, 'x.shape');
  const dims = t.shape.slice(0, m);
  const rest = t.shape.slice(m);
  const size = sizeFromShape(dims);
  const positions = linearIndices(op, idx, dims, `x of shape ${formatShape(t.shape)}`);
  if (positions.length === 0) return t;
  // Last update wins: keep, for each position, the last tuple that names it.
  const lastAt = new Map<number, number>();
  positions.forEach((p, j) => lastAt.set(p, j));
  const kept = Int32Array.from(lastAt.values()).sort();
  const keptPositions = kept.map((j) => positions[j]!);
  const mask = new Uint8Array(size);
  for (const p of keptPositions) mask[p] = 1;
  const rows = runKernel('Reshape', [u], { shape: [positions.length, ...rest] });
  let picked = kept.length === positions.length ? rows : runKernel('Gather', [rows, int32List(kept)], { axis: 0 });
  if (t.dtype === 'bool') picked = runKernel('Cast', [picked], { dtype: 'int32' });
  let block = runKernel('ScatterAdd', [picked, int32List(keptPositions)], { axis: 0, size });
  if (t.dtype === 'bool') block = runKernel('Cast', [block], { dtype: 'bool' });
  const cond = tensor(mask, [size, ...rest.map(() => 1)], 'bool');
  const flatX = runKernel('Reshape', [t], { shape: [size, ...rest] });
  return runKernel('Reshape', [runKernel('Where', [cond, block, flatX], {})], { shape: t.shape });
}
