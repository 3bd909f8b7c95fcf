// Winograd F(2×2, 3×3) convolution (stride 1, dilation 1, NHWC), after Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks" (2016). Each 2×2 block of output pixels (a tile) is computed from
// the 4×4 input patch under it with 16 multiplies per (input, output) channel pair instead of 36:
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A      summed over the input channels,
//
//   Bᵀ = | 1  0 -1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |        | ½    ½    ½  |         | 0  1 -1 -1 |
//        | 0 -1  1  0 |        | ½   -½    ½  |
//        | 0  1  0 -1 |        | 0    0    1  |
//
// The sum over input channels of the 16 element-wise products is 16 matrix products
// [tiles × cin]·[cin × cout], one per position of the 4×4 transformed tile, run by the packed matmul
// of matmul.ts on the transformed filter packed once by the caller (src/kernels/winograd.ts).
// A range of tiles is done in groups that fit the thread's column scratch: transform the group's input
// patches (V), the 16 products (M = V·U per position), then the output transform into the result.
import { matmul, matmulScratchBytes } from './matmul';
import { COL_FLOATS } from './conv';
import {
  GEO_CO, GEO_CR, GEO_GROUP, GEO_H, GEO_M, GEO_OH, GEO_OW, GEO_PACKED, GEO_PL, GEO_PT, GEO_SLAB, GEO_TILES, GEO_W,
  geoAt, patch, put, sumSlabs, tileImage, tileLeft, tileTop,
} from './winograd-common';
import { filter4, finish4, inputTile4, outputGradTile4, outputTile4 } from './winograd4';

/**
 * Transformed filter U[16][ca][cb] (position-major) of a filter f[9][ca][cb] (3×3 taps, then two channel
 * axes in memory order); with m = 4, U[36][ca][cb] for F(4×4, 3×3) (winograd4.ts). `flip` reads tap 8 − t for tap t: the 180° rotation that turns a convolution's
 * input gradient into a correlation of dy. The ½ factors are exact in float32.
 */
export function winogradFilter(f: usize, u: usize, ca: i32, cb: i32, flip: bool, m: i32): void {
  if (m == 4) {
    filter4(f, u, ca, cb, flip);
    return;
  }
  const plane = <usize>(ca * cb) << 2;
  for (let e = 0; e < ca * cb; e++) {
    const src = f + (<usize>e << 2);
    // g[r][s] = tap r·3 + s.
    const g00 = tap(src, plane, 0, flip), g01 = tap(src, plane, 1, flip), g02 = tap(src, plane, 2, flip);
    const g10 = tap(src, plane, 3, flip), g11 = tap(src, plane, 4, flip), g12 = tap(src, plane, 5, flip);
    const g20 = tap(src, plane, 6, flip), g21 = tap(src, plane, 7, flip), g22 = tap(src, plane, 8, flip);
    // G g: 4 rows of 3.
    const a00 = g00, a01 = g01, a02 = g02;
    const a10 = (g00 + g10 + g20) * 0.5, a11 = (g01 + g11 + g21) * 0.5, a12 = (g02 + g12 + g22) * 0.5;
    const a20 = (g00 - g10 + g20) * 0.5, a21 = (g01 - g11 + g21) * 0.5, a22 = (g02 - g12 + g22) * 0.5;
    const a30 = g20, a31 = g21, a32 = g22;
    // (G g) Gᵀ, row by row.
    let dst = u + (<usize>e << 2);
    dst = filterRow(dst, plane, a00, a01, a02);
    dst = filterRow(dst, plane, a10, a11, a12);
    dst = filterRow(dst, plane, a20, a21, a22);
    filterRow(dst, plane, a30, a31, a32);
  }
}

@inline function tap(src: usize, plane: usize, t: i32, flip: bool): f32 {
  return load<f32>(src + <usize>(flip ? 8 - t : t) * plane);
}

/** Stores the four positions of one row of (G g) Gᵀ, `plane` bytes apart; returns the next row's address. */
@inline function filterRow(dst: usize, plane: usize, x0: f32, x1: f32, x2: f32): usize {
  store<f32>(dst, x0);
  store<f32>(dst + plane, (x0 + x1 + x2) * 0.5);
  store<f32>(dst + 2 * plane, (x0 - x1 + x2) * 0.5);
  store<f32>(dst + 3 * plane, x2);
  return dst + 4 * plane;
}

/**
 * Range kernel (src/threads.ts): output tiles [start, end) of every image (m×m tiles, m = GEO_M; tile q
 * of image b is b·th·tw + q, row-major), out[b, y, x, co] = Σ x[b, y − pt + ky, x − pl + kx, ci] ·
 * f[ky, kx, ci, co] with zeros outside the input. `packedU` holds the 16 (m = 4: 36) positions'
 * transformed filters packed for the matmul (GEO_PACKED bytes apart). Each tile's outputs are computed by one thread in one order whatever
 * the split, so the result does not depend on the thread count.
 */
export function winogradRange(start: i32, end: i32, work: usize, x: usize, packedU: usize, out: usize, geo: usize): void {
  const cr = geoAt(geo, GEO_CR), co = geoAt(geo, GEO_CO), group = geoAt(geo, GEO_GROUP), four = geoAt(geo, GEO_M) == 4;
  const positions = four ? 36 : 16;
  const packedBytes = <usize>geoAt(geo, GEO_PACKED);
  const v = work + <usize>matmulScratchBytes();
  const m = v + (<usize>(positions * group * cr) << 2);
  // Both fit the column scratch (checked by the caller); asserted here so a wrong caller cannot overrun.
  if (positions * group * (cr + co) > COL_FLOATS) unreachable();
  for (let t0 = start; t0 < end; t0 += group) {
    const count = min(group, end - t0);
    for (let g = 0; g < count; g++) {
      if (four) inputTile4(x, v, geo, t0 + g, g, group, cr);
      else inputTile(x, v, geo, t0 + g, g, group, cr);
    }
    for (let p = 0; p < positions; p++) {
      const a = v + (<usize>(p * group * cr) << 2);
      const c = m + (<usize>(p * group * co) << 2);
      matmul(a, 0, c, co, cr, cr, 1, 0, 0, false, 0, count, work, packedU + <usize>p * packedBytes);
    }
    for (let g = 0; g < count; g++) {
      if (four) outputTile4(m, out, geo, t0 + g, g, group, co);
      else outputTile(m, out, geo, t0 + g, g, group, co);
    }
  }
}

/**
 * Bᵀ d B of tile `tile`'s 4×4 input patch, every channel, into V[p][slot][cr] (position p = 4·i + j).
 * Four channels per vector; a channel count that is not a multiple of 4 ends with single lanes.
 */
function inputTile(x: usize, v: usize, geo: usize, tile: i32, slot: i32, group: i32, cr: i32): void {
  const h = geoAt(geo, GEO_H), w = geoAt(geo, GEO_W);
  const b = tileImage(geo, tile);
  const y0 = tileTop(geo, tile, 2) - geoAt(geo, GEO_PT);
  const x0 = tileLeft(geo, tile, 2) - geoAt(geo, GEO_PL);
  // Rows/columns of the patch inside the input (the rest reads as zeros): a bit per row and column.
  let rows = 0, cols = 0;
  for (let r = 0; r < 4; r++) {
    if (y0 + r >= 0 && y0 + r < h) rows |= 1 << r;
    if (x0 + r >= 0 && x0 + r < w) cols |= 1 << r;
  }
  const px = <usize>cr << 2;
  const rowBytes = <usize>(w * cr) << 2;
  // Address of patch element (0, 0) (possibly outside the image: only in-bounds elements are read).
  const corner = x + <usize>(((b * h + y0) * w + x0) * cr) * 4;
  const dst = v + (<usize>(slot * cr) << 2);
  const posBytes = <usize>(group * cr) << 2;
  let c = 0;
  for (; c + 4 <= cr; c += 4) {
    transformInput(corner + (<usize>c << 2), px, rowBytes, rows, cols, dst + (<usize>c << 2), posBytes, true);
  }
  for (; c < cr; c++) {
    transformInput(corner + (<usize>c << 2), px, rowBytes, rows, cols, dst + (<usize>c << 2), posBytes, false);
  }
}

@inline function transformInput(
  src: usize, px: usize, rowBytes: usize, rows: i32, cols: i32, dst: usize, posBytes: usize, wide: bool,
): void {
  const r0 = (rows & 1) != 0, r1 = (rows & 2) != 0, r2 = (rows & 4) != 0, r3 = (rows & 8) != 0;
  const s0 = (cols & 1) != 0, s1 = (cols & 2) != 0, s2 = (cols & 4) != 0, s3 = (cols & 8) != 0;
  const p1 = src + rowBytes, p2 = p1 + rowBytes, p3 = p2 + rowBytes;
  // Bᵀ d, column by column: u_i,s from d_0..3,s.
  let d0 = patch(src, r0 && s0, wide), d1 = patch(p1, r1 && s0, wide), d2 = patch(p2, r2 && s0, wide), d3 = patch(p3, r3 && s0, wide);
  const u00 = f32x4.sub(d0, d2), u10 = f32x4.add(d1, d2), u20 = f32x4.sub(d2, d1), u30 = f32x4.sub(d1, d3);
  d0 = patch(src + px, r0 && s1, wide); d1 = patch(p1 + px, r1 && s1, wide);
  d2 = patch(p2 + px, r2 && s1, wide); d3 = patch(p3 + px, r3 && s1, wide);
  const u01 = f32x4.sub(d0, d2), u11 = f32x4.add(d1, d2), u21 = f32x4.sub(d2, d1), u31 = f32x4.sub(d1, d3);
  d0 = patch(src + 2 * px, r0 && s2, wide); d1 = patch(p1 + 2 * px, r1 && s2, wide);
  d2 = patch(p2 + 2 * px, r2 && s2, wide); d3 = patch(p3 + 2 * px, r3 && s2, wide);
  const u02 = f32x4.sub(d0, d2), u12 = f32x4.add(d1, d2), u22 = f32x4.sub(d2, d1), u32 = f32x4.sub(d1, d3);
  d0 = patch(src + 3 * px, r0 && s3, wide); d1 = patch(p1 + 3 * px, r1 && s3, wide);
  d2 = patch(p2 + 3 * px, r2 && s3, wide); d3 = patch(p3 + 3 * px, r3 && s3, wide);
  const u03 = f32x4.sub(d0, d2), u13 = f32x4.add(d1, d2), u23 = f32x4.sub(d2, d1), u33 = f32x4.sub(d1, d3);
  // (Bᵀ d) B, row by row: V_i,j.
  let o = dst;
  put(o, f32x4.sub(u00, u02), wide); o += posBytes;
  put(o, f32x4.add(u01, u02), wide); o += posBytes;
  put(o, f32x4.sub(u02, u01), wide); o += posBytes;
  put(o, f32x4.sub(u01, u03), wide); o += posBytes;
  put(o, f32x4.sub(u10, u12), wide); o += posBytes;
  put(o, f32x4.add(u11, u12), wide); o += posBytes;
  put(o, f32x4.sub(u12, u11), wide); o += posBytes;
  put(o, f32x4.sub(u11, u13), wide); o += posBytes;
  put(o, f32x4.sub(u20, u22), wide); o += posBytes;
  put(o, f32x4.add(u21, u22), wide); o += posBytes;
  put(o, f32x4.sub(u22, u21), wide); o += posBytes;
  put(o, f32x4.sub(u21, u23), wide); o += posBytes;
  put(o, f32x4.sub(u30, u32), wide); o += posBytes;
  put(o, f32x4.add(u31, u32), wide); o += posBytes;
  put(o, f32x4.sub(u32, u31), wide); o += posBytes;
  put(o, f32x4.sub(u31, u33), wide);
}

/** Aᵀ M A of tile `tile` from M[p][slot][co] into the output, cropped to its oh × ow pixels. */
function outputTile(m: usize, out: usize, geo: usize, tile: i32, slot: i32, group: i32, co: i32): void {
  const oh = geoAt(geo, GEO_OH), ow = geoAt(geo, GEO_OW);
  const b = tileImage(geo, tile), y = tileTop(geo, tile, 2), xx = tileLeft(geo, tile, 2);
  const down = y + 1 < oh, right = xx + 1 < ow;
  const px = <usize>co << 2;
  const dst = out + (<usize>(((b * oh + y) * ow + xx) * co) << 2);
  const below = <usize>(ow * co) << 2;
  const src = m + (<usize>(slot * co) << 2);
  const posBytes = <usize>(group * co) << 2;
  let c = 0;
  for (; c + 4 <= co; c += 4) {
    const o = <usize>c << 2;
    transformOutput(src + o, posBytes, dst + o, px, below, down, right, true);
  }
  for (; c < co; c++) {
    const o = <usize>c << 2;
    transformOutput(src + o, posBytes, dst + o, px, below, down, right, false);
  }
}

@inline function mAt(src: usize, posBytes: usize, p: i32, wide: bool): v128 {
  const at = src + <usize>p * posBytes;
  return wide ? v128.load(at) : v128.load32_zero(at);
}

@inline function transformOutput(
  src: usize, posBytes: usize, dst: usize, px: usize, below: usize, down: bool, right: bool, wide: bool,
): void {
  // Aᵀ M over the rows: t_0,j = m_0j + m_1j + m_2j, t_1,j = m_1j − m_2j − m_3j.
  let a = mAt(src, posBytes, 0, wide), b = mAt(src, posBytes, 4, wide), c = mAt(src, posBytes, 8, wide), d = mAt(src, posBytes, 12, wide);
  const t00 = f32x4.add(f32x4.add(a, b), c), t10 = f32x4.sub(f32x4.sub(b, c), d);
  a = mAt(src, posBytes, 1, wide); b = mAt(src, posBytes, 5, wide); c = mAt(src, posBytes, 9, wide); d = mAt(src, posBytes, 13, wide);
  const t01 = f32x4.add(f32x4.add(a, b), c), t11 = f32x4.sub(f32x4.sub(b, c), d);
  a = mAt(src, posBytes, 2, wide); b = mAt(src, posBytes, 6, wide); c = mAt(src, posBytes, 10, wide); d = mAt(src, posBytes, 14, wide);
  const t02 = f32x4.add(f32x4.add(a, b), c), t12 = f32x4.sub(f32x4.sub(b, c), d);
  a = mAt(src, posBytes, 3, wide); b = mAt(src, posBytes, 7, wide); c = mAt(src, posBytes, 11, wide); d = mAt(src, posBytes, 15, wide);
  const t03 = f32x4.add(f32x4.add(a, b), c), t13 = f32x4.sub(f32x4.sub(b, c), d);
  // (Aᵀ M) A over the columns, stored where the pixel exists.
  put(dst, f32x4.add(f32x4.add(t00, t01), t02), wide);
  if (right) put(dst + px, f32x4.sub(f32x4.sub(t01, t02), t03), wide);
  if (down) {
    put(dst + below, f32x4.add(f32x4.add(t10, t11), t12), wide);
    if (right) put(dst + below + px, f32x4.sub(f32x4.sub(t11, t12), t13), wide);
  }
}

/**
 * Range kernel (src/threads.ts): the filter gradient's slabs [start, end). Slab s (tiles
 * [s·slab, (s + 1)·slab) of the batch, a split that does not depend on the thread count) sums its
 * tiles' contributions into its own partial dU[P][cr][co] (`partials` + s · P·cr·co floats; P = 16, or
 * 36 for 4×4 tiles):
 *
 *   dU_p = Σ_tiles V_p[tile, cr]ᵀ · Ŷ_p[tile, co],   Ŷ = A dY Aᵀ (the tile's m×m output gradient, transformed),
 *
 * the transpose of the forward's products. winogradFilterGradFinish adds the slabs in order and
 * applies Gᵀ · G, so the result is the same on any number of threads.
 */
export function winogradFilterGradRange(start: i32, end: i32, work: usize, x: usize, dy: usize, partials: usize, geo: usize): void {
  const cr = geoAt(geo, GEO_CR), co = geoAt(geo, GEO_CO), group = geoAt(geo, GEO_GROUP), four = geoAt(geo, GEO_M) == 4;
  const positions = four ? 36 : 16;
  const slab = geoAt(geo, GEO_SLAB), tiles = geoAt(geo, GEO_TILES);
  const v = work + <usize>matmulScratchBytes();
  const yh = v + (<usize>(positions * group * cr) << 2);
  if (positions * group * (cr + co) > COL_FLOATS) unreachable();
  const part = <usize>(positions * cr * co) << 2;
  for (let s = start; s < end; s++) {
    const dst = partials + <usize>s * part;
    const last = min(tiles, (s + 1) * slab);
    for (let t0 = s * slab; t0 < last; t0 += group) {
      const count = min(group, last - t0);
      for (let g = 0; g < count; g++) {
        if (four) {
          inputTile4(x, v, geo, t0 + g, g, group, cr);
          outputGradTile4(dy, yh, geo, t0 + g, g, group, co);
        } else {
          inputTile(x, v, geo, t0 + g, g, group, cr);
          outputGradTile(dy, yh, geo, t0 + g, g, group, co);
        }
      }
      for (let p = 0; p < positions; p++) {
        const a = v + (<usize>(p * group * cr) << 2);
        const b = yh + (<usize>(p * group * co) << 2);
        // A = V_pᵀ (cr × count: element (c, t) at c + t·cr), B = Ŷ_p (count × co).
        matmul(a, b, dst + <usize>p * (<usize>(cr * co) << 2), co, count, 1, cr, co, 1, t0 > s * slab, 0, cr, work, 0);
      }
    }
  }
}

/** Ŷ = A dY Aᵀ of tile `tile`'s 2×2 output gradient (zeros past the output's edge) into Ŷ[p][slot][co]. */
function outputGradTile(dy: usize, yh: usize, geo: usize, tile: i32, slot: i32, group: i32, co: i32): void {
  const oh = geoAt(geo, GEO_OH), ow = geoAt(geo, GEO_OW);
  const b = tileImage(geo, tile), y = tileTop(geo, tile, 2), xx = tileLeft(geo, tile, 2);
  const down = y + 1 < oh, right = xx + 1 < ow;
  const px = <usize>co << 2;
  const src = dy + (<usize>(((b * oh + y) * ow + xx) * co) << 2);
  const below = <usize>(ow * co) << 2;
  const dst = yh + (<usize>(slot * co) << 2);
  const posBytes = <usize>(group * co) << 2;
  let c = 0;
  for (; c + 4 <= co; c += 4) {
    const o = <usize>c << 2;
    transformOutputGrad(src + o, px, below, down, right, dst + o, posBytes, true);
  }
  for (; c < co; c++) {
    const o = <usize>c << 2;
    transformOutputGrad(src + o, px, below, down, right, dst + o, posBytes, false);
  }
}

@inline function transformOutputGrad(
  src: usize, px: usize, below: usize, down: bool, right: bool, dst: usize, posBytes: usize, wide: bool,
): void {
  const y00 = patch(src, true, wide), y01 = patch(src + px, right, wide);
  const y10 = patch(src + below, down, wide), y11 = patch(src + below + px, down && right, wide);
  // Along each row: (y0, y0 + y1, y0 − y1, −y1).
  const z00 = y00, z01 = f32x4.add(y00, y01), z02 = f32x4.sub(y00, y01), z03 = f32x4.neg(y01);
  const z10 = y10, z11 = f32x4.add(y10, y11), z12 = f32x4.sub(y10, y11), z13 = f32x4.neg(y11);
  // Then along each column, the same combination of the two rows.
  let o = dst;
  put(o, z00, wide); o += posBytes;
  put(o, z01, wide); o += posBytes;
  put(o, z02, wide); o += posBytes;
  put(o, z03, wide); o += posBytes;
  put(o, f32x4.add(z00, z10), wide); o += posBytes;
  put(o, f32x4.add(z01, z11), wide); o += posBytes;
  put(o, f32x4.add(z02, z12), wide); o += posBytes;
  put(o, f32x4.add(z03, z13), wide); o += posBytes;
  put(o, f32x4.sub(z00, z10), wide); o += posBytes;
  put(o, f32x4.sub(z01, z11), wide); o += posBytes;
  put(o, f32x4.sub(z02, z12), wide); o += posBytes;
  put(o, f32x4.sub(z03, z13), wide); o += posBytes;
  put(o, f32x4.neg(z10), wide); o += posBytes;
  put(o, f32x4.neg(z11), wide); o += posBytes;
  put(o, f32x4.neg(z12), wide); o += posBytes;
  put(o, f32x4.neg(z13), wide);
}

/**
 * dW[3][3][cr][co] = Gᵀ (Σ_s dU_s) G: the slabs' partials added in slab order into the first, then the
 * (m + 2)² → 3×3 transform per channel pair (m = 2: Gᵀ rows (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1);
 * m = 4: winograd4.ts finish4).
 */
export function winogradFilterGradFinish(partials: usize, slabs: i32, dw: usize, cr: i32, co: i32, m: i32): void {
  sumSlabs(partials, slabs, (m == 4 ? 36 : 16) * cr * co);
  if (m == 4) {
    finish4(partials, dw, cr, co);
    return;
  }
  const plane = <usize>(cr * co) << 2;
  for (let e = 0; e < cr * co; e++) {
    const src = partials + (<usize>e << 2);
    // Gᵀ over the rows p, for each column q.
    const t00 = rowCombo0(src, plane, 0), t10 = rowCombo1(src, plane, 0), t20 = rowCombo2(src, plane, 0);
    const t01 = rowCombo0(src, plane, 1), t11 = rowCombo1(src, plane, 1), t21 = rowCombo2(src, plane, 1);
    const t02 = rowCombo0(src, plane, 2), t12 = rowCombo1(src, plane, 2), t22 = rowCombo2(src, plane, 2);
    const t03 = rowCombo0(src, plane, 3), t13 = rowCombo1(src, plane, 3), t23 = rowCombo2(src, plane, 3);
    // Then G over the columns: tap (i, j) at dw + ((i·3 + j)·cr·co + e)·4.
    const d = dw + (<usize>e << 2);
    gradRow(d, plane, t00, t01, t02, t03);
    gradRow(d + 3 * plane, plane, t10, t11, t12, t13);
    gradRow(d + 6 * plane, plane, t20, t21, t22, t23);
  }
}

@inline function pq(src: usize, plane: usize, p: i32, q: i32): f32 {
  return load<f32>(src + <usize>(p * 4 + q) * plane);
}

@inline function rowCombo0(src: usize, plane: usize, q: i32): f32 {
  return pq(src, plane, 0, q) + (pq(src, plane, 1, q) + pq(src, plane, 2, q)) * 0.5;
}

@inline function rowCombo1(src: usize, plane: usize, q: i32): f32 {
  return (pq(src, plane, 1, q) - pq(src, plane, 2, q)) * 0.5;
}

@inline function rowCombo2(src: usize, plane: usize, q: i32): f32 {
  return (pq(src, plane, 1, q) + pq(src, plane, 2, q)) * 0.5 + pq(src, plane, 3, q);
}

@inline function gradRow(d: usize, plane: usize, t0: f32, t1: f32, t2: f32, t3: f32): void {
  store<f32>(d, t0 + (t1 + t2) * 0.5);
  store<f32>(d + plane, (t1 - t2) * 0.5);
  store<f32>(d + 2 * plane, (t1 + t2) * 0.5 + t3);
}
