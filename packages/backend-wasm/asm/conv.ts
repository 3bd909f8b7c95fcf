// NHWC convolution: im2col / col2im around the packed matmul, direct kernels for shallow patches and
// the threaded input gradient (pooling is in pool.ts, Winograd in winograd.ts).
import { matmul, matmulScratchBytes } from './matmul';
import { madd } from './simd';

/**
 * Patch rows p0 … p0+rows-1 of the flattened (b, oy, ox) output positions:
 * col[r, (ky*kw + kx)*c + ch] = x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ch], zero outside the
 * image. Its product with a [kh*kw*c, outC] filter is the convolution of those positions.
 */
export function im2col(
  x: usize, col: usize, p0: i32, rows: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const run = c * kw;
  const plane = oh * ow;
  for (let p = p0; p < p0 + rows; p++) {
    const b = p / plane;
    const rem = p - b * plane;
    const oy = rem / ow;
    const ox = rem - oy * ow;
    const ix0 = ox * sw - pl;
    // Without dilation, a window row that lies inside the image is one contiguous run of kw·c floats.
    const wholeRows = dw == 1 && ix0 >= 0 && ix0 + kw <= w;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - pt + ky * dh;
      if (iy < 0 || iy >= h) {
        fillZero(col, run);
      } else if (wholeRows) {
        copyFloats(col, x + (<usize>(((b * h + iy) * w + ix0) * c) << 2), run);
      } else {
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx * dw;
          const dst = col + (<usize>(kx * c) << 2);
          if (ix < 0 || ix >= w) fillZero(dst, c);
          else copyFloats(dst, x + (<usize>(((b * h + iy) * w + ix) * c) << 2), c);
        }
      }
      col += <usize>run << 2;
    }
  }
}

// Short runs (a pixel's channels: often 1–64 floats) copied inline: memory.copy/fill cost a call
// into the engine each, which dominated im2col for few channels.
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function fillZero(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** The adjoint of im2col for rows p0 … p0+rows-1: dx += each patch row scattered back to its pixels. */
export function col2im(
  col: usize, dx: usize, p0: i32, rows: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const plane = oh * ow;
  for (let p = p0; p < p0 + rows; p++) {
    const b = p / plane;
    const rem = p - b * plane;
    const oy = rem / ow;
    const ox = rem - oy * ow;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - pt + ky * dh;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - pl + kx * dw;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          const dst = dx + (<usize>(((b * h + iy) * w + ix) * c) << 2);
          let k = 0;
          for (; k + 4 <= c; k += 4) {
            const q = <usize>k << 2;
            v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(col + q)));
          }
          for (; k < c; k++) {
            const q = <usize>k << 2;
            store<f32>(dst + q, load<f32>(dst + q) + load<f32>(col + q));
          }
        }
        col += <usize>c << 2;
      }
    }
  }
}

// Direct (implicit-GEMM) convolution for shallow patches: stride 1, no padding, no dilation, output
// channels a multiple of 8. A patch row of the image (kw·c floats) is contiguous, so each product
// reads the image and the filter where they lie: no im2col, no packing. For a patch of a few
// taps (a first layer over 1–3 channels), im2col and packing cost as much as the product itself.

/**
 * out[b, oy, ox, :] = Σ_t patch(b, oy, ox)[t] · f[t, :] for a stride-1 'valid' convolution. Four
 * output pixels × eight channels at a time (8 accumulators, two filter vectors, one broadcast).
 */
export function convDirect(
  x: usize, f: usize, out: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, o: i32, oh: i32, ow: i32,
): void {
  convDirectRange(0, n * oh, 0, x, f, out, n, h, w, c, kh, kw, o, oh, ow);
}

/** Range kernel (src/threads.ts): convDirect for output rows [start, end) of the n·oh rows. */
export function convDirectRange(
  start: i32, end: i32, work: usize,
  x: usize, f: usize, out: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, o: i32, oh: i32, ow: i32,
): void {
  const run = kw * c;
  const px = <usize>c << 2;
  const frow = <usize>o << 2;
  for (let r = start; r < end; r++) {
    const b = r / oh;
    const oy = r - b * oh;
    {
      const rowIn = x + (<usize>((b * h + oy) * w * c) << 2);
      const rowOut = out + (<usize>((b * oh + oy) * ow * o) << 2);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        for (let j0 = 0; j0 < o; j0 += 8) {
          let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (let ky = 0; ky < kh; ky++) {
            let xp = rowIn + (<usize>((ky * w + ox) * c) << 2);
            let fp = f + (<usize>(ky * run * o + j0) << 2);
            const end = xp + (<usize>run << 2);
            for (; xp < end; xp += 4) {
              const w0 = v128.load(fp);
              const w1 = v128.load(fp, 16);
              let v = v128.load32_splat(xp);
              a00 = madd(v, w0, a00);
              a01 = madd(v, w1, a01);
              v = v128.load32_splat(xp + px);
              a10 = madd(v, w0, a10);
              a11 = madd(v, w1, a11);
              v = v128.load32_splat(xp + 2 * px);
              a20 = madd(v, w0, a20);
              a21 = madd(v, w1, a21);
              v = v128.load32_splat(xp + 3 * px);
              a30 = madd(v, w0, a30);
              a31 = madd(v, w1, a31);
              fp += frow;
            }
          }
          const d = rowOut + (<usize>(ox * o + j0) << 2);
          v128.store(d, a00); v128.store(d, a01, 16);
          v128.store(d + frow, a10); v128.store(d + frow, a11, 16);
          v128.store(d + 2 * frow, a20); v128.store(d + 2 * frow, a21, 16);
          v128.store(d + 3 * frow, a30); v128.store(d + 3 * frow, a31, 16);
        }
      }
      for (; ox < ow; ox++) {
        for (let j0 = 0; j0 < o; j0 += 8) {
          let a0 = f32x4.splat(0), a1 = a0;
          for (let ky = 0; ky < kh; ky++) {
            let xp = rowIn + (<usize>((ky * w + ox) * c) << 2);
            let fp = f + (<usize>(ky * run * o + j0) << 2);
            const end = xp + (<usize>run << 2);
            for (; xp < end; xp += 4) {
              const v = v128.load32_splat(xp);
              a0 = madd(v, v128.load(fp), a0);
              a1 = madd(v, v128.load(fp, 16), a1);
              fp += frow;
            }
          }
          const d = rowOut + (<usize>(ox * o + j0) << 2);
          v128.store(d, a0); v128.store(d, a1, 16);
        }
      }
    }
  }
}

/** Offset (floats) of patch element t from the patch's corner pixel, for a stride-1 window. */
@inline function tapOffset(t: i32, run: i32, w: i32, c: i32): usize {
  const ky = t / run;
  return <usize>(ky * w * c + (t - ky * run)) << 2;
}

/**
 * dW[t, :] = Σ over output pixels of patch[t] · dy[pixel, :] for the convolutions convDirect handles.
 * Per image row: for each block of eight channels and four taps, the row's pixels are summed in
 * 8 registers, then added into dW (dy's row stays in L1 across the blocks).
 */
export function convDirectFilterGrad(
  x: usize, dy: usize, dw: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, o: i32, oh: i32, ow: i32,
): void {
  convDirectFilterGradRange(0, o >> 3, 0, x, dy, dw, n, h, w, c, kh, kw, o, oh, ow);
}

/**
 * Range kernel (src/threads.ts): convDirectFilterGrad for the output channels [8·start, 8·end). Every
 * element of dW is summed in the same order whatever the split, so threads change no bit.
 */
export function convDirectFilterGradRange(
  start: i32, end: i32, work: usize,
  x: usize, dy: usize, dw: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, o: i32, oh: i32, ow: i32,
): void {
  const k = kh * kw * c;
  const run = kw * c;
  const px = <usize>c << 2;
  const drow = <usize>o << 2;
  const jStart = start << 3;
  const jEnd = end << 3;
  for (let t = 0; t < k; t++) memory.fill(dw + (<usize>(t * o + jStart) << 2), 0, <usize>(jEnd - jStart) << 2);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const rowIn = x + (<usize>((b * h + oy) * w * c) << 2);
      const rowDy = dy + (<usize>((b * oh + oy) * ow * o) << 2);
      for (let j0 = jStart; j0 < jEnd; j0 += 8) {
        let t = 0;
        for (; t + 4 <= k; t += 4) {
          const o0 = tapOffset(t, run, w, c), o1 = tapOffset(t + 1, run, w, c);
          const o2 = tapOffset(t + 2, run, w, c), o3 = tapOffset(t + 3, run, w, c);
          let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          let xp = rowIn;
          let gp = rowDy + (<usize>j0 << 2);
          const end = gp + <usize>ow * drow;
          for (; gp < end; gp += drow) {
            const g0 = v128.load(gp);
            const g1 = v128.load(gp, 16);
            let v = v128.load32_splat(xp + o0);
            a00 = madd(v, g0, a00);
            a01 = madd(v, g1, a01);
            v = v128.load32_splat(xp + o1);
            a10 = madd(v, g0, a10);
            a11 = madd(v, g1, a11);
            v = v128.load32_splat(xp + o2);
            a20 = madd(v, g0, a20);
            a21 = madd(v, g1, a21);
            v = v128.load32_splat(xp + o3);
            a30 = madd(v, g0, a30);
            a31 = madd(v, g1, a31);
            xp += px;
          }
          const d = dw + (<usize>(t * o + j0) << 2);
          v128.store(d, f32x4.add(v128.load(d), a00)); v128.store(d, f32x4.add(v128.load(d, 16), a01), 16);
          v128.store(d + drow, f32x4.add(v128.load(d + drow), a10)); v128.store(d + drow, f32x4.add(v128.load(d + drow, 16), a11), 16);
          v128.store(d + 2 * drow, f32x4.add(v128.load(d + 2 * drow), a20)); v128.store(d + 2 * drow, f32x4.add(v128.load(d + 2 * drow, 16), a21), 16);
          v128.store(d + 3 * drow, f32x4.add(v128.load(d + 3 * drow), a30)); v128.store(d + 3 * drow, f32x4.add(v128.load(d + 3 * drow, 16), a31), 16);
        }
        for (; t < k; t++) {
          const o0 = tapOffset(t, run, w, c);
          let a0 = f32x4.splat(0), a1 = a0;
          let xp = rowIn;
          let gp = rowDy + (<usize>j0 << 2);
          const end = gp + <usize>ow * drow;
          for (; gp < end; gp += drow) {
            const v = v128.load32_splat(xp + o0);
            a0 = madd(v, v128.load(gp), a0);
            a1 = madd(v, v128.load(gp, 16), a1);
            xp += px;
          }
          const d = dw + (<usize>(t * o + j0) << 2);
          v128.store(d, f32x4.add(v128.load(d), a0)); v128.store(d, f32x4.add(v128.load(d, 16), a1), 16);
        }
      }
    }
  }
}

// Range kernels over whole images (src/threads.ts): images never share an output element, so threads
// split a batch without changing any result. `geo` points to int32 geometry words written by the caller.

/** Floats of the column scratch that follows the matmul scratch in a thread's `work` (256 KiB). */
export const COL_FLOATS: i32 = 1 << 16;

/**
 * Input gradient of a convolution for images [start, end): per image, dcol = dy·Wᵀ for as many of its
 * output pixels as fit in the column scratch (the product from `packedW`, Wᵀ packed by packMatrixB),
 * then col2im adds each row into dx while it is still in cache. Geometry at `geo`: h, w, c, kh, kw,
 * sh, sw, dh, dw, pt, pl, oh, ow, o.
 */
export function convInputGradRange(start: i32, end: i32, work: usize, dy: usize, packedW: usize, dx: usize, geo: usize): void {
  const h = load<i32>(geo), w = load<i32>(geo, 4), c = load<i32>(geo, 8), kh = load<i32>(geo, 12), kw = load<i32>(geo, 16);
  const sh = load<i32>(geo, 20), sw = load<i32>(geo, 24), dh = load<i32>(geo, 28), dw = load<i32>(geo, 32);
  const pt = load<i32>(geo, 36), pl = load<i32>(geo, 40), oh = load<i32>(geo, 44), ow = load<i32>(geo, 48), o = load<i32>(geo, 52);
  const k = kh * kw * c;
  const plane = oh * ow;
  const col = work + <usize>matmulScratchBytes();
  const piece = max(1, COL_FLOATS / k);
  for (let b = start; b < end; b++) {
    memory.fill(dx + (<usize>(b * h * w * c) << 2), 0, <usize>(h * w * c) << 2);
    for (let p0 = 0; p0 < plane; p0 += piece) {
      const rows = min(piece, plane - p0);
      const p = b * plane + p0;
      matmul(dy + (<usize>(p * o) << 2), 0, col, k, o, o, 1, 0, 0, false, 0, rows, work, packedW);
      col2im(col, dx, p, rows, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow);
    }
  }
}
