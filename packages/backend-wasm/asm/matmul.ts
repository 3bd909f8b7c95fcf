// Packed, blocked float32 GEMM: C[rowStart:rowEnd, :] (+)= op(A)·op(B).
// Transposes are strides read while packing; `accumulate` adds into C instead of overwriting.

/** Depth of one packed block (fits an A panel and a B panel in L1/L2). */
const KC: i32 = 256;
/** Rows of A packed at a time; a multiple of the tile height. */
const MC: i32 = 120;
/** Columns of B packed at a time (KC × NC floats ≈ 512 KiB, half of L2). */
const NC: i32 = 512;
/**
 * Tile height: 6×8 with FMA (12 accumulators + 2 B vectors + 1 broadcast = V8's 15 usable vector
 * registers), 5×8 with mul+add (one more register for the product), as PERFORMANCE.md found.
 */
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;

export function matmulTileRows(): i32 {
  return MR;
}

/** Scratch bytes one matmul call (one thread) needs: packed A, packed B and an edge tile. */
export function matmulWorkBytes(): i32 {
  return (MC * KC + KC * NC + 64) << 2;
}

function packA(a: usize, sam: i32, sak: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
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

// One k-step per iteration: unrolling k made V8 hoist loads and spill (PERFORMANCE.md).
// c += a·b, fused (one rounding) in the relaxed build.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// The accumulators start from C (when accumulating) instead of C being added after the loop: with
// loads of C after the loop V8 spilled accumulators inside it (spill at definition), which made the
// 5×8 and 6×8 tiles slower than 4×8; started from C they run spill-free.

/**
 * One MR×8 tile of C over kc steps: rows 0–4 in both builds, row 5 only in the relaxed (FMA) build,
 * where MR is 6 (the guards are compile-time constants, so each build holds one straight-line loop).
 */
function tile(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, acc: bool): void {
  const ld = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let c00 = acc ? v128.load(c) : z, c01 = acc ? v128.load(c, 16) : z;
  let c10 = acc ? v128.load(c + ld) : z, c11 = acc ? v128.load(c + ld, 16) : z;
  let c20 = acc ? v128.load(c + 2 * ld) : z, c21 = acc ? v128.load(c + 2 * ld, 16) : z;
  let c30 = acc ? v128.load(c + 3 * ld) : z, c31 = acc ? v128.load(c + 3 * ld, 16) : z;
  let c40 = acc ? v128.load(c + 4 * ld) : z, c41 = acc ? v128.load(c + 4 * ld, 16) : z;
  let c50 = z, c51 = z;
  if (ASC_FEATURE_RELAXED_SIMD) {
    c50 = acc ? v128.load(c + 5 * ld) : z;
    c51 = acc ? v128.load(c + 5 * ld, 16) : z;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(ap, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(ap, 8);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(ap, 12);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    const a4 = v128.load32_splat(ap, 16);
    c40 = madd(a4, b0, c40);
    c41 = madd(a4, b1, c41);
    if (ASC_FEATURE_RELAXED_SIMD) {
      const a5 = v128.load32_splat(ap, 20);
      c50 = madd(a5, b0, c50);
      c51 = madd(a5, b1, c51);
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
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      packB(b, sbk, sbn, pc, min(KC, k - pc), jc, nc, packedBlock(dst, k, jc, pc, nc));
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
  sam: i32, sak: i32, sbk: i32, sbn: i32, accumulate: bool, rowStart: i32, rowEnd: i32, work: usize,
  packedB: usize,
): void {
  const wA = work;
  const wB = work + (<usize>(MC * KC) << 2);
  const edge = wB + (<usize>(KC * NC) << 2);
  if (k == 0) {
    if (!accumulate) memory.fill(c + (<usize>(rowStart * n) << 2), 0, <usize>((rowEnd - rowStart) * n) << 2);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      let pb = wB;
      if (packedB != 0) pb = packedBlock(packedB, k, jc, pc, nc);
      else packB(b, sbk, sbn, pc, kc, jc, nc, wB);
      const acc = accumulate || pc > 0;
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
            } else {
              tile(ap, bp, kc, edge, 8, false);
              for (let r = 0; r < rows; r++) {
                const dst = cp + (<usize>(r * n) << 2);
                const src = edge + (<usize>(r * 8) << 2);
                for (let q = 0; q < cols; q++) {
                  const o = <usize>q << 2;
                  let v = load<f32>(src + o);
                  if (acc) v += load<f32>(dst + o);
                  store<f32>(dst + o, v);
                }
              }
            }
          }
        }
      }
    }
  }
}
