// Test-matrix setup: run the same suite on the WebAssembly SIMD backend. Importing the package
// registers it; the loader compiles the kernels on first use if `pnpm build` has not.
import '../../packages/backend-wasm/src/index.js';
import { getBackend, setBackend } from '../../packages/tensor/src/index.js';

setBackend('wasm');
if (getBackend().name !== 'wasm') throw new Error(`test matrix: expected the wasm backend, got '${getBackend().name}'`);
