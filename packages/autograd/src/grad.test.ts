import type { Tensor } from '@descent/tensor';
import type { KernelRecord } from '@descent/tensor';
import { argMax, logSoftmax, matMul, mul, oneHot, scalar, setKernelHook, sigmoid, square, sum, tanh, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { customGrad } from './custom-grad.js';
import { grad, grads, valueAndGrad, valueAndGrads, variableGrads } from './grad.js';
import { isRecording, noGrad, stopGradient } from './tape.js';
import { expectClose } from './test-utils/check.js';
import { variable } from './variable.js';

describe('closed forms', () => {
  it('d/dx sum(x²) = 2x', () => {
    const g = grad((x) => sum(square(x)))(tensor([[1, -2], [3, 0.5]]));
    expect(g.shape).toEqual([2, 2]);
    expectClose(g, [2, -4, 6, 1]);
  });

  it('sigmoid′ = σ(1 − σ) and tanh′ = 1 − tanh²', () => {
    const xs = [-2, -0.5, 0, 0.7, 3];
    const sig = xs.map((v) => 1 / (1 + Math.exp(-v)));
    expectClose(grad((x) => sum(sigmoid(x)))(xs), sig.map((s) => s * (1 - s)));
    expectClose(grad((x) => sum(tanh(x)))(xs), xs.map((v) => 1 - Math.tanh(v) ** 2));
  });

  it('softmax cross-entropy: d/dlogits = softmax − onehot (summed over the batch)', () => {
    const logits = [[2, 1, -1], [0.5, 0.5, 3]];
    const labels = [0, 2];
    const y = oneHot(tensor(labels, [2], 'int32'), 3);
    const g = grad((z) => sum(mul(y, logSoftmax(z))).neg())(logits);
    const expected = logits.flatMap((row, r) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((v, c) => v / total - (c === labels[r] ? 1 : 0));
    });
    expectClose(g, expected);
  });

  it('dy weights a non-scalar output (vector-Jacobian product)', () => {
    const g = grad((x) => mul(x, x))([1, 2, 3], [1, 0.5, -1]);
    expectClose(g, [2, 2, -6]);
  });

  it('an output that does not depend on x has a zero gradient', () => {
    const g = grad(() => sum(tensor([1, 2])))(tensor([[1, 2, 3]]));
    expect(g.shape).toEqual([1, 3]);
    expectClose(g, [0, 0, 0]);
  });

  it('identity: grad of x ↦ sum(x) is ones; valueAndGrad returns the value too', () => {
    const { value, grad: g } = valueAndGrad((x) => sum(x))([1, 2, 3]);
    expect(value.item()).toBe(6);
    expectClose(g, [1, 1, 1]);
  });
});

describe('grads and valueAndGrads', () => {
  it('gradient for each argument, with broadcasting reduced to each shape', () => {
    const [ga, gb] = grads((a, b) => sum(mul(a, b)))([[[1, 2], [3, 4]], [10, 20]]);
    expectClose(ga!, [10, 20, 10, 20]);
    expect(gb!.shape).toEqual([2]);
    expectClose(gb!, [4, 6]);
  });

  it('the same tensor passed twice gets a gradient for each position', () => {
    const x = tensor([3]);
    const [g1, g2] = grads((a, b) => sum(mul(square(a), b)))([x, x]);
    expectClose(g1!, [18]); // 2ab
    expectClose(g2!, [9]); // a²
  });

  it('valueAndGrads', () => {
    const { value, grads: gs } = valueAndGrads((a, b) => sum(matMul(a, b)))([[[1, 2]], [[3], [4]]]);
    expect(value.item()).toBe(11);
    expectClose(gs[0]!, [3, 4]);
    expectClose(gs[1]!, [1, 2]);
  });
});

describe('variableGrads', () => {
  it('gives every trainable Variable the loss read, summing a variable used twice', () => {
    const w = variable([1, 2], { name: 'w' });
    const b = variable([0.5], { name: 'b' });
    const frozen = variable([3], { name: 'frozen', trainable: false });
    const unused = variable([7], { name: 'unused' });
    const { value, grads: gs } = variableGrads(() => sum(mul(w, w)).add(sum(w.mul(frozen))).add(sum(b)));
    expect(value.item()).toBeCloseTo(1 + 4 + 3 + 6 + 0.5);
    expect([...gs.keys()].map((v) => v.name)).toEqual(['w', 'b']);
    expectClose(gs.get(w)!, [2 * 1 + 3, 2 * 2 + 3]);
    expectClose(gs.get(b)!, [1]);
    expect(gs.has(frozen)).toBe(false);
    expect(gs.has(unused)).toBe(false);
  });

  it('a variable read but not on a path to the loss gets zeros', () => {
    const w = variable([1, 2]);
    const side = variable([[5]]);
    const { grads: gs } = variableGrads(() => {
      side.mul(2); // read, result dropped
      return sum(w);
    });
    expectClose(gs.get(side)!, [0]);
    expect(gs.get(side)!.shape).toEqual([1, 1]);
  });

  it('with a list: exactly those variables, trainable or not, null when unused', () => {
    const w = variable([2]);
    const frozen = variable([3], { trainable: false });
    const unused = variable([4]);
    const { grads: gs } = variableGrads(() => sum(mul(w, frozen)), [unused, frozen]);
    expect([...gs.keys()]).toEqual([unused, frozen]);
    expect(gs.get(unused)).toBeNull();
    expectClose(gs.get(frozen)!, [2]);
    expect(gs.has(w)).toBe(false);
  });

  it('a value is read when the op runs: assigning later inside f does not change the gradient', () => {
    const v = variable([2]);
    const { grads: gs } = variableGrads(() => {
      const y = mul(v, v);
      v.assign(tensor([5]));
      return sum(y);
    });
    expectClose(gs.get(v)!, [4]);
  });

  it('a bare Variable as the loss has gradient one', () => {
    const v = variable(3);
    expectClose(variableGrads(() => v).grads.get(v)!, [1]);
  });
});

describe('noGrad, stopGradient, customGrad', () => {
  it('noGrad: nothing computed inside carries a gradient', () => {
    const g = grad((x) => {
      const c = noGrad(() => mul(x, x));
      return sum(mul(c, x));
    })([3]);
    expectClose(g, [9]);
  });

  it('stopGradient: a constant with the same values', () => {
    const g = grad((x) => sum(mul(stopGradient(x), x)))([3, -1]);
    expectClose(g, [3, -1]);
  });

  it('customGrad: the supplied gradient replaces the derived one', () => {
    // Straight-through estimator: round forward, identity backward.
    const roundSte = customGrad((x) => ({ value: x.round(), gradFunc: (dy) => dy }));
    const g = grad((x) => sum(mul(roundSte(x), tensor([2, 3]))))([0.4, 1.6]);
    expectClose(g, [2, 3]);
    expectClose(roundSte([0.4, 1.6]), [0, 2]);
  });

  it('customGrad with several inputs, and its gradient function is differentiable again', () => {
    const prod = customGrad((a, b) => ({ value: mul(a, b), gradFunc: (dy) => [mul(dy, b), mul(dy, a)] }));
    const [ga, gb] = grads((a, b) => sum(prod(a, b)))([[2, 3], [5, 7]]);
    expectClose(ga!, [5, 7]);
    expectClose(gb!, [2, 3]);
    // d/dx of d/dx (x·x) = 2
    expectClose(grad((x) => sum(grad((y) => sum(prod(y, y)))(x)))([4]), [2]);
  });

  it('a kernel hook installed by someone else keeps seeing every kernel, during and after a gradient call', () => {
    const seen: string[] = [];
    const mine = (r: KernelRecord): void => void seen.push(r.kernel);
    const before = setKernelHook(mine);
    try {
      grad((x) => sum(square(x)))([1, 2]);
      expect(seen).toContain('Square'); // forward, recorded by the tape too
      expect(seen).toContain('Mul'); // the backward rule's kernels
      seen.length = 0;
      square(tensor([3]));
      expect(seen).toEqual(['Square']);
    } finally {
      expect(setKernelHook(before)).toBe(mine);
    }
  });

  it('recording happens only inside a gradient call', () => {
    expect(isRecording()).toBe(false);
    let inside = false;
    grad((x) => {
      inside = isRecording();
      return sum(x);
    })([1]);
    expect(inside).toBe(true);
    expect(isRecording()).toBe(false);
  });
});

describe('errors', () => {
  it('non-scalar output without dy', () => {
    expect(() => grad((x) => mul(x, 2))([1, 2])).toThrow(/non-scalar tensor of shape \[2\].*pass dy/);
    expect(() => variableGrads(() => mul(variable([1, 2]), 2))).toThrow(/variableGrads: f returned a non-scalar/);
  });

  it('dy of the wrong shape', () => {
    expect(() => grad((x) => mul(x, 2))([1, 2], [1, 2, 3])).toThrow(/dy must have the shape of f's output \[2\], got \[3\]/);
  });

  it('int32 and bool inputs', () => {
    expect(() => grad((x) => sum(x))(tensor([1, 2], [2], 'int32'))).toThrow(/argument 0: it is a int32 tensor.*float32/);
    expect(() => grads((a, b) => sum(a).add(sum(b)))([[1.5], [true]])).toThrow(/argument 1: it is a bool tensor/);
    expect(() => variableGrads(() => scalar(1), [variable(tensor([1], [1], 'int32'))])).toThrow(/int32; gradients exist only for float32/);
  });

  it('f returning a non-tensor or a non-float tensor', () => {
    const notTensor = (() => 3) as unknown as (x: Tensor) => Tensor;
    expect(() => grad(notTensor)([1])).toThrow(/grad: f must return a Tensor, got number/);
    expect(() => grad((x) => argMax(x))([1, 2])).toThrow(/int32 tensor; only float32 outputs can be differentiated/);
    expect(() => variableGrads((() => undefined) as unknown as () => Tensor)).toThrow(/f must return a Tensor, got undefined/);
  });

  it('bad arguments to the API', () => {
    expect(() => grad(3 as unknown as (x: Tensor) => Tensor)).toThrow(/grad: expected a function, got number/);
    expect(() => variableGrads(() => scalar(1), [tensor([1])] as never)).toThrow(/vars\[0\] must be a Variable/);
    const bad = customGrad((() => ({ value: 1 })) as never);
    expect(() => bad([1])).toThrow(/customGrad: f must return \{ value: Tensor, gradFunc/);
    const miscount = customGrad((a, b) => ({ value: mul(a, b), gradFunc: (dy) => dy }));
    expect(() => grads((a, b) => sum(miscount(a, b)))([[1], [2]])).toThrow(/gradFunc returned 1 gradient\(s\) for 2 input\(s\)/);
  });

  it('a failing f leaves no tape recording', () => {
    expect(() =>
      grad(() => {
        throw new Error('boom');
      })([1]),
    ).toThrow('boom');
    expect(isRecording()).toBe(false);
  });
});
