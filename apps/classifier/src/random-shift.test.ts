import { setSeed, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { RandomShift } from './random-shift.js';

/** The 3×3 image 1..9 moved down by `dy` and right by `dx` pixels, zeros where nothing moved in. */
function shifted(dy: number, dx: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const sr = r - dy;
      const sc = c - dx;
      out.push(sr >= 0 && sr < 3 && sc >= 0 && sc < 3 ? sr * 3 + sc + 1 : 0);
    }
  }
  return out;
}

describe('RandomShift', () => {
  const image = Array.from({ length: 9 }, (_, i) => i + 1);

  it('moves each image by its own whole-pixel offset in [-m, m]², filling with zeros, in training only', () => {
    setSeed(7);
    const batch = 256;
    const x = tensor(Array.from({ length: batch }, () => image).flat(), [batch, 3, 3, 1]);
    const layer = new RandomShift({ maxShift: 1 });
    const y = layer.apply(x, { training: true });
    expect(y.shape).toEqual([batch, 3, 3, 1]);
    const values = [...y.dataSync()];
    const candidates = new Map<string, string>();
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) candidates.set(shifted(dy, dx).join(','), `${dy},${dx}`);
    const seen = new Set<string>();
    for (let b = 0; b < batch; b++) {
      const sample = values.slice(b * 9, b * 9 + 9).join(',');
      const offset = candidates.get(sample);
      expect(offset, `sample ${b} is not a shift of the image: ${sample}`).toBeDefined();
      seen.add(offset!);
    }
    // 256 draws of 9 equally likely offsets: all 9 appear (one is missed with probability below 9·(8/9)^256 ≈ 1e-12).
    expect(seen.size).toBe(9);
    // Outside training the images pass through unchanged.
    expect([...layer.apply(x).dataSync()]).toEqual(Array.from({ length: batch }, () => image).flat());
  });

  it('repeats its draws under the same seed and round-trips its config', () => {
    const x = tensor(Array.from({ length: 8 }, () => image).flat(), [8, 3, 3, 1]);
    const layer = new RandomShift({ maxShift: 2, name: 'aug' });
    setSeed(3);
    const a = [...layer.apply(x, { training: true }).dataSync()];
    setSeed(3);
    expect([...layer.apply(x, { training: true }).dataSync()]).toEqual(a);
    expect(layer.getConfig()).toMatchObject({ name: 'aug', maxShift: 2 });
  });

  it('rejects a bad maxShift, an unknown option and input that is not a batch of images', () => {
    expect(() => new RandomShift({ maxShift: 1.5 })).toThrow('RandomShift: maxShift must be a non-negative integer, got 1.5');
    expect(() => new RandomShift({ maxShift: 1, maxshift: 2 } as never)).toThrow(/RandomShift: unknown option 'maxshift'/);
    expect(() => new RandomShift({ maxShift: 1 }).apply(tensor([1, 2, 3, 4], [2, 2]), { training: true })).toThrow(
      'RandomShift: expected images [batch, height, width, channels], got shape [2, 2]',
    );
  });
});
