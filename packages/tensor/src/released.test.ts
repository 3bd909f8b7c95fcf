import { describe, expect, it } from 'vitest';
import { getBackend, runKernel } from './engine.js';
import {
  add,
  dispose,
  isReleased,
  keep,
  matMul,
  mul,
  reshape,
  sum,
  tensor,
  withScope,
} from './index.js';
import type { Tensor } from './tensor.js';

const RELEASED = /this tensor's storage was released \(its scope ended or it was disposed\)/;

/** The same checks whatever the backend: these tests run in the cpu and wasm projects alike. */
describe('a released tensor fails clearly on every backend', () => {
  it('a disposed tensor is refused as a kernel input, naming the kernel (on CPU it used to keep computing)', () => {
    const t = tensor([1, 2, 3]);
    dispose(t);
    expect(isReleased(t)).toBe(true);
    expect(() => add(t, 1)).toThrow(/^Add \(input 0\): this tensor's storage was released \(its scope ended or it was disposed\) and can no longer be used \(tensor #\d+, shape \[3\]\); keep\(\) tensors/);
    expect(() => mul(2, t)).toThrow(/^Mul \(input 1\): /);
    expect(() => sum(t)).toThrow(RELEASED);
    expect(() => matMul(reshape(tensor([1, 2, 3]), [1, 3]), reshape(t, [3, 1]))).toThrow(/^Reshape \(input 0\)/);
    expect(() => runKernel('Neg', [t], {})).toThrow(/^Neg \(input 0\)/);
  });

  it('reading a disposed tensor throws, naming the read', () => {
    const t = tensor([[1, 2]]);
    dispose(t);
    expect(() => t.dataSync()).toThrow(/^dataSync: this tensor's storage was released/);
    expect(() => t.toArray()).toThrow(/^toArray: /);
    const one = tensor([7]);
    dispose(one);
    expect(() => one.item()).toThrow(/^item: this tensor's storage was released/);
    expect(() => t.toString()).toThrow(/^toString: /);
    return expect(t.data()).rejects.toThrow(/^data: this tensor's storage was released/);
  });

  it('a tensor whose scope ended is refused; returned and kept ones stay usable', () => {
    let inner: Tensor | undefined;
    let kept: Tensor | undefined;
    const out = withScope(() => {
      const a = tensor([1, 2]);
      inner = mul(a, 2);
      kept = keep(add(a, 1));
      return add(inner, 1);
    });
    expect(out.toArray()).toEqual([3, 5]);
    expect(kept!.toArray()).toEqual([2, 3]);
    expect(isReleased(inner!)).toBe(true);
    expect(() => inner!.dataSync()).toThrow(RELEASED);
    expect(() => add(inner!, 1)).toThrow(/^Add \(input 0\)/);
    dispose(kept);
  });

  it('storage shared with a live tensor does not make the released holder usable again', () => {
    const a = tensor([1, 2, 3, 4]);
    const r = reshape(a, [2, 2]);
    dispose(a);
    expect(r.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(() => a.dataSync()).toThrow(RELEASED);
  });

  it('the backend is never reached with a released input', () => {
    const t = tensor([1]);
    dispose(t);
    const backend = getBackend();
    const original = backend.kernels.Neg;
    let called = 0;
    (backend.kernels as { Neg: typeof original }).Neg = (inputs, attrs) => {
      called++;
      return original(inputs, attrs);
    };
    try {
      expect(() => runKernel('Neg', [t], {})).toThrow(RELEASED);
      expect(called).toBe(0);
    } finally {
      (backend.kernels as { Neg: typeof original }).Neg = original;
    }
  });
});
