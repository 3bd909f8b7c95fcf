import type { KernelTable, TensorInfo } from '../backend.js';
import type { ScanAttrs } from '../kernels.js';
import { allocOutput, output, valuesOf } from './storage.js';

/**
 * Running sum or product along one axis, viewed as `[outer, n, inner]`: each of the `outer·inner`
 * lines is walked once, forward or backward, in float64 for float32 (rounded on store) and with
 * wrapping arithmetic for int32.
 */
function scanKernel(op: 'Cumsum' | 'Cumprod') {
  return (inputs: readonly [TensorInfo], attrs: ScanAttrs): TensorInfo => {
    const [x] = inputs;
    const { axis, exclusive, reverse } = attrs;
    if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) {
      throw new Error(`${op}: axis must be an integer in [0, ${x.shape.length - 1}] (normalized), got ${String(axis)} for shape [${x.shape.join(',')}]`);
    }
    if (x.dtype === 'bool') throw new Error(`${op}: input must be float32 or int32, got bool`);
    const v = valuesOf(x);
    const out = allocOutput(op, x.dtype, x.shape);
    const n = x.shape[axis]!;
    let inner = 1;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    const outer = n * inner === 0 ? 0 : v.length / (n * inner);
    const isInt = x.dtype === 'int32';
    const isSum = op === 'Cumsum';
    const step = reverse ? -inner : inner;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let at = o * n * inner + j + (reverse ? (n - 1) * inner : 0);
        let acc = isSum ? 0 : 1;
        for (let t = 0; t < n; t++, at += step) {
          const value = v[at]!;
          if (exclusive) out[at] = acc;
          if (isSum) acc = isInt ? (acc + value) | 0 : acc + value;
          else acc = isInt ? Math.imul(acc, value) : acc * value;
          if (!exclusive) out[at] = acc;
        }
      }
    }
    return output(out, x.shape, x.dtype);
  };
}

/** CPU kernels of the running sum and product (ops/scan.ts). */
export const scanKernels = {
  Cumsum: scanKernel('Cumsum'),
  Cumprod: scanKernel('Cumprod'),
} satisfies Partial<KernelTable>;
