// The matmul's path for a mostly-zero A (images with a blank background, one-hot rows, ReLU outputs):
// products whose A element is exactly zero are skipped instead of multiplied. Every output element is
// still the sum of its nonzero products in ascending depth order, one `madd` each, which is what the
// packed kernel of matmul.ts computes (its skipped terms are ±0, which leave a sum unchanged but for
// the sign of a zero); so the two paths give the same floats. B must be finite (0·∞ is NaN, which
// skipping would lose): the kernel checks it and declines otherwise.

import { epilogueBlock } from './epilogue';
import { matmulWorkBytes } from './matmul';
import { madd, maddScalar } from './simd';

/** Elements of A probed first: a dense A is turned down after one short scan. */
const PROBE: i32 = 1024;

/** Nonzero lanes in `rows` stored rows of `len` floats, `stride` floats apart. */
function nonzeros(a: usize, rows: i32, len: i32, stride: i32): f64 {
  const zero = f32x4.splat(0);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = a + (<usize>r * <usize>stride << 2);
    let lanes = i32x4.splat(0);
    let more = i32x4.splat(0);
    let q = 0;
    // `ne` is -1 in a nonzero lane (NaN counts as nonzero: it is multiplied, never skipped).
    for (; q + 8 <= len; q += 8) {
      const at = row + (<usize>q << 2);
      lanes = i32x4.sub(lanes, f32x4.ne(v128.load(at), zero));
      more = i32x4.sub(more, f32x4.ne(v128.load(at, 16), zero));
    }
    for (; q + 4 <= len; q += 4) lanes = i32x4.sub(lanes, f32x4.ne(v128.load(row + (<usize>q << 2)), zero));
    lanes = i32x4.add(lanes, more);
    let count = i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3);
    for (; q < len; q++) if (load<f32>(row + (<usize>q << 2)) != 0) count++;
    total += <f64>count;
  }
  return total;
}

/** Whether every float of `rows` rows of `len` floats, `stride` floats apart, is finite. */
function finiteRows(b: usize, rows: i32, len: i32, stride: i32): bool {
  const exponent = i32x4.splat(0x7f800000);
  let top = i32x4.splat(0);
  let more = i32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = b + (<usize>r * <usize>stride << 2);
    let q = 0;
    for (; q + 16 <= len; q += 16) {
      const at = row + (<usize>q << 2);
      top = i32x4.max_u(top, v128.and(v128.load(at), exponent));
      more = i32x4.max_u(more, v128.and(v128.load(at, 16), exponent));
      top = i32x4.max_u(top, v128.and(v128.load(at, 32), exponent));
      more = i32x4.max_u(more, v128.and(v128.load(at, 48), exponent));
    }
    for (; q + 4 <= len; q += 4) top = i32x4.max_u(top, v128.and(v128.load(row + (<usize>q << 2)), exponent));
    for (; q < len; q++) if ((load<i32>(row + (<usize>q << 2)) & 0x7f800000) == 0x7f800000) return false;
  }
  return !v128.any_true(i32x4.eq(i32x4.max_u(top, more), exponent));
}

/**
 * Byte shuffles that move the lanes set in a 4-bit mask to the front, in order (16 masks × 16 bytes);
 * unused lanes take lane 0 (they land past the list's count and are never read).
 */
const COMPACT: usize = memory.data<u8>([
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3,
  8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
  12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3,
  8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

/**
 * A list of one row's nonzeros in `work`: `cap` u32 byte offsets into B (depth index × row stride of
 * B), then `cap` values, so a list of up to k entries plus the 4 a vector store writes past its end.
 */
@inline function listCap(k: i32): i32 {
  return k + 4;
}

/** Appends the lanes of `v` that are not zero (NaN is kept: it is multiplied, never skipped) with their offsets `off`. */
@inline function appendLanes(v: v128, off: v128, offs: usize, vals: usize, count: i32): i32 {
  const mask = i32x4.bitmask(f32x4.ne(v, f32x4.splat(0)));
  const shuffle = v128.load(COMPACT + (<usize>mask << 4));
  v128.store(offs + (<usize>count << 2), v128.swizzle(off, shuffle));
  v128.store(vals + (<usize>count << 2), v128.swizzle(v, shuffle));
  return count + <i32>popcnt(mask);
}

/** Appends element x at offset `off` to a list, kept when x ≠ 0 (branch-free: a scattered pattern would mispredict). */
@inline function appendOne(x: f32, off: u32, offs: usize, vals: usize, count: i32): i32 {
  store<u32>(offs + (<usize>count << 2), off);
  store<f32>(vals + (<usize>count << 2), x);
  return count + <i32>(x != 0);
}

/** Row `i` of A stored by rows (element p at row[p]) into one list; four zeros at a time are skipped (backgrounds come in runs). */
function gatherRow(row: usize, k: i32, step: u32, offs: usize, vals: usize): i32 {
  const zero = f32x4.splat(0);
  let off = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(step));
  const advance = i32x4.splat(step << 2);
  let count = 0;
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const v = v128.load(row + (<usize>p << 2));
    if (v128.any_true(f32x4.ne(v, zero))) count = appendLanes(v, off, offs, vals, count);
    off = i32x4.add(off, advance);
  }
  for (; p < k; p++) count = appendOne(load<f32>(row + (<usize>p << 2)), <u32>p * step, offs, vals, count);
  return count;
}

/**
 * C's row from a list: the sum over the list's entries of value × B's row at the entry's offset, 32
 * columns at a time in registers; `acc` starts from C's values. Then the epilogue, if any.
 */
function rowProduct(offs: usize, vals: usize, count: i32, b: usize, cr: usize, n: i32, acc: bool, epi: usize): void {
  const zero = f32x4.splat(0);
  const end = offs + (<usize>count << 2);
  const dv = vals - offs;
  let j = 0;
  for (; j + 32 <= n; j += 32) {
    const bj = b + (<usize>j << 2);
    const cj = cr + (<usize>j << 2);
    let c0 = acc ? v128.load(cj) : zero;
    let c1 = acc ? v128.load(cj, 16) : zero;
    let c2 = acc ? v128.load(cj, 32) : zero;
    let c3 = acc ? v128.load(cj, 48) : zero;
    let c4 = acc ? v128.load(cj, 64) : zero;
    let c5 = acc ? v128.load(cj, 80) : zero;
    let c6 = acc ? v128.load(cj, 96) : zero;
    let c7 = acc ? v128.load(cj, 112) : zero;
    for (let e = offs; e < end; e += 4) {
      const s = v128.load32_splat(e + dv);
      const bp = bj + <usize>load<u32>(e);
      c0 = madd(s, v128.load(bp), c0);
      c1 = madd(s, v128.load(bp, 16), c1);
      c2 = madd(s, v128.load(bp, 32), c2);
      c3 = madd(s, v128.load(bp, 48), c3);
      c4 = madd(s, v128.load(bp, 64), c4);
      c5 = madd(s, v128.load(bp, 80), c5);
      c6 = madd(s, v128.load(bp, 96), c6);
      c7 = madd(s, v128.load(bp, 112), c7);
    }
    v128.store(cj, c0); v128.store(cj, c1, 16); v128.store(cj, c2, 32); v128.store(cj, c3, 48);
    v128.store(cj, c4, 64); v128.store(cj, c5, 80); v128.store(cj, c6, 96); v128.store(cj, c7, 112);
  }
  for (; j + 4 <= n; j += 4) {
    const bj = b + (<usize>j << 2);
    const cj = cr + (<usize>j << 2);
    let c0 = acc ? v128.load(cj) : zero;
    for (let e = offs; e < end; e += 4) c0 = madd(v128.load32_splat(e + dv), v128.load(bj + <usize>load<u32>(e)), c0);
    v128.store(cj, c0);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    const cj = cr + (<usize>j << 2);
    let v: f32 = acc ? load<f32>(cj) : 0;
    for (let e = offs; e < end; e += 4) v = maddScalar(load<f32>(e + dv), load<f32>(bj + <usize>load<u32>(e)), v);
    store<f32>(cj, v);
  }
  if (epi != 0) epilogueBlock(epi, cr, n, 1, n, 0);
}

/**
 * Range kernel (src/threads.ts): rows [start, end) of C (row stride n) = A·B skipping A's zeros, for a
 * product matmulSparseEligible accepted; `mode` as matmul's `accumulate` word (0 overwrite, 1 add, else
 * an epilogue descriptor). Each row of C sums the rows of B that the nonzeros of A's row pick. A's rows
 * are stored contiguously (`sak` = 1), or transposed (`sam` = 1, `sak` apart: the weight gradient's
 * xᵀ), then four rows of C at a time read one vector per depth step. The lists live in `work`.
 */
export function matmulSparseRange(
  start: i32, end: i32, work: usize, a: usize, b: usize, c: usize, n: i32, k: i32, sam: i32, sak: i32, sbk: i32, mode: i32,
): void {
  const acc = mode == 1;
  const epi: usize = mode > 1 ? <usize>mode : 0;
  const cap = <usize>listCap(k) << 2;
  const step = <u32>sbk << 2;
  const rowBytes = <usize>n << 2;
  let i = start;
  if (sak != 1) {
    // Transposed: lanes of one load are rows i..i+3 of A at depth p; four lists, one per row.
    const stride = <usize>sak << 2;
    const zero = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      let n0 = 0, n1 = 0, n2 = 0, n3 = 0;
      let src = a + (<usize>i << 2);
      for (let p = 0; p < k; p++) {
        const v = v128.load(src);
        src += stride;
        if (!v128.any_true(f32x4.ne(v, zero))) continue;
        const off = <u32>p * step;
        n0 = appendOne(f32x4.extract_lane(v, 0), off, work, work + cap, n0);
        n1 = appendOne(f32x4.extract_lane(v, 1), off, work + 2 * cap, work + 3 * cap, n1);
        n2 = appendOne(f32x4.extract_lane(v, 2), off, work + 4 * cap, work + 5 * cap, n2);
        n3 = appendOne(f32x4.extract_lane(v, 3), off, work + 6 * cap, work + 7 * cap, n3);
      }
      const cr = c + <usize>i * rowBytes;
      rowProduct(work, work + cap, n0, b, cr, n, acc, epi);
      rowProduct(work + 2 * cap, work + 3 * cap, n1, b, cr + rowBytes, n, acc, epi);
      rowProduct(work + 4 * cap, work + 5 * cap, n2, b, cr + 2 * rowBytes, n, acc, epi);
      rowProduct(work + 6 * cap, work + 7 * cap, n3, b, cr + 3 * rowBytes, n, acc, epi);
    }
    for (; i < end; i++) {
      let count = 0;
      for (let p = 0; p < k; p++) count = appendOne(load<f32>(a + (<usize>(i + p * sak) << 2)), <u32>p * step, work, work + cap, count);
      rowProduct(work, work + cap, count, b, c + <usize>i * rowBytes, n, acc, epi);
    }
    return;
  }
  for (; i < end; i++) {
    const count = gatherRow(a + (<usize>i * <usize>sam << 2), k, step, work, work + cap);
    rowProduct(work, work + cap, count, b, c + <usize>i * rowBytes, n, acc, epi);
  }
}

/**
 * Whether C (m×n) = A·B may skip A's zeros (matmulSparseRange): A stored by rows (`sak` = 1) or
 * transposed (`sam` = 1), at most `maxPerMille` ‰ of it nonzero, B's rows contiguous (element (p, j) at
 * b[p·sbk + j]) and finite, and a row's list of nonzeros fits a thread's `work`. 1 or 0.
 */
export function matmulSparseEligible(a: usize, b: usize, m: i32, n: i32, k: i32, sam: i32, sak: i32, sbk: i32, maxPerMille: i32): i32 {
  const rowMajor = sak == 1;
  if (!rowMajor && sam != 1) return 0;
  // The density scan reads A as stored: by rows of A, or by rows of Aᵀ.
  const rows = rowMajor ? m : k;
  const len = rowMajor ? k : m;
  const stride = rowMajor ? sam : sak;
  // Four lists of offsets and values (the transposed case) must fit a thread's scratch.
  if (rows == 0 || len == 0 || <i64>listCap(k) * 32 > <i64>matmulWorkBytes()) return 0;
  const limit = <f64>maxPerMille / 1000;
  const probe = min(rows, max(1, PROBE / len));
  if (nonzeros(a, probe, len, stride) > limit * <f64>probe * <f64>len) return 0;
  if (nonzeros(a, rows, len, stride) > limit * <f64>rows * <f64>len) return 0;
  return finiteRows(b, k, n, sbk) ? 1 : 0;
}
