// Max and average pooling over NHWC images and their gradients (the `pool` kernel family: ops/pool.ts,
// cpu/pool.ts, src/kernels/pool.ts).

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
    if (fh == 2 && fw == 2 && 2 * oh <= h && 2 * ow <= w && (c & 3) == 0) {
      maxPoolGrad2x2(dy + <usize>(b * oh * ow) * pixel, x + img, dx + img, w, c, oh, ow);
      continue;
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

/**
 * maxPoolGradTiled's windows of one image for 2×2 windows at stride 2, four channels at a time, with
 * the four pixels' vectors loaded straight: the same rule (the first element, then any greater one)
 * lane-wise, so results are bit-identical to the general loop.
 */
function maxPoolGrad2x2(dy: usize, x: usize, dx: usize, w: i32, c: i32, oh: i32, ow: i32): void {
  const px = <usize>c << 2;
  const row = <usize>w * px;
  const zero = f32x4.splat(0);
  for (let oy = 0; oy < oh; oy++) {
    const rowOff = <usize>(2 * oy) * row;
    for (let ox = 0; ox < ow; ox++) {
      const off = rowOff + <usize>(2 * ox) * px;
      const xs = x + off;
      const ds = dx + off;
      for (let ch: usize = 0; ch < px; ch += 16) {
        const v0 = v128.load(xs + ch);
        const v1 = v128.load(xs + px + ch);
        const v2 = v128.load(xs + row + ch);
        const v3 = v128.load(xs + row + px + ch);
        // t1: element 1 beats element 0; then 2 and 3 must beat the best so far.
        const t1 = f32x4.gt(v1, v0);
        const b1 = v128.bitselect(v1, v0, t1);
        const t2 = f32x4.gt(v2, b1);
        const b2 = v128.bitselect(v2, b1, t2);
        const t3 = f32x4.gt(v3, b2);
        // Chosen: 3 if t3; else 2 if t2; else 1 if t1; else 0.
        const s3 = t3;
        const s2 = v128.andnot(t2, t3);
        const s1 = v128.andnot(t1, v128.or(t2, t3));
        const s0 = v128.not(v128.or(t1, v128.or(t2, t3)));
        const g = v128.load(dy + ch);
        // + 0 turns -0 into +0, as the general path's 0 + dy does.
        v128.store(ds + ch, f32x4.add(v128.and(g, s0), zero));
        v128.store(ds + px + ch, f32x4.add(v128.and(g, s1), zero));
        v128.store(ds + row + ch, f32x4.add(v128.and(g, s2), zero));
        v128.store(ds + row + px + ch, f32x4.add(v128.and(g, s3), zero));
      }
      dy += px;
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

// Range kernels over whole images (src/threads.ts): images never share an output element, so threads
// split a batch without changing any result. `geo` points to int32 geometry words written by the caller.

/** Pooling geometry at `geo`: n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow. */
export function poolRange(start: i32, end: i32, work: usize, x: usize, out: usize, geo: usize, isMax: bool): void {
  const h = load<i32>(geo, 4), w = load<i32>(geo, 8), c = load<i32>(geo, 12);
  const oh = load<i32>(geo, 40), ow = load<i32>(geo, 44);
  pool(
    x + (<usize>(start * h * w * c) << 2), out + (<usize>(start * oh * ow * c) << 2), end - start, h, w, c,
    load<i32>(geo, 16), load<i32>(geo, 20), load<i32>(geo, 24), load<i32>(geo, 28), load<i32>(geo, 32), load<i32>(geo, 36), oh, ow, isMax,
  );
}

/** maxPoolGrad for images [start, end); geometry as poolRange's. */
export function maxPoolGradRange(start: i32, end: i32, work: usize, dy: usize, x: usize, dx: usize, geo: usize): void {
  const h = load<i32>(geo, 4), w = load<i32>(geo, 8), c = load<i32>(geo, 12);
  const oh = load<i32>(geo, 40), ow = load<i32>(geo, 44);
  const image = <usize>(start * h * w * c) << 2;
  maxPoolGrad(
    dy + (<usize>(start * oh * ow * c) << 2), x + image, dx + image, end - start, h, w, c,
    load<i32>(geo, 16), load<i32>(geo, 20), load<i32>(geo, 24), load<i32>(geo, 28), load<i32>(geo, 32), load<i32>(geo, 36), oh, ow,
  );
}
