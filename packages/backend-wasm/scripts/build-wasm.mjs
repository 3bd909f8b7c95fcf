// Compile asm/ (AssemblyScript) into build/kernels-simd.wasm and build/kernels-relaxed.wasm.
// `build` always compiles; `test` passes --if-stale so an up-to-date build is reused. The loader
// (src/node/load.ts) does the same on first use when build/ is missing, so src/ works without this.
import { compileKernels, isStale } from './compile.mjs';

if (process.argv.includes('--if-stale') && !isStale()) {
  console.log('backend-wasm: build/ is up to date');
} else {
  const started = Date.now();
  const written = await compileKernels();
  console.log(`backend-wasm: built ${written.join(', ')} in ${Date.now() - started} ms`);
}
