import {
  avgPool, concat, conv1d, conv2d, conv2dTranspose, dot, elu, gather, gelu, leakyRelu, logSoftmax, logSumExp, matMul,
  maxPool, mean, moments, norm, pad, relu6, reshape, selu, slice, softmax, split, squeeze, stack, tensor, tile,
  unsortedSegmentSum, variance, where,
} from '@descent/tensor';
import { describe, it } from 'vitest';
import { Rng, awayFromZero, distinct, expectGradCheck, indices, uniform } from './test-utils/check.js';

/**
 * Composite ops are built from kernels and carry no gradient code of their own: these checks show
 * the kernel rules compose correctly through the public ops.
 */
describe('gradCheck through composite ops', () => {
  const rng = new Rng(7);

  it('softmax and logSoftmax on each axis', () => {
    const x = uniform(rng, [3, 4], -2, 2);
    for (const axis of [0, 1, -1]) {
      expectGradCheck((t) => softmax(t, axis), [x]);
      expectGradCheck((t) => logSoftmax(t, axis), [x]);
    }
  });

  it('logSumExp, with and without keepDims', () => {
    const x = uniform(rng, [2, 3, 4], -2, 2);
    expectGradCheck((t) => logSumExp(t), [x]);
    expectGradCheck((t) => logSumExp(t, [0, 2], true), [x]);
    expectGradCheck((t) => logSumExp(t, -1), [x]);
  });

  it('norm: euclidean, 1, Infinity, p = 3, Frobenius and matrix 1-norm', () => {
    const x = distinct(rng, [3, 4], 0.1);
    expectGradCheck((t) => norm(t), [x]);
    expectGradCheck((t) => norm(t, 'euclidean', 1), [x]);
    expectGradCheck((t) => norm(t, 'fro', [0, 1]), [x]);
    const away = awayFromZero(rng, [3, 4], 0.2, 1);
    expectGradCheck((t) => norm(t, 1, 0), [away]);
    expectGradCheck((t) => norm(t, 3, 1, true), [away]);
    // Distinct magnitudes keep the max (and the column sums) free of ties.
    const mags = tensor([[0.3, -0.7, 0.45], [-0.9, 0.2, 0.6]]);
    expectGradCheck((t) => norm(t, Infinity), [mags]);
    expectGradCheck((t) => norm(t, 1, [0, 1]), [mags]);
  });

  it('mean, variance and moments', () => {
    const x = uniform(rng, [3, 5]);
    expectGradCheck((t) => mean(t, 1), [x]);
    expectGradCheck((t) => variance(t), [x]);
    expectGradCheck((t) => variance(t, 0, true), [x]);
    expectGradCheck((t) => {
      const m = moments(t, -1);
      return m.mean.add(m.variance.mul(2));
    }, [x]);
  });

  it('activations: gelu (exact and tanh form), selu, elu, leakyRelu, relu6', () => {
    const x = awayFromZero(rng, [2, 5], 0.1, 2);
    expectGradCheck((t) => gelu(t), [x]);
    expectGradCheck((t) => gelu(t, true), [x]);
    expectGradCheck((t) => selu(t), [x]);
    expectGradCheck((t) => elu(t, 0.7), [x]);
    expectGradCheck((t) => leakyRelu(t, 0.1), [x]);
    expectGradCheck((t) => relu6(t.mul(4)), [tensor([[-0.5, 0.3, 1.2], [1.7, 0.9, -1]])]);
  });

  it('conv2d with strides, padding and dilation', () => {
    const x = uniform(rng, [2, 6, 5, 2]);
    const w = uniform(rng, [3, 2, 2, 3]);
    expectGradCheck((a, b) => conv2d(a, b, 1, 'same'), [x, w]);
    expectGradCheck((a, b) => conv2d(a, b, 2, 'valid'), [x, w]);
    expectGradCheck((a, b) => conv2d(a, b, [2, 1], 'same', [1, 2]), [x, w]);
    expectGradCheck((a, b) => conv2d(a, b, 1, [[1, 0], [0, 2]], 2), [x, w]);
    expectGradCheck((a, b) => conv2d(a, b, 1, 1), [uniform(rng, [4, 4, 2]), w]);
  });

  it('conv1d and conv2dTranspose', () => {
    expectGradCheck((a, b) => conv1d(a, b, 2, 'same', 1), [uniform(rng, [2, 7, 2]), uniform(rng, [3, 2, 2])]);
    expectGradCheck((a, b) => conv2dTranspose(a, b, [1, 5, 5, 2], 2, 'same'), [uniform(rng, [1, 3, 3, 3]), uniform(rng, [3, 3, 2, 3])]);
  });

  it('maxPool and avgPool, valid and same', () => {
    const x = distinct(rng, [2, 5, 4, 2], 0.03);
    expectGradCheck((t) => maxPool(t, 2, 2, 'valid'), [x]);
    expectGradCheck((t) => maxPool(t, 3, 1, 'same'), [x]);
    expectGradCheck((t) => avgPool(t, 2, 1, 'valid'), [x]);
    expectGradCheck((t) => avgPool(t, [3, 2], 2, 'same'), [x]);
  });

  it('gather (with repeated indices), unsortedSegmentSum', () => {
    const x = uniform(rng, [4, 3]);
    expectGradCheck((t, i) => gather(t, i, 0), [x, tensor([3, 0, 3, 1], [4], 'int32')]);
    expectGradCheck((t, i) => gather(t, i, 1), [x, tensor([[2, 2], [0, 1]], [2, 2], 'int32')]);
    expectGradCheck((t, i) => unsortedSegmentSum(t, i, 3), [uniform(rng, [5, 2]), indices(rng, [5], 3)]);
  });

  it('pad, slice (with -1 sizes), concat, stack, split, tile, squeeze', () => {
    const x = uniform(rng, [2, 3, 4]);
    expectGradCheck((t) => pad(t, [[1, 0], [0, 2], [1, 1]], 0.5), [x]);
    expectGradCheck((t) => slice(t, [0, 1, 1], [-1, 2, -1]), [x]);
    expectGradCheck((a, b) => concat([a, b, a], 1), [x, uniform(rng, [2, 1, 4])]);
    expectGradCheck((a, b) => stack([a, b], 2), [x, uniform(rng, [2, 3, 4])]);
    expectGradCheck((t) => {
      const [p, q] = split(t, [1, 3], 2);
      return p!.mul(2).add(q!.sum(2, true));
    }, [x]);
    expectGradCheck((t) => tile(t, [2, 1, 3]), [x]);
    expectGradCheck((t) => squeeze(reshape(t, [1, 6, 1, 4])), [x]);
  });

  it('matMul with transposes and batch broadcasting, dot', () => {
    expectGradCheck((a, b) => matMul(a, b), [uniform(rng, [3, 4]), uniform(rng, [4, 2])]);
    expectGradCheck((a, b) => matMul(a, b, true, false), [uniform(rng, [4, 3]), uniform(rng, [4, 2])]);
    expectGradCheck((a, b) => matMul(a, b, false, true), [uniform(rng, [3, 4]), uniform(rng, [2, 4])]);
    expectGradCheck((a, b) => matMul(a, b, true, true), [uniform(rng, [2, 4, 3]), uniform(rng, [2, 4])]);
    expectGradCheck((a, b) => matMul(a, b), [uniform(rng, [2, 1, 3, 4]), uniform(rng, [3, 4, 2])]);
    expectGradCheck((a, b) => dot(a, b), [uniform(rng, [4]), uniform(rng, [4, 3])]);
  });

  it('where with a broadcast condition', () => {
    const cond = tensor([true, false, true]);
    expectGradCheck((a, b) => where(cond, a, b), [uniform(rng, [2, 3]), uniform(rng, [1])]);
  });
});
