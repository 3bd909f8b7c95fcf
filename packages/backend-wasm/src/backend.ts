import type { Backend, DType, ExtensionKernelTable, KernelTable, Shape, TensorInfo, TypedArray } from '@descent/tensor';
import { INITIAL_PAGES } from './abi.js';
import { Context } from './context.js';
import type { WasmData } from './data.js';
import { ptrOf } from './data.js';
import type { KernelExports } from './exports.js';
import { Fallback } from './fallback.js';
import { Heap, largestBlock } from './heap.js';
import { binaryKernels } from './kernels/binary.js';
import { unaryKernels } from './kernels/unary.js';
import { fusedKernels } from './kernels/fused.js';
import { convKernels } from './kernels/conv.js';
import { matMulKernels, sparseSettings } from './kernels/matmul.js';
import { logicalKernels } from './kernels/logical.js';
import { scanKernels } from './kernels/scan.js';
import { unaryExtraKernels } from './kernels/unary-extra.js';
import { movementKernels } from './kernels/movement.js';
import type { OptimizerStep } from './kernels/optimizer.js';
import { fusedUpdateKernels, optimizerStep } from './kernels/optimizer.js';
import { poolKernels } from './kernels/pool.js';
import { recurrentKernels } from './kernels/recurrent.js';
import { reduceKernels } from './kernels/reduce.js';
import { softmaxKernels } from './kernels/softmax.js';
import { winogradSettings } from './kernels/winograd.js';
import type { SpawnWorker } from './threads.js';
import type { WasmModule } from './wasm-api.js';
import { wasmApi } from './wasm-api.js';
import { ThreadPool } from './threads.js';

type AnyKernel = (inputs: readonly TensorInfo[], attrs: object) => TensorInfo;

/** Every kernel first checks that its inputs' storage is live, so a released input fails before any output is allocated. */
function checkedInputs(table: KernelTable): KernelTable {
  const out: Record<string, AnyKernel> = {};
  for (const [name, impl] of Object.entries(table) as [string, AnyKernel][]) {
    out[name] = (inputs, attrs) => {
      for (let i = 0; i < inputs.length; i++) ptrOf(inputs[i]!.dataId);
      return impl(inputs, attrs);
    };
  }
  return out as unknown as KernelTable;
}

/** What loading the kernel module produced: the compiled module, which build, and the memory limit. */
export interface KernelModule {
  /** The compiled kernel module. */
  readonly module: WasmModule;
  /** Which build was loaded: plain SIMD, or relaxed SIMD where the engine supports it. */
  readonly flavour: 'simd' | 'relaxed';
  /** Maximum size of the shared memory, in 64 KiB wasm pages. */
  readonly maxPages: number;
}

/** Memory figures of the wasm backend (bytes). */
export interface WasmMemoryInfo {
  /** Bytes of tensor storage and scratch currently allocated. */
  readonly bytesInUse: number;
  /** Number of allocated blocks. */
  readonly blocksInUse: number;
  /** High-water mark of the allocator (never shrinks). */
  readonly bytesReserved: number;
  /** Size of the WebAssembly.Memory. */
  readonly memoryBytes: number;
  /** Blocks freed by the FinalizationRegistry (tensors dropped without a scope). */
  readonly collectedByGc: number;
  /** Storage moved out to host memory because user code left it unused (see the tensor README, "Memory"). */
  readonly evicted: number;
  /** Evicted storage moved back because it was used again. */
  readonly restored: number;
}

/**
 * Tensors live in one shared WebAssembly.Memory; kernels are AssemblyScript compiled to SIMD (or
 * relaxed SIMD) wasm. Data crosses between JS and wasm only in `write` and `read`.
 */
export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly kernels: KernelTable;
  /** Which kernel build runs: plain SIMD or relaxed SIMD. */
  readonly flavour: 'simd' | 'relaxed';
  /** Runs kernels the wasm build lacks on the CPU backend and counts them by name. */
  readonly fallback: Fallback;
  /**
   * Fused optimizer updates (Adam, SGD, RMSprop, Adagrad) in one SIMD pass each: the implementation
   * behind `extensionKernels` (`AdamUpdate`, ...), which `fusedOptimizerStep` of `@descent/optimizers` runs.
   */
  readonly optimizerStep: OptimizerStep;
  /** The extension kernels: the fused optimizer updates. */
  readonly extensionKernels: ExtensionKernelTable;
  private readonly ctx: Context;
  /**
   * The largest tensor this backend can hold: the largest allocator block within the memory limit
   * (1.75 GiB of the 2 GiB memory). The engine refuses larger tensors before allocating, naming the op.
   */
  readonly maxBytes: number;

  constructor(loaded: KernelModule, spawn: SpawnWorker | null, threads: number) {
    const api = wasmApi()!;
    const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: loaded.maxPages, shared: true });
    const instance = new api.Instance(loaded.module, {
      env: {
        memory,
        abort: () => {
          throw new Error('wasm backend: kernel aborted');
        },
      },
    });
    const k = instance.exports as unknown as KernelExports;
    const heap = new Heap(memory, k, loaded.maxPages);
    this.maxBytes = largestBlock(loaded.maxPages * 65536 - heap.bytesReserved);
    const pool = new ThreadPool(k, heap, loaded.module, spawn);
    this.ctx = new Context(k, heap, pool);
    this.flavour = loaded.flavour;
    this.fallback = new Fallback(this);
    const fb = this.fallback;
    const table: KernelTable = {
      ...unaryKernels(this.ctx, fb),
      ...binaryKernels(this.ctx, fb),
      ...logicalKernels(this.ctx, fb),
      ...reduceKernels(this.ctx, fb),
      ...softmaxKernels(this.ctx, fb),
      ...movementKernels(this.ctx, fb),
      ...matMulKernels(this.ctx, fb),
      ...convKernels(this.ctx, fb),
      ...fusedKernels(this.ctx, fb),
      ...poolKernels(this.ctx, fb),
      ...unaryExtraKernels(fb),
      ...scanKernels(fb),
      ...recurrentKernels(this.ctx, fb),
      // Sorting runs on the CPU reference kernel (copy out, sort, copy back): no wasm sort yet.
      ArgSort: fb.entry('ArgSort'),
    };
    this.kernels = checkedInputs(table);
    this.optimizerStep = optimizerStep(this.ctx);
    this.extensionKernels = fusedUpdateKernels(this.optimizerStep);
    pool.setThreads(threads);
  }

  write(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
    const { info, ptr } = this.ctx.output(shape, dtype);
    const heap = this.ctx.heap;
    if (dtype === 'bool') heap.u8.set(values, ptr);
    else if (dtype === 'int32') heap.i32.set(values, ptr >> 2);
    else heap.f32.set(values, ptr >> 2);
    return info;
  }

  read(info: TensorInfo): TypedArray {
    // Evicted values are read from their host copy, without moving them back.
    return this.ctx.storage.copyOut(info.dataId as WasmData);
  }

  retainData(dataId: object): void {
    (dataId as WasmData).holders++;
  }

  disposeData(dataId: object): void {
    const d = dataId as WasmData;
    d.holders--;
    if (d.holders <= 0) this.ctx.storage.dispose(d);
  }

  unscopedData(dataId: object): void {
    this.ctx.storage.track(dataId as WasmData);
  }

  evictData(dataId: object): boolean {
    return this.ctx.storage.evict(dataId as WasmData);
  }

  /** Threads large matMul/conv products use (the calling thread included). */
  get numThreads(): number {
    return this.ctx.pool.size;
  }

  /**
   * Sets the threads large matMul/conv products use, the calling thread included (a positive integer; 1
   * turns workers off).
   */
  setNumThreads(n: number): void {
    this.ctx.pool.setThreads(n);
  }

  /** Multiply-adds below which a product stays on one thread. */
  set threadMinWork(v: number) {
    this.ctx.pool.minWork = v;
  }

  /** Multiply-adds below which a product stays on one thread. */
  get threadMinWork(): number {
    return this.ctx.pool.minWork;
  }

  /** Work (≈ bytes moved, or multiply-adds) below which a pass split by images/rows/blocks (src/threads.ts `range`) stays on one thread. */
  set threadMinRangeWork(v: number) {
    this.ctx.pool.minRangeWork = v;
  }

  /** Work (≈ bytes moved, or multiply-adds) below which a pass split by images/rows/blocks stays on one thread. */
  get threadMinRangeWork(): number {
    return this.ctx.pool.minRangeWork;
  }

  /** Whether the pool falls back to one thread for a while after workers stall (on by default; src/threads.ts). */
  set threadBackoff(v: boolean) {
    this.ctx.pool.backoff = v;
  }

  /** Whether the pool falls back to one thread for a while after workers stall (on by default; src/threads.ts). */
  get threadBackoff(): boolean {
    return this.ctx.pool.backoff;
  }

  /** Row ranges run by worker threads so far. */
  get threadJobs(): number {
    return this.ctx.pool.jobsPosted;
  }

  /**
   * Whether 3×3 stride-1 convolutions with at least 16 input and output channels (forward, input and
   * filter gradients) use Winograd F(2×2, 3×3) or F(4×4, 3×3) (on by default; src/kernels/winograd.ts).
   * Off: the direct / implicit-GEMM kernels. Shared by every instance in the process.
   */
  set convWinograd(v: boolean) {
    winogradSettings.enabled = v;
  }

  /** Whether eligible 3×3 convolutions use Winograd (see the setter). */
  get convWinograd(): boolean {
    return winogradSettings.enabled;
  }

  /**
   * Output tile of the Winograd forward and input-gradient products: 2 (F(2×2, 3×3)), 4 (F(4×4, 3×3)) or 0
   * (the default: whichever needs fewer multiplies for the output size). Shared by every instance.
   */
  set convWinogradTile(v: 0 | 2 | 4) {
    if (v !== 0 && v !== 2 && v !== 4) throw new Error(`convWinogradTile: expected 0, 2 or 4, got ${String(v)}`);
    winogradSettings.tile = v;
  }

  /** Output tile of the Winograd forward and input-gradient products (see the setter). */
  get convWinogradTile(): 0 | 2 | 4 {
    return winogradSettings.tile;
  }

  /**
   * Whether products whose left matrix is mostly zeros (at most `matmulSparseMaxPerMille` ‰ nonzero: image
   * backgrounds, one-hot rows, ReLU outputs) skip its zeros (on by default; src/kernels/matmul.ts). The
   * floats are the same either way. Shared by every instance in the process.
   */
  set matmulSparse(v: boolean) {
    sparseSettings.enabled = v;
  }

  /** Whether mostly-zero products skip their zeros (see the setter). */
  get matmulSparse(): boolean {
    return sparseSettings.enabled;
  }

  /** Products that skipped their left matrix's zeros so far (a diagnostic: shows the sparse path ran). */
  get matmulSparseProducts(): number {
    return sparseSettings.products;
  }

  /** The density (nonzeros per thousand elements of the left matrix, 0–1000) up to which the sparse path is taken (500 by default). */
  set matmulSparseMaxPerMille(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > 1000) throw new Error(`matmulSparseMaxPerMille: expected an integer from 0 to 1000, got ${String(v)}`);
    sparseSettings.maxPerMille = v;
  }

  /** The density up to which the sparse path is taken (see the setter). */
  get matmulSparseMaxPerMille(): number {
    return sparseSettings.maxPerMille;
  }

  /** Current memory figures of the backend (see `WasmMemoryInfo`). */
  memoryInfo(): WasmMemoryInfo {
    const h = this.ctx.heap;
    return {
      bytesInUse: h.bytesInUse,
      blocksInUse: h.blocksInUse,
      bytesReserved: h.bytesReserved,
      memoryBytes: h.memory.buffer.byteLength,
      collectedByGc: this.ctx.storage.collected,
      evicted: this.ctx.storage.evicted,
      restored: this.ctx.storage.restored,
    };
  }

  /** Stop worker threads (they are unref'd, so a process exits without this). */
  close(): void {
    this.ctx.pool.close();
  }
}
