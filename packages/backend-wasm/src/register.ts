import { registerBackend } from '@descent/tensor';
import type { KernelModule, WasmMemoryInfo } from './backend.js';
import { WasmBackend } from './backend.js';
import { detectFlavour, sharedMemoryAvailable } from './detect.js';
import type { SpawnWorker } from './threads.js';
import { wasmApi } from './wasm-api.js';

const MAX_PAGES = 32768;

interface Platform {
  bytes(flavour: 'simd' | 'relaxed'): Promise<Uint8Array>;
  spawn: SpawnWorker | null;
  threads: number;
}

async function platform(): Promise<Platform> {
  const isNode = typeof globalThis.process === 'object' && typeof globalThis.process.versions?.node === 'string';
  if (isNode) {
    // Node-only code (fs, worker_threads) sits behind this dynamic import.
    const node = await import('./node/load.js');
    return { bytes: node.loadKernelBytes, spawn: node.spawnWorker, threads: node.defaultThreads() };
  }
  return {
    bytes: async (flavour) => new Uint8Array(await (await fetch(new URL(`../build/kernels-${flavour}.wasm`, import.meta.url))).arrayBuffer()),
    spawn: null,
    threads: 1,
  };
}

async function load(): Promise<{ loaded: KernelModule; plat: Platform } | null> {
  const flavour = detectFlavour();
  if (flavour === null || !sharedMemoryAvailable()) return null;
  const plat = await platform();
  const module = await wasmApi()!.compile(await plat.bytes(flavour));
  return { loaded: { module, flavour, maxPages: MAX_PAGES }, plat };
}

const ready = await load();
let instance: WasmBackend | null = null;

// Priority 2: the default over the CPU backend (1) whenever this package is imported.
if (ready !== null) {
  registerBackend(
    'wasm',
    () => {
      instance ??= new WasmBackend(ready.loaded, ready.plat.spawn, ready.plat.threads);
      return instance;
    },
    2,
  );
}

/** The wasm backend instance (created on first use); throws where wasm SIMD is unavailable. */
export function getWasmBackend(): WasmBackend {
  if (ready === null) throw new Error('wasm backend: this engine lacks WebAssembly SIMD or shared memory; the CPU backend is used');
  instance ??= new WasmBackend(ready.loaded, ready.plat.spawn, ready.plat.threads);
  return instance;
}

/** Which kernel build was loaded ('relaxed' = FMA), or null where the wasm backend is unavailable. */
export function wasmFlavour(): 'simd' | 'relaxed' | null {
  return ready?.loaded.flavour ?? null;
}

/** Threads for large matMul/conv products, the calling thread included (1 = single-threaded). */
export function setNumThreads(n: number): void {
  getWasmBackend().setNumThreads(n);
}

/** How many times each kernel ran on the CPU fallback (copy out, CPU kernel, copy back). */
export function fallbackCounts(): Record<string, number> {
  return Object.fromEntries(getWasmBackend().fallback.counts);
}

export function resetFallbackCounts(): void {
  getWasmBackend().fallback.counts.clear();
}

export function wasmMemoryInfo(): WasmMemoryInfo {
  return getWasmBackend().memoryInfo();
}

