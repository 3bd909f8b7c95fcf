import { describe, expect, it } from 'vitest';
import { findTorchPython, hasTorch } from './pytorch.js';
import { pairedRatio } from './train-run.js';

describe('finding PyTorch', () => {
  it('counts a missing interpreter as no torch, and refuses one asked for by --python', () => {
    const missing = '/nonexistent/descent-bench/python3';
    expect(hasTorch(missing)).toBe(false);
    expect(() => findTorchPython(missing)).toThrow(`bench: --python ${missing} cannot 'import torch'`);
    expect(() => findTorchPython(missing)).toThrow(/apt-get install -y python3-torch libopenblas0-pthread/);
  });
});

describe('pairedRatio', () => {
  it('is the median over shared rounds of num / den, skipping rounds where either did not run', () => {
    // Round ratios 2, 3, 1 → 2.
    expect(pairedRatio([20, 60, 40], [10, 20, 40])).toBe(2);
    // A contender with one run (the rest holes) pairs with round 1 only.
    const single: number[] = [];
    single[0] = 30;
    expect(pairedRatio(single, [10, 20, 40])).toBe(3);
    expect(pairedRatio([], [1, 2])).toBeNaN();
  });
});
