import type { DType, TypedArray } from './dtype.js';
import type { ExtensionKernelTable } from './extension-kernels.js';
import type { KernelAttrs, KernelInputs, KernelName } from './kernels.js';
import type { Shape } from './shape.js';

/**
 * What a backend knows about one tensor: an opaque handle to its storage plus shape and dtype.
 * `dataId` is owned by the backend that created it (a typed array for the CPU backend, a
 * pointer record for a WASM backend); nobody else looks inside.
 */
export interface TensorInfo {
  /** Opaque handle to the storage, meaningful only to the backend that created it. */
  readonly dataId: object;
  /** Shape of the tensor. */
  readonly shape: Shape;
  /** Dtype of the tensor. */
  readonly dtype: DType;
}

/** A backend's implementation of kernel `K`: takes the kernel's inputs and attributes, returns the output. */
export type KernelImpl<K extends KernelName> = (
  inputs: KernelInputs<K, TensorInfo>,
  attrs: KernelAttrs<K>,
) => TensorInfo;

/** One implementation per kernel; the mapped type makes a missing kernel a compile error. */
export type KernelTable = { readonly [K in KernelName]: KernelImpl<K> };

/** A place where tensors live and kernels run (CPU, WASM, ...); register one with `registerBackend`. */
export interface Backend {
  /** Name the backend is registered and selected under (`'cpu'`, `'wasm'`). */
  readonly name: string;
  /** One implementation per kernel. */
  readonly kernels: KernelTable;
  /**
   * The most bytes one tensor's storage may take on this backend (a typed-array or heap limit).
   * Ops check every allocation they can size up front against it (`checkAllocation`) and refuse in
   * milliseconds, before any memory is touched. A backend that leaves it out gets `DEFAULT_MAX_BYTES`.
   */
  readonly maxBytes?: number;
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
  /**
   * `dataId` now has a holder that no scope will release (a loose tensor user code owns, a kept
   * tensor, a Variable): from now on `disposeData` or the garbage collector ends it. A manually managed
   * backend that frees storage when the collector takes its handle (a FinalizationRegistry) arranges
   * that here rather than for every new storage: most storage lives and dies inside one scope, whose
   * end frees it. Called at least once for such storage, possibly more often.
   */
  unscopedData?(dataId: object): void;
  /**
   * Free the device memory behind `dataId` without losing its values: move them to host memory (a
   * typed array the garbage collector owns), and move them back transparently when a kernel or `read`
   * needs them again. The engine calls it for tensors that user code made outside any scope and has
   * not used for a while (see "Memory" in the README). A backend whose storage the garbage collector
   * already reclaims (CPU) leaves it out. A backend with asynchronous device reads (WebGPU) may
   * finish the move later, as long as the values stay readable meanwhile. Storage that is freed or
   * already on the host is left as it is. Returns false where the storage stays (freed, already on
   * the host, or in use by other storage such as a view); the engine then keeps watching it.
   */
  evictData?(dataId: object): boolean | void;
  /**
   * Kernels outside the closed set, declared by the packages that use them (`ExtensionKernelDefs`),
   * with several outputs and no gradient, run by `runExtensionKernel`. Each is optional: an op whose
   * extension kernel the backend lacks takes its fallback or op path.
   */
  readonly extensionKernels?: ExtensionKernelTable;
}
