import type { DType, Shape, TensorInfo } from '@descent/tensor';
import type { WasmData } from './data.js';
import { bytesPerElement } from '@descent/tensor';
import { Storage, ptrOf } from './data.js';
import type { KernelExports } from './exports.js';
import type { Heap } from './heap.js';
import { sizeClass } from './heap.js';
import type { ThreadPool } from './threads.js';

const META_INTS = 256;

/** What kernels need: the kernel module, the heap, storage records, scratch, and the thread pool. */
export class Context {
  readonly storage: Storage;
  /** int32 scratch for dims/strides passed to strided kernels (single-threaded use only). */
  readonly metaPtr: number;
  /** matmul packing scratch of the calling thread. */
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

  /** A new output: its storage handle and pointer. */
  output(shape: Shape, dtype: DType): { info: TensorInfo; ptr: number } {
    let size = 1;
    for (const d of shape) size *= d;
    const data = this.storage.create(dtype, size);
    return { info: { dataId: data, shape, dtype }, ptr: data.block.ptr };
  }

  /** A new output sharing `info`'s storage (no-copy reshape / same-dtype cast). */
  share(info: TensorInfo, shape: Shape): TensorInfo {
    ptrOf(info.dataId);
    return { dataId: info.dataId, shape, dtype: info.dtype };
  }

  ptr(info: TensorInfo): number {
    return ptrOf(info.dataId);
  }

  /** Scratch for one kernel call; give it back with `free`. */
  scratch(bytes: number): { ptr: number; cls: number } {
    const cls = sizeClass(bytes);
    return { ptr: this.heap.alloc(cls), cls };
  }

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
