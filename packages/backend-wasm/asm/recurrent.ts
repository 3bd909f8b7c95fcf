// Gate math of the fused LSTM/GRU sequences, one step per call, and the whole-sequence range kernels
// (end of file) that loop over the steps of a range of batch rows, running the recurrent products on
// the matmul micro-kernel between these passes. Four units per SIMD vector; a row's last 1–3 units go
// through the same vector code with the missing lanes zero. exp is a float32 polynomial (Cephes expf,
// within 2 ulp), so these agree with the CPU reference's float64 sigmoid/tanh to a few float32 ulp
// (absolute), not bitwise.
// Packed layouts are those of KernelDefs: LSTM state [h|c|i|f|g|o], gradient [dz (4u)|dh|dc];
// GRU state [h|z|r|ĥ|q], gradient [dxp (3u)|dInner (3u)|dh].

import { matmul } from './matmul';

@inline function ld(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 8));
  return v;
}

@inline function st(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + 4, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 8, f32x4.extract_lane(v, 2));
}

/**
 * eˣ for 4 lanes, as the gates need it: 2ⁿ·p(r) with x = n·ln2 + r, |r| ≤ ln2/2 (Cephes expf's
 * polynomial, within 2 ulp). x is clamped to ±87 (sigmoid and tanh saturate long before), so 2ⁿ is
 * one normal float built straight from the bits of x·log₂e + 1.5·2²³: adding that constant rounds
 * n to nearest (even) and leaves n + 0x4B400000 in the integer bits, whose low 9 bits shifted into
 * the exponent field give n + 127 — no float-to-int conversion (a long sequence in V8's SIMD code).
 */
@inline function expv(x0: v128): v128 {
  // pmin/pmax: one SSE instruction each in V8 (min/max's NaN and ±0 rules cost several).
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87)), f32x4.splat(87));
  const magic = f32x4.splat(12582912);
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  return f32x4.mul(p, i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23));
}

@inline function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

/** tanh(x) = 2σ(2x) − 1: one exp and one division (absolute error a few float32 ulp of 1, also near 0). */
@inline function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  const s = f32x4.div(f32x4.splat(2), f32x4.add(one, expv(f32x4.mul(x, f32x4.splat(-2)))));
  return f32x4.sub(s, one);
}

@inline function oneMinus(v: v128): v128 {
  return f32x4.sub(f32x4.splat(1), v);
}

/**
 * LSTM gates and state update of one step: `xp` rows at stride `xpStride` floats, `z` the dense
 * recurrent product `[b, 4u]`, `prev` the state before (c in columns [u, 2u), row stride `prevStride`),
 * `out` this step's rows of the trace (stride `outStride`).
 */
export function lstmCellF32(xp: usize, xpStride: i32, z: usize, prev: usize, prevStride: i32, out: usize, outStride: i32, b: i32, u: i32): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const xr = xp + (<usize>(r * xpStride) << 2);
    const zr = z + (<usize>(r * 4 * u) << 2);
    const pr = prev + (<usize>(r * prevStride) << 2);
    const orow = out + (<usize>(r * outStride) << 2);
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      const i = sigmoidv(f32x4.add(ld(xr + o, n), ld(zr + o, n)));
      const f = sigmoidv(f32x4.add(ld(xr + U + o, n), ld(zr + U + o, n)));
      const g = tanhv(f32x4.add(ld(xr + 2 * U + o, n), ld(zr + 2 * U + o, n)));
      const og = sigmoidv(f32x4.add(ld(xr + 3 * U + o, n), ld(zr + 3 * U + o, n)));
      const c = f32x4.add(f32x4.mul(f, ld(pr + U + o, n)), f32x4.mul(i, g));
      st(orow + o, f32x4.mul(og, tanhv(c)), n);
      st(orow + U + o, c, n);
      st(orow + 2 * U + o, i, n);
      st(orow + 3 * U + o, f, n);
      st(orow + 4 * U + o, g, n);
      st(orow + 5 * U + o, og, n);
    }
  }
}

@inline function ldc(p: usize, n: i32, has: bool): v128 {
  return has ? ld(p, n) : f32x4.splat(0);
}

/**
 * LSTM backward through the gates of one step. `cur`, `carry` (the later step's gradient rows, absent
 * when `hasCarry` is false), `d` (dTrace) and `out` share the row stride `stride`; `prev` has its own.
 * Writes dz (columns [0, 4u)) and dc_prev (block 5); dh_prev (block 4) is the caller's matmul.
 */
export function lstmCellGradF32(cur: usize, prev: usize, prevStride: i32, carry: usize, hasCarry: bool, d: usize, out: usize, stride: i32, b: i32, u: i32): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const row = <usize>(r * stride) << 2;
    const cr = cur + row;
    const pr = prev + (<usize>(r * prevStride) << 2);
    const kr = carry + row;
    const orow = out + row;
    const dr = d + row;
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      const dh = f32x4.add(ldc(kr + 4 * U + o, n, hasCarry), ld(dr + o, n));
      const c = ld(cr + U + o, n);
      const i = ld(cr + 2 * U + o, n);
      const f = ld(cr + 3 * U + o, n);
      const g = ld(cr + 4 * U + o, n);
      const og = ld(cr + 5 * U + o, n);
      const tc = tanhv(c);
      const dc = f32x4.add(f32x4.add(ldc(kr + 5 * U + o, n, hasCarry), ld(dr + U + o, n)), f32x4.mul(f32x4.mul(dh, og), oneMinus(f32x4.mul(tc, tc))));
      st(orow + o, f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, oneMinus(i))), n);
      st(orow + U + o, f32x4.mul(f32x4.mul(dc, ld(pr + U + o, n)), f32x4.mul(f, oneMinus(f))), n);
      st(orow + 2 * U + o, f32x4.mul(f32x4.mul(dc, i), oneMinus(f32x4.mul(g, g))), n);
      st(orow + 3 * U + o, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(og, oneMinus(og))), n);
      st(orow + 5 * U + o, f32x4.mul(dc, f), n);
    }
  }
}

/**
 * GRU gates of one step. `inner` rows (stride `innerStride`) hold the recurrent product: all three
 * blocks with `resetAfter`, z and r only without. `rb` is the recurrent bias `[3u]` or 0. With
 * resetAfter it finishes the step (h, ĥ, q); without, it writes z, r and q = r⊙h_prev, and
 * `gruFinishF32` follows once the caller has multiplied q by U_h. `out` rows at stride `outStride`.
 */
export function gruGatesF32(
  xp: usize, xpStride: i32, inner: usize, innerStride: i32, rb: usize, prev: usize, prevStride: i32,
  out: usize, outStride: i32, b: i32, u: i32, resetAfter: bool,
): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const xr = xp + (<usize>(r * xpStride) << 2);
    const ir = inner + (<usize>(r * innerStride) << 2);
    const pr = prev + (<usize>(r * prevStride) << 2);
    const orow = out + (<usize>(r * outStride) << 2);
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      let zi = f32x4.add(ld(xr + o, n), ld(ir + o, n));
      let ri = f32x4.add(ld(xr + U + o, n), ld(ir + U + o, n));
      if (rb != 0) {
        zi = f32x4.add(zi, ld(rb + o, n));
        ri = f32x4.add(ri, ld(rb + U + o, n));
      }
      const z = sigmoidv(zi);
      const rr = sigmoidv(ri);
      const hp = ld(pr + o, n);
      st(orow + U + o, z, n);
      st(orow + 2 * U + o, rr, n);
      if (resetAfter) {
        let q = ld(ir + 2 * U + o, n);
        if (rb != 0) q = f32x4.add(q, ld(rb + 2 * U + o, n));
        const hh = tanhv(f32x4.add(ld(xr + 2 * U + o, n), f32x4.mul(rr, q)));
        st(orow + 3 * U + o, hh, n);
        st(orow + 4 * U + o, q, n);
        st(orow + o, f32x4.add(f32x4.mul(z, hp), f32x4.mul(oneMinus(z), hh)), n);
      } else {
        st(orow + 4 * U + o, f32x4.mul(rr, hp), n);
      }
    }
  }
}

/** GRU without resetAfter, second half of a step: ĥ = tanh(x_h + cand), `cand` = q·U_h dense `[b, u]`, then h. */
export function gruFinishF32(xp: usize, xpStride: i32, cand: usize, prev: usize, prevStride: i32, out: usize, outStride: i32, b: i32, u: i32): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const xr = xp + (<usize>(r * xpStride) << 2);
    const cr = cand + (<usize>(r * u) << 2);
    const pr = prev + (<usize>(r * prevStride) << 2);
    const orow = out + (<usize>(r * outStride) << 2);
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      const z = ld(orow + U + o, n);
      const hh = tanhv(f32x4.add(ld(xr + 2 * U + o, n), ld(cr + o, n)));
      st(orow + 3 * U + o, hh, n);
      st(orow + o, f32x4.add(f32x4.mul(z, ld(pr + o, n)), f32x4.mul(oneMinus(z), hh)), n);
    }
  }
}

/**
 * GRU backward of one step, first pass: dz', dĥ' and dh·z into `out` (rows at `outStride`, as the
 * carry's); with resetAfter also dr' and the dInner blocks (the caller then adds dInner·Uᵀ to dh_prev).
 * `cur` and `d` rows at `stride`, `prev` at `prevStride`.
 */
export function gruGradF32(
  cur: usize, d: usize, stride: i32, prev: usize, prevStride: i32, carry: usize, hasCarry: bool,
  out: usize, outStride: i32, b: i32, u: i32, resetAfter: bool,
): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const cr = cur + (<usize>(r * stride) << 2);
    const dr = d + (<usize>(r * stride) << 2);
    const pr = prev + (<usize>(r * prevStride) << 2);
    const orow = out + (<usize>(r * outStride) << 2);
    const kr = carry + (<usize>(r * outStride) << 2);
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      const dh = f32x4.add(ldc(kr + 6 * U + o, n, hasCarry), ld(dr + o, n));
      const z = ld(cr + U + o, n);
      const hh = ld(cr + 3 * U + o, n);
      const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(pr + o, n), hh)), f32x4.mul(z, oneMinus(z)));
      const dhh = f32x4.mul(f32x4.mul(dh, oneMinus(z)), oneMinus(f32x4.mul(hh, hh)));
      st(orow + o, dz, n);
      st(orow + 2 * U + o, dhh, n);
      st(orow + 6 * U + o, f32x4.mul(dh, z), n);
      if (resetAfter) {
        const rr = ld(cr + 2 * U + o, n);
        const dr1 = f32x4.mul(f32x4.mul(dhh, ld(cr + 4 * U + o, n)), f32x4.mul(rr, oneMinus(rr)));
        st(orow + U + o, dr1, n);
        st(orow + 3 * U + o, dz, n);
        st(orow + 4 * U + o, dr1, n);
        st(orow + 5 * U + o, f32x4.mul(dhh, rr), n);
      }
    }
  }
}

/** GRU without resetAfter, second pass: from dq = dĥ'·U_hᵀ (dense `[b, u]`), dr' and dh·z + dq⊙r; copies dxp into dInner. */
export function gruGradResetF32(cur: usize, stride: i32, prev: usize, prevStride: i32, dq: usize, out: usize, outStride: i32, b: i32, u: i32): void {
  const U = <usize>u << 2;
  for (let r = 0; r < b; r++) {
    const cr = cur + (<usize>(r * stride) << 2);
    const pr = prev + (<usize>(r * prevStride) << 2);
    const qr = dq + (<usize>(r * u) << 2);
    const orow = out + (<usize>(r * outStride) << 2);
    for (let j = 0; j < u; j += 4) {
      const n = min(4, u - j);
      const o = <usize>j << 2;
      const rr = ld(cr + 2 * U + o, n);
      const q = ld(qr + o, n);
      const dr1 = f32x4.mul(f32x4.mul(q, ld(pr + o, n)), f32x4.mul(rr, oneMinus(rr)));
      st(orow + U + o, dr1, n);
      st(orow + 6 * U + o, f32x4.add(ld(orow + 6 * U + o, n), f32x4.mul(q, rr)), n);
      st(orow + 3 * U + o, ld(orow + o, n), n);
      st(orow + 4 * U + o, dr1, n);
      st(orow + 5 * U + o, ld(orow + 2 * U + o, n), n);
    }
  }
}

/** `dst` rows (stride `dstStride` floats) += or = dense `src` `[rows, cols]`. */
export function addRowsF32(src: usize, dst: usize, rows: i32, cols: i32, dstStride: i32, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * cols) << 2);
    const t = dst + (<usize>(r * dstStride) << 2);
    for (let j = 0; j < cols; j += 4) {
      const n = min(4, cols - j);
      const o = <usize>j << 2;
      st(t + o, accumulate ? f32x4.add(ld(t + o, n), ld(s + o, n)) : ld(s + o, n), n);
    }
  }
}

// Whole sequences over a range of batch rows: range kernels (src/threads.ts RANGE_KERNELS) whose
// units are batch rows. The rows of a batch are independent sequences, so threads split the batch
// once per call and run every step of their rows without meeting again (no per-step hand-off).
// Each unit is computed the same way whatever the split: results do not depend on the thread count.
// The recurrent products run on the matmul micro-kernel with B packed once by the caller (`packed…`,
// shared by the threads); `work` is the running thread's matmul scratch; the dense per-step scratch
// (`z`, `inner`, `dh`, `s`) covers the whole batch and each range uses its own rows of it.

/** LSTM forward of rows [start, end): xp `[b, T, 4u]`, init `[b, 2u]` (h|c), trace out `[b, T, 6u]`, z scratch `[b, 4u]`. */
export function lstmSequenceRange(start: i32, end: i32, work: usize, xp: usize, init: usize, packedU: usize, z: usize, out: usize, steps: i32, u: i32): void {
  const rows = end - start;
  if (rows <= 0) return;
  const g4 = 4 * u;
  const w = 6 * u;
  const stride = steps * w;
  for (let t = 0; t < steps; t++) {
    const prev = t == 0 ? init : out + (<usize>((t - 1) * w) << 2);
    const prevStride = t == 0 ? 2 * u : stride;
    matmul(prev, 0, z, g4, u, prevStride, 1, 0, 0, false, start, end, work, packedU);
    lstmCellF32(
      xp + (<usize>((start * steps + t) * g4) << 2), steps * g4, z + (<usize>(start * g4) << 2),
      prev + (<usize>(start * prevStride) << 2), prevStride, out + (<usize>(start * stride + t * w) << 2), stride, rows, u,
    );
  }
}

/** LSTM backward of rows [start, end): trace `[b, T, 6u]`, dTrace `d` likewise, out `[b, T, 6u]`, packedUT = Uᵀ packed, dh scratch `[b, u]`. */
export function lstmSequenceGradRange(start: i32, end: i32, work: usize, tr: usize, init: usize, packedUT: usize, d: usize, dh: usize, out: usize, steps: i32, u: i32): void {
  const rows = end - start;
  if (rows <= 0) return;
  const w = 6 * u;
  const stride = steps * w;
  const off = <usize>(start * stride) << 2;
  for (let t = steps - 1; t >= 0; t--) {
    const prev = t == 0 ? init : tr + (<usize>((t - 1) * w) << 2);
    const prevStride = t == 0 ? 2 * u : stride;
    const o = out + (<usize>(t * w) << 2);
    lstmCellGradF32(
      tr + (<usize>(t * w) << 2) + off, prev + (<usize>(start * prevStride) << 2), prevStride, o + (<usize>w << 2) + off,
      t < steps - 1, d + (<usize>(t * w) << 2) + off, o + off, stride, rows, u,
    );
    matmul(o, 0, dh, u, 4 * u, stride, 1, 0, 0, false, start, end, work, packedUT);
    addRowsF32(dh + (<usize>(start * u) << 2), o + (<usize>(4 * u) << 2) + off, rows, u, stride, false);
  }
}

/**
 * GRU forward of rows [start, end): xp `[b, T, 3u]`, h0 `[b, u]`, trace out `[b, T, 5u]`. resetAfter:
 * packedU = all of U; else packedU = U_zr and packedUh = U_h. rb the recurrent bias or 0; inner scratch `[b, 3u]`.
 */
export function gruSequenceRange(
  start: i32, end: i32, work: usize, xp: usize, h0: usize, packedU: usize, packedUh: usize, rb: usize, inner: usize, out: usize,
  steps: i32, u: i32, resetAfter: bool,
): void {
  const rows = end - start;
  if (rows <= 0) return;
  const g3 = 3 * u;
  const w = 5 * u;
  const stride = steps * w;
  const off = <usize>(start * stride) << 2;
  const own = inner + (<usize>(start * g3) << 2);
  for (let t = 0; t < steps; t++) {
    const prev = t == 0 ? h0 : out + (<usize>((t - 1) * w) << 2);
    const prevStride = t == 0 ? u : stride;
    const pr = prev + (<usize>(start * prevStride) << 2);
    const o = out + (<usize>(t * w) << 2);
    const x = xp + (<usize>((start * steps + t) * g3) << 2);
    if (resetAfter) {
      matmul(prev, 0, inner, g3, u, prevStride, 1, 0, 0, false, start, end, work, packedU);
      gruGatesF32(x, steps * g3, own, g3, rb, pr, prevStride, o + off, stride, rows, u, true);
    } else {
      // matmul writes row r at c + r·n, so c is shifted for the narrower products to land in this
      // range's own rows of `inner` ([start·3u, end·3u)), never in another thread's.
      matmul(prev, 0, inner + (<usize>(start * u) << 2), 2 * u, u, prevStride, 1, 0, 0, false, start, end, work, packedU);
      gruGatesF32(x, steps * g3, own, 2 * u, 0, pr, prevStride, o + off, stride, rows, u, false);
      // The candidate's recurrent term (r⊙h_prev)·U_h, from the q columns just written.
      matmul(o + (<usize>(4 * u) << 2), 0, inner + (<usize>(start * 2 * u) << 2), u, u, stride, 1, 0, 0, false, start, end, work, packedUh);
      gruFinishF32(x, steps * g3, own, pr, prevStride, o + off, stride, rows, u);
    }
  }
}

/**
 * GRU backward of rows [start, end): trace `[b, T, 5u]`, dTrace `d` likewise, out `[b, T, 7u]`.
 * resetAfter: packedUT = Uᵀ (all 3u); else packedUT = U_hᵀ and packedUzrT = U_zrᵀ. s scratch `[b, u]`.
 */
export function gruSequenceGradRange(
  start: i32, end: i32, work: usize, tr: usize, h0: usize, d: usize, packedUT: usize, packedUzrT: usize, s: usize, out: usize,
  steps: i32, u: i32, resetAfter: bool,
): void {
  const rows = end - start;
  if (rows <= 0) return;
  const w = 5 * u;
  const ow = 7 * u;
  const stride = steps * w;
  const oStride = steps * ow;
  const off = <usize>(start * stride) << 2;
  const oOff = <usize>(start * oStride) << 2;
  const sr = s + (<usize>(start * u) << 2);
  for (let t = steps - 1; t >= 0; t--) {
    const prev = t == 0 ? h0 : tr + (<usize>((t - 1) * w) << 2);
    const prevStride = t == 0 ? u : stride;
    const pr = prev + (<usize>(start * prevStride) << 2);
    const cur = tr + (<usize>(t * w) << 2) + off;
    const o = out + (<usize>(t * ow) << 2);
    gruGradF32(cur, d + (<usize>(t * w) << 2) + off, stride, pr, prevStride, o + (<usize>ow << 2) + oOff, t < steps - 1, o + oOff, oStride, rows, u, resetAfter);
    if (resetAfter) {
      // dh_prev += dInner·Uᵀ.
      matmul(o + (<usize>(3 * u) << 2), 0, s, u, 3 * u, oStride, 1, 0, 0, false, start, end, work, packedUT);
    } else {
      // dq = dĥ'·U_hᵀ, then dr' and dh_prev += dq⊙r, then dh_prev += [dz' dr']·U_zrᵀ.
      matmul(o + (<usize>(2 * u) << 2), 0, s, u, u, oStride, 1, 0, 0, false, start, end, work, packedUT);
      gruGradResetF32(cur, stride, pr, prevStride, sr, o + oOff, oStride, rows, u);
      matmul(o + (<usize>(3 * u) << 2), 0, s, u, 2 * u, oStride, 1, 0, 0, false, start, end, work, packedUzrT);
    }
    addRowsF32(sr, o + (<usize>(6 * u) << 2) + oOff, rows, u, oStride, true);
  }
}
