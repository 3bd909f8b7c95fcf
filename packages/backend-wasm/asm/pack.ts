// Packing of the A operand of asm/matmul.ts into MR-row slivers: from a row-major matrix (packRowsA) and
// from the implicit patch matrix of a convolution (packPatches, packPatchesT; matmul.ts CONV_PATCHES).
// Not exported from the module: matmul.ts calls these.

/**
 * Tile height: 6×8 with FMA (12 accumulators + 2 B vectors + 1 broadcast = V8's 15 usable vector
 * registers), 5×8 with mul+add (one more register for the product); larger tiles spill and run slower.
 */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;

/** Address of output pixel i's patch corner x[b, oy, ox, 0] (desc: x, h, w, c, kh, kw, oh, ow). */
@inline function patchCorner(desc: usize, i: i32): usize {
  const h = load<i32>(desc, 4), w = load<i32>(desc, 8), c = load<i32>(desc, 12);
  const oh = load<i32>(desc, 24), ow = load<i32>(desc, 28);
  const plane = oh * ow;
  const b = i / plane;
  const rem = i - b * plane;
  const oy = rem / ow;
  const ox = rem - oy * ow;
  return <usize>load<i32>(desc) + (<usize>(((b * h + oy) * w + ox) * c) << 2);
}

/** Byte offset of patch element t from the patch corner. */
@inline function tapOffset(desc: usize, t: i32): usize {
  const w = load<i32>(desc, 8), c = load<i32>(desc, 12), kw = load<i32>(desc, 20);
  const run = kw * c;
  const ky = t / run;
  return <usize>(ky * w * c + (t - ky * run)) << 2;
}

export function packPatches(desc: usize, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const w = load<i32>(desc, 8), c = load<i32>(desc, 12), kw = load<i32>(desc, 20);
  const run = kw * c;
  const rowBytes = <usize>(w * c) << 2;
  const ky0 = p0 / run;
  const q0 = p0 - ky0 * run;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    for (let r = 0; r < MR; r++) {
      let d = dst + (<usize>r << 2);
      if (r < rows) {
        // Along the depth: runs of kw·c contiguous floats, one per window row.
        let rowStart = patchCorner(desc, i0 + ip + r) + <usize>ky0 * rowBytes;
        let src = rowStart + (<usize>q0 << 2);
        let q = q0;
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src));
          d += <usize>MR << 2;
          src += 4;
          if (++q == run) {
            q = 0;
            rowStart += rowBytes;
            src = rowStart;
          }
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(d, 0);
          d += <usize>MR << 2;
        }
      }
    }
    dst += <usize>(MR * kc) << 2;
  }
}

export function packPatchesT(desc: usize, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const h = load<i32>(desc, 4), w = load<i32>(desc, 8), c = load<i32>(desc, 12);
  const kh = load<i32>(desc, 16), kw = load<i32>(desc, 20), oh = load<i32>(desc, 24), ow = load<i32>(desc, 28);
  const px = <usize>c << 2;
  // Jumps of the corner when a row of output pixels ends, and when an image does.
  const rowSkip = <usize>((kw - 1) * c) << 2;
  const imageSkip = <usize>((kh - 1) * w * c) << 2;
  const plane = oh * ow;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    // The sliver's taps sit at fixed offsets from every pixel's corner.
    const o0 = tapOffset(desc, i0 + ip);
    const o1 = rows > 1 ? tapOffset(desc, i0 + ip + 1) : 0;
    const o2 = rows > 2 ? tapOffset(desc, i0 + ip + 2) : 0;
    const o3 = rows > 3 ? tapOffset(desc, i0 + ip + 3) : 0;
    const o4 = rows > 4 ? tapOffset(desc, i0 + ip + 4) : 0;
    const o5 = rows > 5 ? tapOffset(desc, i0 + ip + 5) : 0;
    let cp = patchCorner(desc, p0);
    const b0 = p0 / plane;
    const rem = p0 - b0 * plane;
    let oy = rem / ow;
    let ox = rem - oy * ow;
    let d = dst;
    for (let p = 0; p < kc; p++) {
      if (rows == MR) {
        store<f32>(d, load<f32>(cp + o0));
        store<f32>(d, load<f32>(cp + o1), 4);
        store<f32>(d, load<f32>(cp + o2), 8);
        store<f32>(d, load<f32>(cp + o3), 12);
        store<f32>(d, load<f32>(cp + o4), 16);
        if (ASC_FEATURE_RELAXED_SIMD) store<f32>(d, load<f32>(cp + o5), 20);
      } else {
        for (let r = 0; r < MR; r++) {
          const o = r == 0 ? o0 : r == 1 ? o1 : r == 2 ? o2 : r == 3 ? o3 : r == 4 ? o4 : o5;
          store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(cp + o) : 0);
        }
      }
      d += <usize>MR << 2;
      cp += px;
      if (++ox == ow) {
        ox = 0;
        cp += rowSkip;
        if (++oy == oh) {
          oy = 0;
          cp += imageSkip;
        }
      }
    }
    dst += <usize>(MR * kc) << 2;
  }
}

/**
 * One MR-row sliver of a row-major A (rows `rowBytes` apart, depth contiguous): four depth steps at a
 * time, rows 0–3 transposed in registers (one vector store per depth step) and the last rows moved as
 * scalars, instead of MR·kc scalar moves. The batch rows of a dense layer's product take this path.
 */
export function packRowsA(src: usize, rowBytes: usize, kc: i32, dst: usize): void {
  const r1 = src + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes, r4 = r3 + rowBytes;
  const r5 = r4 + rowBytes; // read only when MR = 6
  const stride = <usize>MR << 2;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const o = <usize>p << 2;
    const a0 = v128.load(src + o), a1 = v128.load(r1 + o), a2 = v128.load(r2 + o), a3 = v128.load(r3 + o);
    const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
    const a4 = v128.load(r4 + o);
    v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store32_lane(dst + 16, a4, 0);
    v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
    v128.store32_lane(dst + stride + 16, a4, 1);
    v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
    v128.store32_lane(dst + 2 * stride + 16, a4, 2);
    v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    v128.store32_lane(dst + 3 * stride + 16, a4, 3);
    if (ASC_FEATURE_RELAXED_SIMD) {
      const a5 = v128.load(r5 + o);
      v128.store32_lane(dst + 20, a5, 0);
      v128.store32_lane(dst + stride + 20, a5, 1);
      v128.store32_lane(dst + 2 * stride + 20, a5, 2);
      v128.store32_lane(dst + 3 * stride + 20, a5, 3);
    }
    dst += stride << 2;
  }
  for (; p < kc; p++) {
    const o = <usize>p << 2;
    store<f32>(dst, load<f32>(src + o));
    store<f32>(dst, load<f32>(r1 + o), 4);
    store<f32>(dst, load<f32>(r2 + o), 8);
    store<f32>(dst, load<f32>(r3 + o), 12);
    store<f32>(dst, load<f32>(r4 + o), 16);
    if (ASC_FEATURE_RELAXED_SIMD) store<f32>(dst, load<f32>(r5 + o), 20);
    dst += stride;
  }
}
