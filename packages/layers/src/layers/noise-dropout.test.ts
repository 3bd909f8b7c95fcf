import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { AlphaDropout, GaussianDropout } from './noise-dropout.js';
import { pseudoTensor } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

function stats(v: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, variance: q / v.length };
}

/** Deterministic draws from N(0, 1) (Box–Muller over a fixed LCG), as a SELU-normalized input. */
function standardNormal(n: number): number[] {
  let s = 12345;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('GaussianDropout', () => {
  it('multiplies by N(1, rate / (1 − rate)) noise in training only', () => {
    const layer = new GaussianDropout({ rate: 0.2, seed: 3 });
    const x = tensor(new Float32Array(20000).fill(2), [200, 100]);
    expect(layer.apply(x)).toBe(x);
    expect(layer.apply(x, { training: false })).toBe(x);
    const noise = Array.from(layer.apply(x, { training: true }).dataSync(), (v) => v / 2);
    const { mean, variance } = stats(noise);
    // 20000 draws: the standard error of the mean is 0.5/141 ≈ 0.0035.
    expect(Math.abs(mean - 1)).toBeLessThan(0.015);
    expect(Math.abs(variance - 0.25) / 0.25).toBeLessThan(0.05);
  });

  it('is reproducible with a seed and draws new noise on each call', () => {
    const x = pseudoTensor([4, 5], 2);
    const a = new GaussianDropout({ rate: 0.5, seed: 7 });
    const b = new GaussianDropout({ rate: 0.5, seed: 7 });
    const a1 = Array.from(a.apply(x, { training: true }).dataSync());
    expect(Array.from(b.apply(x, { training: true }).dataSync())).toEqual(a1);
    expect(Array.from(a.apply(x, { training: true }).dataSync())).not.toEqual(a1);
    expect(a.getConfig()).toMatchObject({ rate: 0.5, seed: 7 });
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new GaussianDropout({ rate: 1 })).toThrow(/^GaussianDropout: rate must be a number in \[0, 1\), got 1$/);
  });
});

describe('AlphaDropout', () => {
  const alphaP = -1.6732632423543772 * 1.0507009873554805;

  it('sends dropped units to a·alphaP + b and kept ones to a·x + b (Keras constants)', () => {
    const rate = 0.3;
    const a = ((1 - rate) * (1 + rate * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * rate;
    const xv = Array.from(pseudoTensor([50, 40], 4).dataSync());
    const y = new AlphaDropout({ rate, seed: 1 }).apply(tensor(xv, [50, 40]), { training: true }).dataSync();
    let dropped = 0;
    for (let i = 0; i < xv.length; i++) {
      const kept = a * xv[i]! + b;
      const gone = a * alphaP + b;
      const isKept = Math.abs(y[i]! - kept) < 1e-5;
      expect(isKept || Math.abs(y[i]! - gone) < 1e-5).toBe(true);
      if (!isKept) dropped++;
    }
    // 2000 Bernoulli(0.3) draws: the standard deviation of the count is about 20.
    expect(Math.abs(dropped - 600)).toBeLessThan(80);
  });

  it('keeps zero mean and unit variance of a standard normal input', () => {
    const x = tensor(standardNormal(40000), [400, 100]);
    const y = new AlphaDropout({ rate: 0.2, seed: 5 }).apply(x, { training: true }).dataSync();
    const { mean, variance } = stats(y);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });

  it('shares one draw along noiseShape size-1 axes, passes through in inference and keeps its config', () => {
    const layer = new AlphaDropout({ rate: 0.5, noiseShape: [null, 1], seed: 2 });
    const x = tensor(new Float32Array(64 * 8).fill(1), [64, 8]);
    expect(layer.apply(x)).toBe(x);
    const y = layer.apply(x, { training: true }).toArray() as number[][];
    for (const row of y) expect(new Set(row).size).toBe(1);
    expect(layer.getConfig()).toMatchObject({ rate: 0.5, noiseShape: [null, 1], seed: 2 });
    expect(() => new AlphaDropout({ rate: -0.1 })).toThrow(/AlphaDropout: rate must be a number in \[0, 1\)/);
  });
});
