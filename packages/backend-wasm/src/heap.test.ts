import { describe, expect, it } from 'vitest';
import { detectFlavour } from './detect.js';
import { largestBlock, sizeClass } from './heap.js';

describe('size classes', () => {
  it('are 64-byte multiples that fit the request with at most 25% slack above 4 KiB', () => {
    for (let bytes = 1; bytes < 5_000_000; bytes = Math.ceil(bytes * 1.37) + 3) {
      const c = sizeClass(bytes);
      expect(c % 64).toBe(0);
      expect(c).toBeGreaterThanOrEqual(bytes);
      if (bytes > 4096) expect(c).toBeLessThanOrEqual(bytes * 1.25);
      else expect(c - bytes).toBeLessThan(64);
    }
    expect(sizeClass(0)).toBe(64);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(5120);
  });

  it('map sizes that differ by a little to one class, so training reuses blocks', () => {
    expect(sizeClass(100_000)).toBe(sizeClass(99_000));
  });
});

describe('feature detection', () => {
  it('finds wasm SIMD on this Node (relaxed SIMD only behind a flag on Node 20)', () => {
    const flavour = detectFlavour();
    expect(flavour === 'simd' || flavour === 'relaxed').toBe(true);
    const major = Number(process.versions.node.split('.')[0]);
    const flagged = process.execArgv.includes('--experimental-wasm-relaxed-simd');
    if (major >= 22 || flagged) expect(flavour).toBe('relaxed');
    else expect(flavour).toBe('simd');
  });
});

describe('largestBlock', () => {
  it('is the largest size class within the limit', () => {
    // 2 GiB less a little: classes step by 2^28 above 2^30, so the largest is 7 · 2^28 = 1.75 GiB.
    expect(largestBlock(2 ** 31 - 70_000)).toBe(7 * 2 ** 28);
    expect(sizeClass(largestBlock(2 ** 31 - 70_000))).toBe(7 * 2 ** 28);
    expect(largestBlock(4096)).toBe(4096);
    expect(largestBlock(1000)).toBe(960);
    for (const limit of [5000, 70_000, 1e6, 3e8]) {
      const b = largestBlock(limit);
      expect(sizeClass(b)).toBe(b);
      expect(b).toBeLessThanOrEqual(limit);
      expect(sizeClass(b + 1)).toBeGreaterThan(limit);
    }
  });
});
