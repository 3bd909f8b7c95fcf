// Numbers the JS glue (src/) and the AssemblyScript kernels (asm/) must agree on, written once.
//
// This file is read by three tools, so it holds only `export const NAME = <integer>` declarations
// (no types, no imports, no other syntax):
// - TypeScript: src/exports.ts names the op codes by kernel, src/kernels/ reads the sizes,
//   register.ts and backend.ts size the memory;
// - AssemblyScript: asm/unary.ts, asm/binary.ts and asm/reduce.ts import their op codes (`../src/abi`) and
//   re-export them, so the module exports each as an immutable global (the SGD modes, the patch
//   markers and COL_FLOATS are still declared again in asm/, and exported from there);
// - scripts/compile.mjs reads INITIAL_PAGES and MAX_PAGES from the text and passes them to asc.
// src/abi.test.ts fails unless the module exports every other constant here, with the same value,
// and imports its memory with these page counts. The build counts this file as an input (a change
// here rebuilds build/*.wasm).

/** Unary op codes of asm/unary.ts `unaryF32`/`unaryRange` (src/exports.ts `UNARY`). */
export const U_NEG = 0, U_ABS = 1, U_SIGN = 2, U_EXP = 3, U_LOG = 4, U_LOG1P = 5, U_EXPM1 = 6, U_SQRT = 7,
  U_RSQRT = 8, U_SQUARE = 9, U_RECIPROCAL = 10, U_SIN = 11, U_COS = 12, U_TANH = 13, U_SIGMOID = 14,
  U_SOFTPLUS = 15, U_RELU = 16, U_ERF = 17, U_FLOOR = 18, U_CEIL = 19, U_ROUND = 20, U_LEAKYRELU = 21,
  U_ELU = 22, U_CLIP = 23;

/**
 * Binary op codes of asm/binary.ts `binaryF32`/`binaryRange` (src/exports.ts `BINARY`); codes
 * from B_EQ on are comparisons (0/1 results). B_AND and B_OR are `logicalBool`'s (over bool bytes).
 */
export const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_POW = 4, B_MAX = 5, B_MIN = 6, B_MOD = 7,
  B_FLOORDIV = 8, B_SQDIFF = 9, B_EQ = 10, B_NE = 11, B_GT = 12, B_GE = 13, B_LT = 14, B_LE = 15,
  B_AND = 16, B_OR = 17;

/** Float32 → bool tests of asm/unary.ts `unaryToBoolF32` (src/exports.ts `FLOAT_TEST`). */
export const T_ISNAN = 0, T_ISFINITE = 1;

/** Reductions of asm/reduce.ts `reduceRows`/`reduceMiddle` (src/exports.ts `REDUCE`). */
export const R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3;

/**
 * SGD variants of asm/optimizer.ts `sgdF32` (src/exports.ts `SGD_MODE`). asm/optimizer.ts still
 * declares its own SGD_* copies; src/abi.test.ts fails if they differ from these.
 */
export const SGD_PLAIN = 0, SGD_MOMENTUM = 1, SGD_NESTEROV = 2;

/**
 * Negative `sam` values that make asm/matmul.ts read its A operand as an implicit patch matrix
 * (src/exports.ts `PATCHES`). asm/matmul.ts still declares its own copies; src/abi.test.ts checks them.
 */
export const CONV_PATCHES = -1, CONV_PATCHES_T = -2;

/**
 * Floats of the column buffer at the end of each thread's `work` scratch (after the matmul's
 * scratch; see asm/matmul.ts `matmulWorkBytes`), used by asm/conv.ts and asm/winograd.ts. asm/conv.ts
 * still declares its own copy; src/abi.test.ts checks it.
 */
export const COL_FLOATS = 65536;

/**
 * Initial size of the shared memory in 64 KiB pages (about 1 MiB). The module declares it as the
 * minimum of its imported memory, so the memory src/backend.ts makes must start at least this large.
 * The module's static data ends far lower (`heapBase()`, about 11 KiB); the rest is room for the
 * first allocations, and src/heap.ts grows the memory from there.
 */
export const INITIAL_PAGES = 17;

/** Maximum size of the shared memory in 64 KiB pages (2 GiB); a shared memory must declare one. */
export const MAX_PAGES = 32768;
