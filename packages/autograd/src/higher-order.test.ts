import type { Tensor } from '@descent/tensor';
import {
  add, avgPool, conv2d, elu, exp, log, logSoftmax, logSumExp, matMul, max, maxPool, mean, mul, pow, relu, sigmoid,
  softmax, softplus, sqrt, square, sum, tanh, tensor,
} from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { grad, grads } from './grad.js';
import { Rng, distinct, expectClose, expectGradCheck, uniform } from './test-utils/check.js';

describe('higher-order gradients', () => {
  it('d²/dx² x³ = 6x (as x·x·x and as pow), and d³/dx³ x³ = 6', () => {
    const xs = [-1.5, 0.5, 2];
    const cubeMul = (x: Tensor): Tensor => sum(mul(mul(x, x), x));
    const cubePow = (x: Tensor): Tensor => sum(pow(x, 3));
    for (const f of [cubeMul, cubePow]) {
      const d1 = grad(f);
      const d2 = grad((x) => sum(d1(x)));
      const d3 = grad((x) => sum(d2(x)));
      expectClose(d1(xs), xs.map((v) => 3 * v * v), 1e-5);
      expectClose(d2(xs), xs.map((v) => 6 * v), 1e-5);
      expectClose(d3(xs), [6, 6, 6], 1e-5);
    }
  });

  it('second derivatives of activations, reductions and matMul pass gradCheck', () => {
    const rng = new Rng(11);
    const x = uniform(rng, [2, 3], -1.5, 1.5);
    const w = uniform(rng, [3, 2]);
    const second = (f: (t: Tensor) => Tensor) => (t: Tensor): Tensor => grad(f)(t);
    const cases: ((t: Tensor) => Tensor)[] = [
      (t) => sum(tanh(t)),
      (t) => sum(sigmoid(t)),
      (t) => sum(softplus(t)),
      (t) => sum(elu(t.add(0.05))),
      (t) => sum(exp(t).mul(square(t))),
      (t) => sum(log(square(t).add(1))),
      (t) => sum(sqrt(square(t).add(0.5))),
      (t) => sum(square(softmax(t))),
      (t) => sum(logSoftmax(t, 0).mul(tensor([[1, 2, 3], [0.5, -1, 2]]))),
      (t) => logSumExp(t),
      (t) => sum(square(mean(t, 1))),
      (t) => sum(square(matMul(t, w))),
      (t) => sum(tanh(matMul(t, t, true, false))),
      (t) => sum(mul(relu(t.add(0.05)), t)),
    ];
    cases.forEach((f, i) => {
      try {
        expectGradCheck(second(f), [x]);
      } catch (e) {
        throw new Error(`case ${i}: ${String(e)}`, { cause: e });
      }
    });
    // Through the max routing: d/dx of (d/dx max(x²)) is 2 at the arg-max.
    expectGradCheck(second((t) => sum(max(square(t), 1))), [tensor([[0.3, -0.9, 0.5], [-0.2, 0.7, 0.1]])]);
  });

  it('second derivatives through conv2d and pooling (their backprop kernels have rules too)', () => {
    const rng = new Rng(12);
    const x = uniform(rng, [1, 4, 4, 2]);
    const f = uniform(rng, [2, 2, 2, 2]);
    const [cx, cf] = [
      (t: Tensor) => grad((u) => sum(square(conv2d(u, f, 1, 'same'))))(t),
      (t: Tensor) => grad((u) => sum(square(conv2d(x, u, 2, 'valid'))))(t),
    ];
    expectGradCheck(cx, [x]);
    expectGradCheck(cf, [f]);
    const d = distinct(rng, [1, 4, 4, 2], 0.07);
    expectGradCheck((t) => grad((u) => sum(square(maxPool(u, 2, 1, 'same'))))(t), [d]);
    expectGradCheck((t) => grad((u) => sum(square(avgPool(u, 2, 2, 'valid'))))(t), [x]);
  });

  it('Hessian-vector product through a 2-layer tanh network matches finite differences of the gradient', () => {
    const rng = new Rng(3);
    const inputs = uniform(rng, [5, 3]);
    const targets = uniform(rng, [5, 2]);
    const params = [uniform(rng, [3, 4]), uniform(rng, [4]), uniform(rng, [4, 2]), uniform(rng, [2])];
    const v = params.map((p) => uniform(rng, p.shape));

    const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor => {
      const h = tanh(add(matMul(inputs, w1), b1));
      const out = tanh(add(matMul(h, w2), b2));
      return mean(square(out.sub(targets)));
    };
    const gradient = grads(loss);
    // Hv = ∇(∇L · v)
    const hvp = grads((...ws: Tensor[]) => {
      const g = gradient(ws);
      return g.map((gi, i) => sum(mul(gi, v[i]!))).reduce((a, b) => a.add(b));
    })(params);

    // Central difference of the gradient along v, accumulated in float64.
    const h = 1e-2;
    const shifted = (sign: number) => gradient(params.map((p, i) => add(p, mul(v[i]!, sign * h))));
    const [gp, gm] = [shifted(1), shifted(-1)];
    let checked = 0;
    hvp.forEach((hv, i) => {
      const analytic = hv.dataSync();
      const plus = gp[i]!.dataSync();
      const minus = gm[i]!.dataSync();
      for (let j = 0; j < analytic.length; j++) {
        const numeric = (plus[j]! - minus[j]!) / (2 * h);
        expect(Math.abs(analytic[j]! - numeric)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
        checked++;
      }
    });
    expect(checked).toBe(12 + 4 + 8 + 2);
    // The product is not trivially zero.
    expect(Math.max(...hvp.flatMap((t) => Array.from(t.dataSync(), Math.abs)))).toBeGreaterThan(1e-2);
  });
});
