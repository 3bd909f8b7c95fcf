import type { Tensor } from '@descent/tensor';
import {
  argsort, categorical, gatherND, scatterND, sort, square, stridedSlice, sum, tensor, tensorScatterAdd,
  tensorScatterUpdate, topk, unique,
} from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { grad } from './grad.js';
import { Rng, distinct, expectClose, expectGradCheck, uniform } from './test-utils/check.js';

/**
 * The sorting, N-d scatter/gather and strided-slice ops are composites over Gather, ScatterAdd,
 * Slice, Reverse, Reshape and Where (ArgSort only supplies positions), so they need no gradient
 * code of their own: these checks show their gradients through the kernel rules.
 */
describe('gradCheck through sort, topk, gatherND, scatterND and stridedSlice', () => {
  const rng = new Rng(31);

  it('sort (both orders, any axis) and topk values: the gradient goes back to where each value came from', () => {
    // Distinct values keep the order fixed under the finite-difference nudges.
    const x = distinct(rng, [3, 5], 0.05);
    expectGradCheck((t) => sort(t), [x]);
    expectGradCheck((t) => sort(t, { axis: 0, descending: true }), [x]);
    expectGradCheck((t) => topk(t, 2).values, [x]);
    expectGradCheck((t) => topk(t, 3, false).values, [x]);
    // By hand: d/dx sum(w ⊙ sort(x)) puts w[rank of x_i] at i.
    const g = grad((t: Tensor) => sum(sort(t).mul(tensor([1, 10, 100]))))(tensor([5, -1, 2]));
    expectClose(g, [100, 1, 10], 0);
  });

  it('gatherND, scatterND, tensorScatterAdd and tensorScatterUpdate (with repeated tuples)', () => {
    const x = uniform(rng, [3, 4, 2]);
    const idx = tensor([[2, 1], [0, 3], [2, 1]], undefined, 'int32');
    expectGradCheck((t) => gatherND(t, idx), [x]);
    expectGradCheck((u) => scatterND(idx, u, [3, 4, 2]), [uniform(rng, [3, 2])]);
    expectGradCheck((t, u) => tensorScatterAdd(t, idx, u), [x, uniform(rng, [3, 2])]);
    expectGradCheck((t, u) => tensorScatterUpdate(t, idx, u), [x, uniform(rng, [3, 2])]);
    // The first update to [2, 1] is overwritten by the last: it gets no gradient; the replaced x entries neither.
    const gu = grad((u: Tensor) => sum(tensorScatterUpdate(tensor([0, 0, 0, 0]), [[1], [3], [1]], u)))(tensor([1, 2, 3]));
    expectClose(gu, [0, 1, 1], 0);
    const gx = grad((t: Tensor) => sum(tensorScatterUpdate(t, [[1], [3], [1]], tensor([1, 2, 3]))))(tensor([5, 6, 7, 8]));
    expectClose(gx, [1, 0, 1, 0], 0);
  });

  it('stridedSlice with negative strides, strides > 1, masks, new and shrunk axes', () => {
    const x = uniform(rng, [4, 5, 3]);
    expectGradCheck((t) => stridedSlice(t, [3, 0], [0, 5], [-1, 2]), [x]);
    expectGradCheck((t) => stridedSlice(t, [0, 4, 1], [0, 0, 2], [1, -3, 1], { beginMask: 1, endMask: 3, shrinkAxisMask: 4 }), [x]);
    expectGradCheck((t) => stridedSlice(t, [0, 0, 1], [0, 0, 0], [1, 1, -1], { ellipsisMask: 1, newAxisMask: 2, endMask: 4 }), [x]);
  });

  it('second derivatives through stridedSlice, gatherND and sort pass gradCheck', () => {
    const x = distinct(rng, [3, 4], 0.05);
    const second = (f: (t: Tensor) => Tensor) => (t: Tensor): Tensor => grad(f)(t);
    expectGradCheck(second((t) => sum(square(stridedSlice(t, [2, 3], [0, 0], [-1, -2], { endMask: 1 })).mul(t.slice([0, 0], [1, 1])))), [x]);
    expectGradCheck(second((t) => sum(square(gatherND(t, [[1, 2], [0, 0]])))), [x]);
    expectGradCheck(second((t) => sum(square(sort(t)).mul(tensor([1, 2, 3, 4])))), [x]);
  });

  it('argsort, unique and categorical are constants to autograd', () => {
    const g = grad((t: Tensor) => sum(t).add(sum(argsort(t).cast('float32'))).add(sum(unique(t.flatten()).values)).add(sum(categorical(t, 3, 1).cast('float32'))))(
      tensor([[0.5, 0.1], [0.3, 0.2]]),
    );
    expectClose(g, [1, 1, 1, 1], 0);
    expect(g.shape).toEqual([2, 2]);
  });
});
