// Strided copies (transpose, slice, broadcast, tile, reverse, pad interior), gather and scatter-add.

/**
 * Copy a strided view into a strided destination. `meta` holds int32 dims[rank], srcStrides[rank],
 * dstStrides[rank] (elements; source strides may be 0 or negative), then rank counters of scratch.
 * `bytes` is the element size (4 or 1).
 */
export function stridedCopy(src: usize, dst: usize, rank: i32, meta: usize, bytes: i32): void {
  if (rank == 0) {
    if (bytes == 4) store<u32>(dst, load<u32>(src));
    else store<u8>(dst, load<u8>(src));
    return;
  }
  const last = rank - 1;
  const inner = load<i32>(meta + (<usize>last << 2));
  const ss = load<i32>(meta + (<usize>(rank + last) << 2));
  const ds = load<i32>(meta + (<usize>(2 * rank + last) << 2));
  const counters = meta + (<usize>(3 * rank) << 2);
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= load<i32>(meta + (<usize>d << 2));
    store<i32>(counters + (<usize>d << 2), 0);
  }
  let offS = 0;
  let offD = 0;
  for (let r = 0; r < rows; r++) {
    if (bytes == 4) {
      if (ss == 1 && ds == 1) {
        memory.copy(dst + (<usize>offD << 2), src + (<usize>offS << 2), <usize>inner << 2);
      } else {
        let s = offS;
        let t = offD;
        for (let j = 0; j < inner; j++) {
          store<u32>(dst + (<usize>t << 2), load<u32>(src + (<usize>s << 2)));
          s += ss;
          t += ds;
        }
      }
    } else {
      let s = offS;
      let t = offD;
      for (let j = 0; j < inner; j++) {
        store<u8>(dst + <usize>t, load<u8>(src + <usize>s));
        s += ss;
        t += ds;
      }
    }
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const dss = load<i32>(meta + (<usize>(rank + d) << 2));
      const dds = load<i32>(meta + (<usize>(2 * rank + d) << 2));
      if (c < load<i32>(meta + (<usize>d << 2))) {
        store<i32>(cp, c);
        offS += dss;
        offD += dds;
        break;
      }
      store<i32>(cp, 0);
      offS -= dss * (c - 1);
      offD -= dds * (c - 1);
    }
  }
}

/** x viewed as [outer, axisLen, inner]: out[o, j, :] = x[o, idx[j], :] (indices already checked). */
export function gather(x: usize, idx: usize, out: usize, outer: i32, axisLen: i32, count: i32, inner: i32, bytes: i32): void {
  const run = <usize>(inner * bytes);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const i = load<i32>(idx + (<usize>j << 2));
      memory.copy(out, x + <usize>((o * axisLen + i) * inner * bytes), run);
      out += run;
    }
  }
}

/** updates viewed as [outer, count, inner]: out[o, idx[j], :] += updates[o, j, :]; out is [outer, size, inner], zeroed here. */
export function scatterAddF32(upd: usize, idx: usize, out: usize, outer: i32, size: i32, count: i32, inner: i32): void {
  memory.fill(out, 0, <usize>(outer * size * inner) << 2);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const i = load<i32>(idx + (<usize>j << 2));
      const dst = out + (<usize>((o * size + i) * inner) << 2);
      const src = upd + (<usize>((o * count + j) * inner) << 2);
      let k = 0;
      for (; k + 4 <= inner; k += 4) {
        const q = <usize>k << 2;
        v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(src + q)));
      }
      for (; k < inner; k++) {
        const q = <usize>k << 2;
        store<f32>(dst + q, load<f32>(dst + q) + load<f32>(src + q));
      }
    }
  }
}

export function fill32(dst: usize, value: u32, n: i32): void {
  for (let i = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), value);
}
