import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SpawnWorker } from '../threads.js';
import { workerSource } from '../worker-source.js';

/** Spin after each job for this long before sleeping (a sleeping worker takes 25–50 µs to wake). */
const WORKER_SPIN_MS = 0.2;

const root = new URL('../../', import.meta.url);

interface CompileScript {
  isStale: () => boolean;
  compileKernels: () => Promise<string[]>;
}

/**
 * The kernel binary of `flavour`: build/kernels-<flavour>.wasm, compiled now (and cached there) when
 * it is missing or older than asm/, so a fresh clone works from src/ without a build step.
 */
export async function loadKernelBytes(flavour: 'simd' | 'relaxed'): Promise<Uint8Array> {
  const file = new URL(`build/kernels-${flavour}.wasm`, root);
  const script = (await import(new URL('scripts/compile.mjs', root).href)) as CompileScript;
  if (script.isStale()) await script.compileKernels();
  return readFileSync(fileURLToPath(file));
}

export const spawnWorker: SpawnWorker = (module, memory, controlPtr) => {
  const worker = new Worker(workerSource(WORKER_SPIN_MS), { eval: true, workerData: { module, memory, controlPtr } });
  worker.unref();
  return { terminate: () => void worker.terminate() };
};

export function defaultThreads(): number {
  return Math.min(availableParallelism(), 4);
}
