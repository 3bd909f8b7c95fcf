import type { KernelTable, TensorInfo } from '../backend.js';
import { allocOutput, output, valuesOf } from './storage.js';

/**
 * Below this `k` (and when `k` is less than the row), a top-k keeps a sorted buffer of the best `k`
 * seen so far and inserts into it: most entries lose against the buffer's worst in one comparison,
 * so a top-5 of 1,000 classes costs about 1,000 comparisons instead of a full sort's ~10,000.
 */
const INSERTION_MAX_K = 32;

/**
 * Rows up to this long (2^21) sort as packed float64 keys: a 32-bit rank times 2^21 plus the
 * position stays below 2^53, so it is exact.
 */
const INDEX_SPAN = 2097152;

/**
 * Whether the entry with key `a` at position `ia` comes strictly before the one with key `b` at
 * position `ib`: ascending (or descending) by key with NaN the largest value (last ascending, first
 * descending), -0 equal to 0, and equal keys in position order.
 */
function before(a: number, ia: number, b: number, ib: number, descending: boolean): boolean {
  if (a === b) return ia < ib;
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) {
    if (aNaN && bNaN) return ia < ib;
    // NaN is the largest value: first when descending, last when ascending.
    return descending ? aNaN : bNaN;
  }
  return descending ? a > b : a < b;
}

/** The first `k` positions of a stable sort of each row of the last axis. */
function argSort(x: TensorInfo, k: number, descending: boolean): TensorInfo {
  const v = valuesOf(x);
  const rank = x.shape.length;
  const n = rank === 0 ? 1 : x.shape[rank - 1]!;
  const outShape = rank === 0 ? [] : [...x.shape.slice(0, -1), k];
  const out = allocOutput('ArgSort', 'int32', outShape);
  const rows = n === 0 ? 0 : v.length / n;
  if (k === 0 || rows === 0) return output(out, outShape, 'int32');
  const keys = new Float64Array(n);
  if (k <= INSERTION_MAX_K && k < n) {
    // Sorted buffer of the best k so far (keys and positions), filled in index order.
    const bestKey = new Float64Array(k);
    const bestPos = new Int32Array(k);
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      let count = 0;
      for (let j = 0; j < n; j++) {
        const key = v[base + j]!;
        // j is larger than every index in the buffer, so on a tie it loses.
        if (count === k && !before(key, j, bestKey[k - 1]!, bestPos[k - 1]!, descending)) continue;
        let p = count === k ? k - 1 : count++;
        while (p > 0 && before(key, j, bestKey[p - 1]!, bestPos[p - 1]!, descending)) {
          bestKey[p] = bestKey[p - 1]!;
          bestPos[p] = bestPos[p - 1]!;
          p--;
        }
        bestKey[p] = key;
        bestPos[p] = j;
      }
      out.set(bestPos, r * k);
    }
    return output(out, outShape, 'int32');
  }
  if (n <= INDEX_SPAN && (v instanceof Float32Array || v instanceof Int32Array)) {
    // Each entry becomes one float64 `rank·2^21 + position`, where `rank` is a 32-bit integer in
    // the sort order: a plain numeric sort of these (no comparator) orders by value, then position.
    const bits = v instanceof Float32Array ? new Uint32Array(v.buffer, v.byteOffset, v.length) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      for (let j = 0; j < n; j++) {
        let rank: number;
        if (bits === null) rank = (v[base + j]! ^ 0x80000000) >>> 0;
        else {
          const x = v[base + j]!;
          // NaN above +Infinity; -0 with 0; otherwise the IEEE bits made monotonic.
          if (x !== x) rank = 0xffffffff;
          else if (x === 0) rank = 0x80000000;
          else {
            const u = bits[base + j]!;
            rank = (u & 0x80000000) !== 0 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
          }
        }
        if (descending) rank = 0xffffffff - rank;
        keys[j] = rank * INDEX_SPAN + j;
      }
      keys.sort();
      const o = r * k;
      for (let j = 0; j < k; j++) {
        const key = keys[j]!;
        out[o + j] = key - Math.floor(key / INDEX_SPAN) * INDEX_SPAN;
      }
    }
    return output(out, outShape, 'int32');
  }
  const order = new Int32Array(n);
  // A total order (ties broken by index), so the sort is stable whatever algorithm the engine uses.
  const compare = (i: number, j: number): number => (before(keys[i]!, i, keys[j]!, j, descending) ? -1 : 1);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = 0; j < n; j++) {
      keys[j] = v[base + j]!;
      order[j] = j;
    }
    order.sort(compare);
    out.set(k === n ? order : order.subarray(0, k), r * k);
  }
  return output(out, outShape, 'int32');
}

export const sortKernels = {
  ArgSort: ([x], { k, descending }) => argSort(x, k, descending),
} satisfies Partial<KernelTable>;
