import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { gruSequence, gruSequenceGrad, lstmSequence, lstmSequenceGrad } from './recurrent.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

const close = (actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void => closeTo(actual, expected, { atol: tol });

describe('lstmSequence', () => {
  it('runs the LSTM equations step by step (one unit, two steps, by hand)', () => {
    // u = 1: xp holds the gate pre-activations i, f, g, o of each step; U = [ui, uf, ug, uo].
    const xp = tensor([[[0.5, -0.3, 0.8, 0.1], [-0.2, 0.4, -0.6, 0.9]]]);
    const U = tensor([[0.7, -0.5, 0.3, 0.2]]);
    const h0 = 0.25;
    const c0 = -0.4;
    const out = lstmSequence(xp, tensor([[h0, c0]]), U).dataSync();
    let h = h0;
    let c = c0;
    const expected: number[] = [];
    for (const [xi, xf, xg, xo] of [[0.5, -0.3, 0.8, 0.1], [-0.2, 0.4, -0.6, 0.9]] as const) {
      const i = sig(xi + 0.7 * h);
      const f = sig(xf - 0.5 * h);
      const g = Math.tanh(xg + 0.3 * h);
      const o = sig(xo + 0.2 * h);
      c = f * c + i * g;
      h = o * Math.tanh(c);
      expected.push(h, c, i, f, g, o);
    }
    close(out, expected);
  });

  it('its gradient matches finite differences of Σ w·trace with respect to xp', () => {
    const xpv = [0.5, -0.3, 0.8, 0.1, -0.2, 0.4, -0.6, 0.9];
    const U = tensor([[0.7, -0.5, 0.3, 0.2]]);
    const init = tensor([[0.25, -0.4]]);
    // Only h and c of each step carry weight (the gates are internal).
    const w = [0.3, -0.7, 0, 0, 0, 0, 1.1, 0.5, 0, 0, 0, 0];
    const loss = (v: number[]): number => {
      const y = lstmSequence(tensor(v, [1, 2, 4]), init, U).dataSync();
      return w.reduce((acc, wi, i) => acc + wi * y[i]!, 0);
    };
    const trace = lstmSequence(tensor(xpv, [1, 2, 4]), init, U);
    const g = lstmSequenceGrad(trace, init, U, tensor(w, [1, 2, 6])).dataSync();
    for (let t = 0; t < 2; t++) {
      for (let j = 0; j < 4; j++) {
        const e = 1e-3;
        const hi = [...xpv];
        const lo = [...xpv];
        hi[t * 4 + j]! += e;
        lo[t * 4 + j]! -= e;
        const numeric = (loss(hi) - loss(lo)) / (2 * e);
        // dz of step t is columns [0, 4) of row t.
        expect(Math.abs(g[t * 6 + j]! - numeric)).toBeLessThan(2e-3);
      }
    }
  });

  it('rejects inputs of the wrong shapes, naming the op and the argument', () => {
    const xp = zeros([2, 3, 8]);
    expect(() => lstmSequence(xp, zeros([2, 3]), zeros([2, 8]))).toThrow('lstmSequence: init must have shape [2,4], got [2,3]');
    expect(() => lstmSequence(zeros([2, 3, 6]), zeros([2, 4]), zeros([2, 8]))).toThrow("lstmSequence: xp's last dimension must be 4·units, got [2,3,6]");
    expect(() => lstmSequence(xp, zeros([2, 4]), zeros([2, 6]))).toThrow('lstmSequence: recurrentKernel must have shape [2,8], got [2,6]');
    expect(() => lstmSequence(xp, zeros([2, 4], 'int32'), zeros([2, 8]))).toThrow('lstmSequence: init must be float32, got int32');
    expect(() => lstmSequenceGrad(zeros([2, 3, 12]), zeros([2, 4]), zeros([2, 8]), zeros([2, 2, 12]))).toThrow('lstmSequenceGrad: dTrace must have shape [2,3,12], got [2,2,12]');
  });
});

describe('gruSequence', () => {
  for (const resetAfter of [true, false]) {
    it(`runs the GRU equations step by step (resetAfter ${resetAfter}, one unit, by hand)`, () => {
      const steps = [[0.5, -0.3, 0.8], [-0.2, 0.4, -0.6]] as const;
      const [uz, ur, uh] = [0.7, -0.5, 0.3];
      const rb = resetAfter ? [0.05, -0.1, 0.2] : [];
      const out = gruSequence(tensor([steps.map((s) => [...s])]), tensor([[0.25]]), tensor([[uz, ur, uh]]), tensor(rb, [rb.length]), resetAfter).dataSync();
      let h = 0.25;
      const expected: number[] = [];
      for (const [xz, xr, xh] of steps) {
        const z = sig(xz + uz * h + (rb[0] ?? 0));
        const r = sig(xr + ur * h + (rb[1] ?? 0));
        const q = resetAfter ? uh * h + rb[2]! : r * h;
        const hh = Math.tanh(resetAfter ? xh + r * q : xh + uh * q);
        h = z * h + (1 - z) * hh;
        expected.push(h, z, r, hh, q);
      }
      close(out, expected);
    });

    it(`its gradient matches finite differences with respect to xp and h0 (resetAfter ${resetAfter})`, () => {
      const xpv = [0.5, -0.3, 0.8, -0.2, 0.4, -0.6];
      const U = tensor([[0.7, -0.5, 0.3]]);
      const rb = tensor(resetAfter ? [0.05, -0.1, 0.2] : [], [resetAfter ? 3 : 0]);
      const w = [0.3, 0, 0, 0, 0, -0.9, 0, 0, 0, 0];
      const loss = (v: number[], h0: number): number => {
        const y = gruSequence(tensor(v, [1, 2, 3]), tensor([[h0]]), U, rb, resetAfter).dataSync();
        return w.reduce((acc, wi, i) => acc + wi * y[i]!, 0);
      };
      const trace = gruSequence(tensor(xpv, [1, 2, 3]), tensor([[0.25]]), U, rb, resetAfter);
      const g = gruSequenceGrad(trace, tensor([[0.25]]), U, tensor(w, [1, 2, 5]), resetAfter).dataSync();
      const e = 1e-3;
      for (let t = 0; t < 2; t++) {
        for (let j = 0; j < 3; j++) {
          const hi = [...xpv];
          const lo = [...xpv];
          hi[t * 3 + j]! += e;
          lo[t * 3 + j]! -= e;
          expect(Math.abs(g[t * 7 + j]! - (loss(hi, 0.25) - loss(lo, 0.25)) / (2 * e))).toBeLessThan(2e-3);
        }
      }
      // dh0 sits in the last column of step 0.
      expect(Math.abs(g[6]! - (loss(xpv, 0.25 + e) - loss(xpv, 0.25 - e)) / (2 * e))).toBeLessThan(2e-3);
    });
  }

  it('rejects a recurrent bias without resetAfter and wrong shapes', () => {
    const xp = zeros([2, 3, 6]);
    expect(() => gruSequence(xp, zeros([2, 2]), zeros([2, 6]), zeros([6]), false)).toThrow('gruSequence: recurrentBias must be [0] when resetAfter is false');
    expect(() => gruSequence(xp, zeros([2, 2]), zeros([2, 6]), zeros([5]), true)).toThrow('gruSequence: recurrentBias must have shape [6] or [0], got [5]');
    expect(() => gruSequence(xp, zeros([3, 2]), zeros([2, 6]), zeros([0]), true)).toThrow('gruSequence: h0 must have shape [2,2], got [3,2]');
    expect(() => gruSequenceGrad(zeros([2, 3, 10]), zeros([2, 2]), zeros([2, 6]), zeros([2, 3, 7]), true)).toThrow('gruSequenceGrad: dTrace must have shape [2,3,10], got [2,3,7]');
  });
});
