// im2col / col2im for NHWC convolution (the product itself is the packed matmul), and pooling.

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

/** Max or average pooling over in-bounds window elements (padding never counts). */
export function pool(
  x: usize, out: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32, isMax: bool,
): void {
  if (isMax && fh == 2 && fw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && 2 * oh <= h && 2 * ow <= w && (c & 3) == 0) {
    maxPool2x2(x, out, n, h, w, c, oh, ow);
    return;
  }
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const yLo = max(0, y0);
      const yHi = min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const xLo = max(0, x0);
        const xHi = min(w, x0 + fw);
        if (isMax) {
          // Four channels at a time in a register; the first maximum wins and NaN sticks, exactly as
          // the scalar rule `if (v > best || v != v) best = v` (which the channel tail uses).
          let ch = 0;
          for (; ch + 4 <= c; ch += 4) {
            let best = f32x4.splat(-Infinity);
            for (let iy = yLo; iy < yHi; iy++) {
              for (let ix = xLo; ix < xHi; ix++) {
                const v = v128.load(x + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
                best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
              }
            }
            v128.store(out + (<usize>ch << 2), best);
          }
          for (; ch < c; ch++) {
            let best: f32 = -Infinity;
            for (let iy = yLo; iy < yHi; iy++) {
              for (let ix = xLo; ix < xHi; ix++) {
                const v = load<f32>(x + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
                if (v > best || v != v) best = v;
              }
            }
            store<f32>(out + (<usize>ch << 2), best);
          }
        } else {
          // Sum in f64 per channel, as the CPU backend does, so long windows keep their precision.
          const count = (yHi - yLo) * (xHi - xLo);
          const scale: f64 = count > 0 ? 1 / <f64>count : 0;
          for (let ch = 0; ch < c; ch++) {
            let acc: f64 = 0;
            for (let iy = yLo; iy < yHi; iy++) {
              for (let ix = xLo; ix < xHi; ix++) {
                acc += <f64>load<f32>(x + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
              }
            }
            store<f32>(out + (<usize>ch << 2), <f32>(acc * scale));
          }
        }
        out += <usize>c << 2;
      }
    }
  }
}

/**
 * Max pooling over whole 2×2 windows at stride 2 (the common CNN case), four channels at a time: the
 * four pixels' vectors loaded straight, then the scalar rule (`v > best || v != v`, starting from the
 * window's first element) applied lane-wise, so results are bit-identical to the general loop.
 */
function maxPool2x2(x: usize, out: usize, n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32): void {
  const px = <usize>c << 2;
  const row = <usize>w * px;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      let src = x + <usize>((b * h + 2 * oy) * w) * px;
      for (let ox = 0; ox < ow; ox++) {
        for (let ch: usize = 0; ch < px; ch += 16) {
          const p = src + ch;
          let best = v128.load(p);
          let v = v128.load(p + px);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v = v128.load(p + row);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v = v128.load(p + row + px);
          best = v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
          v128.store(out + ch, best);
        }
        src += 2 * px;
        out += px;
      }
    }
  }
}

/**
 * Routes dy to the first maximum of each window of x (the first element of a window whose values are
 * all NaN); dx zeroed here. Four channels at a time keep the best value and its index in registers.
 */
export function maxPoolGrad(
  dy: usize, x: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  if (pt == 0 && pl == 0 && sh == fh && sw == fw) {
    maxPoolGradTiled(dy, x, dx, n, h, w, c, fh, fw, oh, ow);
    return;
  }
  memory.fill(dx, 0, <usize>(n * h * w * c) << 2);
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const yLo = max(0, y0);
      const yHi = min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const xLo = max(0, x0);
        const xHi = min(w, x0 + fw);
        let ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          let best = f32x4.splat(-Infinity);
          let where = i32x4.splat(-1);
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const s = ((b * h + iy) * w + ix) * c + ch;
              const v = v128.load(x + (<usize>s << 2));
              const take = v128.or(f32x4.gt(v, best), i32x4.eq(where, i32x4.splat(-1)));
              best = v128.bitselect(v, best, take);
              where = v128.bitselect(i32x4.add(i32x4.splat(s), lanes), where, take);
            }
          }
          const d = dy + (<usize>ch << 2);
          addAt(dx, i32x4.extract_lane(where, 0), load<f32>(d));
          addAt(dx, i32x4.extract_lane(where, 1), load<f32>(d, 4));
          addAt(dx, i32x4.extract_lane(where, 2), load<f32>(d, 8));
          addAt(dx, i32x4.extract_lane(where, 3), load<f32>(d, 12));
        }
        for (; ch < c; ch++) {
          let best: f32 = -Infinity;
          let where = -1;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const s = ((b * h + iy) * w + ix) * c + ch;
              const v = load<f32>(x + (<usize>s << 2));
              if (v > best || where == -1) {
                best = v;
                where = s;
              }
            }
          }
          addAt(dx, where, load<f32>(dy + (<usize>ch << 2)));
        }
        dy += <usize>c << 2;
      }
    }
  }
}

/**
 * maxPoolGrad when the windows tile the image without overlapping (stride = window, no padding before):
 * every element of dx lies in at most one window, so each window writes its elements directly — dy at
 * its first maximum, 0 elsewhere — instead of zeroing all of dx and adding into it. Only the rows and
 * columns no window covers are zeroed. Same selection rule as the general path.
 */
function maxPoolGradTiled(dy: usize, x: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32, oh: i32, ow: i32): void {
  const coveredH = min(h, oh * fh);
  const coveredW = min(w, ow * fw);
  const pixel = <usize>c << 2;
  for (let b = 0; b < n; b++) {
    const img = <usize>(b * h * w) * pixel;
    for (let iy = 0; iy < h; iy++) {
      const row = dx + img + <usize>(iy * w) * pixel;
      if (iy >= coveredH) memory.fill(row, 0, <usize>w * pixel);
      else if (coveredW < w) memory.fill(row + <usize>coveredW * pixel, 0, <usize>(w - coveredW) * pixel);
    }
    for (let oy = 0; oy < oh; oy++) {
      const yLo = oy * fh;
      const yHi = min(h, yLo + fh);
      for (let ox = 0; ox < ow; ox++) {
        const xLo = ox * fw;
        const xHi = min(w, xLo + fw);
        const corner = <usize>((b * h + yLo) * w + xLo) * pixel;
        let ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          // Pass 1: the best value and the number (in window order) of the element holding it.
          let best = f32x4.splat(-Infinity);
          let where = i32x4.splat(-1);
          let e = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const v = v128.load(x + corner + <usize>((iy - yLo) * w + ix - xLo) * pixel + (<usize>ch << 2));
              const take = v128.or(f32x4.gt(v, best), i32x4.eq(where, i32x4.splat(-1)));
              best = v128.bitselect(v, best, take);
              where = v128.bitselect(i32x4.splat(e), where, take);
              e++;
            }
          }
          // Pass 2: dy where the element is the chosen one, 0 elsewhere.
          const g = v128.load(dy + (<usize>ch << 2));
          e = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const at = dx + corner + <usize>((iy - yLo) * w + ix - xLo) * pixel + (<usize>ch << 2);
              // + 0 turns -0 into +0, as the general path's 0 + dy does.
              v128.store(at, f32x4.add(v128.and(g, i32x4.eq(where, i32x4.splat(e))), f32x4.splat(0)));
              e++;
            }
          }
        }
        for (; ch < c; ch++) {
          let best: f32 = -Infinity;
          let where = -1;
          let e = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const v = load<f32>(x + corner + <usize>((iy - yLo) * w + ix - xLo) * pixel + (<usize>ch << 2));
              if (v > best || where == -1) {
                best = v;
                where = e;
              }
              e++;
            }
          }
          const g = load<f32>(dy + (<usize>ch << 2));
          e = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              store<f32>(dx + corner + <usize>((iy - yLo) * w + ix - xLo) * pixel + (<usize>ch << 2), e == where ? g + 0 : 0);
              e++;
            }
          }
        }
        dy += pixel;
      }
    }
  }
}

/** dx[at] += v, when the window had an element at all (at ≥ 0). */
@inline function addAt(dx: usize, at: i32, v: f32): void {
  if (at >= 0) {
    const p = dx + (<usize>at << 2);
    store<f32>(p, load<f32>(p) + v);
  }
}

export function avgPoolGrad(
  dy: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  memory.fill(dx, 0, <usize>(n * h * w * c) << 2);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const yLo = max(0, y0);
      const yHi = min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const xLo = max(0, x0);
        const xHi = min(w, x0 + fw);
        const count = (yHi - yLo) * (xHi - xLo);
        const scale: f64 = count > 0 ? 1 / <f64>count : 0;
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            const s = dx + (<usize>(((b * h + iy) * w + ix) * c) << 2);
            for (let ch = 0; ch < c; ch++) {
              const q = <usize>ch << 2;
              store<f32>(s + q, <f32>(<f64>load<f32>(s + q) + <f64>load<f32>(dy + q) * scale));
            }
          }
        }
        dy += <usize>c << 2;
      }
    }
  }
}

// c += a·b, fused (one rounding) in the relaxed build, as in matmul.ts.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
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
  const run = kw * c;
  const px = <usize>c << 2;
  const frow = <usize>o << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
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
  const k = kh * kw * c;
  const run = kw * c;
  const px = <usize>c << 2;
  const drow = <usize>o << 2;
  memory.fill(dw, 0, <usize>(k * o) << 2);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const rowIn = x + (<usize>((b * h + oy) * w * c) << 2);
      const rowDy = dy + (<usize>((b * oh + oy) * ow * o) << 2);
      for (let j0 = 0; j0 < o; j0 += 8) {
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
