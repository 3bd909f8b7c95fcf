import type { DType, TypedArray } from '@descent/tensor';
import { bytesPerElement } from '@descent/tensor';
import type { Heap } from './heap.js';
import { sizeClass } from './heap.js';

/** One block of wasm memory. Separate from `WasmData` so the FinalizationRegistry can hold it without keeping the record alive. */
export interface Block {
  /** Address of the block in the shared memory. */
  readonly ptr: number;
  /** Its size class (bytes), as `Heap.free` needs it back. */
  readonly cls: number;
  /** Set once the block went back to the heap; it is then never read or freed again. */
  freed: boolean;
}

/**
 * The wasm backend's storage handle (`TensorInfo.dataId`). `holders` counts the tensors the engine
 * registered on it (retainData/disposeData); when it drops back to zero the block is freed at once.
 * When the record itself is garbage collected, the FinalizationRegistry frees the block.
 *
 * Evicted storage (see `Storage.evict`) keeps its values in `host` and a freed `block`; the first
 * use moves them back into a new block (`ptrOf`).
 */
export class WasmData {
  /** Tensors holding this storage (counted by the engine); the block is freed when it drops to 0. */
  holders = 0;
  /** The values while evicted to host memory, else null. */
  host: TypedArray | null = null;
  /** Whether the garbage collector frees the block if this record goes unreleased (see `Storage.track`). */
  tracked = false;
  /**
   * A view (`Storage.view`): the storage whose block this one is a window of, from byte `offset` on
   * (`block` is then the base's own Block object). The view counts as one holder of its base.
   */
  base: WasmData | null = null;
  offset = 0;
  /** Live views of this storage: while there are any it is neither evicted nor updated in place. */
  views = 0;
  constructor(
    public block: Block,
    readonly dtype: DType,
    readonly size: number,
    readonly storage: Storage,
  ) {}
}

/**
 * Creates and frees the storage records of one backend (README "Memory without dispose()"). A block
 * is freed, exactly once (`Block.freed`), by the first of:
 * - the last holder going (`dispose`, from the backend's `disposeData`): at the end of the scope
 *   that made the tensor, on `dispose()`, or when a Variable is assigned a new value;
 * - eviction (`evict`, the engine's `evictData`): the values move to host memory, and the first use
 *   moves them back into a new block (`restore`);
 * - the garbage collector taking the record while it still holds a block: the FinalizationRegistry
 *   frees it (`collected` counts these). Only storage that left every scope is registered (`track`,
 *   from the backend's `unscopedData`): a scope always releases what it holds, and most storage
 *   lives and dies in one (registering and unregistering every block cost ~0.6 µs each).
 * Values cross between wasm memory and JS arrays here only in `copyOut`, `evict` and `restore`.
 */
export class Storage {
  private readonly registry: FinalizationRegistry<Block>;
  /** Blocks freed by the garbage collector rather than by scopes/dispose (a diagnostic). */
  collected = 0;

  constructor(readonly heap: Heap) {
    this.registry = new FinalizationRegistry((block) => {
      if (!block.freed) {
        this.collected++;
        this.release(block);
      }
    });
  }

  /** Storage moved to host memory so far, and moved back. */
  evicted = 0;
  restored = 0;

  /** A new record with a block for `size` elements of `dtype` (contents not initialised) and no holders yet. */
  create(dtype: DType, size: number): WasmData {
    return new WasmData(this.newBlock(dtype, size), dtype, size, this);
  }

  /**
   * A record for `size` elements of `dtype` at byte `offset` of `base`'s block, sharing it without a
   * copy (a contiguous slice). It holds its base until it is released, evicted or leaves every scope
   * (`track`), when it takes a copy of its own: a long-lived view never pins a large base.
   */
  view(base: WasmData, offset: number, dtype: DType, size: number): WasmData {
    let root = base;
    while (root.base !== null) {
      offset += root.offset;
      root = root.base;
    }
    ptrOf(root);
    const data = new WasmData(root.block, dtype, size, this);
    data.base = root;
    data.offset = offset;
    root.views++;
    root.holders++;
    return data;
  }

  /** A view gets a block of its own with its values and lets go of its base. */
  private detach(data: WasmData, copy: boolean): void {
    const base = data.base!;
    if (copy) {
      const block = this.newBlock(data.dtype, data.size);
      const bytes = data.size * bytesPerElement(data.dtype);
      const heap = this.heap;
      heap.refresh();
      heap.u8.copyWithin(block.ptr, base.block.ptr + data.offset, base.block.ptr + data.offset + bytes);
      data.block = block;
    } else {
      data.block = { ptr: 0, cls: 0, freed: true };
    }
    data.base = null;
    data.offset = 0;
    base.views--;
    if (--base.holders <= 0) this.dispose(base);
  }

  /**
   * From now on the garbage collector frees `data`'s block if the record is dropped unreleased. A
   * view first takes a copy of its own (it is leaving every scope, and must not pin its base).
   */
  track(data: WasmData): void {
    if (data.base !== null) this.detach(data, true);
    if (data.tracked) return;
    data.tracked = true;
    if (!data.block.freed) this.registry.register(data, data.block, data.block);
  }

  private newBlock(dtype: DType, size: number): Block {
    const cls = sizeClass(size * bytesPerElement(dtype));
    return { ptr: this.heap.alloc(cls), cls, freed: false };
  }

  /** A copy of `data`'s values out of wasm memory (or its host copy). */
  copyOut(data: WasmData): TypedArray {
    if (data.block.freed) {
      if (data.host !== null) return data.host.slice();
      ptrOf(data); // throws the "released" error
    }
    const heap = this.heap;
    heap.refresh();
    const ptr = data.block.ptr + data.offset;
    const size = data.size;
    // `slice` of a view on shared memory copies element by element (8× slower than `set` from a
    // subarray, which copies in bulk: 0.56 vs 0.08 ms per MiB here).
    if (data.dtype === 'bool') {
      const out = new Uint8Array(size);
      out.set(heap.u8.subarray(ptr, ptr + size));
      return out;
    }
    if (data.dtype === 'int32') {
      const out = new Int32Array(size);
      out.set(heap.i32.subarray(ptr >> 2, (ptr >> 2) + size));
      return out;
    }
    const out = new Float32Array(size);
    out.set(heap.f32.subarray(ptr >> 2, (ptr >> 2) + size));
    return out;
  }

  /**
   * Move `data`'s values to host memory and free its block; false where it stays (freed, already
   * evicted, or read by views). Storage is immutable once written (the fused optimizer updates write
   * in place only over storage with one holder and no views), so the copy stays exact.
   */
  evict(data: WasmData): boolean {
    // Storage that views read stays (they hold it); a view's values are copied and its base let go.
    if (data.block.freed || data.views > 0) return false;
    data.host = this.copyOut(data);
    if (data.base !== null) {
      this.detach(data, false);
      this.evicted++;
      return true;
    }
    if (data.tracked) this.releaseNow(data.block);
    else this.release(data.block);
    this.evicted++;
    return true;
  }

  /** Move evicted values back into a new block; returns its pointer. */
  restore(data: WasmData): number {
    const host = data.host!;
    const block = this.newBlock(data.dtype, data.size);
    const heap = this.heap;
    heap.refresh();
    if (data.dtype === 'bool') heap.u8.set(host, block.ptr);
    else if (data.dtype === 'int32') heap.i32.set(host, block.ptr >> 2);
    else heap.f32.set(host, block.ptr >> 2);
    data.block = block;
    data.host = null;
    if (data.tracked) this.registry.register(data, block, block);
    this.restored++;
    return block.ptr;
  }

  /** Drop the last holder: free the block now, or the host copy of evicted storage. */
  dispose(data: WasmData): void {
    data.host = null;
    if (data.base !== null) this.detach(data, false);
    else if (data.tracked) this.releaseNow(data.block);
    else this.release(data.block);
  }

  /** Free `block` unless it was freed already (the finalizer's path; it leaves the registry entry alone). */
  release(block: Block): void {
    if (block.freed) return;
    block.freed = true;
    this.heap.free(block.ptr, block.cls);
  }

  /** Free now (scope end, dispose): also drop the registry entry so no finalizer work is left behind. */
  releaseNow(block: Block): void {
    if (block.freed) return;
    this.registry.unregister(block);
    this.release(block);
  }
}

/**
 * The pointer behind a storage handle; evicted storage moves back into wasm memory first, and a
 * released block is never read (clear error instead).
 */
export function ptrOf(dataId: object): number {
  const d = dataId as WasmData;
  if (d.block.freed) {
    if (d.host !== null) return d.storage.restore(d);
    throw new Error(
      'wasm backend: this tensor\'s storage was released (its scope ended or it was disposed) and can no longer be used; ' +
        'keep() tensors that must outlive a step, or return them from the scope',
    );
  }
  return d.block.ptr + d.offset;
}
