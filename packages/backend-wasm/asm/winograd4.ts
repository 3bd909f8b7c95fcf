// Winograd F(4×4, 3×3) convolution (stride 1, dilation 1, NHWC): like winograd.ts, with 4×4 output
// tiles computed from 6×6 input patches, 36 multiplies per tile and channel pair instead of 144
// (F(2×2, 3×3): 64 per four 2×2 tiles). Interpolation points 0, ±1, ±2, ∞ (Lavin & Gray 2016):
//
//   Bᵀ = | 4  0 -5  0  1  0 |    G = |  1/4     0     0  |    Aᵀ = | 1  1  1  1  1  0 |
//        | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
//        | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
//        | 0 -2 -1  2  1  0 |        | 1/24  1/12   1/6  |         | 0  1 -1  8 -8  1 |
//        | 0  2 -1 -2  1  0 |        | 1/24 -1/12   1/6  |
//        | 0  4  0 -5  0  1 |        |   0     0     1   |
//
// The transforms of a tile run in two passes through V (and M): along columns into place, then along
// rows (36 vectors do not fit the registers). The filter transforms are computed in float64. The range
// kernels of winograd.ts call these for 4×4 tiles (this file is not exported from the module).
import {
  GEO_H, GEO_OH, GEO_OW, GEO_PL, GEO_PT, GEO_W, geoAt, load4, patch, put, tileImage, tileLeft, tileTop,
} from './winograd-common';

/** Transformed filter U[36][ca][cb] of f[9][ca][cb]; `flip` reads tap 8 − t (as winogradFilter). */
export function filter4(f: usize, u: usize, ca: i32, cb: i32, flip: bool): void {
  const plane = <usize>(ca * cb) << 2;
  for (let e = 0; e < ca * cb; e++) {
    const src = f + (<usize>e << 2);
    const g00 = tap(src, plane, 0, flip), g01 = tap(src, plane, 1, flip), g02 = tap(src, plane, 2, flip);
    const g10 = tap(src, plane, 3, flip), g11 = tap(src, plane, 4, flip), g12 = tap(src, plane, 5, flip);
    const g20 = tap(src, plane, 6, flip), g21 = tap(src, plane, 7, flip), g22 = tap(src, plane, 8, flip);
    const dst = u + (<usize>e << 2);
    for (let i = 0; i < 6; i++) {
      // Row i of G g, then that row times Gᵀ.
      const a0 = gRow(i, g00, g10, g20), a1 = gRow(i, g01, g11, g21), a2 = gRow(i, g02, g12, g22);
      for (let q = 0; q < 6; q++) store<f32>(dst + <usize>(6 * i + q) * plane, <f32>gRow(q, a0, a1, a2));
    }
  }
}

@inline function tap(src: usize, plane: usize, t: i32, flip: bool): f64 {
  return <f64>load<f32>(src + <usize>(flip ? 8 - t : t) * plane);
}

/** Row i of G times (g0, g1, g2). */
@inline function gRow(i: i32, g0: f64, g1: f64, g2: f64): f64 {
  if (i == 0) return g0 / 4;
  if (i == 1) return -(g0 + g1 + g2) / 6;
  if (i == 2) return -(g0 - g1 + g2) / 6;
  if (i == 3) return (g0 + 2 * g1 + 4 * g2) / 24;
  if (i == 4) return (g0 - 2 * g1 + 4 * g2) / 24;
  return g2;
}

/** Bᵀ d B of the tile's 6×6 input patch into V[p][slot][cr] (p = 6·i + j): columns first, in place, then rows. */
export function inputTile4(x: usize, v: usize, geo: usize, tile: i32, slot: i32, group: i32, cr: i32): void {
  const h = geoAt(geo, GEO_H), w = geoAt(geo, GEO_W);
  const b = tileImage(geo, tile);
  const y0 = tileTop(geo, tile, 4) - geoAt(geo, GEO_PT);
  const x0 = tileLeft(geo, tile, 4) - geoAt(geo, GEO_PL);
  let rows = 0, cols = 0;
  for (let r = 0; r < 6; r++) {
    if (y0 + r >= 0 && y0 + r < h) rows |= 1 << r;
    if (x0 + r >= 0 && x0 + r < w) cols |= 1 << r;
  }
  const px = <usize>cr << 2;
  const rowBytes = <usize>(w * cr) << 2;
  const corner = x + <usize>(((b * h + y0) * w + x0) * cr) * 4;
  const dst = v + (<usize>(slot * cr) << 2);
  const pos = <usize>(group * cr) << 2;
  let c = 0;
  for (; c + 4 <= cr; c += 4) inputChannels(corner + (<usize>c << 2), px, rowBytes, rows, cols, dst + (<usize>c << 2), pos, true);
  for (; c < cr; c++) inputChannels(corner + (<usize>c << 2), px, rowBytes, rows, cols, dst + (<usize>c << 2), pos, false);
}

@inline function inputChannels(src: usize, px: usize, rowBytes: usize, rows: i32, cols: i32, dst: usize, pos: usize, wide: bool): void {
  // Bᵀ d: column s of the patch (rows 0..5) into positions (0..5, s).
  for (let s = 0; s < 6; s++) {
    const ok = (cols >> s) & 1;
    const at = src + <usize>s * px;
    const d0 = patch(at, ok != 0 && (rows & 1) != 0, wide);
    const d1 = patch(at + rowBytes, ok != 0 && (rows & 2) != 0, wide);
    const d2 = patch(at + 2 * rowBytes, ok != 0 && (rows & 4) != 0, wide);
    const d3 = patch(at + 3 * rowBytes, ok != 0 && (rows & 8) != 0, wide);
    const d4 = patch(at + 4 * rowBytes, ok != 0 && (rows & 16) != 0, wide);
    const d5 = patch(at + 5 * rowBytes, ok != 0 && (rows & 32) != 0, wide);
    bt(d0, d1, d2, d3, d4, d5, dst + <usize>s * pos, 6 * pos, wide);
  }
  // (Bᵀ d) B: row i of the result (positions (i, 0..5)) from itself.
  for (let i = 0; i < 6; i++) {
    const at = dst + <usize>(6 * i) * pos;
    const e0 = load4(at, wide), e1 = load4(at + pos, wide), e2 = load4(at + 2 * pos, wide);
    const e3 = load4(at + 3 * pos, wide), e4 = load4(at + 4 * pos, wide), e5 = load4(at + 5 * pos, wide);
    bt(e0, e1, e2, e3, e4, e5, at, pos, wide);
  }
}

/** The six values Bᵀ·(d0..d5), stored `step` bytes apart from `dst`. */
@inline function bt(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, step: usize, wide: bool): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const s12 = f32x4.add(d1, d2), s34 = f32x4.add(d3, d4);
  const m12 = f32x4.sub(d1, d2), m43 = f32x4.sub(d4, d3);
  const m42 = f32x4.sub(d4, d2), m31 = f32x4.sub(d3, d1);
  put(dst, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4), wide);
  put(dst + step, f32x4.sub(s34, f32x4.mul(four, s12)), wide);
  put(dst + 2 * step, f32x4.add(m43, f32x4.mul(four, m12)), wide);
  put(dst + 3 * step, f32x4.add(m42, f32x4.mul(two, m31)), wide);
  put(dst + 4 * step, f32x4.sub(m42, f32x4.mul(two, m31)), wide);
  put(dst + 5 * step, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5), wide);
}

/** Aᵀ M A of the tile from M[p][slot][co] (columns first, in place), cropped to the output. */
export function outputTile4(m: usize, out: usize, geo: usize, tile: i32, slot: i32, group: i32, co: i32): void {
  const oh = geoAt(geo, GEO_OH), ow = geoAt(geo, GEO_OW);
  const b = tileImage(geo, tile), y = tileTop(geo, tile, 4), xx = tileLeft(geo, tile, 4);
  const rows = min(4, oh - y), cols = min(4, ow - xx);
  const px = <usize>co << 2;
  const dst = out + (<usize>(((b * oh + y) * ow + xx) * co) << 2);
  const below = <usize>(ow * co) << 2;
  const src = m + (<usize>(slot * co) << 2);
  const pos = <usize>(group * co) << 2;
  let c = 0;
  for (; c + 4 <= co; c += 4) outputChannels(src + (<usize>c << 2), pos, dst + (<usize>c << 2), px, below, rows, cols, true);
  for (; c < co; c++) outputChannels(src + (<usize>c << 2), pos, dst + (<usize>c << 2), px, below, rows, cols, false);
}

@inline function outputChannels(src: usize, pos: usize, dst: usize, px: usize, below: usize, rows: i32, cols: i32, wide: bool): void {
  // Aᵀ M: column j (positions (0..5, j)) into positions (0..3, j).
  for (let j = 0; j < 6; j++) {
    const at = src + <usize>j * pos;
    const step = 6 * pos;
    const m0 = load4(at, wide), m1 = load4(at + step, wide), m2 = load4(at + 2 * step, wide);
    const m3 = load4(at + 3 * step, wide), m4 = load4(at + 4 * step, wide), m5 = load4(at + 5 * step, wide);
    const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
    put(at, f32x4.add(f32x4.add(m0, s12), s34), wide);
    put(at + step, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)), wide);
    put(at + 2 * step, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), wide);
    put(at + 3 * step, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5), wide);
  }
  // (Aᵀ M) A: row i (positions (i, 0..5)) into output row i, cropped.
  for (let i = 0; i < rows; i++) {
    const at = src + <usize>(6 * i) * pos;
    const m0 = load4(at, wide), m1 = load4(at + pos, wide), m2 = load4(at + 2 * pos, wide);
    const m3 = load4(at + 3 * pos, wide), m4 = load4(at + 4 * pos, wide), m5 = load4(at + 5 * pos, wide);
    const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
    const o = dst + <usize>i * below;
    put(o, f32x4.add(f32x4.add(m0, s12), s34), wide);
    if (cols > 1) put(o + px, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)), wide);
    if (cols > 2) put(o + 2 * px, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)), wide);
    if (cols > 3) put(o + 3 * px, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5), wide);
  }
}

/** Ŷ = A dY Aᵀ of the tile's 4×4 output gradient (zeros past the output's edge) into Ŷ[p][slot][co]. */
export function outputGradTile4(dy: usize, yh: usize, geo: usize, tile: i32, slot: i32, group: i32, co: i32): void {
  const oh = geoAt(geo, GEO_OH), ow = geoAt(geo, GEO_OW);
  const b = tileImage(geo, tile), y = tileTop(geo, tile, 4), xx = tileLeft(geo, tile, 4);
  const rows = min(4, oh - y), cols = min(4, ow - xx);
  const px = <usize>co << 2;
  const src = dy + (<usize>(((b * oh + y) * ow + xx) * co) << 2);
  const below = <usize>(ow * co) << 2;
  const dst = yh + (<usize>(slot * co) << 2);
  const pos = <usize>(group * co) << 2;
  let c = 0;
  for (; c + 4 <= co; c += 4) outputGradChannels(src + (<usize>c << 2), px, below, rows, cols, dst + (<usize>c << 2), pos, true);
  for (; c < co; c++) outputGradChannels(src + (<usize>c << 2), px, below, rows, cols, dst + (<usize>c << 2), pos, false);
}

@inline function outputGradChannels(src: usize, px: usize, below: usize, rows: i32, cols: i32, dst: usize, pos: usize, wide: bool): void {
  // A·(row r of dY): positions (r, 0..5) for r = 0..3, then A over the rows, in place.
  for (let r = 0; r < 4; r++) {
    const at = src + <usize>r * below;
    const ok = r < rows;
    const y0 = patch(at, ok, wide), y1 = patch(at + px, ok && cols > 1, wide);
    const y2 = patch(at + 2 * px, ok && cols > 2, wide), y3 = patch(at + 3 * px, ok && cols > 3, wide);
    aTimes(y0, y1, y2, y3, dst + <usize>(6 * r) * pos, pos, wide);
  }
  // Column j: positions (0..3, j) into (0..5, j); rows 5 and 4 are written first (from values already read).
  for (let j = 0; j < 6; j++) {
    const at = dst + <usize>j * pos;
    const step = 6 * pos;
    const y0 = load4(at, wide), y1 = load4(at + step, wide), y2 = load4(at + 2 * step, wide), y3 = load4(at + 3 * step, wide);
    aTimes(y0, y1, y2, y3, at, step, wide);
  }
}

/** A·(y0..y3) (A = (Aᵀ)ᵀ, 6×4): (y0, Σ, y0 − y1 + y2 − y3, y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3), `step` apart. */
@inline function aTimes(y0: v128, y1: v128, y2: v128, y3: v128, dst: usize, step: usize, wide: bool): void {
  const s02 = f32x4.add(y0, y2), s13 = f32x4.add(y1, y3);
  const e = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2)), o = f32x4.add(f32x4.mul(f32x4.splat(2), y1), f32x4.mul(f32x4.splat(8), y3));
  put(dst, y0, wide);
  put(dst + step, f32x4.add(s02, s13), wide);
  put(dst + 2 * step, f32x4.sub(s02, s13), wide);
  put(dst + 3 * step, f32x4.add(e, o), wide);
  put(dst + 4 * step, f32x4.sub(e, o), wide);
  put(dst + 5 * step, y3, wide);
}

/** dW[3][3][cr][co] = Gᵀ dU G for 4×4 tiles (dU: 36·cr·co floats, the slabs already summed), in float64. */
export function finish4(du: usize, dw: usize, cr: i32, co: i32): void {
  const plane = <usize>(cr * co) << 2;
  for (let e = 0; e < cr * co; e++) {
    const src = du + (<usize>e << 2);
    for (let i = 0; i < 3; i++) {
      // Row i of Gᵀ dU (6 values over q), then times G.
      const t0 = gtCol(src, plane, i, 0), t1 = gtCol(src, plane, i, 1), t2 = gtCol(src, plane, i, 2);
      const t3 = gtCol(src, plane, i, 3), t4 = gtCol(src, plane, i, 4), t5 = gtCol(src, plane, i, 5);
      for (let j = 0; j < 3; j++) {
        store<f32>(dw + (<usize>((i * 3 + j) * cr * co + e) << 2), <f32>gt(j, t0, t1, t2, t3, t4, t5));
      }
    }
  }
}

/** (Gᵀ dU)[i][q]: column q of dU (positions (0..5, q)) times row i of Gᵀ, in float64. */
@inline function gtCol(src: usize, plane: usize, i: i32, q: i32): f64 {
  const at = src + <usize>q * plane;
  const step = 6 * plane;
  return gt(i, <f64>load<f32>(at), <f64>load<f32>(at + step), <f64>load<f32>(at + 2 * step),
    <f64>load<f32>(at + 3 * step), <f64>load<f32>(at + 4 * step), <f64>load<f32>(at + 5 * step));
}

/** Row i of Gᵀ times (u0..u5): column i of G = (1/4, −1/6, −1/6, 1/24, 1/24, 0), (0, −1/6, 1/6, 1/12, −1/12, 0), (0, −1/6, −1/6, 1/6, 1/6, 1). */
@inline function gt(i: i32, u0: f64, u1: f64, u2: f64, u3: f64, u4: f64, u5: f64): f64 {
  if (i == 0) return u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
  if (i == 1) return (u2 - u1) / 6 + (u3 - u4) / 12;
  return (u3 + u4 - u1 - u2) / 6 + u5;
}
