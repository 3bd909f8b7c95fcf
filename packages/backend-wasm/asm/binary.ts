// Float32 binary, comparison and logical kernels (the `binary` kernel family: ops/binary.ts,
// cpu/binary.ts, src/kernels/binary.ts) and `where`. Same scheme as unary.ts: one @inline loop per op
// code (src/abi.ts's, re-exported).

import {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_MOD, B_FLOORDIV, B_SQDIFF, B_EQ, B_NE, B_GT, B_GE,
  B_LT, B_LE, B_AND, B_OR,
} from '../src/abi';

export {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_MOD, B_FLOORDIV, B_SQDIFF, B_EQ, B_NE, B_GT, B_GE,
  B_LT, B_LE, B_AND, B_OR,
};

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

/** `out = a + b` over n contiguous floats: the fast path the engine's gradient accumulation hits. */
export function addF32(a: usize, b: usize, out: usize, n: i32): void {
  binaryRun(B_ADD, a, 1, b, 1, out, n);
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

// Range kernels (src/threads.ts RANGE_KERNELS) run the same loops over a slice of the units, so threads
// can split a large pass; each unit is computed exactly as the whole-array kernel computes it.

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
