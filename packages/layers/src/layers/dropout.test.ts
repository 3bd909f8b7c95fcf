import { valueAndGrad } from '@descent/autograd';
import { ones, setSeed, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Dropout, SpatialDropout1D, SpatialDropout2D } from './dropout.js';
import { expectTensor } from './test-utils/helpers.js';

describe('Dropout', () => {
  it('is the identity outside training', () => {
    const x = tensor([[1, 2, 3]]);
    expectTensor(new Dropout({ rate: 0.5 }).apply(x), [1, 3], [1, 2, 3]);
    expectTensor(new Dropout({ rate: 0.5 }).apply(x, { training: false }), [1, 3], [1, 2, 3]);
  });

  it('in training zeroes about `rate` of the inputs and scales the rest by 1/(1 − rate)', () => {
    const y = new Dropout({ rate: 0.25, seed: 1 }).apply(ones([100, 100]), { training: true }).dataSync();
    let zeros = 0;
    let others = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else if (Math.abs(v - 1 / 0.75) > 1e-6) others++;
    }
    expect(others).toBe(0);
    // 10 000 Bernoulli(0.25) draws: mean 2500, sd ≈ 43
    expect(Math.abs(zeros - 2500)).toBeLessThan(250);
  });

  it('a seed makes the sequence of masks reproducible, and each call draws a new mask', () => {
    const x = ones([4, 50]);
    const a = new Dropout({ rate: 0.5, seed: 42 });
    const b = new Dropout({ rate: 0.5, seed: 42 });
    const a1 = Array.from(a.apply(x, { training: true }).dataSync());
    const a2 = Array.from(a.apply(x, { training: true }).dataSync());
    expect(Array.from(b.apply(x, { training: true }).dataSync())).toEqual(a1);
    expect(Array.from(b.apply(x, { training: true }).dataSync())).toEqual(a2);
    expect(a2).not.toEqual(a1);
  });

  it('unseeded dropout follows setSeed', () => {
    const x = ones([4, 50]);
    setSeed(3);
    const y1 = Array.from(new Dropout({ rate: 0.5 }).apply(x, { training: true }).dataSync());
    setSeed(3);
    expect(Array.from(new Dropout({ rate: 0.5 }).apply(x, { training: true }).dataSync())).toEqual(y1);
  });

  it('noiseShape shares the mask along size-1 axes', () => {
    const y = new Dropout({ rate: 0.5, noiseShape: [null, 1], seed: 5 }).apply(ones([20, 6]), { training: true }).toArray() as number[][];
    for (const row of y) expect(new Set(row).size).toBe(1);
    expect(() => new Dropout({ rate: 0.5, noiseShape: [3] }).apply(ones([2, 2]), { training: true })).toThrow(/noiseShape \[3\] must have the input's rank/);
  });

  it('gradient is the mask scaled by 1/(1 − rate)', () => {
    const layer = new Dropout({ rate: 0.5, seed: 9 });
    const x = tensor([[1, 2, 3, 4, 5, 6, 7, 8]]);
    const { value, grad } = valueAndGrad((t) => layer.apply(t, { training: true }))(x, ones([1, 8]));
    const y = value.dataSync();
    const g = grad.dataSync();
    const xv = x.dataSync();
    for (let i = 0; i < y.length; i++) expect(g[i]).toBeCloseTo(y[i]! / xv[i]!, 6);
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new Dropout({ rate: 1 })).toThrow(/Dropout: rate must be a number in \[0, 1\), got 1/);
  });
});

describe('SpatialDropout1D / 2D', () => {
  it('drop whole channels per sample', () => {
    const y1 = new SpatialDropout1D({ rate: 0.5, seed: 2 }).apply(ones([8, 5, 6]), { training: true }).toArray() as number[][][];
    for (const sample of y1) for (let c = 0; c < 6; c++) expect(new Set(sample.map((step) => step[c])).size).toBe(1);
    const y2 = new SpatialDropout2D({ rate: 0.5, seed: 2 }).apply(ones([4, 3, 3, 5]), { training: true }).toArray() as number[][][][];
    for (const sample of y2) for (let c = 0; c < 5; c++) expect(new Set(sample.flat().map((px) => px[c])).size).toBe(1);
    expect(() => new SpatialDropout2D({ rate: 0.5 }).apply(ones([2, 2]), { training: true })).toThrow(/SpatialDropout2D: expected input of rank 4/);
  });
});
