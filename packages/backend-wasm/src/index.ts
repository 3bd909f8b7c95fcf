export type { KernelModule, WasmMemoryInfo } from './backend.js';
export { WasmBackend } from './backend.js';
export { detectFlavour } from './detect.js';
export { fallbackCounts, getWasmBackend, resetFallbackCounts, setNumThreads, wasmFlavour, wasmMemoryInfo } from './register.js';
