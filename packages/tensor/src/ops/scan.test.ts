import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { randomUniform } from './random.js';
import { cumprod, cumsum } from './scan.js';

/** Running sum/product along `axis` of `x` by definition: for each output entry, combine the entries it covers. */
function reference(x: Tensor, axis: number, exclusive: boolean, reverse: boolean, product: boolean): number[] {
  const v = Array.from(x.dataSync());
  const shape = x.shape;
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return v.map((_, flat) => {
    const pos = Math.floor(flat / inner) % n;
    const base = flat - pos * inner;
    let acc = product ? 1 : 0;
    for (let t = 0; t < n; t++) {
      const covered = reverse ? (exclusive ? t > pos : t >= pos) : exclusive ? t < pos : t <= pos;
      if (!covered) continue;
      const e = v[base + t * inner]!;
      acc = product ? acc * e : acc + e;
    }
    return acc;
  });
}

describe('cumsum and cumprod', () => {
  it('hand values with exclusive and reverse', () => {
    expect(cumsum([1, 2, 3]).toArray()).toEqual([1, 3, 6]);
    expect(cumsum([1, 2, 3], 0, { exclusive: true }).toArray()).toEqual([0, 1, 3]);
    expect(cumsum([1, 2, 3], 0, { reverse: true }).toArray()).toEqual([6, 5, 3]);
    expect(cumsum([1, 2, 3], 0, { exclusive: true, reverse: true }).toArray()).toEqual([5, 3, 0]);
    expect(cumprod([1, 2, 3]).toArray()).toEqual([1, 2, 6]);
    expect(cumprod([1, 2, 3], 0, { exclusive: true }).toArray()).toEqual([1, 1, 2]);
    expect(cumprod([1, 2, 3], 0, { reverse: true }).toArray()).toEqual([6, 6, 3]);
    expect(cumprod([1, 2, 3], 0, { exclusive: true, reverse: true }).toArray()).toEqual([6, 3, 1]);
    expect(cumsum([[1, 2], [3, 4]], 1).toArray()).toEqual([[1, 3], [3, 7]]);
    expect(cumsum([[1, 2], [3, 4]], -2).toArray()).toEqual([[1, 2], [4, 6]]);
    expect(tensor([[1, 2], [3, 4]]).cumsum(1, { reverse: true }).toArray()).toEqual([[3, 2], [7, 4]]);
    expect(tensor([1, 2, 3]).cumprod().toArray()).toEqual([1, 2, 6]);
  });

  it('matches the definition on every axis of a rank-3 tensor', () => {
    const x = randomUniform([3, 4, 5], 0.5, 1.5, 'float32', 3);
    for (const axis of [0, 1, 2]) {
      for (const exclusive of [false, true]) {
        for (const reverse of [false, true]) {
          for (const product of [false, true]) {
            const y = (product ? cumprod : cumsum)(x, axis, { exclusive, reverse });
            expect(y.shape).toEqual([3, 4, 5]);
            const want = reference(x, axis, exclusive, reverse, product);
            const got = y.dataSync();
            want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThan(1e-5 * (1 + Math.abs(w))));
          }
        }
      }
    }
  });

  it('keeps int32 (wrapping), counts bool as int32, handles empty tensors', () => {
    const i = cumsum(tensor([2147483647, 1], undefined, 'int32'));
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([2147483647, -2147483648]);
    expect(cumprod(tensor([65536, 65536, 3], undefined, 'int32')).toArray()).toEqual([65536, 0, 0]);
    const b = cumsum(tensor([true, false, true]));
    expect(b.dtype).toBe('int32');
    expect(b.toArray()).toEqual([1, 1, 2]);
    expect(cumsum(zeros([2, 0]), 1).shape).toEqual([2, 0]);
    expect(cumprod(zeros([0, 3]), 1).shape).toEqual([0, 3]);
  });

  it('refuses bad arguments, naming the op', () => {
    expect(() => cumsum(3)).toThrow('cumsum: expected x of rank ≥ 1, got a scalar');
    expect(() => cumsum([1, 2], 1)).toThrow('cumsum: axis must be an integer in [-1, 0] for a rank-1 tensor, got 1');
    expect(() => cumprod([1, 2], 0, { exclusive: 1 as unknown as boolean })).toThrow('cumprod: exclusive must be a boolean, got 1');
    expect(() => cumprod([1, 2], 0, { revrse: true } as never)).toThrow("cumprod: unknown option 'revrse' (expected exclusive or reverse)");
    expect(() => cumsum([1, 2], 0, true as never)).toThrow('cumsum: options must be an object { exclusive?, reverse? }, got true');
  });
});
