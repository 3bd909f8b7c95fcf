import type { KernelTable, TensorInfo } from '../backend.js';
import { around } from './reduce.js';
import { output, valuesOf } from './storage.js';

/**
 * Softmax or log-softmax along `axis`, shifted by the maximum so `exp` never overflows. Sums are
 * kept in float64.
 */
function softmaxKernel(x: TensorInfo, axis: number, log: boolean): TensorInfo {
  const v = valuesOf(x);
  const [outer, n, inner] = around(x.shape, axis);
  const out = new Float32Array(v.length);
  if (n === 0 || v.length === 0) return output(out, x.shape, 'float32');
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let m = -Infinity;
      for (let j = 0; j < n; j++) {
        const c = v[base + j]!;
        if (c > m || c !== c) m = c;
      }
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += Math.exp(v[base + j]! - m);
        const shift = m + Math.log(s);
        for (let j = 0; j < n; j++) out[base + j] = v[base + j]! - shift;
      } else {
        for (let j = 0; j < n; j++) {
          const e = Math.exp(v[base + j]! - m);
          out[base + j] = e;
          s += e;
        }
        const inv = 1 / s;
        for (let j = 0; j < n; j++) out[base + j] = out[base + j]! * inv;
      }
    }
    return output(out, x.shape, 'float32');
  }
  // Inner axes: walk whole rows of `inner` elements so every pass reads memory in order.
  const mx = new Float64Array(inner);
  const sm = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    mx.fill(-Infinity);
    sm.fill(0);
    for (let j = 0; j < n; j++) {
      const rOff = base + j * inner;
      for (let k = 0; k < inner; k++) {
        const c = v[rOff + k]!;
        if (c > mx[k]! || c !== c) mx[k] = c;
      }
    }
    for (let j = 0; j < n; j++) {
      const rOff = base + j * inner;
      for (let k = 0; k < inner; k++) {
        const e = Math.exp(v[rOff + k]! - mx[k]!);
        if (!log) out[rOff + k] = e;
        sm[k] = sm[k]! + e;
      }
    }
    if (log) {
      for (let k = 0; k < inner; k++) mx[k] = mx[k]! + Math.log(sm[k]!);
      for (let j = 0; j < n; j++) {
        const rOff = base + j * inner;
        for (let k = 0; k < inner; k++) out[rOff + k] = v[rOff + k]! - mx[k]!;
      }
    } else {
      for (let k = 0; k < inner; k++) sm[k] = 1 / sm[k]!;
      for (let j = 0; j < n; j++) {
        const rOff = base + j * inner;
        for (let k = 0; k < inner; k++) out[rOff + k] = out[rOff + k]! * sm[k]!;
      }
    }
  }
  return output(out, x.shape, 'float32');
}

export const softmaxKernels = {
  Softmax: ([x], { axis }) => softmaxKernel(x, axis, false),
  LogSoftmax: ([x], { axis }) => softmaxKernel(x, axis, true),
} satisfies Partial<KernelTable>;
