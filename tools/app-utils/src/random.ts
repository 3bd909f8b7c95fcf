/**
 * mulberry32: a tiny 32-bit generator of uniform floats in [0, 1). What it makes is the same on every
 * run and every machine, without going through the library's own random ops (example data, and test
 * data where those ops are often what is under test).
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
