import type { DType, KernelTable, TensorInfo } from '@descent/tensor';
import { mergeCopyAxes, stridesOf } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';
import { product } from './shape.js';

/**
 * Copy a strided block (element i goes from src[srcOff + i·srcStrides] to dst[dstOff + i·dstStrides])
 * with one wasm call. Size-1 axes are dropped and axes contiguous in both arrays merged first.
 * Offsets and strides are in elements of `bytes` each.
 */
export function copyBlock(
  ctx: Context, src: number, srcOff: number, srcStrides: readonly number[],
  dst: number, dstOff: number, dstStrides: readonly number[], shape: readonly number[], bytes: number,
): void {
  const merged = mergeCopyAxes(shape, srcStrides, dstStrides);
  if (merged === null) return;
  const { dims, srcStrides: ss, dstStrides: ds } = merged;
  const meta = ctx.meta([dims, ss, ds], dims.length);
  ctx.k.stridedCopy(src + srcOff * bytes, dst + dstOff * bytes, dims.length, meta, bytes);
}

/** dst = x (of `shape`) transposed by `perm`, both contiguous. */
export function permuteCopy(ctx: Context, src: number, dst: number, shape: readonly number[], perm: readonly number[], bytes: number): void {
  const st = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  copyBlock(ctx, src, 0, perm.map((p) => st[p]!), dst, 0, stridesOf(outShape), outShape, bytes);
}

function strided(ctx: Context, x: TensorInfo, srcOff: number, srcStrides: readonly number[], shape: readonly number[], outShape = shape): TensorInfo {
  const { info, ptr } = ctx.output(outShape, x.dtype);
  copyBlock(ctx, ctx.ptr(x), srcOff, srcStrides, ptr, 0, stridesOf(shape), shape, ctx.bytes(x.dtype));
  return info;
}

/** Slices of fewer elements are copied (a copy that small costs less than pinning the base). */
const VIEW_MIN = 1024;

/** Whether a slice of `size` from a row-major `shape` is one contiguous run: after the first axis longer than 1, every axis whole. */
function contiguous(shape: readonly number[], size: readonly number[]): boolean {
  let i = 0;
  while (i < size.length && size[i] === 1) i++;
  for (let j = i + 1; j < size.length; j++) if (size[j] !== shape[j]) return false;
  return true;
}

function fillValue(ctx: Context, dtype: DType, ptr: number, size: number, value: number): void {
  if (dtype === 'bool') ctx.heap.u8.fill(value !== 0 ? 1 : 0, ptr, ptr + size);
  else if (dtype === 'int32') ctx.heap.i32.fill(value, ptr >> 2, (ptr >> 2) + size);
  else ctx.heap.f32.fill(value, ptr >> 2, (ptr >> 2) + size);
}

/** Indices must lie in [0, n): checked here because the wasm kernels trust them. */
function checkIndices(ctx: Context, kernel: string, indices: TensorInfo, n: number): boolean {
  if (indices.dtype !== 'int32') return false;
  const i32 = ctx.heap.i32;
  const start = ctx.ptr(indices) >> 2;
  const count = product(indices.shape);
  for (let i = start, end = start + count; i < end; i++) {
    const v = i32[i]!;
    if (v < 0 || v >= n) throw new Error(`${kernel}: index ${v} is out of range [0, ${n})`);
  }
  return true;
}

export function movementKernels(ctx: Context, fb: Fallback) {
  const scatterCpu = fb.kernel('ScatterAdd');
  return {
    // Tensors are immutable: a reshape shares the storage (the engine counts the new holder).
    Reshape: ([x], { shape }) => {
      if (product(shape) !== product(x.shape)) {
        throw new Error(`Reshape: cannot reshape [${x.shape.join(',')}] (${product(x.shape)} elements) to [${shape.join(',')}]`);
      }
      return ctx.share(x, shape);
    },
    Transpose: ([x], { perm }) => {
      const st = stridesOf(x.shape);
      return strided(ctx, x, 0, perm.map((p) => st[p]!), perm.map((p) => x.shape[p]!));
    },
    Concat: (xs, { axis }) => {
      const first = xs[0]!;
      const outShape = [...first.shape];
      let total = 0;
      for (const x of xs) total += x.shape[axis]!;
      outShape[axis] = total;
      const { info, ptr } = ctx.output(outShape, first.dtype);
      const outer = product(outShape, 0, axis);
      const inner = product(outShape, axis + 1);
      const bytes = ctx.bytes(first.dtype);
      let at = 0;
      for (const x of xs) {
        const chunk = x.shape[axis]! * inner;
        copyBlock(ctx, ctx.ptr(x), 0, [chunk, 1], ptr, at, [total * inner, 1], [outer, chunk], bytes);
        at += chunk;
      }
      return info;
    },
    Slice: ([x], { begin, size }) => {
      const st = stridesOf(x.shape);
      let off = 0;
      for (let i = 0; i < begin.length; i++) off += begin[i]! * st[i]!;
      // A contiguous block (a batch of rows) of at least VIEW_MIN elements is a view: no copy.
      return product(size) >= VIEW_MIN && contiguous(x.shape, size) ? ctx.view(x, off, size) : strided(ctx, x, off, st, size);
    },
    Pad: ([x], { paddings, constantValue }) => {
      const outShape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
      const { info, ptr } = ctx.output(outShape, x.dtype);
      const size = product(outShape);
      const bytes = ctx.bytes(x.dtype);
      fillValue(ctx, x.dtype, ptr, size, constantValue);
      const outStrides = stridesOf(outShape);
      let off = 0;
      for (let i = 0; i < outShape.length; i++) off += paddings[i]![0] * outStrides[i]!;
      copyBlock(ctx, ctx.ptr(x), 0, stridesOf(x.shape), ptr, off, outStrides, x.shape, bytes);
      return info;
    },
    // Tile as a broadcast: [s0, s1] tiled by [r0, r1] is [r0, s0, r1, s1] with zero strides on the repeats.
    Tile: ([x], { reps }) => {
      const st = stridesOf(x.shape);
      const shape: number[] = [];
      const strides: number[] = [];
      for (let i = 0; i < x.shape.length; i++) {
        shape.push(reps[i]!, x.shape[i]!);
        strides.push(0, st[i]!);
      }
      return strided(ctx, x, 0, strides, shape, x.shape.map((d, i) => d * reps[i]!));
    },
    Reverse: ([x], { axes }) => {
      const st = stridesOf(x.shape);
      let off = 0;
      for (const a of axes) {
        off += (x.shape[a]! - 1) * st[a]!;
        st[a] = -st[a]!;
      }
      return strided(ctx, x, off, st, x.shape);
    },
    BroadcastTo: ([x], { shape }) => {
      const st = stridesOf(x.shape);
      const lead = shape.length - x.shape.length;
      const strides = shape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : st[i - lead]!));
      return strided(ctx, x, 0, strides, shape);
    },
    Gather: ([x, indices], { axis }) => {
      const n = x.shape[axis]!;
      if (!checkIndices(ctx, 'Gather', indices, n)) return fb.kernel('Gather')([x, indices], { axis });
      const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
      const { info, ptr } = ctx.output(outShape, x.dtype);
      const count = product(indices.shape);
      const outer = product(x.shape, 0, axis);
      const inner = product(x.shape, axis + 1);
      if (count * outer * inner > 0) ctx.k.gather(ctx.ptr(x), ctx.ptr(indices), ptr, outer, n, count, inner, ctx.bytes(x.dtype));
      return info;
    },
    ScatterAdd: ([updates, indices], { axis, size }) => {
      if (updates.dtype !== 'float32' || !checkIndices(ctx, 'ScatterAdd', indices, size)) {
        return scatterCpu([updates, indices], { axis, size });
      }
      const r = indices.shape.length;
      const outShape = [...updates.shape.slice(0, axis), size, ...updates.shape.slice(axis + r)];
      const { info, ptr } = ctx.output(outShape, 'float32');
      const outer = product(updates.shape, 0, axis);
      const inner = product(updates.shape, axis + r);
      const count = product(indices.shape);
      if (product(outShape) > 0) ctx.k.scatterAddF32(ctx.ptr(updates), ctx.ptr(indices), ptr, outer, size, count, inner);
      return info;
    },
  } satisfies Partial<KernelTable>;
}
