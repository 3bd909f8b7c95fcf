import type { KernelTable, TensorInfo } from '@descent/tensor';
import { broadcastWalk } from '@descent/tensor';
import type { Context } from '../context.js';
import { BINARY } from '../exports.js';
import type { Fallback } from '../fallback.js';
import { BLOCK } from './unary.js';

// The binary kernel family in wasm (asm/binary.ts): arithmetic, comparisons and Where, split across
// threads by rows or blocks of BLOCK elements. LogicalAnd/LogicalOr over bool bytes are in logical.ts.

type BinaryName = keyof typeof BINARY;

function binary(ctx: Context, fb: Fallback, name: BinaryName) {
  const op = BINARY[name];
  const cpu = fb.kernel(name);
  const compare = op >= BINARY.Equal;
  return (inputs: readonly [TensorInfo, TensorInfo]): TensorInfo => {
    const [a, b] = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return cpu(inputs, {});
    const walk = broadcastWalk(name, [a.shape, b.shape]);
    const { info, ptr } = ctx.output(walk.outShape, compare ? 'bool' : 'float32');
    const pa = ctx.ptr(a);
    const pb = ctx.ptr(b);
    const size = ctx.data(info).size;
    if (size === 0) return info;
    const rank = walk.dims.length;
    const cost = size * (compare ? 9 : 12);
    if (rank === 1) {
      // One run (same shapes, or a scalar operand): threads take blocks of it.
      const sa = walk.strides[0]![0]!;
      const sb = walk.strides[1]![0]!;
      const args = [op, pa, pb, ptr, size, BLOCK, sa, sb, sa * BLOCK, sb * BLOCK];
      ctx.pool.range('binaryRange', Math.ceil(size / BLOCK), 1, cost, args, ctx.workPtr);
      return info;
    }
    if (rank === 2) {
      // Rows over a broadcast last axis (a bias add): threads take whole rows.
      const [rows, inner] = walk.dims as [number, number];
      const [rowA, sa] = walk.strides[0] as [number, number];
      const [rowB, sb] = walk.strides[1] as [number, number];
      const args = [op, pa, pb, ptr, size, inner, sa, sb, rowA, rowB];
      ctx.pool.range('binaryRange', rows, Math.ceil(BLOCK / inner), cost, args, ctx.workPtr);
      return info;
    }
    const meta = ctx.meta([walk.dims, walk.strides[0]!, walk.strides[1]!], walk.dims.length);
    ctx.k.binaryF32(op, pa, pb, ptr, walk.dims.length, meta);
    return info;
  };
}

function where(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('Where');
  return (inputs: readonly [TensorInfo, TensorInfo, TensorInfo]): TensorInfo => {
    const [cond, a, b] = inputs;
    if (cond.dtype !== 'bool' || a.dtype !== b.dtype || a.dtype === 'bool') return cpu(inputs, {});
    const walk = broadcastWalk('Where', [cond.shape, a.shape, b.shape]);
    const { info, ptr } = ctx.output(walk.outShape, a.dtype);
    if (ctx.data(info).size === 0) return info;
    const meta = ctx.meta([walk.dims, walk.strides[0]!, walk.strides[1]!, walk.strides[2]!], walk.dims.length);
    ctx.k.where32(ctx.ptr(cond), ctx.ptr(a), ctx.ptr(b), ptr, walk.dims.length, meta);
    return info;
  };
}

export function binaryKernels(ctx: Context, fb: Fallback) {
  const table = { Where: where(ctx, fb) } as Record<string, unknown>;
  for (const name of Object.keys(BINARY) as BinaryName[]) table[name] = binary(ctx, fb, name);
  return table as Pick<KernelTable, BinaryName | 'Where'>;
}
