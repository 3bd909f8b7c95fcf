import type { KernelTable, TensorInfo } from '@descent/tensor';
import { shapesEqual } from '@descent/tensor';
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

/** Whether `logits` and the `others` are float32 of one shape with a class axis (else the CPU kernel runs, and reports). */
function sameFloatRows(logits: TensorInfo, others: readonly TensorInfo[]): boolean {
  return logits.dtype === 'float32' && logits.shape.length >= 1 && others.every((t) => t.dtype === 'float32' && shapesEqual(t.shape, logits.shape));
}

/** SoftmaxCrossEntropy: one pass per row (asm/softmax.ts). */
function softmaxCrossEntropy(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('SoftmaxCrossEntropy');
  return (inputs: readonly [TensorInfo, TensorInfo], attrs: Record<string, never>): TensorInfo => {
    const [z, t] = inputs;
    if (!sameFloatRows(z, [t])) return cpu(inputs, attrs);
    const n = z.shape[z.shape.length - 1]!;
    const rows = product(z.shape.slice(0, -1));
    const { info, ptr } = ctx.output(z.shape.slice(0, -1), 'float32');
    if (rows > 0) ctx.k.softmaxCrossEntropyRows(ctx.ptr(z), ctx.ptr(t), ptr, rows, n);
    return info;
  };
}

/** SoftmaxCrossEntropyGrad: one pass per row (asm/softmax.ts). */
function softmaxCrossEntropyGrad(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('SoftmaxCrossEntropyGrad');
  return (inputs: readonly [TensorInfo, TensorInfo, TensorInfo], attrs: Record<string, never>): TensorInfo => {
    const [z, t, dy] = inputs;
    const rowShape = z.shape.slice(0, -1);
    if (!sameFloatRows(z, [t]) || dy.dtype !== 'float32' || !shapesEqual(dy.shape, rowShape)) return cpu(inputs, attrs);
    const n = z.shape[z.shape.length - 1]!;
    const rows = product(rowShape);
    const { info, ptr } = ctx.output(z.shape, 'float32');
    if (rows > 0 && n > 0) ctx.k.softmaxCrossEntropyGradRows(ctx.ptr(z), ctx.ptr(t), ctx.ptr(dy), ptr, rows, n);
    return info;
  };
}

export function softmaxKernels(ctx: Context, fb: Fallback) {
  return {
    Softmax: softmax(ctx, fb, false),
    LogSoftmax: softmax(ctx, fb, true),
    SoftmaxCrossEntropy: softmaxCrossEntropy(ctx, fb),
    SoftmaxCrossEntropyGrad: softmaxCrossEntropyGrad(ctx, fb),
  } satisfies Partial<KernelTable>;
}
