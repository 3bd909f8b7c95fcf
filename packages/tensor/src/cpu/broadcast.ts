import type { Shape } from '../shape.js';
import { assertAllocatable, broadcastWalk, formatShape, shapesEqual } from '../shape.js';
import { CPU_MAX_BYTES } from './storage.js';

/**
 * How to walk several inputs broadcast against each other, computed once per kernel call.
 *
 * The output is seen as `rows` contiguous runs of `inner` elements. Within a run, input `k`
 * advances by `steps[k]` (1 when it varies along the innermost collapsed axis, 0 when it is
 * broadcast along it); `offsets[k][r]` is where input `k` starts for run `r`. The axes are those
 * of `broadcastWalk` (merged, so same-shape and scalar operands become a single run and the common
 * bias-add case becomes one run per row).
 */
export interface BroadcastPlan {
  readonly outShape: number[];
  readonly size: number;
  readonly rows: number;
  readonly inner: number;
  readonly steps: Int32Array;
  readonly offsets: Int32Array[];
}

/** Broadcast `shapes` together (NumPy rules; errors name `op`) and plan the walk over them. */
export function broadcastPlan(op: string, shapes: readonly Shape[]): BroadcastPlan {
  const { outShape, dims, strides } = broadcastWalk(op, shapes);
  // Before the row offsets are planned: a huge broadcast fails here clearly (1 byte per element is
  // a lower bound; the kernel checks its real output dtype when it allocates).
  const size = assertAllocatable(op, outShape, 'bool', CPU_MAX_BYTES, 'cpu');
  const k = shapes.length;

  const steps = new Int32Array(k);
  if (size === 0) return { outShape, size, rows: 0, inner: 0, steps, offsets: shapes.map(() => new Int32Array(0)) };

  const n = dims.length;
  const inner = dims[n - 1]!;
  const rows = size / inner;
  for (let j = 0; j < k; j++) steps[j] = strides[j]![n - 1]!;
  const offsets = shapes.map((_, j) => rowOffsets(rows, dims, strides[j]!));
  return { outShape, size, rows, inner, steps, offsets };
}

/**
 * Start offset of every run for one input: built axis by axis from the innermost outer axis
 * outwards, each pass copying the block already filled with a shifted base, in row-major order.
 */
function rowOffsets(rows: number, dims: readonly number[], strides: readonly number[]): Int32Array {
  const out = new Int32Array(rows);
  let len = 1;
  for (let ax = dims.length - 2; ax >= 0; ax--) {
    const d = dims[ax]!;
    const s = strides[ax]!;
    // Highest block first so that block 0, the source of every copy, is overwritten last (never, as i = 0 is a no-op).
    for (let i = d - 1; i >= 1; i--) {
      const base = i * s;
      const at = i * len;
      for (let e = 0; e < len; e++) out[at + e] = out[e]! + base;
    }
    len *= d;
  }
  return out;
}

/**
 * For each element of an output of `outShape`, the flat index of the element of an input of
 * `inShape` broadcast to it. Useful to kernels that gather from one broadcast input.
 */
export function broadcastIndexMap(inShape: Shape, outShape: Shape): Int32Array {
  const plan = broadcastPlan('broadcastTo', [inShape, outShape]);
  if (!shapesEqual(plan.outShape, outShape)) {
    throw new Error(`broadcastTo: shape ${formatShape(inShape)} cannot be broadcast to ${formatShape(outShape)}`);
  }
  const map = new Int32Array(plan.size);
  const offs = plan.offsets[0]!;
  const step = plan.steps[0]!;
  const inner = plan.inner;
  for (let r = 0, o = 0; r < plan.rows; r++) {
    let ia = offs[r]!;
    for (let j = 0; j < inner; j++, ia += step) map[o++] = ia;
  }
  return map;
}
