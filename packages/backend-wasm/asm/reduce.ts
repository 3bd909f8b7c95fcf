// Float32 reductions over contiguous runs, and softmax over the last axis.

export const R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3;

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

/** out[r] = reduce(x[r, 0:n]) for r < rows. */
export function reduceRows(op: i32, x: usize, out: usize, rows: i32, n: i32): void {
  switch (op) {
    case R_SUM: rowsLoop(R_SUM, x, out, rows, n); break;
    case R_PROD: rowsLoop(R_PROD, x, out, rows, n); break;
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

/** x viewed as [outer, r, inner]: out[o, j] = reduce over k of x[o, k, j]. */
export function reduceMiddle(op: i32, x: usize, out: usize, outer: i32, r: i32, inner: i32): void {
  switch (op) {
    case R_SUM: colsLoop(R_SUM, x, out, outer, r, inner); break;
    case R_PROD: colsLoop(R_PROD, x, out, outer, r, inner); break;
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

/** Softmax (or log-softmax) of each row of n floats, max-shifted. */
export function softmaxRows(x: usize, out: usize, rows: i32, n: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>(r * n) << 2);
    const dst = out + (<usize>(r * n) << 2);
    let m: f32 = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(src + (<usize>i << 2));
      if (v > m || v != v) m = v;
    }
    let s: f64 = 0;
    if (log) {
      for (let i = 0; i < n; i++) s += Math.exp(<f64>load<f32>(src + (<usize>i << 2)) - <f64>m);
      const shift = <f64>m + Math.log(s);
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, <f32>(<f64>load<f32>(src + o) - shift));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        const e = <f32>Math.exp(<f64>load<f32>(src + o) - <f64>m);
        store<f32>(dst + o, e);
        s += <f64>e;
      }
      const inv = 1 / s;
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, <f32>(<f64>load<f32>(dst + o) * inv));
      }
    }
  }
}
