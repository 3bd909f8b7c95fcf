import type { KernelTable, TensorInfo } from '../backend.js';
import { around } from './reduce.js';
import { formatShape, shapesEqual } from '../shape.js';
import { allocOutput, floatsOf, output, valuesOf } from './storage.js';

/** The maximum of `z[base … base + n)`; NaN if any of them is NaN. */
function rowMax(z: ArrayLike<number>, base: number, n: number): number {
  let m = -Infinity;
  for (let j = 0; j < n; j++) {
    const c = z[base + j]!;
    if (c > m || c !== c) m = c;
  }
  return m;
}

/** `m + log Σ exp(z − m)` of `z[base … base + n)` with `m` its maximum, in float64 (the log-softmax shift). */
function logSumExp(z: ArrayLike<number>, base: number, n: number): number {
  const m = rowMax(z, base, n);
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(z[base + j]! - m);
  return m + Math.log(s);
}

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
      if (log) {
        const shift = logSumExp(v, base, n);
        for (let j = 0; j < n; j++) out[base + j] = v[base + j]! - shift;
      } else {
        const m = rowMax(v, base, n);
        let s = 0;
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

/** The inputs of the cross-entropy kernels: float32 logits and targets of one shape with a class axis; returns [rows, classes]. */
function rowsOf(op: string, logits: TensorInfo, others: readonly TensorInfo[]): [number, number] {
  if (logits.dtype !== 'float32' || logits.shape.length < 1) {
    throw new Error(`${op}: logits must be float32 with a class axis, got ${logits.dtype} ${formatShape(logits.shape)}`);
  }
  for (const t of others) {
    if (t.dtype !== 'float32' || !shapesEqual(t.shape, logits.shape)) {
      throw new Error(`${op}: targets must be float32 of the logits' shape ${formatShape(logits.shape)}, got ${t.dtype} ${formatShape(t.shape)}`);
    }
  }
  return [logits.shape.slice(0, -1).reduce((p, q) => p * q, 1), logits.shape[logits.shape.length - 1]!];
}

/** `−Σ t·(z − logSumExp(z))` per row, in float64 (every product kept: 0·−∞ is NaN, as on the op path). */
function softmaxCrossEntropy([logits, targets]: readonly [TensorInfo, TensorInfo]): TensorInfo {
  const [rows, n] = rowsOf('SoftmaxCrossEntropy', logits, [targets]);
  const z = floatsOf(logits);
  const t = floatsOf(targets);
  const out = allocOutput('SoftmaxCrossEntropy', 'float32', logits.shape.slice(0, -1));
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const shift = logSumExp(z, base, n);
    let acc = 0;
    for (let j = 0; j < n; j++) acc += t[base + j]! * (z[base + j]! - shift);
    out[r] = -acc;
  }
  return output(out, logits.shape.slice(0, -1), 'float32');
}

/** `dy · (softmax(z) · Σ t − t)` per row, in float64. */
function softmaxCrossEntropyGrad([logits, targets, dy]: readonly [TensorInfo, TensorInfo, TensorInfo]): TensorInfo {
  const [rows, n] = rowsOf('SoftmaxCrossEntropyGrad', logits, [targets]);
  const rowShape = logits.shape.slice(0, -1);
  if (dy.dtype !== 'float32' || !shapesEqual(dy.shape, rowShape)) {
    throw new Error(`SoftmaxCrossEntropyGrad: dy must be float32 of shape ${formatShape(rowShape)}, got ${dy.dtype} ${formatShape(dy.shape)}`);
  }
  const z = floatsOf(logits);
  const t = floatsOf(targets);
  const g = floatsOf(dy);
  const out = allocOutput('SoftmaxCrossEntropyGrad', 'float32', logits.shape);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const shift = logSumExp(z, base, n);
    let total = 0;
    for (let j = 0; j < n; j++) total += t[base + j]!;
    const d = g[r]!;
    for (let j = 0; j < n; j++) out[base + j] = d * (Math.exp(z[base + j]! - shift) * total - t[base + j]!);
  }
  return output(out, logits.shape, 'float32');
}

export const softmaxKernels = {
  Softmax: ([x], { axis }) => softmaxKernel(x, axis, false),
  LogSoftmax: ([x], { axis }) => softmaxKernel(x, axis, true),
  SoftmaxCrossEntropy: softmaxCrossEntropy,
  SoftmaxCrossEntropyGrad: softmaxCrossEntropyGrad,
} satisfies Partial<KernelTable>;
