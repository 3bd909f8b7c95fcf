// Packed, blocked float32 GEMM: C[rowStart:rowEnd, :] (+)= op(A)·op(B).
// Transposes are strides read while packing. The `accumulate` word: 0 overwrites C, 1 adds into it, any
// other value is the address of a bias + activation epilogue (asm/epilogue.ts) applied as tiles are stored.

import { epilogueBlock } from './epilogue';
import { MR, packPatches, packPatchesT, packRowsA } from './pack';
import { madd } from './simd';

/**
 * Largest depth of one packed block: an MR×KC A sliver and a KC×8 B sliver (12 + 16 KiB) share L1,
 * the MC×KC A block (240 KiB) stays in L2. A product deeper than KC is cut into equal blocks (kcOf).
 */
const KC: i32 = 512;
/** Rows of A packed at a time; a multiple of the tile height. */
const MC: i32 = 120;
/** Columns of B packed at a time (a KC × NC block of B, 1 MiB, is read from L3 one 8-column sliver at a time). */
const NC: i32 = 512;

/**
 * Depth of the packed blocks of a product of depth k: k itself up to KC, else k cut into equal blocks
 * of at most KC. Every block's result goes through C (stored, then loaded by the next block), so one
 * block where possible: at k = 512 one block of 512 ran 5–7% faster than two of 256.
 */
@inline function kcOf(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

export function matmulTileRows(): i32 {
  return MR;
}

/** Scratch bytes one matmul call needs: packed A, packed B and an edge tile. */
export function matmulScratchBytes(): i32 {
  return (MC * KC + KC * NC + 64) << 2;
}

/**
 * Scratch bytes a thread owns (`work`): the matmul's, then a 256 KiB column buffer the range kernels
 * of conv.ts use (asm/conv.ts COL_FLOATS).
 */
export function matmulWorkBytes(): i32 {
  return matmulScratchBytes() + (1 << 18);
}

/**
 * Implicit A: `sam` < 0 marks A as the patch matrix of a stride-1, unpadded, undilated NHWC convolution,
 * read straight from the image while packing instead of from an im2col copy. `a` then points to eight
 * int32 words: x, h, w, c, kh, kw, oh, ow. Patch element t of output pixel i (i = (b·oh + oy)·ow + ox,
 * t = (ky·kw + kx)·c + ch) is x[b, oy + ky, ox + kx, ch].
 * - CONV_PATCHES (-1): A[i, t], rows are pixels, depth is taps (the convolution itself).
 * - CONV_PATCHES_T (-2): A[t, i], rows are taps, depth is pixels (the filter gradient, patchesᵀ·dy).
 */
export const CONV_PATCHES: i32 = -1;
export const CONV_PATCHES_T: i32 = -2;


function packA(a: usize, sam: i32, sak: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  if (sam == CONV_PATCHES) {
    packPatches(a, i0, mc, p0, kc, dst);
    return;
  }
  if (sam == CONV_PATCHES_T) {
    packPatchesT(a, i0, mc, p0, kc, dst);
    return;
  }
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    if (sam == 1 && rows == MR) {
      // A transposed (the filter gradient's colᵀ): a sliver's MR values at one depth are adjacent,
      // so each depth step is one vector and one or two scalar moves instead of MR strided loads.
      let src = a + (<usize>(i0 + ip + p0 * sak) << 2);
      const step = <usize>sak << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        store<f32>(dst, load<f32>(src, 16), 16);
        if (ASC_FEATURE_RELAXED_SIMD) store<f32>(dst, load<f32>(src, 20), 20);
        src += step;
        dst += <usize>MR << 2;
      }
      continue;
    }
    if (sak == 1 && rows == MR) {
      packRowsA(a + (<usize>((i0 + ip) * sam + p0) << 2), <usize>sam << 2, kc, dst);
      dst += <usize>(MR * kc) << 2;
      continue;
    }
    for (let r = 0; r < MR; r++) {
      let d = dst + (<usize>r << 2);
      if (r < rows) {
        let src = a + (<usize>((i0 + ip + r) * sam + p0 * sak) << 2);
        const step = <usize>sak << 2;
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src));
          src += step;
          d += <usize>MR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += <usize>MR << 2;
        }
      }
    }
    dst += <usize>(MR * kc) << 2;
  }
}

function packB(b: usize, sbk: i32, sbn: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jp = 0; jp < nc; jp += 8) {
    const cols = min(8, nc - jp);
    if (cols == 8 && sbn == 1) {
      let src = b + (<usize>(p0 * sbk + j0 + jp) << 2);
      const step = <usize>sbk << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < 8; c++) {
          let v: f32 = 0;
          if (c < cols) v = load<f32>(b + (<usize>((p0 + p) * sbk + (j0 + jp + c) * sbn) << 2));
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

/**
 * One MR×8 tile of C over kc steps: rows 0–4 in both builds, row 5 only in the relaxed (FMA) build,
 * where MR is 6 (the guards are compile-time constants, so each build holds one straight-line loop).
 *
 * Written for what V8's TurboFan (Node 20–24) makes of it, checked with `--print-wasm-code`:
 * - The accumulators start from C (or from the first product) rather than adding C after the loop:
 *   loads of C after the loop made V8 spill accumulators inside it.
 * - The first k-step is peeled. Its A loads use the same offsets as the loop's, so V8 computes the
 *   addresses memory+4, +8, … once before the loop; without the peeled step it recomputed each
 *   (one lea per load per step). The loop runs to an end pointer (no counter).
 * Result: 33 instructions per 80 flops (5×8 mul+add, was 39) and 26 per 96 (6×8 FMA, was 33), no spills.
 * One k-step per iteration: unrolling k made V8 hoist loads and spill.
 */
function tile(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, acc: bool): void {
  const ld = <usize>ldc << 2;
  let b0 = v128.load(bp);
  let b1 = v128.load(bp, 16);
  let a = v128.load32_splat(ap);
  let c00 = acc ? madd(a, b0, v128.load(c)) : f32x4.mul(a, b0);
  let c01 = acc ? madd(a, b1, v128.load(c, 16)) : f32x4.mul(a, b1);
  a = v128.load32_splat(ap, 4);
  let c10 = acc ? madd(a, b0, v128.load(c + ld)) : f32x4.mul(a, b0);
  let c11 = acc ? madd(a, b1, v128.load(c + ld, 16)) : f32x4.mul(a, b1);
  a = v128.load32_splat(ap, 8);
  let c20 = acc ? madd(a, b0, v128.load(c + 2 * ld)) : f32x4.mul(a, b0);
  let c21 = acc ? madd(a, b1, v128.load(c + 2 * ld, 16)) : f32x4.mul(a, b1);
  a = v128.load32_splat(ap, 12);
  let c30 = acc ? madd(a, b0, v128.load(c + 3 * ld)) : f32x4.mul(a, b0);
  let c31 = acc ? madd(a, b1, v128.load(c + 3 * ld, 16)) : f32x4.mul(a, b1);
  a = v128.load32_splat(ap, 16);
  let c40 = acc ? madd(a, b0, v128.load(c + 4 * ld)) : f32x4.mul(a, b0);
  let c41 = acc ? madd(a, b1, v128.load(c + 4 * ld, 16)) : f32x4.mul(a, b1);
  let c50 = b0, c51 = b1;
  if (ASC_FEATURE_RELAXED_SIMD) {
    a = v128.load32_splat(ap, 20);
    c50 = acc ? madd(a, b0, v128.load(c + 5 * ld)) : f32x4.mul(a, b0);
    c51 = acc ? madd(a, b1, v128.load(c + 5 * ld, 16)) : f32x4.mul(a, b1);
  }
  const end = bp + (<usize>kc << 5);
  ap += MR << 2;
  bp += 32;
  while (bp < end) {
    b0 = v128.load(bp);
    b1 = v128.load(bp, 16);
    a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    if (ASC_FEATURE_RELAXED_SIMD) {
      a = v128.load32_splat(ap, 20);
      c50 = madd(a, b0, c50);
      c51 = madd(a, b1, c51);
    }
    ap += MR << 2;
    bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
  v128.store(c + 4 * ld, c40); v128.store(c + 4 * ld, c41, 16);
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(c + 5 * ld, c50); v128.store(c + 5 * ld, c51, 16);
  }
}

/** Bytes of B packed whole by packMatrixB (k × n rounded up to the 8-column panels). */
export function matmulPackedBBytes(n: i32, k: i32): i32 {
  return (k * ((n + 7) & ~7)) << 2;
}

/** Where block (jc, pc) of a B packed whole starts: blocks are jc-major, each kc × nc rounded to panels. */
@inline function packedBlock(packed: usize, k: i32, jc: i32, pc: i32, nc: i32): usize {
  return packed + (<usize>(jc * k + pc * ((nc + 7) & ~7)) << 2);
}

/**
 * Packs all of B (k×n, element (p,j) at b[p*sbk + j*sbn]) into `dst` (matmulPackedBBytes), in the
 * blocks matmul reads. Threads splitting a matmul's rows then share one packed B instead of each
 * packing it again for every chunk of rows.
 */
export function packMatrixB(b: usize, sbk: i32, sbn: i32, n: i32, k: i32, dst: usize): void {
  const kb = kcOf(k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kb) {
      packB(b, sbk, sbn, pc, min(kb, k - pc), jc, nc, packedBlock(dst, k, jc, pc, nc));
    }
  }
}

/**
 * Rows [rowStart, rowEnd) of C (m×n, row-major) = A·B, A element (i,p) at a[i*sam + p*sak],
 * B element (p,j) at b[p*sbk + j*sbn]. `work` holds matmulWorkBytes() of scratch owned by the caller
 * (one per thread, so threads splitting rows never share it). `packedB`, when not 0, is B already
 * packed by packMatrixB (then `b`, `sbk` and `sbn` are not read).
 */
export function matmul(
  a: usize, b: usize, c: usize, n: i32, k: i32,
  sam: i32, sak: i32, sbk: i32, sbn: i32, accumulate: i32, rowStart: i32, rowEnd: i32, work: usize,
  packedB: usize,
): void {
  gemm(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, rowStart, rowEnd, 0, n, work, packedB);
}

/**
 * Range kernel (src/threads.ts): columns [8·start, min(n, 8·end)) of C (m×n) = A·B, all m rows, strides
 * as in matmul. Threads split a short, wide product (m = 64 rows of a batch against 128 or more
 * columns) this way: each packs only its own columns of B, and the rows are too few to split.
 */
export function matmulColsRange(
  start: i32, end: i32, work: usize, a: usize, b: usize, c: usize, m: i32, n: i32, k: i32,
  sam: i32, sak: i32, sbk: i32, sbn: i32, accumulate: i32,
): void {
  gemm(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, 0, m, start << 3, min(n, end << 3), work, 0);
}

/** Block [rowStart, rowEnd) × [colStart, colEnd) of C (row stride n); `packedB` only with the whole width. */
function gemm(
  a: usize, b: usize, c: usize, n: i32, k: i32,
  sam: i32, sak: i32, sbk: i32, sbn: i32, mode: i32, rowStart: i32, rowEnd: i32,
  colStart: i32, colEnd: i32, work: usize, packedB: usize,
): void {
  const accumulate = mode == 1;
  const epi: usize = mode > 1 ? <usize>mode : 0;
  const wA = work;
  const wB = work + (<usize>(MC * KC) << 2);
  const edge = wB + (<usize>(KC * NC) << 2);
  if (k == 0) {
    if (accumulate) return;
    for (let i = rowStart; i < rowEnd; i++) {
      memory.fill(c + (<usize>(i * n + colStart) << 2), 0, <usize>(colEnd - colStart) << 2);
    }
    const at = c + (<usize>(rowStart * n + colStart) << 2);
    if (epi != 0) epilogueBlock(epi, at, n, rowEnd - rowStart, colEnd - colStart, colStart);
    return;
  }
  const kb = kcOf(k);
  for (let jc = colStart; jc < colEnd; jc += NC) {
    const nc = min(NC, colEnd - jc);
    for (let pc = 0; pc < k; pc += kb) {
      const kc = min(kb, k - pc);
      let pb = wB;
      if (packedB != 0) pb = packedBlock(packedB, k, jc, pc, nc);
      else packB(b, sbk, sbn, pc, kc, jc, nc, wB);
      const acc = accumulate || pc > 0;
      // The epilogue rides on the last depth block, when a tile's C is final.
      const last = epi != 0 && pc + kc >= k;
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = min(MC, rowEnd - ic);
        packA(a, sam, sak, ic, mc, pc, kc, wA);
        for (let jr = 0; jr < nc; jr += 8) {
          const cols = min(8, nc - jr);
          const bp = pb + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = wA + (<usize>(ir * kc) << 2);
            const cp = c + (<usize>((ic + ir) * n + jc + jr) << 2);
            if (rows == MR && cols == 8) {
              tile(ap, bp, kc, cp, n, acc);
              if (last) epilogueBlock(epi, cp, n, MR, 8, jc + jr);
            } else {
              // An edge tile runs in a full MR×8 buffer, starting from C's values when accumulating, so
              // each element is still one running sum over the whole depth (as in a full tile).
              if (acc) {
                for (let r = 0; r < MR; r++) {
                  for (let q = 0; q < 8; q++) {
                    const v: f32 = r < rows && q < cols ? load<f32>(cp + (<usize>(r * n + q) << 2)) : 0;
                    store<f32>(edge + (<usize>(r * 8 + q) << 2), v);
                  }
                }
              }
              tile(ap, bp, kc, edge, 8, acc);
              for (let r = 0; r < rows; r++) {
                const dst = cp + (<usize>(r * n) << 2);
                const src = edge + (<usize>(r * 8) << 2);
                for (let q = 0; q < cols; q++) store<f32>(dst + (<usize>q << 2), load<f32>(src + (<usize>q << 2)));
              }
              if (last) epilogueBlock(epi, cp, n, rows, cols, jc + jr);
            }
          }
        }
      }
    }
  }
}

/** Depth blocks of a B packed whole (the units of packBRange). */
export function packedBBlocks(k: i32): i32 {
  const kb = kcOf(k);
  return (k + kb - 1) / kb;
}

/** Range kernel (src/threads.ts): packMatrixB for depth blocks [start, end), every column block. */
export function packBRange(start: i32, end: i32, work: usize, b: usize, sbk: i32, sbn: i32, n: i32, k: i32, dst: usize): void {
  const kb = kcOf(k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let q = start; q < end; q++) {
      const pc = q * kb;
      packB(b, sbk, sbn, pc, min(kb, k - pc), jc, nc, packedBlock(dst, k, jc, pc, nc));
    }
  }
}
