import { describe, expect, it } from 'vitest';
import { add, dispose, isReleased, keep, tensor, withScope } from './index.js';

describe('isReleased', () => {
  it('is false for a live tensor and true once it is disposed', () => {
    const t = tensor([1, 2, 3]);
    expect(isReleased(t)).toBe(false);
    dispose(t);
    expect(isReleased(t)).toBe(true);
  });

  it('tells the tensors a scope released from the one it returned and the ones kept', () => {
    let inner = tensor([0]);
    let kept = tensor([0]);
    const out = withScope(() => {
      inner = add(tensor([1, 2]), 1);
      kept = keep(add(inner, 1));
      return add(inner, 2);
    });
    expect(isReleased(inner)).toBe(true);
    expect(isReleased(out)).toBe(false);
    expect(isReleased(kept)).toBe(false);
    expect(Array.from(out.dataSync())).toEqual([4, 5]);
    expect(Array.from(kept.dataSync())).toEqual([3, 4]);
  });
});
