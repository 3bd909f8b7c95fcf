// Entry of the kernel module: everything the JS side calls (declared for TypeScript, by hand, as
// src/exports.ts `KernelExports`; src/abi.test.ts fails when the two differ).
//
// The ABI every export follows:
// - Memory. The module imports one shared memory (`env.memory`, src/abi.ts INITIAL_PAGES to
//   MAX_PAGES), so worker threads can instantiate the same module on it. Below `heapBase()` lies the
//   module's static data; everything above belongs to the JS allocator (src/heap.ts). Kernels never
//   allocate, free or grow memory and keep no pointer from one call to the next: JS allocates every
//   input, output and scratch block before a call and frees it after (src/context.ts `output`,
//   `scratch`); a call owns those blocks until it returns.
// - Pointers (`usize`: x, y, a, b, out, dst, dx, work, ...) are byte addresses in that memory; JS
//   hands out blocks aligned to 64 bytes (cache lines and SIMD loads; wasm itself needs none). Inputs
//   are only read; outputs are overwritten, or added to where a flag (`accumulate`) or the kernel's
//   comment (`+=`) says so.
// - Sizes (n, rows, cols, inner, ...) count elements, not bytes, and strides (sam, sak, sbk, sbn,
//   xpStride, ...) count elements too; only names ending in `Bytes` and the `bytes` argument (an
//   element size, 1 or 4) are in bytes.
// - `bool` parameters are 0 or 1; `op`/`mode` are the codes of src/abi.ts.
// - `meta`, `geo`, `epi` (and matmul's `a` when `sam` < 0) point to descriptor words that JS writes
//   just before the call (mostly with src/context.ts `meta`), laid out as the kernel's comment says;
//   some layouts end in zeroed words the kernel uses as loop counters.
// - Range kernels (src/threads.ts RANGE_KERNELS) take (start, end, work, ...): they do units
//   [start, end) of a pass whose units are independent (rows, images, blocks of elements), so
//   threads can split it; `work` is the calling thread's own scratch of matmulWorkBytes() bytes.
//   Their other arguments (at most 13) travel through an int32 job block, so float arguments come as
//   their bits (pBits, qBits).
export * from './matmul';
export * from './matmul-sparse';
export * from './unary';
export * from './binary';
export * from './cast';
export * from './reduce';
export * from './softmax';
export * from './movement';
export * from './conv';
export * from './pool';
export * from './optimizer';
export * from './recurrent';
export * from './fused';
export * from './winograd';

export function heapBase(): usize {
  return __heap_base;
}
