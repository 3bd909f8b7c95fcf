import { runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { fail, takeAlongLastAxis, tensorArg } from './nd-index.js';

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** The axis to sort along (negative counts from the end). Default -1, the last axis. */
  axis?: number;
  /** Largest first instead of smallest first. Default false. */
  descending?: boolean;
}

/** What `topk` returns: the `k` largest values along the last axis and their positions (int32). */
export interface TopK {
  /** The `k` largest entries of each row, largest first: shape `x.shape[:-1] + [k]`, x's dtype. */
  values: Tensor;
  /** Their positions along the last axis of `x` (int32, same shape as `values`). */
  indices: Tensor;
}

function sortable(op: string, x: TensorLike): Tensor {
  const t = tensorArg(op, 'x', x);
  if (t.dtype === 'bool') fail(op, `x must be float32 or int32, got bool (cast it first)`);
  if (t.rank === 0) fail(op, 'expected x of rank ≥ 1, got a scalar');
  return t;
}

function readOptions(op: string, options: SortOptions | undefined, rank: number): { axis: number; descending: boolean } {
  if (options === undefined || options === null) return { axis: rank - 1, descending: false };
  if (typeof options !== 'object') fail(op, `options must be an object like { axis: -1, descending: false }, got ${formatArg(options)}`);
  const { axis = -1, descending = false } = options;
  if (typeof descending !== 'boolean') fail(op, `descending must be a boolean, got ${formatArg(descending)}`);
  return { axis: normalizeAxis(op, axis, rank), descending };
}

/** The permutation that swaps `axis` with the last axis (its own inverse), or null when it is last. */
function swapToLast(axis: number, rank: number): number[] | null {
  if (axis === rank - 1) return null;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[axis] = rank - 1;
  perm[rank - 1] = axis;
  return perm;
}

/** Stable sort positions and the values they pick, along `axis`. */
function sortAlong(op: string, x: TensorLike, options: SortOptions | undefined, wantValues: boolean): Tensor {
  const t = sortable(op, x);
  const { axis, descending } = readOptions(op, options, t.rank);
  const perm = swapToLast(axis, t.rank);
  const moved = perm === null ? t : runKernel('Transpose', [t], { perm });
  const n = moved.shape[moved.rank - 1]!;
  const idx = runKernel('ArgSort', [moved], { k: n, descending });
  const result = wantValues ? takeAlongLastAxis(moved, idx) : idx;
  return perm === null ? result : runKernel('Transpose', [result], { perm });
}

/**
 * The values of `x` sorted along `axis` (default the last), smallest first or, with
 * `descending: true`, largest first. The sort is stable (equal values keep their order) and NaN
 * counts as larger than +Infinity: last when ascending (as NumPy's `np.sort`), first when
 * descending; -0 and 0 are equal. Differentiable: the gradient of each sorted value goes back to
 * the position it came from.
 *
 * ```ts
 * sort([3, 1, 2]).toArray();                       // [1, 2, 3]
 * sort([[3, 1], [0, 5]], { axis: 0, descending: true }).toArray(); // [[3, 5], [0, 1]]
 * ```
 */
export function sort(x: TensorLike, options?: SortOptions): Tensor {
  return sortAlong('sort', x, options, true);
}

/**
 * The positions (int32) that sort `x` along `axis`: `gather`ing them along that axis gives `sort(x,
 * options)`. Stable (equal values keep increasing positions, also when descending), NaN larger than
 * +Infinity, as `sort`. Not differentiable.
 *
 * ```ts
 * argsort([3, 1, 3, 2]).toArray();                       // [1, 3, 0, 2]
 * argsort([3, 1, 3, 2], { descending: true }).toArray(); // [0, 2, 3, 1]
 * ```
 */
export function argsort(x: TensorLike, options?: SortOptions): Tensor {
  return sortAlong('argsort', x, options, false);
}

/**
 * The `k` largest entries along the last axis of `x` and their positions, as TF's `top_k`: with
 * `sorted` (the default) largest first; equal values come in order of position (the lower index
 * first); NaN counts as larger than +Infinity. With `sorted: false` the same `k` entries come in
 * order of their position in `x` instead. `values` is differentiable (its gradient goes back to
 * the picked positions); `indices` is int32.
 *
 * ```ts
 * const { values, indices } = topk([1, 4, 2, 4], 2);
 * values.toArray();  // [4, 4]
 * indices.toArray(); // [1, 3]
 * ```
 */
export function topk(x: TensorLike, k = 1, sorted = true): TopK {
  const op = 'topk';
  const t = sortable(op, x);
  const n = t.shape[t.rank - 1]!;
  if (!Number.isInteger(k) || k < 0) fail(op, `k must be a non-negative integer, got ${formatArg(k)}`);
  if (k > n) fail(op, `k must be at most the size of the last axis of x (shape ${formatShape(t.shape)}), got k = ${k}`);
  if (typeof sorted !== 'boolean') fail(op, `sorted must be a boolean, got ${formatArg(sorted)}`);
  k += 0; // -0 → 0, so no shape holds -0
  let indices = runKernel('ArgSort', [t], { k, descending: true });
  // Unsorted: the same entries in order of position (sorting the positions themselves).
  if (!sorted && k > 1) indices = takeAlongLastAxis(indices, runKernel('ArgSort', [indices], { k, descending: false }));
  return { values: takeAlongLastAxis(t, indices), indices };
}
