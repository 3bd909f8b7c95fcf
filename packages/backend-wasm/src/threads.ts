import type { KernelExports } from './exports.js';
import type { Heap } from './heap.js';
import { sizeClass } from './heap.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';

/** Starts one worker thread that runs the loop of worker-source.ts over the shared memory. */
export type SpawnWorker = (module: WasmModule, memory: WasmMemory, controlPtr: number) => { terminate(): void };

/**
 * Control block of one worker, in shared memory (int32 words). The job's row chunks are claimed from
 * a counter shared by all threads, so a worker the OS has not scheduled yet costs nothing: the others
 * take its chunks, and the caller cancels it if it never started.
 */
const STATE = 0;
const READY = 1; // set to 1 by the worker once its instance exists
const JOB = 2; // address of the job block (below)
const WORDS = 8;

const IDLE = 0;
const POSTED = 1;
const RUNNING = 2;
const DONE = 3;
const QUIT = 4;

/** a, b, c, n, k, sam, sak, sbk, sbn, accumulate: the matmul arguments every chunk shares. */
type MatmulArgs = readonly [number, number, number, number, number, number, number, number, number, number];

/** Job block: the matmul arguments, then chunking and the shared chunk counter. */
const J_ARGS = 0; // a, b, c, n, k, sam, sak, sbk, sbn, accumulate (10 words)
const J_M = 10;
const J_CHUNK = 11; // rows per chunk
const J_CHUNKS = 12;
const J_NEXT = 13; // next unclaimed chunk (Atomics.add)
const J_PACKED_B = 14; // B packed once by the caller, shared by every thread
const J_WORDS = 16;

/** How long the calling thread spins for a running worker before sleeping (ms). */
const SPIN_MS = 2;

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not: it throws). */
let canBlock = true;

/** Sleep until `i32[at]` changes from `value` (or 1 s passes); spin where blocking is not allowed. */
function waitWhile(i32: Int32Array, at: number, value: number): void {
  if (canBlock) {
    try {
      Atomics.wait(i32, at, value, 1000);
      return;
    } catch {
      canBlock = false;
    }
  }
  while (Atomics.load(i32, at) === value);
}

/**
 * Runs large matmuls on the calling thread plus `size - 1` workers sharing the wasm memory. Rows are
 * cut into chunks of whole tiles that every thread claims from a shared counter until none is left.
 * Below `minWork` multiply-adds one thread does it all (waking a sleeping worker costs 25–50 µs).
 */
export class ThreadPool {
  private workers: { controlPtr: number; workPtr: number; handle: { terminate(): void } }[] = [];
  private readonly jobPtr: number;
  /** Multiply-adds below which a matmul stays on one thread (~100 µs of work). */
  minWork = 2_000_000;
  /** Chunks run by worker threads so far (a diagnostic: shows threads really ran). */
  jobsPosted = 0;

  constructor(
    private readonly k: KernelExports,
    private readonly heap: Heap,
    private readonly module: WasmModule,
    private readonly spawn: SpawnWorker | null,
  ) {
    this.jobPtr = heap.alloc(J_WORDS * 4);
  }

  /** Threads a large matmul uses, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
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
      // The blocks stay reserved: a terminating worker might still touch them.
    }
    while (this.workers.length < want) {
      const controlPtr = this.heap.alloc(64);
      const workPtr = this.heap.alloc(sizeClass(this.k.matmulWorkBytes()));
      const base = controlPtr >> 2;
      this.heap.i32.fill(0, base, base + WORDS);
      this.heap.i32[base + JOB] = this.jobPtr;
      this.heap.i32[base + JOB + 1] = workPtr;
      const handle = this.spawn!(this.module, this.heap.memory, controlPtr);
      this.workers.push({ controlPtr, workPtr, handle });
    }
  }

  /** C (m×n) = A·B with the given strides (see asm/matmul.ts); `work` is the calling thread's scratch. */
  matmul(
    a: number, b: number, c: number, m: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number, work: number,
  ): void {
    const tile = this.k.matmulTileRows();
    const i32 = this.heap.i32;
    const ready = this.workers.filter((w) => Atomics.load(i32, (w.controlPtr >> 2) + READY) === 1);
    if (ready.length === 0 || m * n * k < this.minWork || m < 2 * tile) {
      this.k.matmul(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, 0, m, work, 0);
      return;
    }
    // Every chunk of rows reads all of B: pack it once here rather than once per chunk.
    const packedBytes = sizeClass(this.k.matmulPackedBBytes(n, k));
    const packedB = this.heap.alloc(packedBytes);
    try {
      this.k.packMatrixB(b, sbk, sbn, n, k, packedB);
      this.runChunks(ready, [a, b, c, n, k, sam, sak, sbk, sbn, accumulate], m, tile, packedB, work);
    } finally {
      this.heap.free(packedB, packedBytes);
    }
  }

  private runChunks(ready: readonly { controlPtr: number }[], args: MatmulArgs, m: number, tile: number, packedB: number, work: number): void {
    const i32 = this.heap.i32;
    // About four chunks per thread, so a thread the OS slows down hands work to the others; with B
    // packed once, a chunk costs only the packing of its own rows of A.
    const parts = ready.length + 1;
    const chunk = Math.ceil(Math.ceil(m / (4 * parts)) / tile) * tile;
    const chunks = Math.ceil(m / chunk);
    const job = this.jobPtr >> 2;
    for (let i = 0; i < args.length; i++) i32[job + J_ARGS + i] = args[i]!;
    i32[job + J_PACKED_B] = packedB;
    i32[job + J_M] = m;
    i32[job + J_CHUNK] = chunk;
    i32[job + J_CHUNKS] = chunks;
    Atomics.store(i32, job + J_NEXT, 0);
    for (const w of ready) {
      const at = (w.controlPtr >> 2) + STATE;
      Atomics.store(i32, at, POSTED);
      Atomics.notify(i32, at);
    }
    for (let q = Atomics.add(i32, job + J_NEXT, 1); q < chunks; q = Atomics.add(i32, job + J_NEXT, 1)) {
      this.k.matmul(...args, q * chunk, Math.min(m, (q + 1) * chunk), work, packedB);
    }
    for (const w of ready) {
      const at = (w.controlPtr >> 2) + STATE;
      // A worker that has not started yet is called off; one that is running finishes its chunk first.
      if (Atomics.compareExchange(i32, at, POSTED, IDLE) === POSTED) continue;
      const until = performance.now() + SPIN_MS;
      while (Atomics.load(i32, at) === RUNNING && performance.now() < until);
      while (Atomics.load(i32, at) === RUNNING) waitWhile(i32, at, RUNNING);
      this.jobsPosted += i32[(w.controlPtr >> 2) + JOB + 2]!;
      Atomics.store(i32, at, IDLE);
    }
  }

  close(): void {
    this.setThreads(1);
  }
}

export const CONTROL = { STATE, READY, JOB, IDLE, POSTED, RUNNING, DONE, QUIT, J_ARGS, J_M, J_CHUNK, J_CHUNKS, J_NEXT, J_PACKED_B } as const;
