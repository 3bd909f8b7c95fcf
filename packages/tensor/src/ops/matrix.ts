import type { DType } from '../dtype.js';
import { allocArray } from '../dtype.js';
import { checkAllocation, makeTensor, runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, sizeFromShape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { isTensor } from '../tensor.js';
import { toTensor } from './convert.js';

/*
 * Matrix-shaped composites: band masks, diagonals, meshgrid, mirror padding and the
 * depth/space rearrangements. All are built from movement kernels and Where, so they keep any dtype
 * and autograd differentiates them through those kernels' rules.
 */

function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

function intArg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(op, `${name} must be an integer, got ${formatArg(v)}`);
  return v;
}

const reshape = (t: Tensor, shape: readonly number[]): Tensor => runKernel('Reshape', [t], { shape });

/** A zero of `dtype` as a scalar tensor (false for bool). */
const zeroOf = (dtype: DType): Tensor => makeTensor(allocArray(dtype, 1), [], dtype);

/** Keep `x[..., i, j]` where `keep(i, j)`, zero elsewhere: one Where against a constant [m, n] mask. */
function masked(op: string, x: TensorLike, keep: (i: number, j: number) => boolean): Tensor {
  const t = toTensor(x, op, 'x');
  if (t.rank < 2) fail(op, `expected x of rank ≥ 2 (a matrix or a batch of them), got shape ${formatShape(t.shape)}`);
  const m = t.shape[t.rank - 2]!;
  const n = t.shape[t.rank - 1]!;
  const mask = new Uint8Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mask[i * n + j] = keep(i, j) ? 1 : 0;
  return runKernel('Where', [makeTensor(mask, [m, n], 'bool'), t, zeroOf(t.dtype)], {});
}

/**
 * Keep a band around the diagonal of each innermost matrix and zero the rest, as TF's `band_part`:
 * element `(i, j)` stays when `i − j ≤ numLower` and `j − i ≤ numUpper`; a negative count keeps that
 * whole triangle. `bandPart(x, 0, -1)` is the upper triangle, `bandPart(x, -1, 0)` the lower one,
 * `bandPart(x, 0, 0)` the diagonal. `x` has rank ≥ 2; leading axes are a batch.
 */
export function bandPart(x: TensorLike, numLower: number, numUpper: number): Tensor {
  const op = 'bandPart';
  const lower = intArg(op, 'numLower', numLower);
  const upper = intArg(op, 'numUpper', numUpper);
  return masked(op, x, (i, j) => (lower < 0 || i - j <= lower) && (upper < 0 || j - i <= upper));
}

/**
 * Lower triangle of each innermost matrix: element `(i, j)` stays when `j − i ≤ k`, the rest becomes 0.
 * `k = 0` keeps the main diagonal, `k = -1` starts below it, `k = 1` keeps one superdiagonal (NumPy's `tril`).
 */
export function tril(x: TensorLike, k = 0): Tensor {
  const offset = intArg('tril', 'k', k);
  return masked('tril', x, (i, j) => j - i <= offset);
}

/**
 * Upper triangle of each innermost matrix: element `(i, j)` stays when `j − i ≥ k`, the rest becomes 0
 * (NumPy's `triu`; `k = 1` drops the main diagonal).
 */
export function triu(x: TensorLike, k = 0): Tensor {
  const offset = intArg('triu', 'k', k);
  return masked('triu', x, (i, j) => j - i >= offset);
}

/** Options of `meshgrid`. */
export interface MeshgridOptions {
  /**
   * `'xy'` (default, Cartesian, as NumPy and TF): with inputs of lengths `n₁, n₂, …` the outputs have
   * shape `[n₂, n₁, n₃, …]`; `'ij'` (matrix indexing): `[n₁, n₂, n₃, …]`.
   */
  indexing?: 'xy' | 'ij';
}

function isOptions(v: unknown): v is MeshgridOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !isTensor(v);
}

/**
 * Coordinate grids from coordinate vectors, as NumPy's and TF's `meshgrid`: output `k` repeats input
 * `k` (flattened) along its own axis of the grid. The last argument may be `{ indexing }`.
 *
 * ```ts
 * const [gx, gy] = meshgrid([1, 2, 3], [4, 5]);   // both [2, 3]: gx rows are [1, 2, 3], gy columns [4, 5]
 * ```
 */
export function meshgrid(...args: (TensorLike | MeshgridOptions)[]): Tensor[] {
  const op = 'meshgrid';
  let options: MeshgridOptions = {};
  const last = args[args.length - 1];
  if (isOptions(last)) {
    options = last;
    args = args.slice(0, -1);
    for (const key of Object.keys(options)) if (key !== 'indexing') fail(op, `unknown option '${key}' (expected indexing)`);
  }
  const indexing = options.indexing ?? 'xy';
  if (indexing !== 'xy' && indexing !== 'ij') fail(op, `indexing must be 'xy' or 'ij', got ${formatArg(indexing)}`);
  const xs = args.map((a, i) => {
    if (isOptions(a)) fail(op, `options must be the last argument, got an object at position ${i}`);
    const t = toTensor(a, op, `xs[${i}]`);
    return reshape(t, [t.size]);
  });
  const shape = xs.map((t) => t.size);
  if (indexing === 'xy' && shape.length >= 2) [shape[0], shape[1]] = [shape[1]!, shape[0]!];
  return xs.map((t, i) => {
    const axis = indexing === 'xy' && i < 2 && xs.length >= 2 ? 1 - i : i;
    const along = shape.map((d, a) => (a === axis ? d : 1));
    const line = reshape(t, along);
    checkAllocation(op, shape, t.dtype);
    return sizeFromShape(shape) === t.size ? reshape(line, shape) : runKernel('BroadcastTo', [line], { shape });
  });
}

/**
 * A tensor with `v` on its diagonal and zeros elsewhere, as TF's `diag`: `[n] → [n, n]`; for `v` of
 * shape `[d₁, …, dₖ]` the output has shape `[d₁, …, dₖ, d₁, …, dₖ]` with
 * `out[i₁…iₖ, i₁…iₖ] = v[i₁…iₖ]`. Keeps the dtype.
 */
export function diag(v: TensorLike): Tensor {
  const op = 'diag';
  const t = toTensor(v, op, 'v');
  if (t.rank === 0) fail(op, 'expected v of rank ≥ 1, got a scalar');
  const n = t.size;
  const outShape = [...t.shape, ...t.shape];
  checkAllocation(op, outShape, t.dtype);
  // Row i of [n, n + 1] is v_i then n zeros; read flat as [n, n] its first n² entries put v_i at (i, i).
  const rows = runKernel('Pad', [reshape(t, [n, 1])], { paddings: [[0, 0], [0, n]], constantValue: 0 });
  const square = runKernel('Slice', [reshape(rows, [n * (n + 1)])], { begin: [0], size: [n * n] });
  return reshape(square, outShape);
}

/**
 * The diagonal of `x`, inverse of `diag` (TF's `diag_part`): `[n, n] → [n]`; for `x` of shape
 * `[d₁, …, dₖ, d₁, …, dₖ]` the output is `[d₁, …, dₖ]` with `out[i₁…iₖ] = x[i₁…iₖ, i₁…iₖ]`. For the
 * diagonals of a batch of matrices use `einsum('...ii->...i', x)`.
 */
export function diagPart(x: TensorLike): Tensor {
  const op = 'diagPart';
  const t = toTensor(x, op, 'x');
  const k = t.rank / 2;
  const half = t.shape.slice(0, k);
  if (t.rank === 0 || !Number.isInteger(k) || half.some((d, i) => d !== t.shape[k + i])) {
    fail(op, `expected x of shape [d1, …, dk, d1, …, dk] (even rank ≥ 2, second half equal to the first), got ${formatShape(t.shape)}`);
  }
  const n = sizeFromShape(half);
  // Entry i·(n + 1) of the flat [n·n] is (i, i): pad to n·(n + 1), view as [n, n + 1], keep column 0.
  const flat = runKernel('Pad', [reshape(t, [n * n])], { paddings: [[0, n]], constantValue: 0 });
  const column = runKernel('Slice', [reshape(flat, [n, n + 1])], { begin: [0, 0], size: [n, 1] });
  return reshape(column, half);
}

/**
 * Pad with mirrored copies of `x`'s own edges (TF's `MirrorPad`): `paddings[i] = [before, after]` per
 * axis. `'reflect'` mirrors around the edge element without repeating it (`[1, 2, 3]` padded by 2 →
 * `[3, 2, 1, 2, 3, 2, 1]`; at most `dim − 1` per side); `'symmetric'` repeats it (`[2, 1, 1, 2, 3, 3, 2]`;
 * at most `dim`).
 */
export function mirrorPad(x: TensorLike, paddings: readonly (readonly [number, number])[], mode: 'reflect' | 'symmetric'): Tensor {
  const op = 'mirrorPad';
  const t = toTensor(x, op, 'x');
  if (mode !== 'reflect' && mode !== 'symmetric') fail(op, `mode must be 'reflect' or 'symmetric', got ${formatArg(mode)}`);
  const given: unknown = paddings;
  if (!Array.isArray(given) || given.length !== t.rank) {
    fail(op, `paddings must have one [before, after] pair per axis (${t.rank}), got ${formatArg(paddings)}`);
  }
  const shift = mode === 'reflect' ? 1 : 0;
  paddings.forEach((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
      fail(op, `paddings[${i}] must be a pair of non-negative integers, got ${formatArg(p)}`);
    }
    const limit = t.shape[i]! - shift;
    const [before, after] = p as [number, number];
    if (before > limit || after > limit) {
      fail(op, `paddings[${i}] = [${before}, ${after}] is too large for axis ${i} of shape ${formatShape(t.shape)} in '${mode}' mode (at most ${limit} per side)`);
    }
  });
  checkAllocation(op, t.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]), t.dtype);
  let out = t;
  for (let axis = 0; axis < t.rank; axis++) {
    const [before, after] = paddings[axis]!;
    if (before === 0 && after === 0) continue;
    const d = out.shape[axis]!;
    const part = (start: number, length: number): Tensor => {
      const begin = out.shape.map((_, a) => (a === axis ? start : 0));
      const size = out.shape.map((s, a) => (a === axis ? length : s));
      const piece = runKernel('Slice', [out], { begin, size });
      return length > 1 ? runKernel('Reverse', [piece], { axes: [axis] }) : piece;
    };
    const pieces: Tensor[] = [];
    if (before > 0) pieces.push(part(shift, before));
    pieces.push(out);
    if (after > 0) pieces.push(part(d - shift - after, after));
    out = runKernel('Concat', pieces, { axis });
  }
  return out === t ? reshape(t, t.shape) : out;
}

function blockArg(op: string, blockSize: unknown): number {
  if (typeof blockSize !== 'number' || !Number.isInteger(blockSize) || blockSize < 2) {
    fail(op, `blockSize must be an integer ≥ 2, got ${formatArg(blockSize)}`);
  }
  return blockSize;
}

function imageArg(op: string, x: TensorLike, dataFormat: unknown): Tensor {
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') fail(op, `dataFormat must be 'NHWC' or 'NCHW', got ${formatArg(dataFormat)}`);
  const t = toTensor(x, op, 'x');
  if (t.rank !== 4) fail(op, `expected x of rank 4 (${dataFormat}), got shape ${formatShape(t.shape)}`);
  return t;
}

/**
 * Move blocks of channels into space (TF's `depth_to_space`): `[n, h, w, c]` → `[n, h·b, w·b, c/b²]`
 * with `out[n, h·b + i, w·b + j, k] = x[n, h, w, (i·b + j)·c/b² + k]`; `c` must be divisible by `b²`.
 * With `dataFormat: 'NCHW'` the channels come before the spatial axes, in input and output.
 */
export function depthToSpace(x: TensorLike, blockSize: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  const op = 'depthToSpace';
  const b = blockArg(op, blockSize);
  const t = imageArg(op, x, dataFormat);
  const nchw = dataFormat === 'NCHW';
  const [n, h, w, c] = (nchw ? [t.shape[0], t.shape[2], t.shape[3], t.shape[1]] : t.shape) as [number, number, number, number];
  if (c % (b * b) !== 0) {
    fail(op, `the channel dimension (${c}) of x ${formatShape(t.shape)} must be divisible by blockSize² = ${b * b}`);
  }
  const d = c / (b * b);
  if (nchw) {
    const moved = runKernel('Transpose', [reshape(t, [n, b, b, d, h, w])], { perm: [0, 3, 4, 1, 5, 2] });
    return reshape(moved, [n, d, h * b, w * b]);
  }
  const moved = runKernel('Transpose', [reshape(t, [n, h, w, b, b, d])], { perm: [0, 1, 3, 2, 4, 5] });
  return reshape(moved, [n, h * b, w * b, d]);
}

/**
 * Move blocks of space into channels, the inverse of `depthToSpace` (TF's `space_to_depth`):
 * `[n, h, w, c]` → `[n, h/b, w/b, c·b²]` with `out[n, y, x, (i·b + j)·c + k] = x[n, y·b + i, x·b + j, k]`;
 * `h` and `w` must be divisible by `b`. `dataFormat: 'NCHW'` as in `depthToSpace`.
 */
export function spaceToDepth(x: TensorLike, blockSize: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  const op = 'spaceToDepth';
  const b = blockArg(op, blockSize);
  const t = imageArg(op, x, dataFormat);
  const nchw = dataFormat === 'NCHW';
  const [n, h, w, c] = (nchw ? [t.shape[0], t.shape[2], t.shape[3], t.shape[1]] : t.shape) as [number, number, number, number];
  if (h % b !== 0 || w % b !== 0) {
    fail(op, `the height (${h}) and width (${w}) of x ${formatShape(t.shape)} must be divisible by blockSize = ${b}`);
  }
  if (nchw) {
    const moved = runKernel('Transpose', [reshape(t, [n, c, h / b, b, w / b, b])], { perm: [0, 3, 5, 1, 2, 4] });
    return reshape(moved, [n, b * b * c, h / b, w / b]);
  }
  const moved = runKernel('Transpose', [reshape(t, [n, h / b, b, w / b, b, c])], { perm: [0, 1, 3, 2, 4, 5] });
  return reshape(moved, [n, h / b, w / b, b * b * c]);
}
