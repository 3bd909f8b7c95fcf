import type { KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { assertAllocatable, mergeCopyAxes, sizeFromShape, stridesOf } from '../shape.js';
import { CPU_MAX_BYTES, allocOutput, output, valuesOf } from './storage.js';

/** Below this many elements a plain loop beats creating a subarray view for `set`. */
const SET_MIN = 32;
/** Square tile for the blocked transpose: 32×32 floats of source and destination fit in L1. */
const TILE = 32;

/**
 * Copy a strided block: element `i` (a multi-index over `shape`) goes from `src[srcOff + i·srcStrides]`
 * to `dst[dstOff + i·dstStrides]`. Strides may be 0 (broadcast) or negative (reverse).
 *
 * Every movement kernel is one call of this: transpose permutes the source strides, broadcast and
 * tile use zero strides, reverse negative ones, slice offsets the source and pad the destination.
 * Size-1 axes are dropped and axes that are contiguous in both arrays merged, so most copies
 * become a few long runs; a source-transposed pair of innermost axes is copied in tiles.
 */
function copyBlock(
  src: TypedArray,
  srcOff: number,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstOff: number,
  dstStrides: readonly number[],
  shape: Shape,
): void {
  const merged = mergeCopyAxes(shape, srcStrides, dstStrides);
  if (merged === null) return;
  const { dims, srcStrides: ss, dstStrides: ds } = merged;
  const k = dims.length;
  if (k === 0) {
    dst[dstOff] = src[srcOff]!;
    return;
  }
  const n = dims[k - 1]!;
  const sStep = ss[k - 1]!;
  const dStep = ds[k - 1]!;

  // A transpose of the two innermost axes: walking either array in order strides through the
  // other, so copy square tiles that stay in cache.
  if (k >= 2 && dStep === 1 && ss[k - 2] === 1 && ds[k - 2] === n && dims[k - 2]! * n >= TILE * TILE) {
    const m = dims[k - 2]!;
    const outerCount = dims.slice(0, k - 2).reduce((a, b) => a * b, 1);
    const counter = new Int32Array(Math.max(k - 2, 0));
    let so = srcOff;
    let doff = dstOff;
    for (let b = 0; b < outerCount; b++) {
      for (let i0 = 0; i0 < m; i0 += TILE) {
        const i1 = Math.min(i0 + TILE, m);
        for (let j0 = 0; j0 < n; j0 += TILE) {
          const j1 = Math.min(j0 + TILE, n);
          for (let i = i0; i < i1; i++) {
            let s = so + i + j0 * sStep;
            let d = doff + i * n + j0;
            for (let j = j0; j < j1; j++, s += sStep) dst[d++] = src[s]!;
          }
        }
      }
      for (let ax = k - 3; ax >= 0; ax--) {
        if (++counter[ax]! < dims[ax]!) {
          so += ss[ax]!;
          doff += ds[ax]!;
          break;
        }
        counter[ax] = 0;
        so -= ss[ax]! * (dims[ax]! - 1);
        doff -= ds[ax]! * (dims[ax]! - 1);
      }
    }
    return;
  }

  let rows = 1;
  for (let i = 0; i < k - 1; i++) rows *= dims[i]!;
  const counter = new Int32Array(k);
  let so = srcOff;
  let doff = dstOff;
  for (let r = 0; r < rows; r++) {
    if (sStep === 1 && dStep === 1) {
      if (n >= SET_MIN) dst.set(src.subarray(so, so + n), doff);
      else for (let j = 0; j < n; j++) dst[doff + j] = src[so + j]!;
    } else if (sStep === 0 && dStep === 1) {
      dst.fill(src[so]!, doff, doff + n);
    } else {
      for (let j = 0, s = so, d = doff; j < n; j++, s += sStep, d += dStep) dst[d] = src[s]!;
    }
    for (let ax = k - 2; ax >= 0; ax--) {
      if (++counter[ax]! < dims[ax]!) {
        so += ss[ax]!;
        doff += ds[ax]!;
        break;
      }
      counter[ax] = 0;
      so -= ss[ax]! * (dims[ax]! - 1);
      doff -= ds[ax]! * (dims[ax]! - 1);
    }
  }
}

/** Gather `srcStrides`-addressed elements of `x` into a new contiguous tensor of `shape`. */
function strided(op: string, x: TensorInfo, srcOff: number, srcStrides: readonly number[], shape: Shape, dtype: DType = x.dtype): TensorInfo {
  const out = allocOutput(op, dtype, shape);
  copyBlock(valuesOf(x), srcOff, srcStrides, out, 0, stridesOf(shape), shape);
  return output(out, shape, dtype);
}

function transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
  const inStrides = stridesOf(x.shape);
  return strided('Transpose', x, 0, perm.map((p) => inStrides[p]!), perm.map((p) => x.shape[p]!));
}

function concat(xs: readonly TensorInfo[], axis: number): TensorInfo {
  const first = xs[0]!;
  const outShape = [...first.shape];
  let total = 0;
  for (const x of xs) total += x.shape[axis]!;
  outShape[axis] = total;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= outShape[i]!;
  const out = allocOutput('Concat', first.dtype, outShape);
  const chunks = xs.map((x) => sizeFromShape(x.shape.slice(axis)));
  const values = xs.map((x) => valuesOf(x));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < xs.length; t++) {
      const c = chunks[t]!;
      const v = values[t]!;
      const from = o * c;
      if (c >= SET_MIN) out.set(v.subarray(from, from + c), pos);
      else for (let j = 0; j < c; j++) out[pos + j] = v[from + j]!;
      pos += c;
    }
  }
  return output(out, outShape, first.dtype);
}

function slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  const strides = stridesOf(x.shape);
  let off = 0;
  for (let i = 0; i < begin.length; i++) off += begin[i]! * strides[i]!;
  return strided('Slice', x, off, strides, size);
}

function pad(x: TensorInfo, paddings: readonly (readonly [number, number])[], constantValue: number): TensorInfo {
  const outShape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const out = allocOutput('Pad', x.dtype, outShape);
  const fill = x.dtype === 'bool' ? (constantValue !== 0 ? 1 : 0) : constantValue;
  if (fill !== 0) out.fill(fill);
  const outStrides = stridesOf(outShape);
  let off = 0;
  for (let i = 0; i < outShape.length; i++) off += paddings[i]![0] * outStrides[i]!;
  copyBlock(valuesOf(x), 0, stridesOf(x.shape), out, off, outStrides, x.shape);
  return output(out, outShape, x.dtype);
}

/**
 * Tile as a broadcast: `[s0, s1]` tiled by `[r0, r1]` is `[r0, s0, r1, s1]` with zero strides on the
 * repeat axes, whose row-major order is exactly the tiled `[r0·s0, r1·s1]`.
 */
function tile(x: TensorInfo, reps: readonly number[]): TensorInfo {
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  // Checked on the real output shape, not the interleaved one `strided` walks.
  assertAllocatable('Tile', outShape, x.dtype, CPU_MAX_BYTES, 'cpu');
  const inStrides = stridesOf(x.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < x.shape.length; i++) {
    shape.push(reps[i]!, x.shape[i]!);
    strides.push(0, inStrides[i]!);
  }
  const out = strided('Tile', x, 0, strides, shape);
  return { ...out, shape: outShape };
}

function reverse(x: TensorInfo, axes: readonly number[]): TensorInfo {
  const strides = stridesOf(x.shape);
  let off = 0;
  for (const a of axes) {
    off += (x.shape[a]! - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  return strided('Reverse', x, off, strides, x.shape);
}

function broadcastTo(x: TensorInfo, shape: readonly number[]): TensorInfo {
  const inStrides = stridesOf(x.shape);
  const lead = shape.length - x.shape.length;
  const strides = shape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : inStrides[i - lead]!));
  return strided('BroadcastTo', x, 0, strides, shape);
}

function gather(x: TensorInfo, indices: TensorInfo, axis: number): TensorInfo {
  const v = valuesOf(x);
  const idx = valuesOf(indices);
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
  const n = x.shape[axis]!;
  const inner = sizeFromShape(x.shape.slice(axis + 1));
  const m = idx.length;
  const out = allocOutput('Gather', x.dtype, outShape);
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j = 0; j < m; j++) {
      const from = base + idx[j]! * inner;
      if (inner >= SET_MIN) out.set(v.subarray(from, from + inner), pos);
      else for (let t = 0; t < inner; t++) out[pos + t] = v[from + t]!;
      pos += inner;
    }
  }
  return output(out, outShape, x.dtype);
}

function scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, size: number): TensorInfo {
  const u = valuesOf(updates);
  const idx = valuesOf(indices);
  const outShape = [...updates.shape.slice(0, axis), size, ...updates.shape.slice(axis + indices.shape.length)];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= updates.shape[i]!;
  const m = idx.length;
  const inner = sizeFromShape(updates.shape.slice(axis + indices.shape.length));
  const dtype: DType = updates.dtype === 'bool' ? 'int32' : updates.dtype;
  const outSize = outer * size * inner;
  // float32 sums accumulate in float64 so repeated indices round once; int32 wraps as int32 does.
  const acc: Float64Array | Int32Array = dtype === 'float32' ? new Float64Array(outSize) : new Int32Array(outSize);
  for (let o = 0; o < outer; o++) {
    const uBase = o * m * inner;
    const oBase = o * size * inner;
    for (let j = 0; j < m; j++) {
      const to = oBase + idx[j]! * inner;
      const from = uBase + j * inner;
      for (let t = 0; t < inner; t++) acc[to + t] = acc[to + t]! + u[from + t]!;
    }
  }
  return output(acc instanceof Float64Array ? Float32Array.from(acc) : acc, outShape, dtype);
}

export const movementKernels = {
  // Tensors are immutable, so a reshape is the same storage under a new shape.
  Reshape: ([x], { shape }) => ({ dataId: x.dataId, shape, dtype: x.dtype }),
  Transpose: ([x], { perm }) => transpose(x, perm),
  Concat: (xs, { axis }) => concat(xs, axis),
  Slice: ([x], { begin, size }) => slice(x, begin, size),
  Pad: ([x], { paddings, constantValue }) => pad(x, paddings, constantValue),
  Tile: ([x], { reps }) => tile(x, reps),
  Reverse: ([x], { axes }) => reverse(x, axes),
  BroadcastTo: ([x], { shape }) => broadcastTo(x, shape),
  Gather: ([x, indices], { axis }) => gather(x, indices, axis),
  ScatterAdd: ([updates, indices], { axis, size }) => scatterAdd(updates, indices, axis, size),
} satisfies Partial<KernelTable>;
