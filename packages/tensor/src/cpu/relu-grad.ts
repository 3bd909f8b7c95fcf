import type { KernelTable, TensorInfo } from '../backend.js';
import { allocOutput, output, valuesOf } from './storage.js';

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The gradient of Relu in one pass: `dy · (x > 0 ? 1 : 0)`, exactly the product the unfused rule
 * computed (so NaN in dy stays NaN where x ≤ 0, and `dy · 0` keeps dy's sign as a signed zero).
 */
function reluGrad(inputs: readonly [TensorInfo, TensorInfo]): TensorInfo {
  const [dy, x] = inputs;
  if (!shapesEqual(dy.shape, x.shape)) {
    throw new Error(`ReluGrad: dy and x must have the same shape, got [${dy.shape.join(',')}] and [${x.shape.join(',')}]`);
  }
  if (dy.dtype !== 'float32') throw new Error(`ReluGrad: dy must be float32, got ${dy.dtype}`);
  const g = valuesOf(dy);
  const v = valuesOf(x);
  const out = allocOutput('ReluGrad', 'float32', dy.shape);
  for (let i = 0; i < out.length; i++) out[i] = g[i]! * (v[i]! > 0 ? 1 : 0);
  return output(out, dy.shape, 'float32');
}

export const reluGradKernels = { ReluGrad: reluGrad } satisfies Partial<KernelTable>;
