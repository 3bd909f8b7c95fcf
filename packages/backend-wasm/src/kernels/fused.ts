import type { KernelAttrs, KernelTable, TensorInfo } from '@descent/tensor';
import { BIAS_GRAD_BLOCK } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';
import { convKernels, direct, geometry } from './conv.js';
import { gemm } from './matmul.js';
import { product } from './shape.js';

/** asm/epilogue.ts activation codes. */
const EPI = { linear: 0, relu: 1 } as const;

/** Rows per chunk of the in-place bias + activation pass (a chunk is a unit of the thread split). */
const BIAS_ACT_ROWS = 256;

/** Runs `body` with an epilogue descriptor (bias address, activation code) in scratch memory. */
function withEpilogue(ctx: Context, bias: TensorInfo, activation: keyof typeof EPI, body: (epi: number) => void): void {
  const desc = ctx.scratch(8);
  try {
    ctx.heap.i32.set([ctx.ptr(bias), EPI[activation]], desc.ptr >> 2);
    body(desc.ptr);
  } finally {
    ctx.free(desc);
  }
}

function isBiasOf(bias: TensorInfo, n: number): boolean {
  return bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n;
}

/**
 * FusedMatMul: the product of matmul.ts `gemm` with the epilogue descriptor in its `accumulate` word, so each
 * thread adds the bias and applies the activation to the tiles it just stored. Bit-identical to
 * MatMul → Add → Relu at any thread count.
 */
function fusedMatMul(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('FusedMatMul');
  return (inputs: readonly [TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'FusedMatMul'>): TensorInfo => {
    const [a, b, bias] = inputs;
    const { transposeA, transposeB } = attrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 2 || b.shape.length !== 2) return cpu(inputs, attrs);
    const [m, k] = transposeA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = transposeB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (k !== kb || !isBiasOf(bias, n)) return cpu(inputs, attrs);
    const { info, ptr } = ctx.output([m, n], 'float32');
    if (m === 0 || n === 0) return info;
    withEpilogue(ctx, bias, attrs.activation, (epi) => {
      gemm(ctx, ctx.ptr(a), ctx.ptr(b), ptr, m, n, k, transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1, false, epi);
    });
    return info;
  };
}

/**
 * FusedConv2D: the shallow-patch direct convolution applies the epilogue to each output row as it is
 * computed; every other geometry runs Conv2D's own dispatch (im2col, implicit GEMM, Winograd) and then
 * one in-place bias + activation pass split across threads (instead of Add's and Relu's two passes and
 * two outputs).
 */
function fusedConv2D(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('FusedConv2D');
  const conv = convKernels(ctx, fb).Conv2D;
  return (inputs: readonly [TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'FusedConv2D'>): TensorInfo => {
    const [x, f, bias] = inputs;
    const convAttrs = { strides: attrs.strides, pad: attrs.pad, dilations: attrs.dilations };
    const g = x.dtype === 'float32' && f.dtype === 'float32' ? geometry(x.shape, f.shape, convAttrs) : null;
    if (g === null || !isBiasOf(bias, g.o)) return cpu(inputs, attrs);
    if (!g.pointwise && direct(g) && g.p > 0) {
      const { info, ptr } = ctx.output([g.n, g.oh, g.ow, g.o], 'float32');
      withEpilogue(ctx, bias, attrs.activation, (epi) => {
        const args = [ctx.ptr(x), ctx.ptr(f), ptr, g.n, g.h, g.w, g.c, g.kh, g.kw, g.o, g.oh, g.ow, epi];
        ctx.pool.range('convDirectBiasRange', g.n * g.oh, 1, g.p * g.k * g.o, args, ctx.workPtr);
      });
      return info;
    }
    const y = conv([x, f], convAttrs);
    const rows = g.p;
    if (rows > 0 && g.o > 0) {
      withEpilogue(ctx, bias, attrs.activation, (epi) => {
        const args = [ctx.ptr(y), rows, g.o, BIAS_ACT_ROWS, epi];
        ctx.pool.range('biasActRange', Math.ceil(rows / BIAS_ACT_ROWS), 1, rows * g.o * 8, args, ctx.workPtr);
      });
    }
    return y;
  };
}

/**
 * BiasAddGrad: threads sum blocks of BIAS_GRAD_BLOCK rows into partial rows, then the calling thread
 * adds the partial rows in block order (the CPU kernel's order), so any thread count gives its numbers.
 */
function biasAddGrad(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('BiasAddGrad');
  return (inputs: readonly [TensorInfo], attrs: KernelAttrs<'BiasAddGrad'>): TensorInfo => {
    const [dy] = inputs;
    if (dy.dtype !== 'float32' || dy.shape.length < 1) return cpu(inputs, attrs);
    const c = dy.shape[dy.shape.length - 1]!;
    const { info, ptr } = ctx.output([c], 'float32');
    if (c === 0) return info;
    const rows = product(dy.shape) / c;
    const blocks = Math.ceil(rows / BIAS_GRAD_BLOCK);
    if (blocks === 0) {
      ctx.heap.f32.fill(0, ptr >> 2, (ptr >> 2) + c);
      return info;
    }
    const partials = ctx.scratch(blocks * c * 4);
    try {
      const args = [ctx.ptr(dy), partials.ptr, rows, c, BIAS_GRAD_BLOCK];
      ctx.pool.range('biasGradPartialRange', blocks, 1, rows * c * 4, args, ctx.workPtr);
      ctx.k.biasGradCombine(partials.ptr, blocks, c, ptr);
    } finally {
      ctx.free(partials);
    }
    return info;
  };
}

export function fusedKernels(ctx: Context, fb: Fallback) {
  return {
    FusedMatMul: fusedMatMul(ctx, fb),
    FusedConv2D: fusedConv2D(ctx, fb),
    BiasAddGrad: biasAddGrad(ctx, fb),
  } satisfies Partial<KernelTable>;
}
