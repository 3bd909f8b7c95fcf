// Compile asm/ (AssemblyScript) into build/kernels-simd.wasm and build/kernels-relaxed.wasm.
// Run by `build` and `test`; src/node/load.ts does the same on first use when build/ is missing.
import { compileKernels } from './compile.mjs';

const started = Date.now();
const written = await compileKernels();
console.log(`backend-wasm: built ${written.join(', ')} in ${Date.now() - started} ms`);
