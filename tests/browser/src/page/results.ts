// What the page (src/page/loops.ts, run in Chromium) reports back to the test (src/browser.test.ts).

/** wasmMemoryInfo() and the engine's eviction count at one moment. */
export interface MemorySnapshot {
  blocksInUse: number;
  bytesInUse: number;
  /** Loose tensors evicted to host memory so far (engine-wide). */
  evicted: number;
  /** Blocks freed by the FinalizationRegistry so far: must not move inside a synchronous loop. */
  collectedByGc: number;
}

export interface LoopResult {
  name: string;
  warmupSteps: number;
  steps: number;
  /** After the warm-up steps, before the measured ones (same synchronous task). */
  afterWarmup: MemorySnapshot;
  /** After the last step. */
  end: MemorySnapshot;
  /** Most blocks in use seen at any sample (every 50 steps) of the measured loop. */
  peakBlocks: number;
  lossFirst: number;
  lossLast: number;
  msPerStep: number;
}

export type PageResults =
  | {
      ok: true;
      crossOriginIsolated: boolean;
      backend: string;
      flavour: string | null;
      userAgent: string;
      loops: LoopResult[];
      /** A loop that keeps one tensor per step on purpose: its blocks must grow by about one per step. */
      control: LoopResult;
      /** getThreadsCount() and navigator.hardwareConcurrency on this (cross-origin-isolated) page. */
      threads: number;
      hardwareConcurrency: number;
      /** Row chunks Web Workers ran for one 512×512 matMul. */
      workerChunks: number;
      /** Whether that matMul equals the same product on one thread, bit for bit. */
      threadedMatchesSingle: boolean;
    }
  | { ok: false; crossOriginIsolated: boolean; backend: string | null; error: string };
