import type { Tensor } from '@descent/tensor';
import {
  acos, acosh, asin, asinh, atan, atan2, atanh, bandPart, cosh, cumprod, cumsum, depthToSpace, diag, diagPart, log10, log2,
  meshgrid, mirrorPad, sinh, spaceToDepth, square, sum, tan, tensor, tril, triu,
} from '@descent/tensor';
import { describe, it } from 'vitest';
import { grad } from './grad.js';
import { Rng, awayFromZero, expectClose, expectGradCheck, uniform } from './test-utils/check.js';

const second = (f: (t: Tensor) => Tensor) => (t: Tensor): Tensor => grad((u) => sum(f(u)))(t);

describe('gradients of the trigonometric ops, atan2, log2 and log10', () => {
  const rng = new Rng(23);

  it('pass gradCheck through the public ops', () => {
    expectGradCheck((t) => tan(t), [uniform(rng, [2, 3], -1.2, 1.2)]);
    expectGradCheck((t) => asin(t), [uniform(rng, [2, 3], -0.8, 0.8)]);
    expectGradCheck((t) => acos(t), [uniform(rng, [2, 3], -0.8, 0.8)]);
    expectGradCheck((t) => atan(t), [uniform(rng, [2, 3], -3, 3)]);
    expectGradCheck((t) => sinh(t), [uniform(rng, [2, 3], -2, 2)]);
    expectGradCheck((t) => cosh(t), [uniform(rng, [2, 3], -2, 2)]);
    expectGradCheck((t) => asinh(t), [uniform(rng, [2, 3], -3, 3)]);
    expectGradCheck((t) => acosh(t), [uniform(rng, [2, 3], 1.3, 3)]);
    expectGradCheck((t) => atanh(t), [uniform(rng, [2, 3], -0.8, 0.8)]);
    expectGradCheck((t) => log2(t), [uniform(rng, [2, 3], 0.5, 3)]);
    expectGradCheck((t) => log10(t), [uniform(rng, [2, 3], 0.5, 3)]);
    // Broadcasting [2, 3] against [3]; a away from 0 keeps clear of the branch cut.
    expectGradCheck((a, b) => atan2(a, b), [awayFromZero(rng, [2, 3]), uniform(rng, [3])]);
  });

  it('hand values of the first derivatives', () => {
    const x = tensor([0.5]);
    expectClose(grad((t) => sum(tan(t)))(x), [1 + Math.tan(0.5) ** 2], 1e-6);
    expectClose(grad((t) => sum(asin(t)))(x), [1 / Math.sqrt(0.75)], 1e-6);
    expectClose(grad((t) => sum(atanh(t)))(x), [1 / 0.75], 1e-6);
    expectClose(grad((t) => sum(log2(t)))(x), [1 / (0.5 * Math.LN2)], 1e-6);
    // atan2(a, b) at (1, 2): ∂a = 2/5, ∂b = −1/5.
    expectClose(grad((b) => sum(atan2(tensor([1]), b)))(tensor([2])), [-0.2], 1e-6);
    expectClose(grad((a) => sum(atan2(a, tensor([2]))))(tensor([1])), [0.4], 1e-6);
  });

  it('second derivatives pass gradCheck', () => {
    expectGradCheck(second(tan), [uniform(rng, [2, 3], -1, 1)]);
    expectGradCheck(second(asin), [uniform(rng, [2, 3], -0.7, 0.7)]);
    expectGradCheck(second(sinh), [uniform(rng, [2, 3], -2, 2)]);
    expectGradCheck(second(atanh), [uniform(rng, [2, 3], -0.7, 0.7)]);
    expectGradCheck(second(acosh), [uniform(rng, [2, 3], 1.3, 3)]);
    const b = uniform(rng, [2, 3], 0.5, 1.5);
    expectGradCheck(second((a) => atan2(a, b)), [awayFromZero(rng, [2, 3])]);
    const a = awayFromZero(rng, [2, 3]);
    expectGradCheck(second((t) => atan2(a, t)), [uniform(rng, [2, 3])]);
  });
});

describe('gradients of cumsum and cumprod', () => {
  const rng = new Rng(29);
  const flags = [
    { exclusive: false, reverse: false },
    { exclusive: true, reverse: false },
    { exclusive: false, reverse: true },
    { exclusive: true, reverse: true },
  ];

  it('pass gradCheck on every axis with exclusive and reverse', () => {
    const x = uniform(rng, [3, 4, 2]);
    const p = awayFromZero(rng, [3, 4, 2], 0.5, 1.5);
    for (const axis of [0, 1, -1]) {
      for (const o of flags) {
        expectGradCheck((t) => cumsum(t, axis, o), [x]);
        expectGradCheck((t) => cumprod(t, axis, o), [p]);
      }
    }
  });

  it('cumsum gradient by hand: every later entry adds its dy', () => {
    const w = tensor([1, 10, 100]);
    expectClose(grad((t) => sum(cumsum(t).mul(w)))(tensor([5, 6, 7])), [111, 110, 100], 0);
    expectClose(grad((t) => sum(cumsum(t, 0, { exclusive: true }).mul(w)))(tensor([5, 6, 7])), [110, 100, 0], 0);
    expectClose(grad((t) => sum(cumsum(t, 0, { reverse: true }).mul(w)))(tensor([5, 6, 7])), [1, 11, 111], 0);
  });

  it('cumprod gradient is exact at zeros (one zero, several, first and last position)', () => {
    const lines = [
      [2, 0, 3, 0.5],
      [0, 2, 0.5, 3],
      [1.5, 0.5, 2, 0],
      [2, 0, 0, 3],
      [0, 0, 1.5, 2],
    ];
    for (const values of lines) {
      const x = tensor([values, values.map((v) => v * -0.5)]);
      for (const o of flags) {
        try {
          expectGradCheck((t) => cumprod(t, 1, o), [x]);
        } catch (e) {
          throw new Error(`[${values.join(', ')}] ${JSON.stringify(o)}: ${String(e)}`, { cause: e });
        }
      }
    }
    // By hand: y = [2, 0, 0] for x = [2, 0, 3]; Σy' = ∂/∂x of (x0 + x0·x1 + x0·x1·x2) = [1 + x1 + x1x2, x0 + x0x2, x0x1] = [1, 8, 0].
    expectClose(grad((t) => sum(cumprod(t)))(tensor([2, 0, 3])), [1, 8, 0], 1e-6);
  });

  it('second derivatives pass gradCheck', () => {
    const x = awayFromZero(rng, [2, 4], 0.5, 1.5);
    for (const o of flags) {
      expectGradCheck(second((t) => square(cumsum(t, 1, o))), [x]);
      expectGradCheck(second((t) => cumprod(t, 1, o)), [x]);
    }
  });
});

describe('gradients of the matrix composites', () => {
  const rng = new Rng(31);

  it('bandPart, tril and triu route the gradient to the kept entries only', () => {
    const x = uniform(rng, [2, 3, 4]);
    expectGradCheck((t) => bandPart(t, 1, 0), [x]);
    expectGradCheck((t) => bandPart(t, -1, 1), [x]);
    expectGradCheck((t) => tril(t, -1), [x]);
    expectGradCheck((t) => triu(t, 1), [x]);
    expectClose(grad((t) => sum(tril(t)))(uniform(rng, [2, 2])), [1, 0, 1, 1], 0);
  });

  it('meshgrid, diag, diagPart', () => {
    expectGradCheck((a, b) => {
      const [gx, gy] = meshgrid(a, b) as [Tensor, Tensor];
      return gx.mul(gy.add(2));
    }, [uniform(rng, [3]), uniform(rng, [2])]);
    expectGradCheck((a, b, c) => {
      const [ga, gb, gc] = meshgrid(a, b, c, { indexing: 'ij' }) as [Tensor, Tensor, Tensor];
      return ga.mul(gb).add(gc);
    }, [uniform(rng, [2]), uniform(rng, [3]), uniform(rng, [2])]);
    expectGradCheck((t) => diag(t), [uniform(rng, [3])]);
    expectGradCheck((t) => diag(t), [uniform(rng, [2, 2])]);
    expectGradCheck((t) => diagPart(t), [uniform(rng, [3, 3])]);
    expectGradCheck((t) => diagPart(t), [uniform(rng, [2, 3, 2, 3])]);
  });

  it('mirrorPad in both modes, depthToSpace and spaceToDepth in both layouts', () => {
    const x = uniform(rng, [3, 4]);
    expectGradCheck((t) => mirrorPad(t, [[2, 1], [1, 3]], 'reflect'), [x]);
    expectGradCheck((t) => mirrorPad(t, [[3, 0], [2, 4]], 'symmetric'), [x]);
    // Reflect [a, b, c] by 1 each side: [b, a, b, c, b] — b is read three times.
    expectClose(grad((t) => sum(mirrorPad(t, [[1, 1]], 'reflect')))(tensor([1, 2, 3])), [1, 3, 1], 0);
    expectGradCheck((t) => depthToSpace(t, 2), [uniform(rng, [1, 2, 3, 8])]);
    expectGradCheck((t) => spaceToDepth(t, 2), [uniform(rng, [2, 4, 2, 3])]);
    expectGradCheck((t) => depthToSpace(t, 2, 'NCHW'), [uniform(rng, [1, 8, 2, 3])]);
    expectGradCheck((t) => spaceToDepth(t, 2, 'NCHW'), [uniform(rng, [1, 3, 4, 2])]);
  });
});
