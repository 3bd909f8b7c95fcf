// Softmax and log-softmax over the last axis, row by row.

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
