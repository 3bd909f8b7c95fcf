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
 * Routes dy to the first maximum of each window of x (the first element of a window whose values are
 * all NaN); dx zeroed here. Four channels at a time keep the best value and its index in registers.
 */
export function maxPoolGrad(
  dy: usize, x: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
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
