// Float32 unary kernels (the `unary` kernel family: ops/unary.ts, cpu/unary.ts, src/kernels/unary.ts).
// Each op gets its own loop: the dispatch function switches once, then calls an @inline loop with the
// op as a constant that the optimizer folds away. The op codes are src/abi.ts's (re-exported so the
// module exports them; src/exports.ts names them by kernel).

import {
  U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_LOG1P, U_EXPM1, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_SIN, U_COS,
  U_TANH, U_SIGMOID, U_SOFTPLUS, U_RELU, U_ERF, U_FLOOR, U_CEIL, U_ROUND, U_LEAKYRELU, U_ELU, U_CLIP,
  T_ISNAN, T_ISFINITE,
} from '../src/abi';

export {
  U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_LOG1P, U_EXPM1, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_SIN, U_COS,
  U_TANH, U_SIGMOID, U_SOFTPLUS, U_RELU, U_ERF, U_FLOOR, U_CEIL, U_ROUND, U_LEAKYRELU, U_ELU, U_CLIP,
  T_ISNAN, T_ISFINITE,
};

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

// Same formula as the CPU backend's erf (series near 0, Numerical Recipes erfc elsewhere), in f64.
function erf64(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 12; n++) {
      term *= -x2 / <f64>n;
      sum += term / <f64>(2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * ax);
  const erfc = t * Math.exp(
    -ax * ax - 1.26551223 +
      t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

@inline function scalarUnary(op: i32, v: f32, p: f32, q: f32): f32 {
  switch (op) {
    case U_NEG: return -v;
    case U_ABS: return Mathf.abs(v);
    case U_SIGN: return v > 0 ? 1 : v < 0 ? -1 : v;
    // musl expf: within 1 ulp of the correctly rounded value the CPU backend produces, 2–3× faster than f64 exp.
    case U_EXP: return Mathf.exp(v);
    case U_LOG: return <f32>Math.log(<f64>v);
    case U_LOG1P: return <f32>Math.log1p(<f64>v);
    case U_EXPM1: return <f32>Math.expm1(<f64>v);
    case U_SQRT: return Mathf.sqrt(v);
    case U_RSQRT: return <f32>(1 / Math.sqrt(<f64>v));
    case U_SQUARE: return v * v;
    case U_RECIPROCAL: return <f32>(1 / <f64>v);
    case U_SIN: return <f32>Math.sin(<f64>v);
    case U_COS: return <f32>Math.cos(<f64>v);
    case U_TANH: return <f32>Math.tanh(<f64>v);
    case U_SIGMOID: {
      if (v >= 0) return <f32>(1 / (1 + Math.exp(-<f64>v)));
      const e = Math.exp(<f64>v);
      return <f32>(e / (1 + e));
    }
    case U_SOFTPLUS: return <f32>((v > 0 ? <f64>v : 0) + Math.log1p(Math.exp(-Math.abs(<f64>v))));
    case U_RELU: return v < 0 ? 0 : v;
    case U_ERF: return <f32>erf64(<f64>v);
    case U_FLOOR: return Mathf.floor(v);
    case U_CEIL: return Mathf.ceil(v);
    case U_ROUND: return nearest<f32>(v);
    case U_LEAKYRELU: return v < 0 ? <f32>(<f64>p * <f64>v) : v;
    case U_ELU: return v > 0 ? v : <f32>(<f64>p * Math.expm1(<f64>v));
    case U_CLIP: return v < p ? p : v > q ? q : v;
  }
  return v;
}

/** Whether op has an exact 4-lane form (same results as the scalar form). */
@inline function hasVector(op: i32): bool {
  return op == U_NEG || op == U_ABS || op == U_SQRT || op == U_SQUARE || op == U_RELU || op == U_FLOOR ||
    op == U_CEIL || op == U_ROUND || op == U_CLIP || op == U_LEAKYRELU;
}

@inline function vectorUnary(op: i32, v: v128, p: v128, q: v128): v128 {
  const zero = f32x4.splat(0);
  switch (op) {
    case U_NEG: return f32x4.neg(v);
    case U_ABS: return f32x4.abs(v);
    case U_SQRT: return f32x4.sqrt(v);
    case U_SQUARE: return f32x4.mul(v, v);
    case U_RELU: return v128.bitselect(zero, v, f32x4.lt(v, zero));
    case U_FLOOR: return f32x4.floor(v);
    case U_CEIL: return f32x4.ceil(v);
    case U_ROUND: return f32x4.nearest(v);
    case U_CLIP: {
      const lo = v128.bitselect(p, v, f32x4.lt(v, p));
      return v128.bitselect(q, lo, f32x4.gt(lo, q));
    }
    case U_LEAKYRELU: return v128.bitselect(f32x4.mul(p, v), v, f32x4.lt(v, zero));
  }
  return v;
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  let i = 0;
  if (hasVector(op)) {
    const pv = f32x4.splat(p);
    const qv = f32x4.splat(q);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, vectorUnary(op, v128.load(x + o), pv, qv));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, scalarUnary(op, load<f32>(x + o), p, q));
  }
}

export function unaryF32(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, y, n, p, q); break;
    case U_ABS: unaryLoop(U_ABS, x, y, n, p, q); break;
    case U_SIGN: unaryLoop(U_SIGN, x, y, n, p, q); break;
    case U_EXP: unaryLoop(U_EXP, x, y, n, p, q); break;
    case U_LOG: unaryLoop(U_LOG, x, y, n, p, q); break;
    case U_LOG1P: unaryLoop(U_LOG1P, x, y, n, p, q); break;
    case U_EXPM1: unaryLoop(U_EXPM1, x, y, n, p, q); break;
    case U_SQRT: unaryLoop(U_SQRT, x, y, n, p, q); break;
    case U_RSQRT: unaryLoop(U_RSQRT, x, y, n, p, q); break;
    case U_SQUARE: unaryLoop(U_SQUARE, x, y, n, p, q); break;
    case U_RECIPROCAL: unaryLoop(U_RECIPROCAL, x, y, n, p, q); break;
    case U_SIN: unaryLoop(U_SIN, x, y, n, p, q); break;
    case U_COS: unaryLoop(U_COS, x, y, n, p, q); break;
    case U_TANH: unaryLoop(U_TANH, x, y, n, p, q); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, y, n, p, q); break;
    case U_SOFTPLUS: unaryLoop(U_SOFTPLUS, x, y, n, p, q); break;
    case U_RELU: unaryLoop(U_RELU, x, y, n, p, q); break;
    case U_ERF: unaryLoop(U_ERF, x, y, n, p, q); break;
    case U_FLOOR: unaryLoop(U_FLOOR, x, y, n, p, q); break;
    case U_CEIL: unaryLoop(U_CEIL, x, y, n, p, q); break;
    case U_ROUND: unaryLoop(U_ROUND, x, y, n, p, q); break;
    case U_LEAKYRELU: unaryLoop(U_LEAKYRELU, x, y, n, p, q); break;
    case U_ELU: unaryLoop(U_ELU, x, y, n, p, q); break;
    case U_CLIP: unaryLoop(U_CLIP, x, y, n, p, q); break;
  }
}

@inline function testScalar(op: i32, v: f32): u8 {
  // v != v only for NaN; |v| < Infinity is false for NaN and ±Infinity.
  return op == T_ISNAN ? <u8>(v != v) : <u8>(Mathf.abs(v) < Infinity);
}

@inline function testVector(op: i32, v: v128): v128 {
  return op == T_ISNAN ? f32x4.ne(v, v) : f32x4.lt(f32x4.abs(v), f32x4.splat(Infinity));
}

@inline function testLoop(op: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  const one = i8x16.splat(1);
  // 16 floats → four 32-bit lane masks → narrowed (saturating, so -1 stays -1) into 16 bytes.
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const m0 = testVector(op, v128.load(x + o));
    const m1 = testVector(op, v128.load(x + o + 16));
    const m2 = testVector(op, v128.load(x + o + 32));
    const m3 = testVector(op, v128.load(x + o + 48));
    const lo = i16x8.narrow_i32x4_s(m0, m1);
    const hi = i16x8.narrow_i32x4_s(m2, m3);
    v128.store(y + <usize>i, v128.and(i8x16.narrow_i16x8_s(lo, hi), one));
  }
  for (; i < n; i++) store<u8>(y + <usize>i, testScalar(op, load<f32>(x + (<usize>i << 2))));
}

/** IsNaN (T_ISNAN) / IsFinite (T_ISFINITE): float32 in, bool bytes out. */
export function unaryToBoolF32(op: i32, x: usize, y: usize, n: i32): void {
  if (op == T_ISNAN) testLoop(T_ISNAN, x, y, n);
  else if (op == T_ISFINITE) testLoop(T_ISFINITE, x, y, n);
}

// Range kernels (src/threads.ts RANGE_KERNELS) run the same loops over a slice of the units, so threads
// can split a large pass; each unit is computed exactly as the whole-array kernel computes it.

/** unaryF32 over elements [start·block, end·block) ∩ [0, n); p and q come as float32 bits. */
export function unaryRange(start: i32, end: i32, work: usize, op: i32, x: usize, y: usize, n: i32, block: i32, pBits: i32, qBits: i32): void {
  const i0 = start * block;
  const i1 = min(n, end * block);
  if (i1 <= i0) return;
  const o = <usize>i0 << 2;
  unaryF32(op, x + o, y + o, i1 - i0, reinterpret<f32>(pBits), reinterpret<f32>(qBits));
}

/**
 * ReluGrad over elements [start·block, end·block) ∩ [0, n): out = dy · (x > 0 ? 1 : 0), the mask made
 * as 1.0/0.0 lanes and multiplied, so NaN and signed zeros come out as the CPU kernel's product.
 */
export function reluGradRange(start: i32, end: i32, work: usize, dy: usize, x: usize, out: usize, n: i32, block: i32): void {
  let i = start * block;
  const i1 = min(n, end * block);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  for (; i + 8 <= i1; i += 8) {
    const o = <usize>i << 2;
    const m0 = v128.and(f32x4.gt(v128.load(x + o), zero), one);
    const m1 = v128.and(f32x4.gt(v128.load(x + o, 16), zero), one);
    v128.store(out + o, f32x4.mul(v128.load(dy + o), m0));
    v128.store(out + o, f32x4.mul(v128.load(dy + o, 16), m1), 16);
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(dy + o) * (load<f32>(x + o) > 0 ? <f32>1 : <f32>0));
  }
}
