import { formatArg } from './format.js';
import type { DType } from './dtype.js';
import { bytesPerElement } from './dtype.js';
/** Shape helpers shared by ops and backends. */
export type Shape = readonly number[];

/**
 * The most axes a tensor may have. NumPy 2 allows 64 (NPY_MAXDIMS, raised from 32); no model needs
 * more, and it bounds the recursion of nested-array conversion (`tensor()`, `toArray()`) far below
 * the call-stack limit, so a pathological 10,000-deep array fails with a clear error instead of a
 * `Maximum call stack size exceeded`.
 */
export const MAX_RANK = 64;

/** Number of elements of a tensor of `shape` (1 for `[]`). */
export function sizeFromShape(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when both shapes have the same rank and dimensions. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The shape as shown in error messages: `[2,3]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * NumPy broadcasting: align trailing dimensions; each pair must be equal or one of them 1.
 * Throws naming `op` and both shapes when they do not broadcast.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(dimension ${i - rank} is ${da} vs ${db}; each pair must be equal or 1)`,
      );
    }
  }
  return out;
}

/** Axes of `outShape` along which an input of `inShape` was broadcast (for reducing gradients back). */
export function broadcastedAxes(inShape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    const d = i < offset ? 1 : inShape[i - offset]!;
    if (d === 1 && outShape[i] !== 1) axes.push(i);
  }
  return axes;
}

/** Resolve a possibly negative axis against `rank`, or throw naming `op`. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis must be an integer in [${-rank}, ${rank - 1}] for a rank-${rank} tensor, got ${formatArg(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolve `axis` (undefined = all axes, a number, or a list) to sorted unique non-negative axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new Error(`${op}: axis must be an integer or an array of integers, got ${typeof axis === 'string' ? `the string ${formatArg(axis)}` : formatArg(axis)}`);
  }
  const list: readonly number[] = typeof axis === 'number' ? [axis] : axis;
  const seen = new Set<number>();
  for (const a of list) {
    const n = normalizeAxis(op, a, rank);
    if (seen.has(n)) throw new Error(`${op}: axis ${a} is repeated in ${formatArg(list)}`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

/** `shape` with the given (normalized) axes removed, or set to 1 with keepDims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/**
 * Throw unless a tensor of `shape` and `dtype` can be allocated within `maxBytes` (on `backendName`):
 * every entry a non-negative integer, at most MAX_RANK axes, the element count a safe integer and
 * its bytes (4 per element, 1 for bool) at most `maxBytes`. Errors name `op`, the shape and the
 * bytes asked. Returns the element count. Ops reach it through `checkAllocation` (the active
 * backend's limit); backend kernels whose output size only they know call it directly.
 */
export function assertAllocatable(op: string, shape: Shape, dtype: DType, maxBytes: number, backendName: string): number {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${formatArg(shape)}`);
  if (shape.length > MAX_RANK) {
    throw new Error(`${op}: a tensor may have at most ${MAX_RANK} axes, got shape of rank ${shape.length}`);
  }
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape entries must be non-negative integers, got ${formatArg(shape)}`);
    }
    size *= d;
  }
  if (!Number.isSafeInteger(size)) {
    throw new Error(`${op}: shape ${formatShape(shape)} has ${size} elements, more than any tensor can hold (the ${backendName} backend allows ${maxBytes} bytes per tensor)`);
  }
  const per = bytesPerElement(dtype);
  const bytes = size * per;
  if (bytes > maxBytes) {
    throw new Error(
      `${op}: shape ${formatShape(shape)} of ${dtype} needs ${bytes} bytes (${size} elements × ${per}), ` +
        `more than the ${maxBytes} bytes the ${backendName} backend allows per tensor`,
    );
  }
  return size;
}

/** Throws unless every entry is a non-negative integer. */
export function assertValidShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${typeof shape === 'string' ? `the string ${formatArg(shape)}` : formatArg(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape entries must be non-negative integers, got ${formatArg(shape)}`);
    }
  }
}

/** A strided copy after dropping size-1 axes and merging axes contiguous in both arrays. */
export interface MergedCopy {
  /** Extent of each remaining axis. */
  dims: number[];
  /** Element stride of each remaining axis in the source. */
  srcStrides: number[];
  /** Element stride of each remaining axis in the destination. */
  dstStrides: number[];
}

/**
 * Simplify the copy of a `shape` block between two strided layouts: size-1 axes are dropped and
 * neighbouring axes that are contiguous in both source and destination merged, so most copies
 * become a few long runs. Returns null for an empty block (nothing to copy). Backends share it.
 */
export function mergeCopyAxes(shape: Shape, srcStrides: readonly number[], dstStrides: readonly number[]): MergedCopy | null {
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 0) return null;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && ss[last] === srcStrides[i]! * d && ds[last] === dstStrides[i]! * d) {
      dims[last] = dims[last]! * d;
      ss[last] = srcStrides[i]!;
      ds[last] = dstStrides[i]!;
    } else {
      dims.push(d);
      ss.push(srcStrides[i]!);
      ds.push(dstStrides[i]!);
    }
  }
  return { dims, srcStrides: ss, dstStrides: ds };
}

/**
 * How to walk inputs broadcast against each other (NumPy rules; errors name `op`): the output
 * shape, its dims with size-1 dims dropped and adjacent dims that every input treats alike merged,
 * and per input the element stride along each merged dim (0 where it is broadcast). Same-shape
 * operands become one run and a bias add one run per row. `dims` is never empty: an output of
 * size 1 is one dim of 1 with stride 0.
 */
export interface BroadcastWalk {
  /** The broadcast output shape. */
  readonly outShape: number[];
  /** The output's dims after dropping size-1 dims and merging dims every input treats alike. */
  readonly dims: number[];
  /** Per input, its element stride along each of `dims` (0 where it is broadcast). */
  readonly strides: number[][];
}

/**
 * Plans an elementwise walk over inputs of `shapes` broadcast together (see `BroadcastWalk`); throws,
 * naming `op`, when they do not broadcast.
 */
export function broadcastWalk(op: string, shapes: readonly Shape[]): BroadcastWalk {
  let outShape: number[] = [];
  for (const s of shapes) outShape = broadcastShapes(op, outShape, s);
  const rank = outShape.length;
  const full = shapes.map((s) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      const d = s[i]!;
      st[rank - s.length + i] = d === 1 ? 0 : acc;
      acc *= d;
    }
    return st;
  });
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let i = 0; i < rank; i++) {
    const d = outShape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous dim when every input is broadcast along both or contiguous across them.
    let merge = last >= 0;
    for (let j = 0; j < shapes.length && merge; j++) {
      const outer = strides[j]![last]!;
      const cur = full[j]![i]!;
      merge = (outer === 0 && cur === 0) || (cur !== 0 && outer === cur * d);
    }
    if (merge) {
      dims[last] = dims[last]! * d;
      for (let j = 0; j < shapes.length; j++) strides[j]![last] = full[j]![i]!;
    } else {
      dims.push(d);
      for (let j = 0; j < shapes.length; j++) strides[j]!.push(full[j]![i]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const st of strides) st.push(0);
  }
  return { outShape, dims, strides };
}
