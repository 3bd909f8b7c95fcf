import type { KernelExports } from './exports.js';
import type { Heap } from './heap.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { sizeClass } from './heap.js';

/** Starts one worker thread that runs `workerLoop` (see worker-source.ts) over the shared memory. */
export type SpawnWorker = (module: WasmModule, memory: WasmMemory, controlPtr: number) => { terminate(): void };

/** Control block of one worker, in shared memory (int32 words). */
const STATE = 0; // 0 idle, 1 job posted, 2 job done, 3 quit
const READY = 1; // set to 1 by the worker once its instance exists
const ARGS = 2; // matmul arguments follow
const WORDS = 16;

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const QUIT = 3;

/** How long the main thread spins for a worker's result before sleeping (ms). */
const SPIN_MS = 2;

/**
 * Runs large matmuls on the calling thread plus `size - 1` workers sharing the wasm memory; rows are
 * split in multiples of the kernel's tile height. Below `minWork` multiply-adds one thread does it all
 * (waking a sleeping worker costs 25–50 µs).
 */
export class ThreadPool {
  private workers: { controlPtr: number; workPtr: number; handle: { terminate(): void } }[] = [];
  /** Multiply-adds below which a matmul stays on one thread (~100 µs of work). */
  minWork = 2_000_000;
  /** Row ranges handed to workers so far (a diagnostic: shows threads really ran). */
  jobsPosted = 0;

  constructor(
    private readonly k: KernelExports,
    private readonly heap: Heap,
    private readonly module: WasmModule,
    private readonly spawn: SpawnWorker | null,
  ) {}

  /** Threads a large matmul uses, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Whether worker threads can be started at all on this platform. */
  get canSpawn(): boolean {
    return this.spawn !== null;
  }

  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
    const want = this.spawn === null ? 0 : n - 1;
    while (this.workers.length > want) {
      const w = this.workers.pop()!;
      const i32 = this.heap.i32;
      Atomics.store(i32, (w.controlPtr >> 2) + STATE, QUIT);
      Atomics.notify(i32, (w.controlPtr >> 2) + STATE);
      w.handle.terminate();
      // The blocks stay reserved: a terminated worker might still be touching them.
    }
    while (this.workers.length < want) {
      const controlPtr = this.heap.alloc(WORDS * 4);
      const workPtr = this.heap.alloc(sizeClass(this.k.matmulWorkBytes()));
      this.heap.i32.fill(0, controlPtr >> 2, (controlPtr >> 2) + WORDS);
      const handle = this.spawn!(this.module, this.heap.memory, controlPtr);
      this.workers.push({ controlPtr, workPtr, handle });
    }
  }

  /**
   * C (m×n) = A·B with the given strides (see asm/matmul.ts); `work` is the calling thread's scratch.
   */
  matmul(
    a: number, b: number, c: number, m: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number, work: number,
  ): void {
    const tile = this.k.matmulTileRows();
    const i32 = this.heap.i32;
    const ready = this.workers.filter((w) => Atomics.load(i32, (w.controlPtr >> 2) + READY) === 1);
    const parts = ready.length + 1;
    if (parts === 1 || m * n * k < this.minWork || m < 2 * tile) {
      this.k.matmul(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, 0, m, work);
      return;
    }
    // Split rows into `parts` chunks of whole tiles; the calling thread takes the first.
    const tiles = Math.ceil(m / tile);
    const per = Math.ceil(tiles / parts);
    const bounds: number[] = [];
    for (let p = 0; p <= parts; p++) bounds.push(Math.min(m, p * per * tile));
    for (let w = 0; w < ready.length; w++) {
      const base = ready[w]!.controlPtr >> 2;
      const lo = bounds[w + 1]!;
      const hi = bounds[w + 2]!;
      const args = [a, b, c, n, k, sam, sak, sbk, sbn, accumulate, lo, hi, ready[w]!.workPtr];
      for (let i = 0; i < args.length; i++) i32[base + ARGS + i] = args[i]!;
      Atomics.store(i32, base + STATE, POSTED);
      this.jobsPosted++;
      Atomics.notify(i32, base + STATE);
    }
    this.k.matmul(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, 0, bounds[1]!, work);
    for (const w of ready) {
      const at = (w.controlPtr >> 2) + STATE;
      const until = performance.now() + SPIN_MS;
      while (Atomics.load(i32, at) === POSTED && performance.now() < until);
      while (Atomics.load(i32, at) === POSTED) Atomics.wait(i32, at, POSTED, 1000);
      Atomics.store(i32, at, IDLE);
    }
  }

  close(): void {
    this.setThreads(1);
  }
}

export const CONTROL = { STATE, READY, ARGS, IDLE, POSTED, DONE, QUIT } as const;
