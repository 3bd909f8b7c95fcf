import type { KernelTable, TensorInfo } from '@descent/tensor';
import type { Context } from '../context.js';
import { REDUCE } from '../exports.js';
import type { Fallback } from '../fallback.js';
import { product } from './shape.js';
import { permuteCopy } from './movement.js';

type ReduceName = keyof typeof REDUCE;

/** `x` with `moved` axes put last (a copy), or `x` itself when they already are; `free` releases the copy. */
function axesLast(ctx: Context, x: TensorInfo, moved: readonly number[]): { ptr: number; free: () => void } {
  const rank = x.shape.length;
  const kept = [];
  for (let i = 0; i < rank; i++) if (!moved.includes(i)) kept.push(i);
  const perm = [...kept, ...moved];
  if (perm.every((p, i) => p === i)) return { ptr: ctx.ptr(x), free: () => undefined };
  const s = ctx.scratch(product(x.shape) * 4);
  permuteCopy(ctx, ctx.ptr(x), s.ptr, x.shape, perm, 4);
  return { ptr: s.ptr, free: () => ctx.free(s) };
}

function reduce(ctx: Context, fb: Fallback, name: ReduceName) {
  const op = REDUCE[name];
  const cpu = fb.kernel(name);
  return (inputs: readonly [TensorInfo], attrs: { axes: readonly number[] }): TensorInfo => {
    const [x] = inputs;
    const { axes } = attrs;
    const rank = x.shape.length;
    const valid = axes.every((a, i) => Number.isInteger(a) && a >= 0 && a < rank && (i === 0 || a > axes[i - 1]!));
    if (x.dtype !== 'float32' || !valid) return cpu(inputs, attrs);
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    const { info, ptr } = ctx.output(outShape, 'float32');
    const outSize = product(outShape);
    const r = product(axes.map((a) => x.shape[a]!));
    const contiguous = axes.length === 0 || axes[axes.length - 1]! - axes[0]! === axes.length - 1;
    if (contiguous && axes.length > 0) {
      const outer = product(x.shape, 0, axes[0]);
      const inner = product(x.shape, axes[axes.length - 1]! + 1);
      if (inner === 1) ctx.k.reduceRows(op, ctx.ptr(x), ptr, outer, r);
      else {
        const acc = ctx.scratch(inner * 8);
        ctx.k.reduceMiddle(op, ctx.ptr(x), ptr, outer, r, inner, acc.ptr);
        ctx.free(acc);
      }
    } else if (axes.length === 0) {
      ctx.k.reduceRows(op, ctx.ptr(x), ptr, outSize, 1);
    } else {
      const src = axesLast(ctx, x, axes);
      ctx.k.reduceRows(op, src.ptr, ptr, outSize, r);
      src.free();
    }
    return info;
  };
}

function argReduce(ctx: Context, fb: Fallback, name: 'ArgMax' | 'ArgMin') {
  const cpu = fb.kernel(name);
  return (inputs: readonly [TensorInfo], attrs: { axis: number }): TensorInfo => {
    const [x] = inputs;
    const { axis } = attrs;
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || !Number.isInteger(axis) || axis < 0 || axis >= rank || x.shape[axis] === 0) return cpu(inputs, attrs);
    const outShape = x.shape.filter((_, i) => i !== axis);
    const { info, ptr } = ctx.output(outShape, 'int32');
    const src = axesLast(ctx, x, [axis]);
    ctx.k.argReduceRows(src.ptr, ptr, product(outShape), x.shape[axis]!, name === 'ArgMin' ? 1 : 0);
    src.free();
    return info;
  };
}

export function reduceKernels(ctx: Context, fb: Fallback) {
  return {
    Sum: reduce(ctx, fb, 'Sum'),
    Prod: reduce(ctx, fb, 'Prod'),
    Max: reduce(ctx, fb, 'Max'),
    Min: reduce(ctx, fb, 'Min'),
    All: fb.entry('All'),
    Any: fb.entry('Any'),
    ArgMax: argReduce(ctx, fb, 'ArgMax'),
    ArgMin: argReduce(ctx, fb, 'ArgMin'),
  } satisfies Partial<KernelTable>;
}
