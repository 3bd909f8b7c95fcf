// Test-matrix setup: run the suite on the pure-TypeScript CPU backend (the reference), even where a
// package imports @descent/backend-wasm and so would otherwise default to it.
import { setBackend } from '../../packages/tensor/src/index.js';

setBackend('cpu');
