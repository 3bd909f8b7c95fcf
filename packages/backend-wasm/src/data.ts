import type { DType } from '@descent/tensor';
import type { Heap } from './heap.js';
import { sizeClass } from './heap.js';

/** One block of wasm memory. Separate from `WasmData` so the FinalizationRegistry can hold it without keeping the record alive. */
export interface Block {
  readonly ptr: number;
  readonly cls: number;
  freed: boolean;
}

/**
 * The wasm backend's storage handle (`TensorInfo.dataId`). `holders` counts the tensors the engine
 * registered on it (retainData/disposeData); when it drops back to zero the block is freed at once.
 * When the record itself is garbage collected, the FinalizationRegistry frees the block.
 */
export class WasmData {
  holders = 0;
  constructor(
    readonly block: Block,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

export function bytesPerElement(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}

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

  create(dtype: DType, size: number): WasmData {
    const cls = sizeClass(size * bytesPerElement(dtype));
    const block: Block = { ptr: this.heap.alloc(cls), cls, freed: false };
    const data = new WasmData(block, dtype, size);
    this.registry.register(data, block, block);
    return data;
  }

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

/** The pointer behind a storage handle; a freed block is never read (clear error instead). */
export function ptrOf(dataId: object): number {
  const d = dataId as WasmData;
  if (d.block.freed) {
    throw new Error(
      'wasm backend: this tensor\'s storage was released (its scope ended or it was disposed) and can no longer be used; ' +
        'keep() tensors that must outlive a step, or return them from the scope',
    );
  }
  return d.block.ptr;
}
