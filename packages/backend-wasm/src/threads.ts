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

/**
 * Range kernels: asm exports `(start, end, work, ...args)` that do units [start, end) of a job whose
 * units are independent (images, rows, channel blocks, runs of elements), so threads can split them.
 * `work` is the running thread's own scratch (matmulWorkBytes()). Op code = index + 1 (0 is matmul).
 */
export const RANGE_KERNELS = [
  'unaryRange', 'binaryRange', 'castBoolRange', 'reluGradRange',
  'convDirectRange', 'convDirectFilterGradRange', 'convInputGradRange', 'poolRange', 'maxPoolGradRange', 'packBRange',
  // Short, wide matmuls split by columns (asm/matmul.ts).
  'matmulColsRange',
  // The fused LSTM/GRU sequences, batch rows split (asm/recurrent.ts).
  'lstmSequenceRange', 'lstmSequenceGradRange', 'gruSequenceRange', 'gruSequenceGradRange',
  // Fused bias + activation and the bias gradient (asm/fused.ts).
  'convDirectBiasRange', 'biasActRange', 'biasGradPartialRange',
  // Winograd 3×3 convolution, output tiles split (asm/winograd.ts).
  'winogradRange', 'winogradFilterGradRange',
  // Products skipping a mostly-zero A's zeros, rows of C split (asm/matmul-sparse.ts).
  'matmulSparseRange',
  // Adam's fused update, element blocks split (asm/optimizer.ts).
  'adamRange',
] as const;
export type RangeKernel = (typeof RANGE_KERNELS)[number];
/** Arguments after (start, end, work) a range kernel may take. */
const RANGE_ARGS = 13;

/** Job block: op, chunking and the shared chunk counter, then the arguments every chunk shares. */
const J_OP = 0; // 0: matmul; i + 1: RANGE_KERNELS[i]
const J_M = 1; // rows (matmul) or units (range kernels)
const J_CHUNK = 2; // rows / units per chunk
const J_CHUNKS = 3;
const J_NEXT = 4; // next unclaimed chunk (Atomics.add)
const J_PACKED_B = 5; // B packed once by the caller, shared by every thread (matmul)
const J_ARGS = 8; // matmul: a, b, c, n, k, sam, sak, sbk, sbn, accumulate; range kernels: RANGE_ARGS words
const J_WORDS = J_ARGS + RANGE_ARGS + 3;

/** How long the calling thread spins for a running worker before sleeping (ms). */
const SPIN_MS = 2;

/** A wait for workers longer than this (ms), and longer than the caller's own share, counts as a stall. */
const STALL_MS = 0.5;
const BACKOFF_MIN_MS = 10;
const BACKOFF_MAX_MS = 5000;

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
  /**
   * Cost units (≈ bytes moved, or multiply-adds) below which a range kernel stays on one thread. A
   * spinning worker takes a job in a few µs, a sleeping one in 25–50 µs; 256 KiB of streaming takes ~30 µs.
   */
  minRangeWork = 1 << 18;
  /**
   * Matmuls with fewer rows than this split their columns across threads, not their rows: a row chunk
   * reads all of B, which then has to be packed once before the threads start (serial work about as
   * long as a thread's share at m = 64), and 64 rows make only 13 tiles of 5 to share. 0: rows always.
   */
  columnSplitRows = 128;
  /** Chunks run by worker threads so far (a diagnostic: shows threads really ran). */
  jobsPosted = 0;
  /**
   * Back off to one thread when workers stall: on a machine whose cores are all busy, a worker the OS
   * preempts in the middle of a chunk keeps the caller waiting for milliseconds (the second thread
   * then costs time instead of saving it). When the caller, done with its share, waits longer than its
   * own share took (and over STALL_MS), jobs run on the calling thread alone for a while: 10 ms,
   * doubled by each stall up to 5 s and halved by each job that runs on the threads without one.
   * Results do not change.
   */
  backoff = true;
  private backoffUntil = 0;
  private backoffMs = BACKOFF_MIN_MS;
  /** When the current job was posted (for the stall check in join). */
  private postedAt = 0;

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
    return this.active + 1;
  }

  /**
   * Workers in use: the first `active` of `workers`. Lowering the thread count parks the others (asleep
   * in Atomics.wait, no CPU) instead of ending them, so raising it again costs no worker start (a new
   * Node worker takes tens of ms of CPU to boot, and its first jobs run on the caller alone meanwhile):
   * the bench switches 1 and 2 threads every round. close() ends them all.
   */
  private active = 0;

  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
    const want = this.spawn === null ? 0 : n - 1;
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
    this.active = want;
  }

  /** Ends every worker (parked ones included); the pool then runs on the calling thread alone. */
  private endWorkers(): void {
    const i32 = this.heap.i32;
    while (this.workers.length > 0) {
      const w = this.workers.pop()!;
      Atomics.store(i32, (w.controlPtr >> 2) + STATE, QUIT);
      Atomics.notify(i32, (w.controlPtr >> 2) + STATE);
      w.handle.terminate();
      // The blocks stay reserved: a terminating worker might still touch them.
    }
    this.active = 0;
  }

  /** C (m×n) = A·B with the given strides (see asm/matmul.ts); `work` is the calling thread's scratch. */
  matmul(
    a: number, b: number, c: number, m: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number, work: number,
  ): void {
    const tile = this.k.matmulTileRows();
    const i32 = this.heap.i32;
    const ready = m * n * k < this.minWork || (m < 2 * tile && n < 16) ? [] : this.ready();
    if (ready.length === 0) {
      this.k.matmul(a, b, c, n, k, sam, sak, sbk, sbn, accumulate, 0, m, work, 0);
      return;
    }
    if (m < this.columnSplitRows && n >= 16) {
      // Too few rows to share (a batch of 64 is 13 tiles of 5): split the columns instead, about two
      // chunks of whole 8-column panels per thread (so a thread the OS slows down hands one to the
      // others). Each chunk packs A (small) and its own part of B: nothing is packed serially first.
      // At [64,784]·[784,128] on 2 threads: 0.24 ms against 0.28 splitting rows and 0.39 on one thread.
      const panels = Math.ceil(n / 8);
      const grain = Math.ceil(panels / (2 * (ready.length + 1)));
      this.runRange(ready, 'matmulColsRange', panels, grain, [a, b, c, m, n, k, sam, sak, sbk, sbn, accumulate], work);
      return;
    }
    // Every chunk of rows reads all of B: pack it once here rather than once per chunk.
    const packedBytes = sizeClass(this.k.matmulPackedBBytes(n, k));
    const packedB = this.heap.alloc(packedBytes);
    try {
      this.packB(ready, b, sbk, sbn, n, k, packedB, work);
      // About four chunks per thread, so a thread the OS slows down hands work to the others; with B
      // packed once, a chunk costs only the packing of its own rows of A.
      const chunk = Math.ceil(Math.ceil(m / (4 * (ready.length + 1))) / tile) * tile;
      const args = [a, b, c, n, k, sam, sak, sbk, sbn, accumulate] as const;
      this.post(ready, 0, args, m, chunk, packedB);
      const chunks = Math.ceil(m / chunk);
      const next = (this.jobPtr >> 2) + J_NEXT;
      for (let q = Atomics.add(i32, next, 1); q < chunks; q = Atomics.add(i32, next, 1)) {
        this.k.matmul(...args, q * chunk, Math.min(m, (q + 1) * chunk), work, packedB);
      }
      this.join(ready);
    } finally {
      this.heap.free(packedB, packedBytes);
    }
  }

  /**
   * Packs all of B for a threaded matmul (asm/matmul.ts packMatrixB): a deep B (a filter gradient's
   * dy over thousands of pixels) is packed by all threads, a depth block each.
   */
  private packB(ready: readonly { controlPtr: number }[], b: number, sbk: number, sbn: number, n: number, k: number, dst: number, work: number): void {
    const blocks = this.k.packedBBlocks(k);
    if (blocks < 2 || n * k < this.minRangeWork) {
      this.k.packMatrixB(b, sbk, sbn, n, k, dst);
      return;
    }
    this.runRange(ready, 'packBRange', blocks, 1, [b, sbk, sbn, n, k, dst], work);
  }

  /** Workers whose instance is up (a worker starts asynchronously; until then the caller does its share). */
  private ready(): { controlPtr: number }[] {
    if (this.active === 0 || (this.backoff && performance.now() < this.backoffUntil)) return [];
    const i32 = this.heap.i32;
    const ready: { controlPtr: number }[] = [];
    for (let i = 0; i < this.active; i++) {
      const w = this.workers[i]!;
      if (Atomics.load(i32, (w.controlPtr >> 2) + READY) === 1) ready.push(w);
    }
    return ready;
  }

  /**
   * Runs range kernel `name` over units [0, total) — on the calling thread alone when `cost` (≈ bytes
   * moved or multiply-adds of the whole job) is small — else in chunks of at least `grain` units
   * (a multiple of it) that every thread claims. Results never depend on the chunking: each unit is
   * computed by one thread, in the same order as on one thread.
   */
  range(name: RangeKernel, total: number, grain: number, cost: number, args: readonly number[], work: number): void {
    if (total <= 0) return;
    const ready = cost < this.minRangeWork || total <= grain ? [] : this.ready();
    if (ready.length === 0) {
      this.rangeFn(name)(0, total, work, ...args);
      return;
    }
    this.runRange(ready, name, total, grain, args, work);
  }

  private runRange(ready: readonly { controlPtr: number }[], name: RangeKernel, total: number, grain: number, args: readonly number[], work: number): void {
    const i32 = this.heap.i32;
    const chunk = Math.ceil(Math.ceil(total / (4 * (ready.length + 1))) / grain) * grain;
    this.post(ready, RANGE_KERNELS.indexOf(name) + 1, args, total, chunk, 0);
    const chunks = Math.ceil(total / chunk);
    const next = (this.jobPtr >> 2) + J_NEXT;
    const fn = this.rangeFn(name);
    for (let q = Atomics.add(i32, next, 1); q < chunks; q = Atomics.add(i32, next, 1)) {
      fn(q * chunk, Math.min(total, (q + 1) * chunk), work, ...args);
    }
    this.join(ready);
  }

  /** Range kernel `name` of the calling thread's instance (wasm exports need no `this`). */
  private rangeFn(name: RangeKernel): RangeFn {
    return (this.k as unknown as Readonly<Record<RangeKernel, RangeFn>>)[name];
  }

  /** Writes the job block and wakes the workers. */
  private post(ready: readonly { controlPtr: number }[], op: number, args: readonly number[], total: number, chunk: number, packedB: number): void {
    const i32 = this.heap.i32;
    const job = this.jobPtr >> 2;
    if (args.length > RANGE_ARGS) throw new Error(`wasm backend: a threaded kernel got ${args.length} arguments (at most ${RANGE_ARGS})`);
    i32[job + J_OP] = op;
    for (let i = 0; i < args.length; i++) i32[job + J_ARGS + i] = args[i]!;
    i32[job + J_PACKED_B] = packedB;
    i32[job + J_M] = total;
    i32[job + J_CHUNK] = chunk;
    i32[job + J_CHUNKS] = Math.ceil(total / chunk);
    Atomics.store(i32, job + J_NEXT, 0);
    this.postedAt = performance.now();
    for (const w of ready) {
      const at = (w.controlPtr >> 2) + STATE;
      Atomics.store(i32, at, POSTED);
      Atomics.notify(i32, at);
    }
  }

  /** Waits until every posted worker has finished (or called off one that never started). */
  private join(ready: readonly { controlPtr: number }[]): void {
    const i32 = this.heap.i32;
    const start = performance.now();
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
    const end = performance.now();
    const waited = end - start;
    if (waited > STALL_MS && waited > start - this.postedAt) {
      this.backoffUntil = end + this.backoffMs;
      this.backoffMs = Math.min(BACKOFF_MAX_MS, 2 * this.backoffMs);
    } else {
      this.backoffMs = Math.max(BACKOFF_MIN_MS, this.backoffMs / 2);
    }
  }

  close(): void {
    this.endWorkers();
  }
}

type RangeFn = (start: number, end: number, work: number, ...args: number[]) => void;

export const CONTROL = {
  STATE, READY, JOB, IDLE, POSTED, RUNNING, DONE, QUIT, J_OP, J_ARGS, J_M, J_CHUNK, J_CHUNKS, J_NEXT, J_PACKED_B, RANGE_ARGS,
} as const;
