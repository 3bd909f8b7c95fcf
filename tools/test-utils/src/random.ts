import { mulberry32 } from '@descent/app-utils/random';

// mulberry32 lives in @descent/app-utils (the example apps use it too); the tests take it from here.
export { mulberry32 };

/** `n` uniform floats in [lo, hi) from `mulberry32(seed)`. */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + next() * (hi - lo);
  return out;
}
