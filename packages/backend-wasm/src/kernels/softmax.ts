import type { KernelTable, TensorInfo } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';
import { product } from './shape.js';

/** Softmax (or log-softmax) over the last axis of a float32 tensor in wasm; anything else on the CPU kernel. */
function softmax(ctx: Context, fb: Fallback, log: boolean) {
  const cpu = fb.kernel(log ? 'LogSoftmax' : 'Softmax');
  return (inputs: readonly [TensorInfo], attrs: { axis: number }): TensorInfo => {
    const [x] = inputs;
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || attrs.axis !== rank - 1) return cpu(inputs, attrs);
    const n = x.shape[rank - 1]!;
    const { info, ptr } = ctx.output(x.shape, 'float32');
    const size = product(x.shape);
    if (size > 0) ctx.k.softmaxRows(ctx.ptr(x), ptr, size / n, n, log ? 1 : 0);
    return info;
  };
}

export function softmaxKernels(ctx: Context, fb: Fallback) {
  return {
    Softmax: softmax(ctx, fb, false),
    LogSoftmax: softmax(ctx, fb, true),
  } satisfies Partial<KernelTable>;
}
