import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { runKernel } from '../engine.js';
import type { PoolAttrs } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { avgPool, avgPool1d, maxPool, maxPool1d } from './pool.js';
import { randomUniform } from './random.js';

let seed = 500;
const rand = (shape: number[]): Tensor => randomUniform(shape, -1, 1, 'float32', seed++);

function iota(shape: number[], start = 0): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => i + start), shape);
}

/** Pooling from the definition: every window's in-bounds elements, max or mean. */
function referencePool(x: Tensor, attrs: PoolAttrs, kind: 'max' | 'avg'): { shape: number[]; values: number[] } {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [fh, fw] = attrs.filterSize;
  const [sh, sw] = attrs.strides;
  const [pt, pb, pl, pr] = attrs.pad;
  const oh = Math.floor((h + pt + pb - fh) / sh) + 1;
  const ow = Math.floor((w + pl + pr - fw) / sw) + 1;
  const xv = x.dataSync();
  const values: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          const inside: number[] = [];
          for (let ky = 0; ky < fh; ky++)
            for (let kx = 0; kx < fw; kx++) {
              const iy = i * sh - pt + ky;
              const ix = j * sw - pl + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) inside.push(xv[((b * h + iy) * w + ix) * c + ch]!);
            }
          values.push(kind === 'max' ? Math.max(...inside) : inside.reduce((p, v) => p + v, 0) / inside.length);
        }
  return { shape: [n, oh, ow, c], values };
}

/** Within `tol`·(1 + |reference|), and of the reference's shape. */
const expectClose = (got: Tensor, ref: { shape: number[]; values: ArrayLike<number> }, tol = 1e-6): void => closeTo(got, ref, { atol: tol, rtol: tol });

function inner(a: Tensor, b: Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let s = 0;
  for (let i = 0; i < av.length; i++) s += av[i]! * bv[i]!;
  return s;
}

describe('maxPool and avgPool', () => {
  it('2×2 windows, stride 2 (hand-computed)', () => {
    const x = iota([1, 4, 4, 1], 1); // rows [1..4], [5..8], [9..12], [13..16]
    expect(Array.from(maxPool(x, 2, 2, 'valid').dataSync())).toEqual([6, 8, 14, 16]);
    expect(Array.from(avgPool(x, 2, 2, 'valid').dataSync())).toEqual([3.5, 5.5, 11.5, 13.5]);
    // strides default to the window, as in Keras.
    expect(Array.from(maxPool(x, 2).dataSync())).toEqual([6, 8, 14, 16]);
  });

  it("'same' puts the extra padding bottom/right and averages only in-bounds values (hand-computed)", () => {
    // 3×3 of 1..9, window 2, stride 2: out 2, total pad 1 → top/left 0, bottom/right 1.
    const x = iota([1, 3, 3, 1], 1);
    expect(Array.from(maxPool(x, 2, 2, 'same').dataSync())).toEqual([5, 6, 8, 9]);
    expect(Array.from(avgPool(x, 2, 2, 'same').dataSync())).toEqual([3, 4.5, 7.5, 9]);
  });

  it('overlapping windows, stride 1, per channel (hand-computed)', () => {
    // two channels: c0 = [[1,5],[3,2]] and c1 = −c0 over a 2×2 image, window 2×1.
    const x = tensor([1, -1, 5, -5, 3, -3, 2, -2], [1, 2, 2, 2]);
    expect(maxPool(x, [2, 1], 1, 'valid').toArray()).toEqual([[[[3, -1], [5, -2]]]]);
    expect(avgPool(x, [2, 1], 1, 'valid').toArray()).toEqual([[[[2, -2], [3.5, -3.5]]]]);
  });

  it('accepts unbatched input and NaN propagates through max', () => {
    expect(maxPool(iota([2, 2, 1]), 2).toArray()).toEqual([[[3]]]);
    expect(maxPool(tensor([1, NaN, 2, 0], [2, 2, 1]), 2).dataSync()[0]).toBeNaN();
  });

  it('matches the reference for random shapes, windows, strides and paddings', () => {
    const cases: { x: number[]; f: [number, number]; s: [number, number]; pad: Parameters<typeof maxPool>[3]; p: PoolAttrs['pad'] }[] = [
      { x: [2, 7, 9, 3], f: [3, 3], s: [2, 2], pad: 'same', p: [1, 1, 1, 1] },
      { x: [1, 8, 7, 2], f: [2, 3], s: [1, 2], pad: 'same', p: [0, 1, 1, 1] },
      { x: [2, 9, 9, 4], f: [3, 2], s: [3, 1], pad: 'valid', p: [0, 0, 0, 0] },
      { x: [1, 5, 6, 2], f: [3, 3], s: [2, 2], pad: [[2, 1], [0, 2]], p: [2, 1, 0, 2] },
      { x: [1, 5, 5, 1], f: [3, 3], s: [1, 1], pad: 1, p: [1, 1, 1, 1] },
    ];
    for (const { x, f, s, pad, p } of cases) {
      const tx = rand(x);
      const attrs: PoolAttrs = { filterSize: f, strides: s, pad: p };
      expectClose(maxPool(tx, f, s, pad), referencePool(tx, attrs, 'max'));
      expectClose(avgPool(tx, f, s, pad), referencePool(tx, attrs, 'avg'));
    }
  });

  it('rejects bad input with clear messages', () => {
    expect(() => maxPool(zeros([4, 4]), 2)).toThrow("maxPool: argument 'x' must be rank 4 [batch, height, width, channels] or rank 3");
    expect(() => maxPool(zeros([1, 4, 4, 1]), 0)).toThrow('maxPool: filterSize must be a positive integer or a pair of positive integers, got 0');
    expect(() => avgPool(zeros([1, 4, 4, 1]), 2, [1, -1] as never)).toThrow('avgPool: strides must be');
    expect(() => maxPool(zeros([1, 4, 4, 1]), 5)).toThrow('maxPool: the window height of 5 is larger than the padded input height of 4');
    expect(() => avgPool(zeros([1, 4, 4, 1]), 2, 1, 2)).toThrow(
      'avgPool: padding must be smaller than the window on every side, got pad [top 2, bottom 2, left 2, right 2] for window [2,2]',
    );
    expect(() => maxPool(zeros([1, 4, 4, 1]), 2, 2, 'full' as never)).toThrow(`maxPool: pad must be 'same', 'valid'`);
    expect(() => maxPool(tensor([[[[1]]]], undefined, 'int32'), 1)).toThrow("maxPool: argument 'x' must be float32, got int32");
  });
});

describe('maxPool1d and avgPool1d', () => {
  it('pool along the width (hand-computed)', () => {
    const x = tensor([1, 3, 2, 5, 4], [1, 5, 1]);
    expect(Array.from(maxPool1d(x, 2).dataSync())).toEqual([3, 5]);
    expect(Array.from(avgPool1d(x, 2).dataSync())).toEqual([2, 3.5]);
    // same, stride 2: out 3, total pad 1 → right; the last window holds only 4.
    expect(Array.from(maxPool1d(x, 2, 2, 'same').dataSync())).toEqual([3, 5, 4]);
    expect(Array.from(avgPool1d(x, 2, 2, 'same').dataSync())).toEqual([2, 3.5, 4]);
    expect(Array.from(maxPool1d(x, 3, 1).dataSync())).toEqual([3, 5, 5]);
    expect(Array.from(avgPool1d(x, 2, 1, [1, 0]).dataSync())).toEqual([1, 2, 2.5, 3.5, 4.5]);
    const u = maxPool1d(tensor([[1, -1], [2, -2], [0, 0]]), 3);
    expect(u.shape).toEqual([1, 2]);
    expect(u.toArray()).toEqual([[2, 0]]);
  });

  it('rejects bad input', () => {
    expect(() => maxPool1d(zeros([1, 1, 4, 1]), 2)).toThrow("maxPool1d: argument 'x' must be rank 3 [batch, width, channels] or rank 2");
    expect(() => avgPool1d(zeros([1, 4, 1]), 2.5)).toThrow('avgPool1d: poolSize must be a positive integer, got 2.5');
    expect(() => maxPool1d(zeros([1, 4, 1]), 2, 0)).toThrow('maxPool1d: stride must be a positive integer, got 0');
    expect(() => maxPool1d(zeros([1, 4, 1]), 2, 1, 'causal' as never)).toThrow("maxPool1d: pad must be 'same', 'valid'");
    expect(() => avgPool1d(zeros([1, 4, 1]), 2, 1, -1)).toThrow(
      "avgPool1d: pad must be 'same', 'valid', a non-negative integer or [left, right], got -1",
    );
    expect(() => avgPool1d(zeros([1, 4, 1]), 2, 1, 2)).toThrow('avgPool1d: padding must be smaller than the window on every side');
  });
});

describe('pool gradient kernels', () => {
  const configs: PoolAttrs[] = [
    { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
    { filterSize: [3, 3], strides: [1, 1], pad: [1, 1, 1, 1] },
    { filterSize: [3, 2], strides: [2, 1], pad: [1, 1, 0, 1] },
  ];

  it('AvgPoolGrad is the adjoint of AvgPool: <avgPool(x), dy> = <x, avgPoolGrad(dy)>', () => {
    for (const attrs of configs) {
      const x = rand([2, 7, 6, 3]);
      const y = runKernel('AvgPool', [x], attrs);
      const dy = rand([...y.shape]);
      const dx = runKernel('AvgPoolGrad', [dy], { ...attrs, inputShape: x.shape });
      expect(dx.shape).toEqual(x.shape);
      const lhs = inner(y, dy);
      expect(Math.abs(inner(x, dx) - lhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    }
  });

  it('MaxPoolGrad is the Jacobian transpose of MaxPool: <J·v, dy> = <v, maxPoolGrad(dy, x)>', () => {
    // Max pooling is linear near x when values are distinct, so J·v = (maxPool(x + εv) − maxPool(x)) / ε.
    for (const attrs of configs) {
      const x = rand([2, 7, 6, 3]);
      const v = rand([2, 7, 6, 3]);
      const eps = 1e-3;
      const y = runKernel('MaxPool', [x], attrs);
      const y2 = runKernel('MaxPool', [tensor(x.dataSync().map((xi, i) => xi + eps * v.dataSync()[i]!), x.shape)], attrs);
      const dy = rand([...y.shape]);
      const dx = runKernel('MaxPoolGrad', [dy, x], attrs);
      const jv = tensor(y2.dataSync().map((b, i) => (b - y.dataSync()[i]!) / eps), y.shape);
      const lhs = inner(jv, dy);
      expect(Math.abs(inner(v, dx) - lhs)).toBeLessThan(2e-2 * (1 + Math.abs(lhs)));
    }
  });

  it('MaxPoolGrad routes each window gradient to its first maximum (hand-computed)', () => {
    // 2×3 input, window 2×2 stride 1: windows [[1,5],[5,0]] and [[5,2],[0,5]] with ties.
    const x = tensor([1, 5, 2, 5, 0, 5], [1, 2, 3, 1]);
    const attrs: PoolAttrs = { filterSize: [2, 2], strides: [1, 1], pad: [0, 0, 0, 0] };
    const dx = runKernel('MaxPoolGrad', [tensor([10, 100], [1, 1, 2, 1]), x], attrs);
    // Both windows' first maximum in row-major scan order is x[0][1].
    expect(Array.from(dx.dataSync())).toEqual([0, 110, 0, 0, 0, 0]);
  });

  it('reject a dy of the wrong shape', () => {
    const attrs: PoolAttrs = { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] };
    expect(() => runKernel('MaxPoolGrad', [zeros([1, 3, 2, 1]), zeros([1, 4, 4, 1])], attrs)).toThrow(
      'MaxPoolGrad: dy must have the pooling output shape [1,2,2,1], got [1,3,2,1]',
    );
    expect(() => runKernel('AvgPoolGrad', [zeros([1, 2, 2, 2])], { ...attrs, inputShape: [1, 4, 4, 1] })).toThrow(
      'AvgPoolGrad: dy must have the pooling output shape [1,2,2,1], got [1,2,2,2]',
    );
  });
});
