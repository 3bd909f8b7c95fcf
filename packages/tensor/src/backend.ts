import type { DType, TypedArray } from './dtype.js';
import type { KernelAttrs, KernelInputs, KernelName } from './kernels.js';
import type { Shape } from './shape.js';

/**
 * What a backend knows about one tensor: an opaque handle to its storage plus shape and dtype.
 * `dataId` is owned by the backend that created it (a typed array for the CPU backend, a
 * pointer record for a WASM backend); nobody else looks inside.
 */
export interface TensorInfo {
  readonly dataId: object;
  readonly shape: Shape;
  readonly dtype: DType;
}

export type KernelImpl<K extends KernelName> = (
  inputs: KernelInputs<K, TensorInfo>,
  attrs: KernelAttrs<K>,
) => TensorInfo;

/** One implementation per kernel; the mapped type makes a missing kernel a compile error. */
export type KernelTable = { readonly [K in KernelName]: KernelImpl<K> };

export interface Backend {
  readonly name: string;
  readonly kernels: KernelTable;
  /** Take `values` (row-major, already of `dtype`) as the storage of a new tensor. The caller gives up `values`. */
  write(values: TypedArray, shape: Shape, dtype: DType): TensorInfo;
  /** A fresh copy of the tensor's values that the caller may keep and mutate. */
  read(info: TensorInfo): TypedArray;
  /**
   * Drop one holder of `dataId` (the engine calls it once per `retainData`); backends with manual
   * memory free the storage when the last holder goes, garbage-collected backends may ignore it.
   */
  disposeData?(dataId: object): void;
  /** Tell a manually managed backend that `dataId` is referenced by one more tensor (e.g. a no-copy reshape). */
  retainData?(dataId: object): void;
}
