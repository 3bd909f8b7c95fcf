import { describe, expect, it } from 'vitest';
import { setSeed } from '../random.js';
import { categorical } from './categorical.js';
import { tensor } from './convert.js';

/** Frequencies of each class in a row of draws. */
function frequencies(draws: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < draws.length; i++) counts[draws[i]!]!++;
  return counts.map((c) => c / draws.length);
}

describe('categorical', () => {
  it('draws each class with probability softmax(logits) (20,000 draws per row, within 4.5 standard errors)', () => {
    const probs = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.05, 0.25, 0]];
    const logits = tensor(probs.map((row) => row.map(Math.log)));
    const n = 20000;
    const draws = categorical(logits, n, 123);
    expect(draws.shape).toEqual([2, n]);
    expect(draws.dtype).toBe('int32');
    const d = draws.dataSync();
    probs.forEach((row, r) => {
      const f = frequencies(d.subarray(r * n, (r + 1) * n), 4);
      row.forEach((p, c) => {
        const stderr = Math.sqrt((p * (1 - p)) / n);
        expect(Math.abs(f[c]! - p)).toBeLessThanOrEqual(4.5 * stderr + 1e-12);
      });
    });
    // The -Infinity class (p = 0) is never drawn.
    expect(frequencies(d.subarray(n), 4)[3]).toBe(0);
  });

  it('is shift-invariant in the logits and handles large logits without overflow', () => {
    const a = categorical([[1000, 1001, 999]], 5000, 9).dataSync();
    const b = categorical([[0, 1, -1]], 5000, 9).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const e = Math.E;
    const p = [1 / (1 + e + 1 / e), e / (1 + e + 1 / e), 1 / e / (1 + e + 1 / e)];
    frequencies(b, 3).forEach((f, c) => expect(Math.abs(f - p[c]!)).toBeLessThan(4.5 * Math.sqrt((p[c]! * (1 - p[c]!)) / 5000)));
  });

  it('is deterministic: the same seed gives the same draws, and setSeed seeds the default generator', () => {
    const logits = tensor([[0.3, -1, 2, 0], [1, 1, 1, 1]]);
    expect(categorical(logits, 50, 7).toArray()).toEqual(categorical(logits, 50, 7).toArray());
    expect(categorical(logits, 50, 7).toArray()).not.toEqual(categorical(logits, 50, 8).toArray());
    setSeed(42);
    const first = categorical(logits, 50).toArray();
    setSeed(42);
    expect(categorical(logits, 50).toArray()).toEqual(first);
  });

  it('takes 1-D logits (one distribution) and zero samples', () => {
    const d = categorical([0, -Infinity, -Infinity], 10, 1);
    expect(d.shape).toEqual([10]);
    expect(d.toArray()).toEqual(new Array(10).fill(0));
    expect(categorical([[1, 2]], 0).shape).toEqual([1, 0]);
  });

  it('refuses bad logits and arguments, naming the op', () => {
    expect(() => categorical([[0, NaN]], 1)).toThrow('categorical: logits must be finite or -Infinity, got NaN at [0, 1]');
    expect(() => categorical([Infinity, 0], 1)).toThrow('categorical: logits must be finite or -Infinity, got Infinity at [0]');
    expect(() => categorical([[0, 0], [-Infinity, -Infinity]], 1)).toThrow('categorical: row 1 of logits has no finite logit (every class has probability 0)');
    expect(() => categorical([[0, 1]], -1)).toThrow('categorical: numSamples must be a non-negative integer, got -1');
    expect(() => categorical([[0, 1]], 2.5)).toThrow('categorical: numSamples must be a non-negative integer, got 2.5');
    expect(() => categorical(tensor([[1, 2]], undefined, 'int32'), 1)).toThrow('categorical: logits must be float32, got int32');
    expect(() => categorical(tensor(1), 1)).toThrow('categorical: logits must have shape [batch, classes] or [classes], got []');
    expect(() => categorical(tensor([], [2, 0]), 1)).toThrow('categorical: logits must have at least one class, got shape [2,0]');
    expect(() => categorical([0, 1], 1, NaN)).toThrow('categorical: seed must be a finite number, got NaN');
  });
});
