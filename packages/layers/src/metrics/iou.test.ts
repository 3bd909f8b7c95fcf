import { describe, expect, it } from 'vitest';
import { MeanIoU } from './iou.js';

describe('MeanIoU', () => {
  it("matches Keras's documented examples", () => {
    const m = new MeanIoU({ numClasses: 2 });
    m.update([0, 0, 1, 1], [0, 1, 0, 1]);
    // cm [[1, 1], [1, 1]]: each class 1 / (2 + 2 − 1).
    expect(m.result()).toBeCloseTo(1 / 3, 6);
    m.reset();
    m.update([0, 0, 1, 1], [0, 1, 0, 1], [0.3, 0.3, 0.3, 0.1]);
    // cm [[0.3, 0.3], [0.3, 0.1]]: 0.3/0.9 and 0.1/0.7.
    expect(m.result()).toBeCloseTo((0.3 / 0.9 + 0.1 / 0.7) / 2, 6);
  });

  it('averages over classes present only, counts every pixel, and streaming = one batch', () => {
    // 2 images of 2×2 pixels, 4 classes; class 3 never occurs.
    const t = [[[0, 1], [1, 2]], [[2, 2], [0, 1]]];
    const p = [[[0, 1], [2, 2]], [[2, 1], [0, 0]]];
    // cm rows=true: 0→{0:2}; 1→{1:1, 2:1, 0:1}; 2→{2:2, 1:1}.
    const iou0 = 2 / (2 + 3 - 2);
    const iou1 = 1 / (3 + 2 - 1);
    const iou2 = 2 / (3 + 3 - 2);
    const whole = new MeanIoU({ numClasses: 4 });
    whole.update(t, p);
    expect(whole.result()).toBeCloseTo((iou0 + iou1 + iou2) / 3, 6);
    expect(whole.perClass()[3]).toBe(0);
    const parts = new MeanIoU({ numClasses: 4 });
    parts.update(t.slice(0, 1), p.slice(0, 1));
    parts.update(t.slice(1), p.slice(1));
    expect(parts.result()).toBeCloseTo(whole.result(), 12);
    // A per-image weight applies to each of its pixels.
    const w = new MeanIoU({ numClasses: 4 });
    w.update(t, p, [1, 0]);
    const only = new MeanIoU({ numClasses: 4 });
    only.update(t.slice(0, 1), p.slice(0, 1));
    expect(w.result()).toBeCloseTo(only.result(), 12);
  });

  it('ignores a class and takes one-hot labels and scores', () => {
    const m = new MeanIoU({ numClasses: 3, ignoreClass: 2 });
    m.update([0, 2, 1, 2], [0, 1, 1, 0]);
    // Entries with label 2 dropped: both remaining are correct.
    expect(m.result()).toBeCloseTo(1, 6);
    const dense = new MeanIoU({ numClasses: 2, sparseYTrue: false, sparseYPred: false });
    dense.update([[1, 0], [1, 0], [0, 1], [0, 1]], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]);
    expect(dense.result()).toBeCloseTo(1 / 3, 6);
    expect(dense.getConfig()).toEqual({ name: 'mean_io_u', numClasses: 2, ignoreClass: null, sparseYTrue: false, sparseYPred: false });
  });

  it('rejects out-of-range and fractional classes and a missing numClasses', () => {
    expect(() => new MeanIoU({ numClasses: 2 }).update([0, 2], [0, 1])).toThrow(/^mean_io_u: class indices must be in \[0, 1\] for numClasses 2, got yTrue 2 and yPred 1 at entry 1$/);
    expect(() => new MeanIoU({ numClasses: 2 }).update([0, 1], [0.4, 0.6])).toThrow(/yPred must hold integer class indices, got 0.4.* sparseYPred: false/);
    expect(() => new MeanIoU({} as never)).toThrow(/MeanIoU: numClasses must be a positive integer, got undefined/);
  });
});
