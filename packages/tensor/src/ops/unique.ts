import { allocArray } from '../dtype.js';
import { checkAllocation, makeTensor } from '../engine.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { fail, tensorArg } from './nd-index.js';

/** What `unique` returns. */
export interface Unique {
  /** The distinct slices along the axis, in order of first occurrence (x's dtype). */
  values: Tensor;
  /** For each position of x along the axis, the position of its slice in `values` (int32). */
  indices: Tensor;
}

/**
 * The distinct entries of a 1-D `x` (or, for higher ranks, the distinct slices along `axis`) in
 * order of first occurrence, and for each entry of `x` the position of its value in `values`, as
 * TF's `unique`: `gather(values, indices, axis)` rebuilds `x`. Values compare as numbers: -0 equals
 * 0 and all NaNs count as one value (as in NumPy and TF.js; TF keeps each NaN apart). Computed on
 * the host and not differentiable.
 *
 * ```ts
 * const { values, indices } = unique([1, 1, 2, 4, 4, 4, 7, 8, 8]);
 * values.toArray();  // [1, 2, 4, 7, 8]
 * indices.toArray(); // [0, 0, 1, 2, 2, 2, 3, 4, 4]
 * unique([[1, 0], [1, 0], [2, 0]]).values.toArray(); // [[1, 0], [2, 0]]
 * ```
 */
export function unique(x: TensorLike, axis = 0): Unique {
  const op = 'unique';
  const t = tensorArg(op, 'x', x);
  if (t.rank === 0) fail(op, 'expected x of rank ≥ 1, got a scalar');
  const a = normalizeAxis(op, axis, t.rank);
  const n = t.shape[a]!;
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= t.shape[i]!;
  const inner = t.size === 0 ? 0 : t.size / (outer * n);
  const v = t.dataSync();
  const sliceLength = outer * inner;
  // Slice j is x[..., j, ...]: `outer` runs of `inner` values. Key it by its values (String makes
  // -0 and 0 the same key, and every NaN "NaN"); 1-D keys are the numbers themselves (a Map compares
  // them with SameValueZero: -0 = 0, NaN = NaN).
  const key = (j: number): string | number => {
    if (sliceLength === 1) return v[j * inner]!;
    const parts = new Array<number>(sliceLength);
    let p = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) parts[p++] = v[base + i]!;
    }
    return parts.join(',');
  };
  const seen = new Map<string | number, number>();
  const firsts: number[] = [];
  const indices = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const k = key(j);
    let at = seen.get(k);
    if (at === undefined) {
      at = firsts.length;
      seen.set(k, at);
      firsts.push(j);
    }
    indices[j] = at;
  }
  const m = firsts.length;
  const outShape = t.shape.map((d, i) => (i === a ? m : d));
  checkAllocation(op, outShape, t.dtype);
  const out = allocArray(t.dtype, outer * m * inner);
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const j of firsts) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[pos++] = v[base + i]!;
    }
  }
  return { values: makeTensor(out, outShape, t.dtype), indices: makeTensor(indices, [n], 'int32') };
}
