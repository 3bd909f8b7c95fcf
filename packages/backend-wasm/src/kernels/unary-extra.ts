import type { KernelTable } from '@descent/tensor';
import type { Fallback } from '../fallback.js';

/**
 * The inverse and hyperbolic trigonometric functions and Atan2 run on the CPU reference kernels (copy
 * out, compute, copy back; counted in `fallback.counts`). None of them sits in a training step's hot
 * path; a native loop can replace an entry here once a benchmark asks.
 */
export function unaryExtraKernels(fb: Fallback) {
  return {
    Tan: fb.entry('Tan'),
    Asin: fb.entry('Asin'),
    Acos: fb.entry('Acos'),
    Atan: fb.entry('Atan'),
    Sinh: fb.entry('Sinh'),
    Cosh: fb.entry('Cosh'),
    Asinh: fb.entry('Asinh'),
    Acosh: fb.entry('Acosh'),
    Atanh: fb.entry('Atanh'),
    Atan2: fb.entry('Atan2'),
  } satisfies Partial<KernelTable>;
}
