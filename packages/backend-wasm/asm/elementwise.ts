// Float32 elementwise kernels. Op codes match UNARY/BINARY in src/exports.ts. Each op gets its own loop: the
// dispatch functions switch once, then call an @inline loop with the op as a constant that the
// optimizer folds away.

export const U_NEG = 0, U_ABS = 1, U_SIGN = 2, U_EXP = 3, U_LOG = 4, U_LOG1P = 5, U_EXPM1 = 6, U_SQRT = 7,
  U_RSQRT = 8, U_SQUARE = 9, U_RECIPROCAL = 10, U_SIN = 11, U_COS = 12, U_TANH = 13, U_SIGMOID = 14,
  U_SOFTPLUS = 15, U_RELU = 16, U_ERF = 17, U_FLOOR = 18, U_CEIL = 19, U_ROUND = 20, U_LEAKYRELU = 21,
  U_ELU = 22, U_CLIP = 23;

export const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_POW = 4, B_MAX = 5, B_MIN = 6, B_MOD = 7,
  B_FLOORDIV = 8, B_SQDIFF = 9, B_EQ = 10, B_NE = 11, B_GT = 12, B_GE = 13, B_LT = 14, B_LE = 15,
  B_AND = 16, B_OR = 17;

// Float32 → bool tests of unaryToBoolF32.
export const T_ISNAN = 0, T_ISFINITE = 1;

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

/** Ops whose output is bool (one byte per element). */
@inline function isCompare(op: i32): bool {
  return op >= B_EQ;
}

/** Ops whose inputs are bool too: LogicalAnd/LogicalOr (any nonzero byte is true, as the CPU backend's `!== 0`). */
@inline function isLogical(op: i32): bool {
  return op >= B_AND;
}

@inline function logicalScalar(op: i32, a: u8, b: u8): u8 {
  return op == B_AND ? <u8>((a != 0) & (b != 0)) : <u8>((a | b) != 0);
}

/** 16 lanes of a logical op on 0x00/0xFF masks. */
@inline function logicalVector(op: i32, a: v128, b: v128): v128 {
  return op == B_AND ? v128.and(a, b) : v128.or(a, b);
}

/** One contiguous run of a logical op over bytes; each input steps by 1 or stays put (0). Output is exactly 0/1. */
@inline function logicalRun(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  if (sa == 1 && sb == 1) {
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i;
      const m = logicalVector(op, i8x16.ne(v128.load(a + o), zero), i8x16.ne(v128.load(b + o), zero));
      v128.store(out + o, v128.and(m, one));
    }
  } else if (sa == 1 || sb == 1) {
    // One side is a single broadcast byte: its mask is all ones or all zeros.
    const x = sa == 1 ? a : b;
    const s = sa == 1 ? b : a;
    const sv = i8x16.splat(load<u8>(s) != 0 ? -1 : 0);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i;
      v128.store(out + o, v128.and(logicalVector(op, i8x16.ne(v128.load(x + o), zero), sv), one));
    }
  }
  for (; i < n; i++) {
    store<u8>(out + <usize>i, logicalScalar(op, load<u8>(a + <usize>(i * sa)), load<u8>(b + <usize>(i * sb))));
  }
}

@inline function scalarBinary(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return <f32>Math.pow(<f64>a, <f64>b);
    case B_MAX: return max(a, b);
    case B_MIN: return min(a, b);
    case B_MOD: {
      const d = <f64>b;
      const m = <f64>a % d;
      return <f32>(m != 0 && (m < 0) != (d < 0) ? m + d : m);
    }
    case B_FLOORDIV: return <f32>Math.floor(<f64>a / <f64>b);
    case B_SQDIFF: { const d = a - b; return d * d; }
  }
  return 0;
}

@inline function compare(op: i32, a: f32, b: f32): u8 {
  switch (op) {
    case B_EQ: return <u8>(a == b);
    case B_NE: return <u8>(a != b);
    case B_GT: return <u8>(a > b);
    case B_GE: return <u8>(a >= b);
    case B_LT: return <u8>(a < b);
    case B_LE: return <u8>(a <= b);
  }
  return 0;
}

/**
 * The first n - n % 16 outputs of a comparison run, 16 at a time: four lane masks narrowed (saturating,
 * so -1 stays -1) into 16 bytes of 0/1. `aRun`/`bRun` (constants at each call) say whether that input
 * steps by 1 or is one broadcast value. Returns how many outputs it wrote.
 */
@inline function compare16(op: i32, a: usize, aRun: bool, b: usize, bRun: bool, out: usize, n: i32): i32 {
  const one = i8x16.splat(1);
  const av = v128.load32_splat(a);
  const bv = v128.load32_splat(b);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const m0 = vectorCompare(op, aRun ? v128.load(a + o) : av, bRun ? v128.load(b + o) : bv);
    const m1 = vectorCompare(op, aRun ? v128.load(a + o, 16) : av, bRun ? v128.load(b + o, 16) : bv);
    const m2 = vectorCompare(op, aRun ? v128.load(a + o, 32) : av, bRun ? v128.load(b + o, 32) : bv);
    const m3 = vectorCompare(op, aRun ? v128.load(a + o, 48) : av, bRun ? v128.load(b + o, 48) : bv);
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
    v128.store(out + <usize>i, v128.and(bytes, one));
  }
  return i;
}

/** The lane masks of `compare` (all ones where true), with the same IEEE rules (NaN compares false, != true). */
@inline function vectorCompare(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_EQ: return f32x4.eq(a, b);
    case B_NE: return f32x4.ne(a, b);
    case B_GT: return f32x4.gt(a, b);
    case B_GE: return f32x4.ge(a, b);
    case B_LT: return f32x4.lt(a, b);
    case B_LE: return f32x4.le(a, b);
  }
  return a;
}

@inline function binVector(op: i32): bool {
  return op == B_ADD || op == B_SUB || op == B_MUL || op == B_DIV || op == B_MAX || op == B_MIN || op == B_SQDIFF;
}

@inline function vectorBinary(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    case B_MAX: return f32x4.max(a, b);
    case B_MIN: return f32x4.min(a, b);
    case B_SQDIFF: { const d = f32x4.sub(a, b); return f32x4.mul(d, d); }
  }
  return a;
}

/** One contiguous run of `n` outputs; each input steps by 1 or stays put (0). */
@inline function binaryRun(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (isLogical(op)) {
    logicalRun(op, a, sa, b, sb, out, n);
    return;
  }
  if (isCompare(op)) {
    if (sa == 1 && sb == 1) i = compare16(op, a, true, b, true, out, n);
    else if (sa == 1 && sb == 0) i = compare16(op, a, true, b, false, out, n);
    else if (sa == 0 && sb == 1) i = compare16(op, a, false, b, true, out, n);
    for (; i < n; i++) {
      store<u8>(out + <usize>i, compare(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
    }
    return;
  }
  if (binVector(op)) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, vectorBinary(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (sa == 1) {
      const bv = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, vectorBinary(op, v128.load(a + o), bv));
      }
    } else if (sb == 1) {
      const av = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, vectorBinary(op, av, v128.load(b + o)));
      }
    }
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), scalarBinary(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

/**
 * Broadcast walk: `meta` holds int32 dims[rank], aStrides[rank], bStrides[rank], then rank
 * counters of scratch. The last axis is the contiguous run (strides 0 or 1 there). Strides count
 * elements: 4 bytes each for float32 inputs, 1 for the bool inputs of logical ops.
 */
@inline function binaryLoop(op: i32, a: usize, b: usize, out: usize, rank: i32, meta: usize): void {
  const last = rank - 1;
  const inner = load<i32>(meta + (<usize>last << 2));
  const sa = load<i32>(meta + (<usize>(rank + last) << 2));
  const sb = load<i32>(meta + (<usize>(2 * rank + last) << 2));
  const counters = meta + (<usize>(3 * rank) << 2);
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= load<i32>(meta + (<usize>d << 2));
    store<i32>(counters + (<usize>d << 2), 0);
  }
  const outStep: usize = isCompare(op) ? <usize>inner : <usize>inner << 2;
  const inShift: usize = isLogical(op) ? 0 : 2;
  let offA = 0;
  let offB = 0;
  for (let r = 0; r < rows; r++) {
    binaryRun(op, a + (<usize>offA << inShift), sa, b + (<usize>offB << inShift), sb, out, inner);
    out += outStep;
    // Odometer over the outer axes.
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const dsa = load<i32>(meta + (<usize>(rank + d) << 2));
      const dsb = load<i32>(meta + (<usize>(2 * rank + d) << 2));
      if (c < load<i32>(meta + (<usize>d << 2))) {
        store<i32>(cp, c);
        offA += dsa;
        offB += dsb;
        break;
      }
      store<i32>(cp, 0);
      offA -= dsa * (c - 1);
      offB -= dsb * (c - 1);
    }
  }
}

export function binaryF32(op: i32, a: usize, b: usize, out: usize, rank: i32, meta: usize): void {
  switch (op) {
    case B_ADD: binaryLoop(B_ADD, a, b, out, rank, meta); break;
    case B_SUB: binaryLoop(B_SUB, a, b, out, rank, meta); break;
    case B_MUL: binaryLoop(B_MUL, a, b, out, rank, meta); break;
    case B_DIV: binaryLoop(B_DIV, a, b, out, rank, meta); break;
    case B_POW: binaryLoop(B_POW, a, b, out, rank, meta); break;
    case B_MAX: binaryLoop(B_MAX, a, b, out, rank, meta); break;
    case B_MIN: binaryLoop(B_MIN, a, b, out, rank, meta); break;
    case B_MOD: binaryLoop(B_MOD, a, b, out, rank, meta); break;
    case B_FLOORDIV: binaryLoop(B_FLOORDIV, a, b, out, rank, meta); break;
    case B_SQDIFF: binaryLoop(B_SQDIFF, a, b, out, rank, meta); break;
    case B_EQ: binaryLoop(B_EQ, a, b, out, rank, meta); break;
    case B_NE: binaryLoop(B_NE, a, b, out, rank, meta); break;
    case B_GT: binaryLoop(B_GT, a, b, out, rank, meta); break;
    case B_GE: binaryLoop(B_GE, a, b, out, rank, meta); break;
    case B_LT: binaryLoop(B_LT, a, b, out, rank, meta); break;
    case B_LE: binaryLoop(B_LE, a, b, out, rank, meta); break;
  }
}

/** LogicalAnd (B_AND) / LogicalOr (B_OR) over bool bytes, broadcast by the same walk as binaryF32. */
export function logicalBool(op: i32, a: usize, b: usize, out: usize, rank: i32, meta: usize): void {
  if (op == B_AND) binaryLoop(B_AND, a, b, out, rank, meta);
  else if (op == B_OR) binaryLoop(B_OR, a, b, out, rank, meta);
}

/** LogicalNot over n bool bytes: 1 where the byte is zero, else 0. */
export function logicalNotBool(x: usize, y: usize, n: i32): void {
  let i = 0;
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i;
    v128.store(y + o, v128.and(i8x16.eq(v128.load(x + o), zero), one));
  }
  for (; i < n; i++) store<u8>(y + <usize>i, <u8>(load<u8>(x + <usize>i) == 0));
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

/** `out = a + b` over n contiguous floats: the fast path the engine's gradient accumulation hits. */
export function addF32(a: usize, b: usize, out: usize, n: i32): void {
  binaryRun(B_ADD, a, 1, b, 1, out, n);
}

// JavaScript's ToInt32 (what Int32Array.set does): truncate, wrap modulo 2^32, NaN/±Infinity → 0.
function toInt32(v: f64): i32 {
  if (!isFinite(v)) return 0;
  const t = Math.trunc(v);
  if (Math.abs(t) < 2147483648) return <i32>t;
  let r = t % 4294967296;
  if (r < 0) r += 4294967296;
  if (r >= 2147483648) r -= 4294967296;
  return <i32>r;
}

/** Float32 → int32 (truncate toward zero, NaN → 0) and int32 → float32. */
export function castF32ToI32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<i32>(y + o, toInt32(<f64>v));
  }
}

export function castI32ToF32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>load<i32>(x + o));
  }
}

/** bool (u8) → float32/int32 (0 or 1), and float32/int32 → bool (nonzero; NaN counts as nonzero, as `!== 0` does). */
export function castBoolTo32(x: usize, y: usize, n: i32, toFloat: bool): void {
  let i = 0;
  // 16 bytes widened to four i32x4 (zero-extended, as the scalar u8 load is), converted when float.
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(x + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    let w0 = i32x4.extend_low_i16x8_u(lo);
    let w1 = i32x4.extend_high_i16x8_u(lo);
    let w2 = i32x4.extend_low_i16x8_u(hi);
    let w3 = i32x4.extend_high_i16x8_u(hi);
    if (toFloat) {
      w0 = f32x4.convert_i32x4_u(w0);
      w1 = f32x4.convert_i32x4_u(w1);
      w2 = f32x4.convert_i32x4_u(w2);
      w3 = f32x4.convert_i32x4_u(w3);
    }
    const o = y + (<usize>i << 2);
    v128.store(o, w0);
    v128.store(o, w1, 16);
    v128.store(o, w2, 32);
    v128.store(o, w3, 48);
  }
  if (toFloat) for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>load<u8>(x + <usize>i));
  else for (; i < n; i++) store<i32>(y + (<usize>i << 2), <i32>load<u8>(x + <usize>i));
}

export function cast32ToBool(x: usize, y: usize, n: i32, fromFloat: bool): void {
  if (fromFloat) for (let i = 0; i < n; i++) store<u8>(y + <usize>i, <u8>(load<f32>(x + (<usize>i << 2)) != 0));
  else for (let i = 0; i < n; i++) store<u8>(y + <usize>i, <u8>(load<i32>(x + (<usize>i << 2)) != 0));
}

/**
 * out = cond ? a : b over 4-byte elements, all three broadcast: `meta` holds dims[rank], then the
 * element strides of cond, a and b (rank each), then rank counters.
 */
export function where32(cond: usize, a: usize, b: usize, out: usize, rank: i32, meta: usize): void {
  const last = rank - 1;
  const inner = load<i32>(meta + (<usize>last << 2));
  const sc = load<i32>(meta + (<usize>(rank + last) << 2));
  const sa = load<i32>(meta + (<usize>(2 * rank + last) << 2));
  const sb = load<i32>(meta + (<usize>(3 * rank + last) << 2));
  const counters = meta + (<usize>(4 * rank) << 2);
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= load<i32>(meta + (<usize>d << 2));
    store<i32>(counters + (<usize>d << 2), 0);
  }
  let offC = 0, offA = 0, offB = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inner; j++) {
      const pick = load<u8>(cond + <usize>(offC + j * sc)) != 0;
      const v = pick ? load<u32>(a + (<usize>(offA + j * sa) << 2)) : load<u32>(b + (<usize>(offB + j * sb) << 2));
      store<u32>(out, v);
      out += 4;
    }
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const dc = load<i32>(meta + (<usize>(rank + d) << 2));
      const da = load<i32>(meta + (<usize>(2 * rank + d) << 2));
      const db = load<i32>(meta + (<usize>(3 * rank + d) << 2));
      if (c < load<i32>(meta + (<usize>d << 2))) {
        store<i32>(cp, c);
        offC += dc;
        offA += da;
        offB += db;
        break;
      }
      store<i32>(cp, 0);
      offC -= dc * (c - 1);
      offA -= da * (c - 1);
      offB -= db * (c - 1);
    }
  }
}

// Range kernels (src/threads.ts RANGE_KERNELS): the same loops over a slice of the units, so threads
// can split a large pass. Each unit is computed exactly as the whole-array kernel computes it.

/** unaryF32 over elements [start·block, end·block) ∩ [0, n); p and q come as float32 bits. */
export function unaryRange(start: i32, end: i32, work: usize, op: i32, x: usize, y: usize, n: i32, block: i32, pBits: i32, qBits: i32): void {
  const i0 = start * block;
  const i1 = min(n, end * block);
  if (i1 <= i0) return;
  const o = <usize>i0 << 2;
  unaryF32(op, x + o, y + o, i1 - i0, reinterpret<f32>(pBits), reinterpret<f32>(qBits));
}

@inline function binaryRowsLoop(
  op: i32, start: i32, end: i32, a: usize, b: usize, out: usize, n: i32, inner: i32, sa: i32, sb: i32, rowA: i32, rowB: i32,
): void {
  const outShift: usize = isCompare(op) ? 0 : 2;
  for (let r = start; r < end; r++) {
    const i0 = r * inner;
    const len = min(inner, n - i0);
    if (len <= 0) break;
    binaryRun(op, a + (<usize>(r * rowA) << 2), sa, b + (<usize>(r * rowB) << 2), sb, out + (<usize>i0 << outShift), len);
  }
}

/**
 * binaryF32 over float32 inputs viewed as rows of `inner` outputs (n in all, the last row possibly
 * shorter): row r reads a from element r·rowA (stepping sa = 0 or 1) and b from r·rowB. Covers
 * same-shape and scalar operands (one long run cut into rows) and a bias broadcast over the last axis.
 */
export function binaryRange(
  start: i32, end: i32, work: usize, op: i32, a: usize, b: usize, out: usize, n: i32, inner: i32, sa: i32, sb: i32, rowA: i32, rowB: i32,
): void {
  switch (op) {
    case B_ADD: binaryRowsLoop(B_ADD, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_SUB: binaryRowsLoop(B_SUB, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_MUL: binaryRowsLoop(B_MUL, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_DIV: binaryRowsLoop(B_DIV, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_POW: binaryRowsLoop(B_POW, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_MAX: binaryRowsLoop(B_MAX, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_MIN: binaryRowsLoop(B_MIN, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_MOD: binaryRowsLoop(B_MOD, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_FLOORDIV: binaryRowsLoop(B_FLOORDIV, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_SQDIFF: binaryRowsLoop(B_SQDIFF, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_EQ: binaryRowsLoop(B_EQ, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_NE: binaryRowsLoop(B_NE, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_GT: binaryRowsLoop(B_GT, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_GE: binaryRowsLoop(B_GE, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_LT: binaryRowsLoop(B_LT, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
    case B_LE: binaryRowsLoop(B_LE, start, end, a, b, out, n, inner, sa, sb, rowA, rowB); break;
  }
}

/** castBoolTo32 over elements [start·block, end·block) ∩ [0, n). */
export function castBoolRange(start: i32, end: i32, work: usize, x: usize, y: usize, n: i32, block: i32, toFloat: bool): void {
  const i0 = start * block;
  const i1 = min(n, end * block);
  if (i1 <= i0) return;
  castBoolTo32(x + <usize>i0, y + (<usize>i0 << 2), i1 - i0, toFloat);
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
