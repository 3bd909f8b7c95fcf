import type { KernelTable } from '@descent/tensor';
import type { Fallback } from '../fallback.js';

/** The running sum and product run on the CPU reference kernels (counted in `fallback.counts`), as unary-extra.ts's. */
export function scanKernels(fb: Fallback) {
  return {
    Cumsum: fb.entry('Cumsum'),
    Cumprod: fb.entry('Cumprod'),
  } satisfies Partial<KernelTable>;
}
