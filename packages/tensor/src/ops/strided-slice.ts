import { runKernel } from '../engine.js';
import { formatArg } from '../format.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { tensor } from './convert.js';
import { fail, tensorArg } from './nd-index.js';

/** The bit masks of `stridedSlice`: bit `i` refers to entry `i` of `begin`/`end`/`strides`. */
export interface StridedSliceOptions {
  /** Bit `i` set: ignore `begin[i]` and start from the first element in the stride's direction. */
  beginMask?: number;
  /** Bit `i` set: ignore `end[i]` and run to the last element in the stride's direction. */
  endMask?: number;
  /** Bit `i` set: entry `i` is `...`, standing for as many full axes as the other entries leave (at most one bit). */
  ellipsisMask?: number;
  /** Bit `i` set: entry `i` inserts a new axis of size 1 (its begin, end and stride are ignored). */
  newAxisMask?: number;
  /** Bit `i` set: entry `i` takes the single element at `begin[i]` and removes the axis (like `x[3]`). */
  shrinkAxisMask?: number;
}

const NEW_AXIS = -1;
const SHRUNK = -2;

/** One input axis after canonicalization: first element, signed step and element count. */
interface AxisRange {
  begin: number;
  stride: number;
  size: number;
}

function intList(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((e) => Number.isInteger(e))) fail(op, `${name} must be an array of integers, got ${formatArg(v)}`);
  return [...(v as number[])];
}

function maskArg(op: string, name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0x7fffffff) {
    fail(op, `${name} must be a non-negative 32-bit integer bit mask, got ${formatArg(v)}`);
  }
  return v as number;
}

/**
 * The slice `x[begin:end:strides]` with TF's `strided_slice` semantics (what `x[1:, ::-2, None, ..., 3]`
 * means in TF and NumPy), masks included. Per entry `i` of `begin`, `end` and `strides` (all the same
 * length; `strides` defaults to ones): negative positions count from the end; out-of-range ones are
 * clamped; a negative stride walks backwards (`begin` is then the larger end); `beginMask`/`endMask`
 * bit `i` means "from the start"/"to the end" in the stride's direction; `ellipsisMask` (one bit)
 * stands for all axes the other entries do not name; `newAxisMask` inserts a size-1 axis;
 * `shrinkAxisMask` takes the element at `begin[i]` (which must be in range) and drops the axis.
 * Axes past the entries are taken whole. Built from Slice, Reverse, Gather (strides other than ±1)
 * and Reshape, so it is differentiable.
 *
 * ```ts
 * const x = arange(12).reshape([3, 4]);
 * stridedSlice(x, [0, 3], [3, 0], [2, -1]).toArray();              // [[3, 2, 1], [11, 10, 9]]  (x[0:3:2, 3:0:-1])
 * stridedSlice(x, [1], [2], [1], { shrinkAxisMask: 1 }).toArray(); // [4, 5, 6, 7]              (x[1])
 * stridedSlice(x, [0, 0], [0, 0], [1, -1], { beginMask: 3, endMask: 3 }).shape; // [3, 4]     (x[:, ::-1])
 * ```
 */
export function stridedSlice(
  x: TensorLike,
  begin: readonly number[],
  end: readonly number[],
  strides?: readonly number[],
  options: StridedSliceOptions = {},
): Tensor {
  const op = 'stridedSlice';
  const t = tensorArg(op, 'x', x);
  const b = intList(op, 'begin', begin);
  const e = intList(op, 'end', end);
  const s = strides === undefined ? b.map(() => 1) : intList(op, 'strides', strides);
  if (e.length !== b.length || s.length !== b.length) {
    fail(op, `begin, end and strides must have the same length, got ${b.length}, ${e.length} and ${s.length}`);
  }
  if (options === null || typeof options !== 'object') fail(op, `options must be an object of bit masks, got ${formatArg(options)}`);
  const beginMask = maskArg(op, 'beginMask', options.beginMask);
  const endMask = maskArg(op, 'endMask', options.endMask);
  const ellipsisMask = maskArg(op, 'ellipsisMask', options.ellipsisMask);
  const newAxisMask = maskArg(op, 'newAxisMask', options.newAxisMask);
  const shrinkAxisMask = maskArg(op, 'shrinkAxisMask', options.shrinkAxisMask);
  const bit = (mask: number, i: number): boolean => i < 31 && ((mask >>> i) & 1) === 1;

  // Only bits of real entries count; with no ellipsis there is an implicit one after the last entry.
  const ellipses = b.map((_, i) => i).filter((i) => bit(ellipsisMask, i));
  if (ellipses.length > 1) fail(op, `ellipsisMask may have only one bit set among the ${b.length} entries, got ${ellipsisMask} (entries ${ellipses.join(', ')})`);
  const specLength = ellipses.length === 0 ? b.length + 1 : b.length;
  const ellipsisAt = ellipses[0] ?? b.length;
  let newAxesAfterEllipsis = 0;
  for (let i = ellipsisAt + 1; i < b.length; i++) if (bit(newAxisMask, i)) newAxesAfterEllipsis++;

  // Expand the sparse spec (entries) into one range per input axis, and record how the output
  // shape is read off: an input axis, a new axis, or nothing for a shrunk axis.
  const rank = t.rank;
  const ranges: AxisRange[] = [];
  const finalAxes: number[] = [];
  let axis = 0;
  for (let i = 0; i < specLength; i++) {
    if (i === ellipsisAt) {
      const through = Math.min(rank - (specLength - i) + 1 + newAxesAfterEllipsis, rank);
      for (; axis < through; axis++) {
        ranges.push({ begin: 0, stride: 1, size: t.shape[axis]! });
        finalAxes.push(axis);
      }
    } else if (bit(newAxisMask, i)) {
      finalAxes.push(NEW_AXIS);
    } else {
      if (axis === rank) {
        fail(op, `too many entries for x of shape ${formatShape(t.shape)}: entry ${i} would index axis ${axis} (begin ${formatArg(b)}, newAxisMask ${newAxisMask}, ellipsisMask ${ellipsisMask})`);
      }
      const shrink = bit(shrinkAxisMask, i);
      ranges.push(axisRange(op, i, axis, t.shape[axis]!, b[i]!, e[i]!, s[i]!, bit(beginMask, i), bit(endMask, i), shrink));
      finalAxes.push(shrink ? SHRUNK : axis);
      axis++;
    }
  }
  const outShape = finalAxes.filter((a) => a !== SHRUNK).map((a) => (a === NEW_AXIS ? 1 : ranges[a]!.size));
  return applyRanges(t, ranges, outShape);
}

/** Canonical first element, stride and count of one axis (TF's rules, including its clamping). */
function axisRange(
  op: string, entry: number, axis: number, dim: number, begin: number, end: number, stride: number,
  beginMasked: boolean, endMasked: boolean, shrink: boolean,
): AxisRange {
  if (stride === 0) fail(op, `strides[${entry}] must be non-zero`);
  if (shrink) {
    if (stride < 0) fail(op, `entry ${entry} shrinks axis ${axis} (shrinkAxisMask), so its stride must be positive, got ${stride}`);
    const at = begin < 0 ? dim + begin : begin;
    if (at < 0 || at >= dim) fail(op, `begin[${entry}] = ${begin} is out of range for axis ${axis} of size ${dim} (it is shrunk, so it must be in [${-dim}, ${dim}))`);
    return { begin: at, stride: 1, size: 1 };
  }
  // Valid positions: [0, dim] walking forward, [-1, dim - 1] walking backward (-1 = before the start).
  const lo = stride > 0 ? 0 : -1;
  const hi = stride > 0 ? dim : dim - 1;
  const clamp = (v: number): number => {
    const forward = v < 0 ? dim + v : v;
    return forward < lo ? lo : forward > hi ? hi : forward;
  };
  const first = beginMasked ? (stride > 0 ? lo : hi) : clamp(begin);
  const last = endMasked ? (stride > 0 ? hi : lo) : clamp(end);
  const interval = last - first;
  const size = interval === 0 || interval < 0 !== stride < 0 ? 0 : Math.ceil(interval / stride);
  return { begin: first, stride, size };
}

/** Slice the covered block, reverse the backward axes, pick every |stride|-th element, reshape. */
function applyRanges(t: Tensor, ranges: readonly AxisRange[], outShape: readonly number[]): Tensor {
  let result = t;
  const empty = ranges.some((r) => r.size === 0);
  const sliceBegin = ranges.map((r) => (empty || r.size === 0 ? 0 : r.stride > 0 ? r.begin : r.begin + (r.size - 1) * r.stride));
  const sliceSize = ranges.map((r) => (empty ? r.size : (r.size - 1) * Math.abs(r.stride) + 1));
  if (!shapesEqual(sliceSize, t.shape)) result = runKernel('Slice', [result], { begin: sliceBegin, size: sliceSize });
  if (!empty) {
    const backward = ranges.map((r, i) => (r.stride < 0 && r.size > 1 ? i : -1)).filter((i) => i >= 0);
    if (backward.length > 0) result = runKernel('Reverse', [result], { axes: backward });
    ranges.forEach((r, i) => {
      const step = Math.abs(r.stride);
      if (step === 1 || r.size === 1) return;
      const picks = new Int32Array(r.size);
      for (let j = 0; j < r.size; j++) picks[j] = j * step;
      result = runKernel('Gather', [result, tensor(picks, [r.size], 'int32')], { axis: i });
    });
  }
  return shapesEqual(result.shape, outShape) ? result : runKernel('Reshape', [result], { shape: [...outShape] });
}
