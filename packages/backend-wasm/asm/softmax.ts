// Softmax and log-softmax over the last axis, row by row, and the softmax cross-entropy (forward and
// gradient for the logits) of each row.

/** The maximum of a row of n floats; NaN if any is NaN. */
function rowMax(src: usize, n: i32): f32 {
  let m: f32 = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    if (v > m || v != v) m = v;
  }
  return m;
}

/** `m + log Σ exp(x − m)` of a row of n floats with m its maximum, in float64 (the log-softmax shift). */
function rowLogSumExp(src: usize, n: i32): f64 {
  const m = rowMax(src, n);
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += Math.exp(<f64>load<f32>(src + (<usize>i << 2)) - <f64>m);
  return <f64>m + Math.log(s);
}

/** Softmax (or log-softmax) of each row of n floats, max-shifted. */
export function softmaxRows(x: usize, out: usize, rows: i32, n: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (<usize>(r * n) << 2);
    const dst = out + (<usize>(r * n) << 2);
    if (log) {
      const shift = rowLogSumExp(src, n);
      for (let i = 0; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, <f32>(<f64>load<f32>(src + o) - shift));
      }
    } else {
      const m = rowMax(src, n);
      let s: f64 = 0;
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

/** Per row of n: `out[r] = −Σ t·(z − logSumExp(z))` in float64 (every product kept: 0·−∞ is NaN). */
export function softmaxCrossEntropyRows(z: usize, t: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const zr = z + (<usize>(r * n) << 2);
    const tr = t + (<usize>(r * n) << 2);
    const shift = rowLogSumExp(zr, n);
    let acc: f64 = 0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      acc += <f64>load<f32>(tr + o) * (<f64>load<f32>(zr + o) - shift);
    }
    store<f32>(out + (<usize>r << 2), <f32>-acc);
  }
}

/** Per row of n: `out = dy[r] · (softmax(z) · Σ t − t)` in float64. */
export function softmaxCrossEntropyGradRows(z: usize, t: usize, dy: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const zr = z + (<usize>(r * n) << 2);
    const tr = t + (<usize>(r * n) << 2);
    const dst = out + (<usize>(r * n) << 2);
    const shift = rowLogSumExp(zr, n);
    let total: f64 = 0;
    for (let i = 0; i < n; i++) total += <f64>load<f32>(tr + (<usize>i << 2));
    const d = <f64>load<f32>(dy + (<usize>r << 2));
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, <f32>(d * (Math.exp(<f64>load<f32>(zr + o) - shift) * total - <f64>load<f32>(tr + o))));
    }
  }
}
