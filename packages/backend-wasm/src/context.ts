import type { DType, Shape, TensorInfo } from '@descent/tensor';
import type { WasmData } from './data.js';
import { bytesPerElement } from '@descent/tensor';
import { Storage, ptrOf } from './data.js';
import type { KernelExports } from './exports.js';
import type { Heap } from './heap.js';
import { product } from './kernels/shape.js';
import { sizeClass } from './heap.js';
import type { ThreadPool } from './threads.js';

/** int32 words of the descriptor scratch (`meta`). */
const META_INTS = 256;

/**
 * What the kernels of one backend instance share: the kernel exports `k`, the allocator over the
 * shared memory (`heap`), the storage records of its tensors (`storage`) and the thread pool.
 *
 * Who owns what during a kernel call (the asm side of the contract is at the top of asm/index.ts):
 * - inputs are read through `ptr(info)`, which first brings evicted storage back into memory;
 * - the output is a new storage record from `output()`: the engine takes it over and frees its
 *   block when the last tensor holding it goes (`Storage`);
 * - temporary buffers come from `scratch()` and go back with `free()` before the kernel returns;
 *   nothing else would ever free them;
 * - `metaPtr` and `workPtr` are allocated once here and live as long as the context.
 * Addresses stay valid when the memory grows, typed-array views do not: read `heap.f32`/`i32`/`u8`
 * again after anything that may allocate instead of keeping a view in a local.
 */
export class Context {
  readonly storage: Storage;
  /**
   * Descriptor scratch (META_INTS int32 words): dims, strides and geometry that the calling thread
   * writes with `meta()` right before a call; the call (and its worker threads) read it until it
   * returns. One descriptor at a time: the next `meta()` overwrites it.
   */
  readonly metaPtr: number;
  /** The calling thread's `work` scratch of matmulWorkBytes() bytes (each worker has its own). */
  readonly workPtr: number;

  constructor(
    readonly k: KernelExports,
    readonly heap: Heap,
    readonly pool: ThreadPool,
  ) {
    this.storage = new Storage(heap);
    this.metaPtr = heap.alloc(META_INTS * 4);
    this.workPtr = heap.alloc(sizeClass(k.matmulWorkBytes()));
  }

  /** A new output of `shape` and `dtype`: its TensorInfo (new storage, not yet written) and the block's address. */
  output(shape: Shape, dtype: DType): { info: TensorInfo; ptr: number } {
    const data = this.storage.create(dtype, product(shape));
    return { info: { dataId: data, shape, dtype }, ptr: data.block.ptr };
  }

  /**
   * A new output of `shape` that is a window of `info`'s storage from element `offset` on, without a
   * copy (a contiguous slice; see `Storage.view`).
   */
  view(info: TensorInfo, offset: number, shape: Shape): TensorInfo {
    const data = this.storage.view(info.dataId as WasmData, offset * bytesPerElement(info.dtype), info.dtype, product(shape));
    return { dataId: data, shape, dtype: info.dtype };
  }

  /** A new output sharing `info`'s storage (no-copy reshape / same-dtype cast). */
  share(info: TensorInfo, shape: Shape): TensorInfo {
    ptrOf(info.dataId);
    return { dataId: info.dataId, shape, dtype: info.dtype };
  }

  /** The address of `info`'s values (evicted storage is moved back first; released storage throws). */
  ptr(info: TensorInfo): number {
    return ptrOf(info.dataId);
  }

  /** Scratch of at least `bytes` for one kernel call (uninitialised); give it back with `free` before returning. */
  scratch(bytes: number): { ptr: number; cls: number } {
    const cls = sizeClass(bytes);
    return { ptr: this.heap.alloc(cls), cls };
  }

  /** Return a `scratch` block to the allocator. */
  free(s: { ptr: number; cls: number }): void {
    this.heap.free(s.ptr, s.cls);
  }

  /** Write int32 lists one after another into the meta scratch (plus `extra` zeroed ints); returns its pointer. */
  meta(lists: readonly (readonly number[])[], extra: number): number {
    let n = extra;
    for (const l of lists) n += l.length;
    if (n > META_INTS) throw new Error(`wasm backend: rank too large for a strided kernel (${n} ints of metadata)`);
    const i32 = this.heap.i32;
    let at = this.metaPtr >> 2;
    for (const l of lists) for (const v of l) i32[at++] = v;
    for (let i = 0; i < extra; i++) i32[at++] = 0;
    return this.metaPtr;
  }

  bytes(dtype: DType): number {
    return bytesPerElement(dtype);
  }

  data(info: TensorInfo): WasmData {
    return info.dataId as WasmData;
  }
}
