import { checkAllocation, runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, normalizeAxes, normalizeAxis, shapesEqual, sizeFromShape } from '../shape.js';
import type { Axis, Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';

function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

function isIntArray(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}

function json(value: unknown): string {
  return formatArg(value);
}

/** A no-copy view of `t` with another shape of the same size. */
function view(t: Tensor, shape: readonly number[]): Tensor {
  return runKernel('Reshape', [t], { shape });
}

/** The same values in a new shape; one entry may be -1 and is inferred from the size. Never copies. */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const op = 'reshape';
  const t = toTensor(x, op, 'x');
  if (!isIntArray(shape)) fail(op, `shape must be an array of integers, got ${json(shape)}`);
  let inferAt = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (inferAt >= 0) fail(op, `only one dimension may be -1, got ${formatShape(shape)}`);
      inferAt = i;
    } else if (d < 0) {
      fail(op, `dimensions must be non-negative or -1, got ${formatShape(shape)}`);
    } else known *= d;
  }
  const final = [...shape];
  if (inferAt >= 0) {
    if (known === 0 || t.size % known !== 0) {
      fail(op, `cannot infer the -1 in ${formatShape(shape)} for a tensor of shape ${formatShape(t.shape)} (${t.size} elements)`);
    }
    final[inferAt] = t.size / known;
  } else if (known !== t.size) {
    fail(op, `cannot reshape a tensor of shape ${formatShape(t.shape)} (${t.size} elements) to ${formatShape(shape)} (${known} elements)`);
  }
  return view(t, final);
}

/** Flatten to rank 1. */
export function flatten(x: TensorLike): Tensor {
  const t = toTensor(x, 'flatten', 'x');
  return view(t, [t.size]);
}

/** Permute the axes: output axis `i` is input axis `perm[i]` (default: reversed axes). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const op = 'transpose';
  const t = toTensor(x, op, 'x');
  const p = perm ?? Array.from({ length: t.rank }, (_, i) => t.rank - 1 - i);
  if (!isIntArray(p)) {
    fail(op, `perm must be an array of integers (a permutation of [0..${t.rank - 1}]) for a rank-${t.rank} tensor, got ${formatArg(perm)}`);
  }
  const seen = new Set(p);
  if (p.length !== t.rank || seen.size !== t.rank || p.some((a) => a < 0 || a >= t.rank)) {
    fail(op, `perm must be a permutation of [0..${t.rank - 1}] for a rank-${t.rank} tensor, got ${json(perm)}`);
  }
  // Only the order of axes longer than 1 matters; when it is unchanged the values need no move.
  const moved = p.filter((a) => t.shape[a] !== 1);
  if (moved.every((a, i) => i === 0 || a > moved[i - 1]!)) return view(t, p.map((a) => t.shape[a]!));
  return runKernel('Transpose', [t], { perm: p });
}

/** Insert a size-1 axis at `axis` (in `[-(rank+1), rank]`). */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'expandDims', 'x');
  const a = normalizeAxis('expandDims', axis, t.rank + 1);
  const shape = [...t.shape];
  shape.splice(a, 0, 1);
  return view(t, shape);
}

/** Remove size-1 axes: all of them, or exactly those in `axis` (each must have size 1). */
export function squeeze(x: TensorLike, axis?: Axis): Tensor {
  const op = 'squeeze';
  const t = toTensor(x, op, 'x');
  if (axis === undefined) return view(t, t.shape.filter((d) => d !== 1));
  const axes = normalizeAxes(op, axis, t.rank);
  for (const a of axes) {
    if (t.shape[a] !== 1) fail(op, `cannot squeeze axis ${a} of shape ${formatShape(t.shape)}: its size is ${t.shape[a]}, not 1`);
  }
  return view(t, t.shape.filter((_, i) => !axes.includes(i)));
}

function tensorList(op: string, list: readonly TensorLike[]): Tensor[] {
  const given: unknown = list;
  if (!Array.isArray(given) || given.length === 0) fail(op, `expected a non-empty array of tensors, got ${Array.isArray(given) ? 'an empty array' : typeof given}`);
  return list.map((x, i) => toTensor(x, op, `tensors[${i}]`));
}

/** Join tensors along an existing `axis`; all other dimensions, the ranks and the dtypes must match. */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  const op = 'concat';
  const ts = tensorList(op, tensors);
  const first = ts[0]!;
  if (first.rank === 0) fail(op, 'cannot concatenate scalars (rank 0); use stack');
  const a = normalizeAxis(op, axis, first.rank);
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.rank !== first.rank) {
      fail(op, `all tensors must have the same rank, got ${formatShape(first.shape)} and ${formatShape(t.shape)} (tensors[${i}])`);
    }
    if (t.dtype !== first.dtype) {
      fail(op, `all tensors must have the same dtype, got ${first.dtype} and ${t.dtype} (tensors[${i}]); cast first`);
    }
    for (let d = 0; d < t.rank; d++) {
      if (d !== a && t.shape[d] !== first.shape[d]) {
        fail(op, `shapes must match except along axis ${a}, got ${formatShape(first.shape)} and ${formatShape(t.shape)} (tensors[${i}], axis ${d})`);
      }
    }
  }
  const outShape = [...first.shape];
  outShape[a] = ts.reduce((n, t) => n + t.shape[a]!, 0);
  checkAllocation(op, outShape, first.dtype);
  return runKernel('Concat', ts, { axis: a });
}

/** Join same-shaped tensors along a new `axis` (in `[-(rank+1), rank]`). */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  const op = 'stack';
  const ts = tensorList(op, tensors);
  const first = ts[0]!;
  const a = normalizeAxis(op, axis, first.rank + 1);
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i]!;
    if (!shapesEqual(t.shape, first.shape)) {
      fail(op, `all tensors must have the same shape, got ${formatShape(first.shape)} and ${formatShape(t.shape)} (tensors[${i}])`);
    }
    if (t.dtype !== first.dtype) fail(op, `all tensors must have the same dtype, got ${first.dtype} and ${t.dtype} (tensors[${i}]); cast first`);
  }
  const shape = [...first.shape];
  shape.splice(a, 0, 1);
  const outShape = [...first.shape];
  outShape.splice(a, 0, ts.length);
  checkAllocation(op, outShape, first.dtype);
  return runKernel('Concat', ts.map((t) => view(t, shape)), { axis: a });
}

/** The pieces of `t` along axis `a` of the given sizes, each keeping the axis. */
function pieces(t: Tensor, a: number, sizes: readonly number[]): Tensor[] {
  const out: Tensor[] = [];
  const begin = new Array<number>(t.rank).fill(0);
  const size = [...t.shape];
  for (const s of sizes) {
    size[a] = s;
    out.push(runKernel('Slice', [t], { begin: [...begin], size: [...size] }));
    begin[a] = begin[a]! + s;
  }
  return out;
}

/** The slices of `x` along `axis`, with that axis removed. */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const op = 'unstack';
  const t = toTensor(x, op, 'x');
  if (t.rank === 0) fail(op, 'expected a tensor of rank ≥ 1, got a scalar');
  const a = normalizeAxis(op, axis, t.rank);
  const shape = t.shape.filter((_, i) => i !== a);
  return pieces(t, a, new Array<number>(t.shape[a]!).fill(1)).map((p) => view(p, shape));
}

/**
 * Split along `axis` into `n` equal pieces (the dimension must divide evenly) or into pieces of
 * the given sizes (one may be -1, meaning the rest).
 */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const op = 'split';
  const t = toTensor(x, op, 'x');
  if (t.rank === 0) fail(op, 'expected a tensor of rank ≥ 1, got a scalar');
  const a = normalizeAxis(op, axis, t.rank);
  const dim = t.shape[a]!;
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    const n = numOrSizeSplits;
    if (!Number.isInteger(n) || n < 1) fail(op, `the number of splits must be a positive integer, got ${n}`);
    if (dim % n !== 0) fail(op, `axis ${a} of shape ${formatShape(t.shape)} has size ${dim}, which does not divide into ${n} equal splits`);
    sizes = new Array<number>(n).fill(dim / n);
  } else {
    if (!isIntArray(numOrSizeSplits) || numOrSizeSplits.length === 0) fail(op, `sizes must be a non-empty array of integers, got ${json(numOrSizeSplits)}`);
    sizes = [...numOrSizeSplits];
    const inferAt = sizes.indexOf(-1);
    if (sizes.some((s, i) => s < -1 || (s === -1 && i !== inferAt))) {
      fail(op, `sizes must be non-negative with at most one -1, got ${json(numOrSizeSplits)}`);
    }
    const known = sizes.reduce((acc, s) => (s === -1 ? acc : acc + s), 0);
    if (inferAt >= 0) {
      if (known > dim) fail(op, `sizes ${json(numOrSizeSplits)} add up to more than the size ${dim} of axis ${a}`);
      sizes[inferAt] = dim - known;
    } else if (known !== dim) {
      fail(op, `sizes ${json(numOrSizeSplits)} add up to ${known}, but axis ${a} of shape ${formatShape(t.shape)} has size ${dim}`);
    }
  }
  return pieces(t, a, sizes);
}

function perAxis(op: string, name: string, value: number | readonly number[], rank: number, fillWith: number): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!isIntArray(list)) fail(op, `${name} must be an integer or an array of integers, got ${json(value)}`);
  if (list.length > rank) fail(op, `${name} has ${list.length} entries but the tensor has rank ${rank}`);
  return [...list, ...new Array<number>(rank - list.length).fill(fillWith)];
}

/**
 * The block starting at `begin` of extent `size` (-1 = to the end of that axis). Missing trailing
 * entries mean "from 0" and "to the end"; a single number applies to axis 0.
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const op = 'slice';
  const t = toTensor(x, op, 'x');
  const b = perAxis(op, 'begin', begin, t.rank, 0);
  const s = perAxis(op, 'size', size ?? [], t.rank, -1);
  for (let i = 0; i < t.rank; i++) {
    const d = t.shape[i]!;
    if (b[i]! < 0 || b[i]! > d) fail(op, `begin[${i}] = ${b[i]} is out of bounds for axis ${i} of shape ${formatShape(t.shape)} (expected 0..${d})`);
    if (s[i] === -1) s[i] = d - b[i]!;
    else if (s[i]! < 0) fail(op, `size[${i}] must be non-negative or -1, got ${s[i]}`);
    else if (b[i]! + s[i]! > d) {
      fail(op, `begin ${json(b)} + size ${json(s)} goes past the end of axis ${i} of shape ${formatShape(t.shape)} (${b[i]} + ${s[i]} > ${d})`);
    }
  }
  return runKernel('Slice', [t], { begin: b, size: s });
}

/** Pad each axis with `[before, after]` copies of `constantValue`. */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
  const op = 'pad';
  const t = toTensor(x, op, 'x');
  const given: unknown = paddings;
  if (!Array.isArray(given) || given.length !== t.rank) {
    fail(op, `paddings must have one [before, after] pair per axis (${t.rank}), got ${json(paddings)}`);
  }
  for (let i = 0; i < paddings.length; i++) {
    const p: unknown = paddings[i];
    if (!isIntArray(p) || p.length !== 2 || p[0]! < 0 || p[1]! < 0) {
      fail(op, `paddings[${i}] must be a pair of non-negative integers, got ${json(p)}`);
    }
  }
  if (typeof constantValue !== 'number') fail(op, `constantValue must be a number, got ${typeof constantValue}`);
  if (t.dtype === 'int32' && !Number.isInteger(constantValue)) fail(op, `constantValue must be an integer for an int32 tensor, got ${constantValue}`);
  checkAllocation(op, t.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]), t.dtype);
  return runKernel('Pad', [t], { paddings: paddings.map((p) => [p[0], p[1]] as const), constantValue });
}

/** Repeat the tensor `reps[i]` times along each axis `i`. */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const op = 'tile';
  const t = toTensor(x, op, 'x');
  if (!isIntArray(reps) || reps.length !== t.rank || reps.some((r) => r < 0)) {
    fail(op, `reps must have one non-negative integer per axis (${t.rank}), got ${json(reps)}`);
  }
  checkAllocation(op, t.shape.map((d, i) => d * reps[i]!), t.dtype);
  return runKernel('Tile', [t], { reps: [...reps] });
}

/** Broadcast to `shape` by NumPy rules (leading axes added; size-1 axes repeated). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const op = 'broadcastTo';
  const t = toTensor(x, op, 'x');
  if (!isIntArray(shape) || shape.some((d) => d < 0)) fail(op, `shape must be an array of non-negative integers, got ${json(shape)}`);
  if (shape.length < t.rank) fail(op, `cannot broadcast shape ${formatShape(t.shape)} to the lower-rank ${formatShape(shape)}`);
  const lead = shape.length - t.rank;
  for (let i = 0; i < t.rank; i++) {
    const d = t.shape[i]!;
    if (d !== 1 && d !== shape[lead + i]) {
      fail(op, `cannot broadcast shape ${formatShape(t.shape)} to ${formatShape(shape)}: axis ${i} has size ${d}, which is neither 1 nor ${shape[lead + i]}`);
    }
  }
  if (sizeFromShape(shape) === t.size) return view(t, [...shape]);
  checkAllocation(op, shape, t.dtype);
  return runKernel('BroadcastTo', [t], { shape: [...shape] });
}

/** Reverse the order of elements along `axis` (all axes when omitted). */
export function reverse(x: TensorLike, axis?: Axis): Tensor {
  const op = 'reverse';
  const t = toTensor(x, op, 'x');
  const axes = normalizeAxes(op, axis, t.rank).filter((a) => t.shape[a]! > 1);
  if (axes.length === 0) return view(t, t.shape);
  return runKernel('Reverse', [t], { axes });
}
