import { getBackend, listBackends, setBackend } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type * as DescentWasm from '@descent/backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * Shared setup of the wasm suites: load Descent's wasm backend and TF.js's wasm backend, and restore
 * whichever Descent backend was active afterwards so the other suites in this process are unaffected.
 */
export interface WasmSetup {
  readonly descent: typeof DescentWasm;
  readonly tfjsWasmInfo: string;
  readonly descentInfo: string;
  restore(): void;
}

/** A note line naming every kernel that ran on the CPU fallback since the suite started (or 'none'). */
export function fallbackNote(setup: WasmSetup): string {
  const counts = Object.entries(setup.descent.fallbackCounts());
  const list = counts.length === 0 ? 'none' : counts.map(([k, n]) => `${k} ×${n}`).join(', ');
  return `Descent wasm kernels that fell back to the CPU backend during this suite: ${list}.`;
}

let tfWasmLoaded = false;

export async function loadWasmContenders(): Promise<WasmSetup> {
  const before = listBackends().includes('wasm') ? getBackend().name : null;
  const descent = await import('@descent/backend-wasm');
  if (!tfWasmLoaded) {
    const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
    // Node: point TF.js at the .wasm files of its own dist folder.
    const require = createRequire(import.meta.url);
    tfWasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    tfWasmLoaded = true;
  }
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const wasm = descent.getWasmBackend();
  descent.resetFallbackCounts();
  return {
    descent,
    tfjsWasmInfo: `TF.js wasm: SIMD ${simd ? 'on' : 'off'}, multithread ${threads ? 'on' : 'off'}`,
    descentInfo: `Descent wasm: ${descent.wasmFlavour() === 'relaxed' ? 'relaxed SIMD (6×8 FMA tile)' : 'SIMD (5×8 mul+add tile)'}, ${wasm.numThreads} thread(s) by default`,
    restore: () => {
      if (before !== null) setBackend(before);
      else setBackend('cpu');
    },
  };
}

export async function useTf(backend: 'cpu' | 'wasm'): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
}
