import { gradCheck } from '@descent/autograd';
import { softmax, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { categoricalCrossentropy } from './crossentropy.js';
import { Dice, dice } from './dice.js';
import { CategoricalFocalCrossentropy, categoricalFocalCrossentropy } from './focal.js';
import { getLoss } from './registry.js';

const t = [[0, 1, 0], [1, 0, 0], [0.2, 0.3, 0.5]];
const p = [[0.2, 0.7, 0.1], [0.5, 0.3, 0.4], [0.1, 0.1, 0.8]];

/** Σ_c alpha (1 − q)^gamma (−y log q), q = p / Σp clipped, per row, in float64. */
function refFocal(ts: number[][], ps: number[][], alpha: number, gamma: number, smoothing = 0): number[] {
  return ps.map((row, r) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.reduce((acc, v, c) => {
      const q = Math.min(Math.max(v / s, 1e-7), 1 - 1e-7);
      const y = ts[r]![c]! * (1 - smoothing) + smoothing / row.length;
      return acc + alpha * (1 - q) ** gamma * -y * Math.log(q);
    }, 0);
  });
}

describe('categoricalFocalCrossentropy', () => {
  it('matches the definition, renormalizing yPred, with label smoothing', () => {
    const got = Array.from(categoricalFocalCrossentropy(t, p).dataSync());
    refFocal(t, p, 0.25, 2).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    const smoothed = Array.from(categoricalFocalCrossentropy(t, p, { alpha: 0.5, gamma: 1.5, labelSmoothing: 0.1 }).dataSync());
    refFocal(t, p, 0.5, 1.5, 0.1).forEach((v, i) => expect(smoothed[i]).toBeCloseTo(v, 6));
  });

  it('with gamma 0 and alpha 1 is categorical cross-entropy; fromLogits applies softmax', () => {
    const ce = Array.from(categoricalCrossentropy(t, p).dataSync());
    Array.from(categoricalFocalCrossentropy(t, p, { alpha: 1, gamma: 0 }).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ce[i]!, 6));
    const logits = [[1, 2, -1], [0.5, 0, 3], [-2, 1, 1]];
    const viaLogits = Array.from(categoricalFocalCrossentropy(t, logits, { fromLogits: true }).dataSync());
    const viaProbs = Array.from(categoricalFocalCrossentropy(t, softmax(tensor(logits))).dataSync());
    viaLogits.forEach((v, i) => expect(v).toBeCloseTo(viaProbs[i]!, 6));
  });

  it('has exact gradients, reduces as a Loss, resolves by name and checks options', () => {
    gradCheck((z) => categoricalFocalCrossentropy(t, z, { fromLogits: true }), [tensor([[1, 2, -1], [0.5, 0, 3], [-2, 1, 1]])]);
    const loss = new CategoricalFocalCrossentropy({ gamma: 1 });
    const per = refFocal(t, p, 0.25, 1);
    expect(loss.apply(t, p).item()).toBeCloseTo(per.reduce((a, b) => a + b, 0) / 3, 6);
    expect(loss.apply(t, p, [1, 0, 2]).item()).toBeCloseTo((per[0]! + 2 * per[2]!) / 3, 6);
    expect(getLoss('categorical_focal_crossentropy')).toBeInstanceOf(CategoricalFocalCrossentropy);
    expect(loss.getConfig()).toEqual({ name: 'categorical_focal_crossentropy', reduction: 'sumOverBatchSize', alpha: 0.25, gamma: 1, fromLogits: false, labelSmoothing: 0 });
    expect(() => categoricalFocalCrossentropy(t, p, { alpha: 2 })).toThrow(/^categoricalFocalCrossentropy: alpha must be a number in \[0, 1\], got 2$/);
    expect(() => categoricalFocalCrossentropy([1, 0, 2], p)).toThrow(/yTrue must be one-hot with the shape of yPred \[3,3\], got \[3\]/);
  });
});

describe('dice', () => {
  const yt = [[1, 0], [1, 1]];
  const yp = [[0.5, 0.5], [1, 0]];
  it('is 1 − 2Σ(y·ŷ)/(Σy + Σŷ) over the whole batch by default (hand calculation)', () => {
    // Σ y·ŷ = 1.5, Σy = 3, Σŷ = 2: 1 − 3/5.
    expect(dice(yt, yp).item()).toBeCloseTo(0.4, 6);
    expect(getLoss('dice').apply(yt, yp).item()).toBeCloseTo(0.4, 6);
  });
  it('gives one value per sample with axis, and has exact gradients', () => {
    // Sample 0: 1 − 1/2; sample 1: 1 − 2/3.
    expect(Array.from(dice(yt, yp, { axis: [1] }).dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0.5, Number((1 / 3).toFixed(6))]);
    const loss = new Dice({ axis: -1 });
    expect(loss.apply(yt, yp, [1, 3]).item()).toBeCloseTo((0.5 + 3 / 3) / 2, 6);
    expect(loss.getConfig()).toEqual({ name: 'dice', reduction: 'sumOverBatchSize', axis: [-1] });
    gradCheck((z) => dice(yt, z, { axis: 1 }), [tensor(yp)]);
    expect(() => dice(yt, [[1, 0]])).toThrow(/^dice: yTrue and yPred must have the same shape, got yTrue \[2,2\] and yPred \[1,2\]$/);
    expect(() => new Dice({ axis: [] })).toThrow(/Dice: axis must be null, an integer or a non-empty list of integers, got \[\]/);
  });
});
