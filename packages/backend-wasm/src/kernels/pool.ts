import type { KernelTable, PoolAttrs, PoolGeometry, TensorInfo } from '@descent/tensor';
import { poolGeometry } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';

/** @descent/tensor's pooling geometry, or null where the shapes allow none (the CPU kernel then reports why). */
function geometry(shape: readonly number[], attrs: PoolAttrs): PoolGeometry | null {
  const g = poolGeometry(shape, attrs);
  return typeof g === 'string' ? null : g;
}

/** Writes the geometry words asm/conv.ts poolRange reads (n, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow). */
function geoWords(ctx: Context, g: PoolGeometry): number {
  return ctx.meta([[g.n, g.h, g.w, g.c, g.fh, g.fw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow]], 0);
}

function dyMatches(dy: TensorInfo, g: PoolGeometry): boolean {
  const s = dy.shape;
  return dy.dtype === 'float32' && s.length === 4 && s[0] === g.n && s[1] === g.oh && s[2] === g.ow && s[3] === g.c;
}

export function poolKernels(ctx: Context, fb: Fallback) {
  const pool = (isMax: boolean) => {
    const cpu = fb.kernel(isMax ? 'MaxPool' : 'AvgPool');
    return (inputs: readonly [TensorInfo], attrs: PoolAttrs): TensorInfo => {
      const [x] = inputs;
      const g = x.dtype === 'float32' ? geometry(x.shape, attrs) : null;
      if (g === null) return cpu(inputs, attrs);
      const { info, ptr } = ctx.output([g.n, g.oh, g.ow, g.c], 'float32');
      // Images are independent: threads take whole images.
      const cost = g.n * (g.h * g.w + g.oh * g.ow) * g.c * 4;
      ctx.pool.range('poolRange', g.n, 1, cost, [ctx.ptr(x), ptr, geoWords(ctx, g), isMax ? 1 : 0], ctx.workPtr);
      return info;
    };
  };
  const maxGradCpu = fb.kernel('MaxPoolGrad');
  const avgGradCpu = fb.kernel('AvgPoolGrad');
  return {
    MaxPool: pool(true),
    AvgPool: pool(false),
    MaxPoolGrad: (inputs, attrs) => {
      const [dy, x] = inputs;
      const g = x.dtype === 'float32' ? geometry(x.shape, attrs) : null;
      if (g === null || !dyMatches(dy, g)) return maxGradCpu(inputs, attrs);
      const { info, ptr } = ctx.output(x.shape, 'float32');
      const cost = g.n * (2 * g.h * g.w + g.oh * g.ow) * g.c * 4;
      ctx.pool.range('maxPoolGradRange', g.n, 1, cost, [ctx.ptr(dy), ctx.ptr(x), ptr, geoWords(ctx, g)], ctx.workPtr);
      return info;
    },
    AvgPoolGrad: (inputs, attrs) => {
      const [dy] = inputs;
      const g = geometry(attrs.inputShape, attrs);
      if (g === null || !dyMatches(dy, g)) return avgGradCpu(inputs, attrs);
      const { info, ptr } = ctx.output([...attrs.inputShape], 'float32');
      ctx.k.avgPoolGrad(ctx.ptr(dy), ptr, g.n, g.h, g.w, g.c, g.fh, g.fw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow);
      return info;
    },
  } satisfies Partial<KernelTable>;
}
