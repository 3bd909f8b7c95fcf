import type { KernelTable, TensorInfo } from '../backend.js';
import { broadcastPlan } from './broadcast.js';
import { allocOutput, output, valuesOf } from './storage.js';

type TrigOp = 'Tan' | 'Asin' | 'Acos' | 'Atan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh';

/** One float64 Math function per op, rounded to float32 on store. Any input dtype, float32 out. */
function trigKernel(op: TrigOp) {
  return (inputs: readonly [TensorInfo]): TensorInfo => {
    const [x] = inputs;
    const v = valuesOf(x);
    const out = allocOutput(op, 'float32', x.shape);
    const n = v.length;
    // A switch outside the loops: one tight loop per function.
    switch (op) {
      case 'Tan': for (let i = 0; i < n; i++) out[i] = Math.tan(v[i]!); break;
      case 'Asin': for (let i = 0; i < n; i++) out[i] = Math.asin(v[i]!); break;
      case 'Acos': for (let i = 0; i < n; i++) out[i] = Math.acos(v[i]!); break;
      case 'Atan': for (let i = 0; i < n; i++) out[i] = Math.atan(v[i]!); break;
      case 'Sinh': for (let i = 0; i < n; i++) out[i] = Math.sinh(v[i]!); break;
      case 'Cosh': for (let i = 0; i < n; i++) out[i] = Math.cosh(v[i]!); break;
      case 'Asinh': for (let i = 0; i < n; i++) out[i] = Math.asinh(v[i]!); break;
      case 'Acosh': for (let i = 0; i < n; i++) out[i] = Math.acosh(v[i]!); break;
      case 'Atanh': for (let i = 0; i < n; i++) out[i] = Math.atanh(v[i]!); break;
    }
    return output(out, x.shape, 'float32');
  };
}

function atan2Kernel(inputs: readonly [TensorInfo, TensorInfo]): TensorInfo {
  const [a, b] = inputs;
  const plan = broadcastPlan('Atan2', [a.shape, b.shape]);
  const out = allocOutput('Atan2', 'float32', plan.outShape);
  const av = valuesOf(a);
  const bv = valuesOf(b);
  const { rows, inner } = plan;
  const sa = plan.steps[0]!;
  const sb = plan.steps[1]!;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0, i = plan.offsets[0]![r]!, k = plan.offsets[1]![r]!; j < inner; j++, i += sa, k += sb) out[o++] = Math.atan2(av[i]!, bv[k]!);
  }
  return output(out, plan.outShape, 'float32');
}

/** CPU kernels of the inverse and hyperbolic trigonometric functions and Atan2 (ops/unary-extra.ts). */
export const unaryExtraKernels = {
  Tan: trigKernel('Tan'),
  Asin: trigKernel('Asin'),
  Acos: trigKernel('Acos'),
  Atan: trigKernel('Atan'),
  Sinh: trigKernel('Sinh'),
  Cosh: trigKernel('Cosh'),
  Asinh: trigKernel('Asinh'),
  Acosh: trigKernel('Acosh'),
  Atanh: trigKernel('Atanh'),
  Atan2: atan2Kernel,
} satisfies Partial<KernelTable>;
