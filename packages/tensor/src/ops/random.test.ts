import { describe, expect, it } from 'vitest';
import { Generator, setSeed } from '../random.js';
import { tensor } from './convert.js';
import { bernoulli, permutation, randomNormal, randomShuffle, randomUniform, truncatedNormal } from './random.js';

const M32 = 0xffffffffn;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M32;

/**
 * Reference xoshiro128** (Blackman & Vigna) over BigInt, written from the published algorithm,
 * seeded as random.ts documents: SplitMix32 over `seed mod 2^32 XOR floor(seed / 2^32)`.
 */
class ReferenceXoshiro {
  s: bigint[];
  constructor(state: bigint[]) {
    this.s = state;
  }
  static seeded(seed: number): ReferenceXoshiro {
    let x = (BigInt(seed) & M32) ^ (BigInt(Math.floor(seed / 2 ** 32)) & M32);
    const next = (): bigint => {
      x = (x + 0x9e3779b9n) & M32;
      let z = x;
      z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32;
      z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32;
      return z ^ (z >> 16n);
    };
    const s: bigint[] = [next(), next(), next(), next()];
    if (!s.some((v) => v !== 0n)) s[0] = 1n;
    return new ReferenceXoshiro(s);
  }
  next(): number {
    const s = this.s as [bigint, bigint, bigint, bigint];
    const result = (rotl((s[1] * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1] << 9n) & M32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return Number(result);
  }
}

function meanVar(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i]! - mean) ** 2;
  return { mean, variance: variance / values.length };
}

function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  return [lo, hi];
}

describe('Generator', () => {
  it('the reference reproduces hand-stepped xoshiro128** from state (1, 2, 3, 4)', () => {
    // Step 1: rotl(2·5, 7)·9 = 11520. Step 2: s1 becomes 0 → 0. Step 3: s1 = 1029 → rotl(5145, 7)·9 = 5927040.
    const ref = new ReferenceXoshiro([1n, 2n, 3n, 4n]);
    expect([ref.next(), ref.next(), ref.next()]).toEqual([11520, 0, 5927040]);
  });

  it('produces the xoshiro128** stream for a given seed, on any platform', () => {
    for (const seed of [0, 1, 42, 123456789, 2 ** 32 + 7, 2 ** 40]) {
      const g = new Generator(seed);
      const ref = ReferenceXoshiro.seeded(seed);
      const got = Array.from({ length: 200 }, () => g.nextUint32());
      const want = Array.from({ length: 200 }, () => ref.next());
      expect(got, `seed ${seed}`).toEqual(want);
    }
  });

  it('nextFloat uses the top 24 bits; nextInt stays in range', () => {
    const g = new Generator(7);
    const ref = ReferenceXoshiro.seeded(7);
    for (let i = 0; i < 50; i++) expect(g.nextFloat()).toBe(Math.floor(ref.next() / 256) / 16777216);
    const draws = Array.from({ length: 1000 }, () => g.nextInt(6));
    expect(new Set(draws)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  it('rejects non-finite seeds', () => {
    expect(() => new Generator(NaN)).toThrow('setSeed: seed must be a finite number, got NaN');
    expect(() => setSeed(Infinity)).toThrow('setSeed: seed must be a finite number, got Infinity');
  });
});

describe('seeding', () => {
  it('same per-call seed → identical tensors; different seeds differ', () => {
    const a = randomNormal([100], 0, 1, 'float32', 5).dataSync();
    const b = randomNormal([100], 0, 1, 'float32', 5).dataSync();
    const c = randomNormal([100], 0, 1, 'float32', 6).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(randomUniform([10], 0, 1, 'float32', 3).dataSync())).toEqual(Array.from(randomUniform([10], 0, 1, 'float32', 3).dataSync()));
  });

  it('randomUniform with a seed is the documented stream', () => {
    const ref = ReferenceXoshiro.seeded(99);
    const expected = Array.from({ length: 8 }, () => Math.fround(2 + 3 * (Math.floor(ref.next() / 256) / 16777216)));
    expect(Array.from(randomUniform([8], 2, 5, 'float32', 99).dataSync())).toEqual(expected);
  });

  it('setSeed makes the global stream repeat', () => {
    setSeed(1234);
    const a = Array.from(randomUniform([20]).dataSync());
    const a2 = Array.from(randomUniform([20]).dataSync());
    setSeed(1234);
    const b = Array.from(randomUniform([20]).dataSync());
    const b2 = Array.from(randomUniform([20]).dataSync());
    expect(b).toEqual(a);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a);
    setSeed(1235);
    expect(Array.from(randomUniform([20]).dataSync())).not.toEqual(a);
  });
});

describe('distributions', () => {
  it('randomUniform stays in [min, max) with the right mean and variance', () => {
    const v = randomUniform([100_000], -1, 3, 'float32', 11).dataSync();
    const [lo, hi] = range(v);
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(3);
    const { mean, variance } = meanVar(v);
    // U(a, b): mean (a+b)/2 = 1, variance (b−a)²/12 = 4/3; tolerances are > 6 standard errors.
    expect(Math.abs(mean - 1)).toBeLessThan(0.025);
    expect(Math.abs(variance - 4 / 3)).toBeLessThan(0.02);
  });

  it('randomUniform int32 draws integers in [min, max)', () => {
    const v = randomUniform([10_000], 0, 4, 'int32', 2);
    expect(v.dtype).toBe('int32');
    const counts = [0, 0, 0, 0];
    for (const x of v.dataSync()) counts[x]! += 1;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const c of counts) expect(Math.abs(c - 2500)).toBeLessThan(200);
  });

  it('moments of 1e5 normal samples', () => {
    const { mean, variance } = meanVar(randomNormal([100_000], 0, 1, 'float32', 21).dataSync());
    // Standard errors: mean 1/√n ≈ 0.0032, variance √(2/n) ≈ 0.0045.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    const shifted = meanVar(randomNormal([100_000], 3, 2, 'float32', 22).dataSync());
    expect(Math.abs(shifted.mean - 3)).toBeLessThan(0.04);
    expect(Math.abs(Math.sqrt(shifted.variance) - 2)).toBeLessThan(0.03);
  });

  it('about 68.27% of normal samples fall within one standard deviation', () => {
    const v = randomNormal([100_000], 0, 1, 'float32', 23).dataSync();
    let inside = 0;
    for (const x of v) if (Math.abs(x) < 1) inside++;
    expect(Math.abs(inside / v.length - 0.6826894921370859)).toBeLessThan(0.01);
  });

  it('truncatedNormal stays within two standard deviations', () => {
    const v = truncatedNormal([100_000], 1, 0.5, 'float32', 31).dataSync();
    const [lo, hi] = range(v);
    expect(lo).toBeGreaterThanOrEqual(1 - 2 * 0.5 - 1e-6);
    expect(hi).toBeLessThanOrEqual(1 + 2 * 0.5 + 1e-6);
    // Variance of N(0,1) truncated to [−2, 2]: 1 − 2·2·φ(2) / (Φ(2) − Φ(−2)), with φ(2) = e^(−2)/√(2π).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const mass = 0.9544997361036416;
    const sd = 0.5 * Math.sqrt(1 - (4 * phi2) / mass);
    const { mean, variance } = meanVar(v);
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(variance) - sd)).toBeLessThan(0.01);
  });

  it('bernoulli hits its rate', () => {
    const v = bernoulli([100_000], 0.3, 41).dataSync();
    let ones = 0;
    let other = 0;
    for (const x of v) {
      if (x === 1) ones++;
      else if (x !== 0) other++;
    }
    expect(other).toBe(0);
    expect(Math.abs(ones / v.length - 0.3)).toBeLessThan(0.01);
    expect(Array.from(bernoulli([50], 0, 1).dataSync()).every((x) => x === 0)).toBe(true);
    expect(Array.from(bernoulli([50], 1, 1).dataSync()).every((x) => x === 1)).toBe(true);
    expect(bernoulli([2], 0.5, 1, 'bool').dtype).toBe('bool');
  });
});

describe('permutations', () => {
  it('permutation is a permutation, reproducible by seed', () => {
    const p = permutation(50, 8);
    expect(p.dtype).toBe('int32');
    const values = Array.from(p.dataSync());
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(permutation(50, 8).dataSync())).toEqual(values);
    expect(Array.from(permutation(50, 9).dataSync())).not.toEqual(values);
    expect(permutation(0).shape).toEqual([0]);
  });

  it('randomShuffle permutes rows along axis 0', () => {
    const x = tensor([[0, 0], [1, 10], [2, 20], [3, 30], [4, 40]]);
    const s = randomShuffle(x, 3);
    expect(s.shape).toEqual([5, 2]);
    const rows = s.toArray() as number[][];
    expect(rows.every(([a, b]) => b === a! * 10)).toBe(true);
    expect(rows.map((r) => r[0]).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(randomShuffle(x, 3).toArray()).toEqual(rows);
  });
});

describe('errors', () => {
  it('name the op and the bad argument', () => {
    expect(() => randomUniform([2], 1, 1)).toThrow('randomUniform: maxval must be greater than minval, got minval=1, maxval=1');
    expect(() => randomUniform([2], 0, 1, 'bool')).toThrow(`randomUniform: dtype must be 'float32' or 'int32', got "bool"`);
    expect(() => randomNormal([2], 0, -1)).toThrow('randomNormal: stddev must be non-negative, got -1');
    expect(() => truncatedNormal([-2])).toThrow('truncatedNormal: shape entries must be non-negative integers, got [-2]');
    expect(() => bernoulli([2], 1.5)).toThrow('bernoulli: p must be in [0, 1], got 1.5');
    expect(() => permutation(-1)).toThrow('permutation: n must be a non-negative integer, got -1');
    expect(() => randomShuffle(3)).toThrow('randomShuffle: expected a tensor of rank ≥ 1, got a scalar');
  });
});
