import type { DType, TypedArray } from './dtype.js';
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

/**
 * Hyperparameters of each fused optimizer rule (Keras 3 math, as @descent/optimizers documents and tests it). Every number is
 * the value of this step (learning rate after its schedule, Adam's bias-corrected step size).
 */
export interface OptimizerHyper {
  /** `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`, `w −= alpha·m/(sqrt(v) + ε)`. Slots `[m, v]`. */
  adam: { readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly alpha: number };
  /** Plain `w −= η·g` (no slot) when momentum is 0; else `v = μ·v − η·g`, `w += v` (nesterov `w += μ·v − η·g`). Slots `[v]`. */
  sgd: { readonly learningRate: number; readonly momentum: number; readonly nesterov: boolean };
  /**
   * `v = ρ·v + (1−ρ)·g²`; centered `ḡ = ρ·ḡ + (1−ρ)·g`, `inc = η·g/sqrt(v − ḡ² + ε)`, else `inc = η·g/sqrt(v + ε)`;
   * momentum `m = μ·m + inc`, `w −= m`, else `w −= inc`. Slots `[v]`, then `m` if momentum > 0, then `ḡ` if centered.
   */
  rmsprop: { readonly learningRate: number; readonly rho: number; readonly momentum: number; readonly epsilon: number; readonly centered: boolean };
  /** `acc += g²`, `w −= η·g/sqrt(acc + ε)`. Slots `[acc]`. */
  adagrad: { readonly learningRate: number; readonly epsilon: number };
}

/** The update rules a backend may fuse into one pass (a closed set, like the kernels; never differentiated). */
export type OptimizerRule = keyof OptimizerHyper;

/** How many slot tensors follow `[w, g]` in a fused step's inputs (see `OptimizerHyper`). */
export function optimizerSlotCount<R extends OptimizerRule>(rule: R, hyper: OptimizerHyper[R]): number {
  switch (rule) {
    case 'adam':
      return 2;
    case 'sgd':
      return (hyper as OptimizerHyper['sgd']).momentum > 0 ? 1 : 0;
    case 'rmsprop': {
      const h = hyper as OptimizerHyper['rmsprop'];
      return 1 + (h.momentum > 0 ? 1 : 0) + (h.centered ? 1 : 0);
    }
    case 'adagrad':
      return 1;
  }
  throw new Error(`optimizerStep: unknown rule '${String(rule)}' (expected adam, sgd, rmsprop or adagrad)`);
}

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
   * Free the device memory behind `dataId` without losing its values: move them to host memory (a
   * typed array the garbage collector owns), and move them back transparently when a kernel or `read`
   * needs them again. The engine calls it for tensors that user code made outside any scope and has
   * not used for a while (see "Memory" in the README). A backend whose storage the garbage collector
   * already reclaims (CPU) leaves it out. A backend with asynchronous device reads (WebGPU) may
   * finish the move later, as long as the values stay readable meanwhile. Storage that is freed or
   * already on the host is left as it is.
   */
  evictData?(dataId: object): void;
  /**
   * One optimizer update in a single pass: `inputs` are `[w, g, ...slots]` (slot order in
   * `OptimizerHyper`), all float32 of one shape on this backend; returns fresh storage for the new
   * `w` and the new slots, in that order, or null when this backend cannot (the caller then takes
   * the op path). Optional: a backend without it always takes the op path.
   */
  optimizerStep?<R extends OptimizerRule>(rule: R, inputs: readonly TensorInfo[], hyper: OptimizerHyper[R]): TensorInfo[] | null;
}
