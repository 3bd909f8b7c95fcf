import type { KernelExports } from './exports.js';
import type { WasmMemory } from './wasm-api.js';

const PAGE = 65536;

/**
 * Size classes: multiples of 64 bytes up to 4 KiB, then four classes per power of two (at most 25%
 * slack). Training repeats the same shapes every step, so freed blocks are reused exactly.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

/**
 * The largest block `sizeClass` can hand out within `limit` bytes: the largest tensor this allocator
 * can ever hold (a request between it and the limit would round up past the limit).
 */
export function largestBlock(limit: number): number {
  if (limit <= 4096) return Math.max(0, Math.floor(limit / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(limit)) - 2);
  return Math.floor(limit / step) * step;
}

/**
 * The wasm memory and a JS-side allocator over it: a bump pointer plus one free list per size
 * class. Blocks are 64-byte aligned (SIMD loads, cache lines). Typed-array views are re-created
 * after `memory.grow`.
 *
 * It owns every byte above the module's `heapBase()`; the kernels allocate nothing (asm/index.ts).
 * A freed block goes to its class's free list and is handed out again for the same class; nothing
 * is ever given back to the engine (a wasm memory cannot shrink), so the memory keeps the largest
 * size it reached. It grows by at least a quarter at a time, up to `maxPages` (src/abi.ts
 * MAX_PAGES); past that `alloc` throws. The allocator keeps no record of which blocks are out: a
 * caller must `free` each block exactly once, with its own class.
 */
export class Heap {
  /** Views of the whole memory; replaced when it grows (`refresh`), so read them again after an `alloc`. */
  f32!: Float32Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  /** The bump pointer: the end of the highest block ever handed out. */
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  /** Bytes in blocks handed out and not yet freed. */
  bytesInUse = 0;
  /** Blocks handed out and not yet freed. */
  blocksInUse = 0;

  constructor(
    readonly memory: WasmMemory,
    readonly k: KernelExports,
    private readonly maxPages: number,
  ) {
    this.top = Math.ceil(k.heapBase() / 64) * 64;
    this.refresh();
  }

  /** Bytes between the heap base and the bump pointer (what the allocator ever reserved). */
  get bytesReserved(): number {
    return this.top;
  }

  /** Re-create the typed-array views if the memory grew (by this heap or through `memory.grow` elsewhere). */
  refresh(): void {
    const buf = this.memory.buffer;
    if (this.u8 === undefined || this.u8.buffer !== buf || this.u8.byteLength !== buf.byteLength) {
      this.f32 = new Float32Array(buf);
      this.i32 = new Int32Array(buf);
      this.u8 = new Uint8Array(buf);
    }
  }

  /**
   * A block of `cls` bytes, where `cls` is a value of `sizeClass` (callers round their request up
   * with it and keep the class to give back to `free`); returns its address. Its contents are
   * whatever was there before. Throws when the memory would grow past `maxPages`.
   */
  alloc(cls: number): number {
    const list = this.freeLists.get(cls);
    this.bytesInUse += cls;
    this.blocksInUse++;
    if (list !== undefined && list.length > 0) return list.pop()!;
    const ptr = this.top;
    const end = ptr + cls;
    const size = this.memory.buffer.byteLength;
    if (end > size) {
      const pages = Math.ceil((end - size) / PAGE);
      const current = size / PAGE;
      if (current + pages > this.maxPages) {
        this.bytesInUse -= cls;
        this.blocksInUse--;
        throw new Error(`wasm backend: out of memory (asked for ${cls} bytes with ${this.bytesInUse} in use; the limit is ${this.maxPages * PAGE} bytes)`);
      }
      // Grow by at least a quarter of the current size so repeated growth stays rare.
      this.memory.grow(Math.min(this.maxPages - current, Math.max(pages, Math.ceil(current / 4))));
      this.refresh();
    }
    this.top = end;
    return ptr;
  }

  /** Give back a block from `alloc` with the class it was allocated with (once; not checked). */
  free(ptr: number, cls: number): void {
    let list = this.freeLists.get(cls);
    if (list === undefined) {
      list = [];
      this.freeLists.set(cls, list);
    }
    list.push(ptr);
    this.bytesInUse -= cls;
    this.blocksInUse--;
  }
}
