export type { KernelModule, WasmMemoryInfo } from './backend.js';
export { WasmBackend } from './backend.js';
export { detectFlavour } from './detect.js';
export type { WasmPaths } from './register.js';
export {
  fallbackCounts,
  getThreadsCount,
  getWasmBackend,
  resetFallbackCounts,
  setNumThreads,
  setWasmPaths,
  wasmFlavour,
  wasmLoadError,
  wasmMemoryInfo,
} from './register.js';
