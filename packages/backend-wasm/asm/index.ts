// Entry of the kernel module: everything the JS side calls. Memory is imported (shared, so worker
// threads can run matmul rows on it); the allocator lives in JS, above __heap_base.
export * from './matmul';
export * from './elementwise';
export * from './reduce';
export * from './movement';
export * from './conv';
export * from './optimizer';
export * from './recurrent';

export function heapBase(): usize {
  return __heap_base;
}
