import { describe, expect, it } from 'vitest';
import type { Timing } from './measure.js';
import { measureInterleaved, pairedSpeedup } from './measure.js';

const timing = (series: number[]): Timing => ({ median: 0, min: 0, max: 0, samples: series.length, callsPerSample: 1, series });

describe('pairedSpeedup', () => {
  it('is the median over rounds of slow/fast within each round', () => {
    // Round ratios: 20/10 = 2, 60/20 = 3, 40/40 = 1 → median 2.
    expect(pairedSpeedup(timing([10, 20, 40]), timing([20, 60, 40]))).toBe(2);
    // Even count: mean of the middle two ratios (1.5 and 2.5).
    expect(pairedSpeedup(timing([2, 2, 2, 2]), timing([2, 3, 5, 8]))).toBe(2);
  });

  it('cancels a drift that the ratio of medians does not', () => {
    // The machine halves its speed after round 2; the fast contender is always exactly 3× faster.
    const fast = timing([1, 1, 2, 2, 2]);
    const slow = timing([3, 3, 6, 6, 6]);
    expect(pairedSpeedup(fast, slow)).toBe(3);
  });

  it('refuses timings without samples', () => {
    expect(() => pairedSpeedup(timing([]), timing([]))).toThrow(/pairedSpeedup: both timings need samples/);
  });
});

describe('measureInterleaved', () => {
  it('takes one sample per contender per round, rotating the order, running `before` ahead of each', async () => {
    const log: string[] = [];
    let current = '';
    const contender = (name: string) => ({
      name,
      before: () => {
        current = name;
        log.push(`before ${name}`);
      },
      fn: () => {
        // Each call must run after its own contender's `before`.
        if (current !== name) throw new Error(`${name} ran after ${current}'s before`);
      },
    });
    const out = await measureInterleaved([contender('a'), contender('b'), contender('c')], { warmup: 1, samples: 3, minSampleMs: 0 });
    expect(Object.keys(out)).toEqual(['a', 'b', 'c']);
    for (const t of Object.values(out)) {
      expect(t.samples).toBe(3);
      expect(t.series).toHaveLength(3);
      expect(t.min).toBeLessThanOrEqual(t.median);
      expect(t.median).toBeLessThanOrEqual(t.max);
    }
    // Three set-up calls, then rounds a b c / b c a / c a b.
    expect(log).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b'].map((n) => `before ${n}`));
  });
});
