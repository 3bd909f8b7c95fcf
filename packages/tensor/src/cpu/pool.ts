import type { TensorInfo } from '../backend.js';
import type { KernelAttrs, PoolAttrs } from '../kernels.js';
import { formatShape } from '../shape.js';
import type { PoolGeometry } from '../window-geometry.js';
import { poolGeometry } from '../window-geometry.js';
import { floatsOf, output } from './storage.js';

/**
 * Pooling over NHWC windows. Loops run window position by window position with the channel loop
 * innermost, so every inner loop walks contiguous memory. Padding never takes part: max ignores
 * it and the average divides by the in-bounds count (the ops guarantee each window has one).
 */

function geometry(kernel: string, shape: readonly number[], attrs: PoolAttrs): PoolGeometry {
  const g = poolGeometry(shape, attrs);
  if (typeof g === 'string') throw new Error(`${kernel}: ${g}`);
  return g;
}

function checkFloat(kernel: string, t: TensorInfo): void {
  if (t.dtype !== 'float32') throw new Error(`${kernel}: expected float32 input, got ${t.dtype}`);
}

function checkDy(kernel: string, dy: TensorInfo, g: PoolGeometry): void {
  const s = dy.shape;
  if (s.length !== 4 || s[0] !== g.n || s[1] !== g.oh || s[2] !== g.ow || s[3] !== g.c) {
    throw new Error(`${kernel}: dy must have the pooling output shape ${formatShape([g.n, g.oh, g.ow, g.c])}, got ${formatShape(s)}`);
  }
}

/** First input index of output `o`'s window along one axis (negative inside the padding). */
function windowStart(o: number, stride: number, pad: number): number {
  return o * stride - pad;
}

function maxPool(inputs: [x: TensorInfo], attrs: KernelAttrs<'MaxPool'>): TensorInfo {
  const [x] = inputs;
  checkFloat('MaxPool', x);
  const g = geometry('MaxPool', x.shape, attrs);
  const { n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow } = g;
  const xs = floatsOf(x);
  const out = new Float32Array(n * oh * ow * c).fill(-Infinity);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = windowStart(oy, sh, pt);
      const yLo = Math.max(0, y0);
      const yHi = Math.min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = windowStart(ox, sw, pl);
        const xLo = Math.max(0, x0);
        const xHi = Math.min(w, x0 + fw);
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            let s = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xs[s++]!;
              // NaN propagates, as in TF.
              if (v > out[o + ch]! || v !== v) out[o + ch] = v;
            }
          }
        }
        o += c;
      }
    }
  }
  return output(out, [n, oh, ow, c], 'float32');
}

function maxPoolGrad(inputs: [dy: TensorInfo, x: TensorInfo], attrs: KernelAttrs<'MaxPoolGrad'>): TensorInfo {
  const [dy, x] = inputs;
  checkFloat('MaxPoolGrad', x);
  checkFloat('MaxPoolGrad', dy);
  const g = geometry('MaxPoolGrad', x.shape, attrs);
  checkDy('MaxPoolGrad', dy, g);
  const { n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow } = g;
  const xs = floatsOf(x);
  const dys = floatsOf(dy);
  const dx = new Float32Array(xs.length);
  // Per-channel running maximum and where it was found, for the current window.
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = windowStart(oy, sh, pt);
      const yLo = Math.max(0, y0);
      const yHi = Math.min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = windowStart(ox, sw, pl);
        const xLo = Math.max(0, x0);
        const xHi = Math.min(w, x0 + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            let s = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++, s++) {
              const v = xs[s]!;
              // Strict comparison: the first maximum in scan order wins.
              if (v > best[ch]! || where[ch] === -1) {
                best[ch] = v;
                where[ch] = s;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) dx[at] = dx[at]! + dys[o + ch]!;
        }
        o += c;
      }
    }
  }
  return output(dx, x.shape, 'float32');
}

function avgPool(inputs: [x: TensorInfo], attrs: KernelAttrs<'AvgPool'>): TensorInfo {
  const [x] = inputs;
  checkFloat('AvgPool', x);
  const g = geometry('AvgPool', x.shape, attrs);
  const { n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow } = g;
  const xs = floatsOf(x);
  const out = new Float32Array(n * oh * ow * c);
  // Sum in float64 so long windows do not lose precision before the division.
  const acc = new Float64Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = windowStart(oy, sh, pt);
      const yLo = Math.max(0, y0);
      const yHi = Math.min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = windowStart(ox, sw, pl);
        const xLo = Math.max(0, x0);
        const xHi = Math.min(w, x0 + fw);
        acc.fill(0);
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            let s = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) acc[ch] = acc[ch]! + xs[s++]!;
          }
        }
        const count = (yHi - yLo) * (xHi - xLo);
        const scale = count > 0 ? 1 / count : 0;
        for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch]! * scale;
        o += c;
      }
    }
  }
  return output(out, [n, oh, ow, c], 'float32');
}

function avgPoolGrad(inputs: [dy: TensorInfo], attrs: KernelAttrs<'AvgPoolGrad'>): TensorInfo {
  const [dy] = inputs;
  checkFloat('AvgPoolGrad', dy);
  const g = geometry('AvgPoolGrad', attrs.inputShape, attrs);
  checkDy('AvgPoolGrad', dy, g);
  const { n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow } = g;
  const dys = floatsOf(dy);
  const dx = new Float32Array(n * h * w * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = windowStart(oy, sh, pt);
      const yLo = Math.max(0, y0);
      const yHi = Math.min(h, y0 + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = windowStart(ox, sw, pl);
        const xLo = Math.max(0, x0);
        const xHi = Math.min(w, x0 + fw);
        const count = (yHi - yLo) * (xHi - xLo);
        const scale = count > 0 ? 1 / count : 0;
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            let s = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++, s++) dx[s] = dx[s]! + dys[o + ch]! * scale;
          }
        }
        o += c;
      }
    }
  }
  return output(dx, attrs.inputShape, 'float32');
}

export const poolKernels = {
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  AvgPool: avgPool,
  AvgPoolGrad: avgPoolGrad,
};
