// Float32 reductions over contiguous runs (softmax lives in softmax.ts).

import { R_SUM, R_PROD, R_MAX, R_MIN } from '../src/abi';

// The reduction codes are src/abi.ts's, re-exported so the module exports them.
export { R_SUM, R_PROD, R_MAX, R_MIN };

@inline function combine(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case R_SUM: return a + b;
    case R_PROD: return a * b;
    case R_MAX: return a > b || a != a ? a : b; // NaN propagates
    case R_MIN: return a < b || a != a ? a : b;
  }
  return a;
}

@inline function combineV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case R_SUM: return f32x4.add(a, b);
    case R_PROD: return f32x4.mul(a, b);
    case R_MAX: return f32x4.max(a, b);
    case R_MIN: return f32x4.min(a, b);
  }
  return a;
}

@inline function identity(op: i32): f32 {
  switch (op) {
    case R_SUM: return 0;
    case R_PROD: return 1;
    case R_MAX: return -Infinity;
    case R_MIN: return Infinity;
  }
  return 0;
}

@inline function lanes(op: i32, v: v128): f32 {
  const a = combine(op, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  const b = combine(op, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
  return combine(op, a, b);
}

// Four vector accumulators (16 partial results) keep the sum of a long run accurate and the adds independent.
@inline function rowsLoop(op: i32, x: usize, out: usize, rows: i32, n: i32): void {
  const id = f32x4.splat(identity(op));
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * n) << 2);
    let a0 = id, a1 = id, a2 = id, a3 = id;
    let i = 0;
    for (; i + 16 <= n; i += 16) {
      const p = base + (<usize>i << 2);
      a0 = combineV(op, a0, v128.load(p));
      a1 = combineV(op, a1, v128.load(p, 16));
      a2 = combineV(op, a2, v128.load(p, 32));
      a3 = combineV(op, a3, v128.load(p, 48));
    }
    for (; i + 4 <= n; i += 4) a0 = combineV(op, a0, v128.load(base + (<usize>i << 2)));
    let acc = lanes(op, combineV(op, combineV(op, a0, a1), combineV(op, a2, a3)));
    for (; i < n; i++) acc = combine(op, acc, load<f32>(base + (<usize>i << 2)));
    store<f32>(out + (<usize>r << 2), acc);
  }
}

// Sums and products accumulate in f64, as the CPU backend does: a float32 running sum of 1e6 terms
// drifts by ~1%. Two f64x2 lanes per float32 vector, four accumulators for independent adds.
function sumRows64(x: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * n) << 2);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const p = base + (<usize>i << 2);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i8x16.shuffle(v0, v0, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i8x16.shuffle(v1, v1, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
    }
    const t = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    let acc = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; i < n; i++) acc += <f64>load<f32>(base + (<usize>i << 2));
    store<f32>(out + (<usize>r << 2), <f32>acc);
  }
}

function prodRows64(x: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * n) << 2);
    let acc: f64 = 1;
    for (let i = 0; i < n; i++) acc *= <f64>load<f32>(base + (<usize>i << 2));
    store<f32>(out + (<usize>r << 2), <f32>acc);
  }
}

/** out[r] = reduce(x[r, 0:n]) for r < rows. */
export function reduceRows(op: i32, x: usize, out: usize, rows: i32, n: i32): void {
  switch (op) {
    case R_SUM: sumRows64(x, out, rows, n); break;
    case R_PROD: prodRows64(x, out, rows, n); break;
    case R_MAX: rowsLoop(R_MAX, x, out, rows, n); break;
    case R_MIN: rowsLoop(R_MIN, x, out, rows, n); break;
  }
}

@inline function colsLoop(op: i32, x: usize, out: usize, outer: i32, r: i32, inner: i32): void {
  const id = identity(op);
  for (let o = 0; o < outer; o++) {
    const dst = out + (<usize>(o * inner) << 2);
    const src = x + (<usize>(o * r * inner) << 2);
    for (let j = 0; j < inner; j++) store<f32>(dst + (<usize>j << 2), id);
    for (let k = 0; k < r; k++) {
      const row = src + (<usize>(k * inner) << 2);
      let j = 0;
      for (; j + 4 <= inner; j += 4) {
        const q = <usize>j << 2;
        v128.store(dst + q, combineV(op, v128.load(dst + q), v128.load(row + q)));
      }
      for (; j < inner; j++) {
        const q = <usize>j << 2;
        store<f32>(dst + q, combine(op, load<f32>(dst + q), load<f32>(row + q)));
      }
    }
  }
}

// Column sums/products into an f64 row of `inner` accumulators (`acc`, scratch from the caller).
@inline function cols64(isProd: bool, x: usize, out: usize, outer: i32, r: i32, inner: i32, acc: usize): void {
  for (let o = 0; o < outer; o++) {
    const src = x + (<usize>(o * r * inner) << 2);
    const init = isProd ? f64x2.splat(1) : f64x2.splat(0);
    for (let j = 0; j + 2 <= inner; j += 2) v128.store(acc + (<usize>j << 3), init);
    if (inner & 1) store<f64>(acc + (<usize>(inner - 1) << 3), isProd ? 1 : 0);
    for (let k = 0; k < r; k++) {
      const row = src + (<usize>(k * inner) << 2);
      let j = 0;
      for (; j + 2 <= inner; j += 2) {
        const q = acc + (<usize>j << 3);
        const v = f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>j << 2)));
        v128.store(q, isProd ? f64x2.mul(v128.load(q), v) : f64x2.add(v128.load(q), v));
      }
      if (j < inner) {
        const q = acc + (<usize>j << 3);
        const v = <f64>load<f32>(row + (<usize>j << 2));
        store<f64>(q, isProd ? load<f64>(q) * v : load<f64>(q) + v);
      }
    }
    const dst = out + (<usize>(o * inner) << 2);
    for (let j = 0; j < inner; j++) store<f32>(dst + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}

/** x viewed as [outer, r, inner]: out[o, j] = reduce over k of x[o, k, j]. `acc` holds inner f64s of scratch. */
export function reduceMiddle(op: i32, x: usize, out: usize, outer: i32, r: i32, inner: i32, acc: usize): void {
  switch (op) {
    case R_SUM: cols64(false, x, out, outer, r, inner, acc); break;
    case R_PROD: cols64(true, x, out, outer, r, inner, acc); break;
    case R_MAX: colsLoop(R_MAX, x, out, outer, r, inner); break;
    case R_MIN: colsLoop(R_MIN, x, out, outer, r, inner); break;
  }
}

/** Index of the first max (or min) of each row of n floats; NaN wins (as the first NaN). */
export function argReduceRows(x: usize, out: usize, rows: i32, n: i32, isMin: bool): void {
  for (let r = 0; r < rows; r++) {
    const base = x + (<usize>(r * n) << 2);
    let best = load<f32>(base);
    let at = 0;
    if (best == best) {
      for (let i = 1; i < n; i++) {
        const v = load<f32>(base + (<usize>i << 2));
        if (v != v) { at = i; break; }
        if (isMin ? v < best : v > best) { best = v; at = i; }
      }
    }
    store<i32>(out + (<usize>r << 2), at);
  }
}
