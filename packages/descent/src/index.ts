// The umbrella package, like @tensorflow/tfjs: one import gives tensors, autograd, layers,
// optimizers and models, with the WebAssembly SIMD backend as the default wherever the engine runs
// wasm SIMD (the CPU backend otherwise). In Node the kernels load synchronously on first use; in a
// browser they arrive asynchronously: `await ready()` before building a model to start on wasm.
import '@descent/backend-wasm';

export * from '@descent/tensor';
export * from '@descent/autograd';
export * from '@descent/layers';
export * from '@descent/optimizers';
export * from '@descent/models';
// Both layers and models export these two case helpers (the same functions): name one.
export { toCamelCase, toSnakeCase } from '@descent/models';
// Tensor ops and the layers' functional merge helpers share these names: here they stay the ops
// (`add(a, b)`); the helpers are `new Add().apply([...])` or `add([...])` from @descent/layers.
export { add, dot, maximum, minimum } from '@descent/tensor';
export type { WasmMemoryInfo, WasmPaths } from '@descent/backend-wasm';
export { getThreadsCount, setNumThreads, setWasmPaths, wasmFlavour, wasmLoadError, wasmMemoryInfo } from '@descent/backend-wasm';
