import type { Tensor } from '@descent/tensor';
import { add, conv2d, fused, matMul, mul, relu, square, sum } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { float32Bits } from '@descent/test-utils';
import { grad, grads } from './grad.js';
import { Rng, awayFromZero, expectClose, expectGradCheck, uniform } from './test-utils/check.js';

// The fused ops' gradients against the unfused composition they replace, gradCheck through the public
// ops (bias broadcast over leading axes included), and gradients of gradients.

describe('gradients of fused.matMul and fused.conv2d', () => {
  for (const activation of ['linear', 'relu'] as const) {
    it(`fused.matMul (${activation}): the same gradients as matMul → add → ${activation}`, () => {
      const rng = new Rng(3);
      const a = uniform(rng, [10, 6]);
      const b = uniform(rng, [6, 7]);
      const bias = uniform(rng, [7]);
      const w = uniform(rng, [10, 7]);
      const act = (t: Tensor): Tensor => (activation === 'relu' ? relu(t) : t);
      const loss = (y: Tensor): Tensor => sum(mul(y, w));
      const [da, db, dbias] = grads((x, k, c) => loss(fused.matMul({ a: x, b: k, bias: c, activation })))([a, b, bias]);
      const [ea, eb, ebias] = grads((x, k, c) => loss(act(add(matMul(x, k), c))))([a, b, bias]);
      // The same mask and the same product kernels: bit-identical; the bias sum runs in blocks (close).
      expect(float32Bits(da!)).toEqual(float32Bits(ea!));
      expect(float32Bits(db!)).toEqual(float32Bits(eb!));
      expectClose(dbias!, ebias!.dataSync(), 1e-6);
      // Leading axes of `a` are rows of one product here, batches of the broadcast matMul there: the
      // kernel's gradient sums them in another order (close).
      const a3 = uniform(rng, [2, 5, 6]);
      const got = grads((x, k, c) => sum(square(fused.matMul({ a: x, b: k, bias: c, activation }))))([a3, b, bias]);
      const want = grads((x, k, c) => sum(square(act(add(matMul(x, k), c)))))([a3, b, bias]);
      for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!.dataSync(), 1e-5);
    });
  }

  it('fused.matMul passes gradCheck for a, b and a bias broadcast over leading axes, both activations, with transposes', () => {
    const rng = new Rng(5);
    for (const activation of ['linear', 'relu'] as const) {
      for (const [ta, tb] of [[false, false], [true, true]] as const) {
        // Pre-activations kept away from relu's kink: small operands, bias of magnitude 0.5–1.5.
        const a = uniform(rng, ta ? [3, 4] : [4, 3], -0.3, 0.3);
        const b = uniform(rng, tb ? [5, 3] : [3, 5], -0.3, 0.3);
        const bias = awayFromZero(rng, [5], 0.5, 1.5);
        expectGradCheck((x, k, c) => fused.matMul({ a: x, b: k, transposeA: ta, transposeB: tb, bias: c, activation }), [a, b, bias]);
      }
      const a3 = uniform(rng, [2, 3, 3], -0.3, 0.3);
      const b3 = uniform(rng, [3, 4], -0.3, 0.3);
      expectGradCheck((x, k, c) => fused.matMul({ a: x, b: k, bias: c, activation }), [a3, b3, awayFromZero(rng, [4], 0.5, 1.5)]);
    }
  });

  it('fused.conv2d passes gradCheck for x, filter and bias, both activations, and matches conv2d → add → relu', () => {
    const rng = new Rng(7);
    for (const activation of ['linear', 'relu'] as const) {
      const x = uniform(rng, [2, 5, 4, 2], -0.3, 0.3);
      const filter = uniform(rng, [2, 1, 2, 8], -0.3, 0.3);
      const bias = awayFromZero(rng, [8], 0.5, 1.5);
      const f = (a: Tensor, k: Tensor, c: Tensor): Tensor => fused.conv2d({ x: a, filter: k, strides: 1, pad: 'same', bias: c, activation });
      expectGradCheck(f, [x, filter, bias]);
      const act = (t: Tensor): Tensor => (activation === 'relu' ? relu(t) : t);
      const got = grads((a, k, c) => sum(square(f(a, k, c))))([x, filter, bias]);
      const want = grads((a, k, c) => sum(square(act(add(conv2d(a, k, 1, 'same'), c)))))([x, filter, bias]);
      for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!.dataSync(), 1e-6);
    }
  });

  it('gradients of gradients equal the unfused composition’s (grad of grad through the fused rules)', () => {
    const rng = new Rng(9);
    const x = uniform(rng, [4, 3]);
    const k = uniform(rng, [3, 5]);
    const bias = uniform(rng, [5]);
    const v = uniform(rng, [3, 5]);
    // d/dx Σ v ⊙ ∂/∂k Σ y², y = relu(x·k + bias): second-order terms through x·k and the mask.
    const outer = (layer: (a: Tensor, w: Tensor) => Tensor) => grad((a: Tensor) => sum(mul(grads((w: Tensor) => sum(square(layer(a, w))))([k])[0]!, v)));
    const got = outer((a, w) => fused.matMul({ a, b: w, bias, activation: 'relu' }))(x);
    const want = outer((a, w) => relu(add(matMul(a, w), bias)))(x);
    expectClose(got, want.dataSync(), 1e-5);
    expect(Math.max(...Array.from(got.dataSync(), Math.abs))).toBeGreaterThan(0);
    // And against finite differences of the first gradient.
    expectGradCheck((a) => grads((w: Tensor) => sum(square(fused.matMul({ a, b: w, bias: awayFromZero(new Rng(1), [5], 0.5, 1.5), activation: 'relu' }))))([k])[0]!, [uniform(rng, [4, 3], -0.3, 0.3)]);
  });
});
