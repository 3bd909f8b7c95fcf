import type { TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { allocArray } from '../dtype.js';
import type { DTypeArrays } from '../dtype.js';
import type { Shape } from '../shape.js';
import { assertAllocatable } from '../shape.js';

/**
 * The CPU backend's per-tensor limit (`Backend.maxBytes`). V8 accepts typed arrays of up to 2**32
 * elements, but a CPU tensor of more than 2 GiB is almost always a mistake (a swapped argument, 1e9
 * typed for 1e6) that would page the machine for seconds before failing, and no CPU kernel over that
 * much data finishes in useful time.
 */
export const CPU_MAX_BYTES = 2 ** 31 - 1;

/**
 * A zero-filled output array for kernel `op`, after checking its size against CPU_MAX_BYTES, so a
 * kernel reached directly (not through an op that checked already) refuses a huge output clearly.
 */
export function allocOutput<D extends DType>(op: string, dtype: D, shape: Shape): DTypeArrays[D] {
  return allocArray(dtype, assertAllocatable(op, shape, dtype, CPU_MAX_BYTES, 'cpu'));
}

/** The CPU backend's storage handle: the typed array itself, shared by no-copy views (tensors are immutable). */
interface CpuData {
  readonly values: TypedArray;
}

/** The values behind a CPU tensor. Kernels read them and must never write to them. */
export function valuesOf(info: TensorInfo): TypedArray {
  return (info.dataId as CpuData).values;
}

/** Same as `valuesOf` for a tensor the caller knows is float32. */
export function floatsOf(info: TensorInfo): Float32Array {
  return (info.dataId as CpuData).values as Float32Array;
}

/** Wrap freshly computed values as a kernel output. */
export function output(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
  return { dataId: { values } satisfies CpuData, shape, dtype };
}
