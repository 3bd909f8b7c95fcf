import { afterAll } from 'vitest';
import type { WasmBackend } from '../backend.js';
import { getWasmBackend } from '../index.js';

/**
 * The wasm backend for a suite that checks its thread pool: no backing off when the (shared) test machine
 * is busy, so workers really run chunks; the thread count and the split thresholds are restored after
 * the suite. Call it at the top of a `describe`.
 */
export function poolUnderTest(): WasmBackend {
  const backend = getWasmBackend();
  const saved = { threads: backend.numThreads, minWork: backend.threadMinWork, minRangeWork: backend.threadMinRangeWork };
  backend.threadBackoff = false;
  afterAll(() => {
    backend.threadBackoff = true;
    backend.setNumThreads(saved.threads);
    backend.threadMinWork = saved.minWork;
    backend.threadMinRangeWork = saved.minRangeWork;
  });
  return backend;
}
