import type { KernelTable, TensorInfo } from '@descent/tensor';
import type { Context } from '../context.js';
import { UNARY } from '../exports.js';
import type { Fallback } from '../fallback.js';

// The unary kernel family in wasm (asm/unary.ts, asm/cast.ts): unary ops, Cast and ReluGrad, split
// across threads in blocks of BLOCK elements.

type UnaryName = keyof typeof UNARY;
type KernelTableAttrs<K extends keyof KernelTable> = Parameters<KernelTable[K]>[1];

/** Elements per unit of the element-wise range kernels (threads take whole blocks; a multiple of 16). */
export const BLOCK = 4096;
const bits = new Float32Array(1);
const bitsI32 = new Int32Array(bits.buffer);

/** The bit pattern of `v` rounded to float32 (range kernels take every argument as an int32). */
export function f32Bits(v: number): number {
  bits[0] = v;
  return bitsI32[0]!;
}
// Kernels whose CPU version keeps int32 as int32; for float32 input every listed unary kernel outputs float32.
function unary(ctx: Context, fb: Fallback, name: UnaryName) {
  const op = UNARY[name];
  const cpu = fb.kernel(name);
  return (inputs: readonly [TensorInfo], attrs: { alpha?: number; min?: number; max?: number }): TensorInfo => {
    const [x] = inputs;
    if (x.dtype !== 'float32') return cpu(inputs, attrs);
    let p = attrs.alpha ?? 0;
    let q = 0;
    if (name === 'ClipByValue') {
      p = attrs.min!;
      q = attrs.max!;
      if (!(p <= q)) return cpu(inputs, attrs);
      // The kernel compares in float32: bounds rounded the way the CPU backend's output rounds them.
      p = Math.fround(p);
      q = Math.fround(q);
    }
    const { info, ptr } = ctx.output(x.shape, 'float32');
    const n = ctx.data(info).size;
    ctx.pool.range('unaryRange', Math.ceil(n / BLOCK), 1, n * 8, [op, ctx.ptr(x), ptr, n, BLOCK, f32Bits(p), f32Bits(q)], ctx.workPtr);
    return info;
  };
}

function cast(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('Cast');
  return (inputs: readonly [TensorInfo], attrs: KernelTableAttrs<'Cast'>): TensorInfo => {
    const [x] = inputs;
    const to = attrs.dtype;
    if (to === x.dtype) return ctx.share(x, x.shape);
    if (x.dtype === 'float32' && to === 'int32') {
      const { info, ptr } = ctx.output(x.shape, 'int32');
      ctx.k.castF32ToI32(ctx.ptr(x), ptr, ctx.data(info).size);
      return info;
    }
    if (x.dtype === 'int32' && to === 'float32') {
      const { info, ptr } = ctx.output(x.shape, 'float32');
      ctx.k.castI32ToF32(ctx.ptr(x), ptr, ctx.data(info).size);
      return info;
    }
    if (x.dtype === 'bool') {
      const { info, ptr } = ctx.output(x.shape, to);
      const n = ctx.data(info).size;
      ctx.pool.range('castBoolRange', Math.ceil(n / BLOCK), 1, n * 5, [ctx.ptr(x), ptr, n, BLOCK, to === 'float32' ? 1 : 0], ctx.workPtr);
      return info;
    }
    if (to === 'bool') {
      const { info, ptr } = ctx.output(x.shape, 'bool');
      ctx.k.cast32ToBool(ctx.ptr(x), ptr, ctx.data(info).size, x.dtype === 'float32' ? 1 : 0);
      return info;
    }
    return cpu(inputs, attrs);
  };
}

function reluGrad(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('ReluGrad');
  return (inputs: readonly [TensorInfo, TensorInfo]): TensorInfo => {
    const [dy, x] = inputs;
    const sameShape = dy.shape.length === x.shape.length && dy.shape.every((d, i) => d === x.shape[i]);
    if (dy.dtype !== 'float32' || x.dtype !== 'float32' || !sameShape) return cpu(inputs, {});
    const { info, ptr } = ctx.output(dy.shape, 'float32');
    const n = ctx.data(info).size;
    ctx.pool.range('reluGradRange', Math.ceil(n / BLOCK), 1, n * 12, [ctx.ptr(dy), ctx.ptr(x), ptr, n, BLOCK], ctx.workPtr);
    return info;
  };
}

export function unaryKernels(ctx: Context, fb: Fallback) {
  const table = { Cast: cast(ctx, fb), ReluGrad: reluGrad(ctx, fb) } as Record<string, unknown>;
  for (const name of Object.keys(UNARY) as UnaryName[]) table[name] = unary(ctx, fb, name);
  return table as Pick<KernelTable, UnaryName | 'Cast' | 'ReluGrad'>;
}
