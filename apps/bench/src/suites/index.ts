import type { Suite } from '../suite.js';
import { convSuite } from './conv.js';
import { matmulSuite } from './matmul.js';
import { wasmMatmulSuite } from './wasm-matmul.js';
import { wasmOpsSuite } from './wasm-ops.js';

/** Every suite, in the order `bench` runs them. Add a new suite file and list it here. */
export const suites: readonly Suite[] = [matmulSuite, convSuite, wasmMatmulSuite, wasmOpsSuite];
