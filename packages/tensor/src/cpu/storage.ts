import type { TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/** The CPU backend's storage handle: the typed array itself, shared by no-copy views (tensors are immutable). */
export interface CpuData {
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
