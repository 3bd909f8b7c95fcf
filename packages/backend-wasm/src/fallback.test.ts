import { add, cast, conv2d, matMul, maxPool, mul, randomNormal, relu, softmax, sum, tensor } from '@descent/tensor';
import { variable, variableGrads } from '@descent/autograd';
import { beforeEach, describe, expect, it } from 'vitest';
import { fallbackCounts, resetFallbackCounts } from './index.js';

describe('fallback counter', () => {
  beforeEach(() => resetFallbackCounts());

  it('float32 training kernels never fall back', () => {
    const x = randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
    const f = randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
    const h = maxPool(relu(conv2d(x, f, 1, 'same')), 2, 2, 'valid');
    const logits = matMul(h.reshape([2, 64]), randomNormal([64, 10], 0, 1, 'float32', 3));
    sum(softmax(add(logits, tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))), 1).dataSync();
    // The backward pass of a small CNN as well (ReLU, pooling and conv gradients, broadcast sums).
    const filter = variable(f);
    const dense = variable(randomNormal([64, 10], 0, 1, 'float32', 3));
    const { grads } = variableGrads(() => {
      const z = maxPool(relu(conv2d(x, filter, 1, 'same')), 2, 2, 'valid');
      return sum(softmax(matMul(z.reshape([2, 64]), dense)).log().neg());
    });
    expect(grads.size).toBe(2);
    expect(fallbackCounts()).toEqual({});
  });

  it('counts each CPU fallback by kernel', () => {
    add(tensor([1, 2, 3], [3], 'int32'), tensor([4, 5, 6], [3], 'int32'));
    add(tensor([1], [1], 'int32'), tensor([4], [1], 'int32'));
    mul(tensor([1, 2], [2], 'int32'), tensor([3, 4], [2], 'int32'));
    expect(fallbackCounts()).toEqual({ Add: 2, Mul: 1 });
    // A fallback's result is a wasm tensor like any other.
    expect(cast(add(tensor([1, 2], [2], 'int32'), 1), 'float32').dataSync()).toEqual(new Float32Array([2, 3]));
  });
});
