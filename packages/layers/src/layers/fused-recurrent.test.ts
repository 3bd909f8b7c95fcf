import type { Tensor } from '@descent/tensor';
import type { KernelName } from '@descent/tensor';
import { concat, mul, setKernelHook, square, sum, tensor } from '@descent/tensor';
import { grad, gradCheck, variable, variableGrads } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { RNN } from './rnn.js';
import type { RNNArgs } from './rnn.js';
import { pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());
afterEach(() => {
  RNN.fused = true;
});

type Kind = 'lstm' | 'gru' | 'gru-before';
function make(kind: Kind, args: Omit<RNNArgs, 'units'> & { units?: number }): RNN {
  const a = { units: 3, ...args };
  if (kind === 'lstm') return new LSTM(a);
  return new GRU({ ...a, resetAfter: kind === 'gru' });
}

interface Values {
  shape: readonly number[];
  values: ArrayLike<number>;
}
const valuesOf = (t: Tensor): Values => ({ shape: [...t.shape], values: t.dataSync() });

function maxDiff(t1: Tensor | Values, t2: Tensor | Values): number {
  const a = 'values' in t1 ? t1 : valuesOf(t1);
  const b = 'values' in t2 ? t2 : valuesOf(t2);
  expect(a.shape).toEqual(b.shape);
  const x = a.values;
  const y = b.values;
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

/** Outputs (output, final states) and the gradients of a fixed projection of them with respect to x, the weights and the initial states. */
function run(layer: RNN, x: Tensor, init: Tensor[] | null, fused: boolean, mask: Tensor | null = null) {
  RNN.fused = fused;
  const seen = new Set<KernelName>();
  const previous = setKernelHook((r) => {
    seen.add(r.kernel);
    previous?.(r);
  });
  try {
    const result = runInner(layer, x, init, mask);
    // The fused path runs the sequence kernel and its gradient kernel; the composition neither.
    const kernel = layer instanceof LSTM ? 'LSTMSequence' : 'GRUSequence';
    expect(seen.has(kernel)).toBe(fused);
    expect(seen.has(`${kernel}Grad` as KernelName)).toBe(fused);
    return result;
  } finally {
    setKernelHook(previous);
  }
}

function runInner(layer: RNN, x: Tensor, init: Tensor[] | null, mask: Tensor | null) {
  const xv = variable(x);
  const sv = (init ?? []).map((s) => variable(s));
  const vars: Variable[] = [xv, ...layer.trainableWeights, ...sv];
  let outs: Values[] = [];
  const { grads } = variableGrads(() => {
    const ys = layer.applyWithState(xv, { ...(sv.length > 0 ? { initialState: sv } : {}), ...(mask ? { mask } : {}) });
    outs = ys.map(valuesOf);
    // Every output enters the loss with its own weights, so every gradient path is exercised.
    return ys.map((o, i) => sum(mul(o, tensor(pseudo(o.size, 31 + i), o.shape)))).reduce((p, q) => p.add(q));
  }, vars);
  return { outs, grads: vars.map((v) => grads.get(v)!) };
}

const X = pseudoTensor([2, 4, 5], 5);
const CASES: { name: string; args: Omit<RNNArgs, 'units'>; init: boolean }[] = [
  { name: 'last output', args: {}, init: false },
  { name: 'returnSequences', args: { returnSequences: true }, init: false },
  { name: 'goBackwards + returnSequences', args: { returnSequences: true, goBackwards: true }, init: false },
  { name: 'initial states, no bias', args: { useBias: false }, init: true },
  { name: 'initial states + returnSequences + goBackwards', args: { returnSequences: true, goBackwards: true }, init: true },
];

describe.each(['lstm', 'gru', 'gru-before'] as const)('fused %s', (kind) => {
  it.each(CASES)('matches the step-by-step composition, forward and backward: $name', ({ args, init }) => {
    // 5 units: one full SIMD vector and a one-lane tail on the wasm backend.
    const layer = make(kind, { ...args, units: 5, returnState: true });
    layer.applyWithState(X);
    setPseudoWeights(layer, 7, 0.6);
    const states = init ? Array.from({ length: kind === 'lstm' ? 2 : 1 }, (_, i) => pseudoTensor([2, 5], 40 + i, 0.8)) : null;
    const fused = run(layer, X, states, true);
    const plain = run(layer, X, states, false);
    expect(fused.outs.length).toBe(plain.outs.length);
    fused.outs.forEach((o, i) => expect(maxDiff(o, plain.outs[i]!)).toBeLessThan(2e-6));
    fused.grads.forEach((g, i) => expect(maxDiff(g, plain.grads[i]!)).toBeLessThan(1e-5));
  });

  it('passes gradCheck (input, initial states) and finite differences of the weights', () => {
    const layer = make(kind, { returnSequences: true, returnState: true });
    layer.applyWithState(X);
    setPseudoWeights(layer, 9, 0.6);
    const n = kind === 'lstm' ? 2 : 1;
    const init = Array.from({ length: n }, (_, i) => pseudoTensor([2, 3], 50 + i, 0.8));
    // Output sequence and final states in one tensor, so one check covers all of them.
    const f = (x: Tensor, ...s: Tensor[]): Tensor => {
      const [out, ...fin] = layer.applyWithState(x, { initialState: s });
      return concat([out!.reshape([2, 12]), ...fin], 1);
    };
    gradCheck(f, [X, ...init], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
    for (const w of layer.trainableWeights) {
      const g = variableGrads(() => sum(mul(f(X, ...init), tensor(pseudo(2 * (12 + 3 * n), 3), [2, 12 + 3 * n]))), [w]).grads.get(w)!.dataSync();
      const values = w.dataSync() as Float32Array;
      for (let j = 0; j < values.length; j += 3) {
        const at = (v: number): number => {
          const copy = values.slice();
          copy[j] = v;
          w.assign(tensor(copy, w.shape));
          const y = f(X, ...init).dataSync();
          const p = pseudo(y.length, 3);
          let acc = 0;
          for (let k = 0; k < y.length; k++) acc += p[k]! * y[k]!;
          return acc;
        };
        const hi = Math.fround(values[j]! + 1e-2);
        const lo = Math.fround(values[j]! - 1e-2);
        const numeric = (at(hi) - at(lo)) / (hi - lo);
        w.assign(tensor(values, w.shape));
        expect(Math.abs(g[j]! - numeric)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(numeric));
      }
    }
  });
});

describe.each(['lstm', 'gru', 'gru-before'] as const)('fused %s with a mask', (kind) => {
  // Rows: leading masked steps, a gap, fully masked, unmasked; 5 steps.
  const XM = pseudoTensor([4, 5, 3], 21);
  const MASK = tensor([
    [false, false, true, true, false],
    [true, false, true, false, true],
    [false, false, false, false, false],
    [true, true, true, true, true],
  ]);
  it.each(CASES)('matches the step-by-step path with the mask, forward and backward: $name', ({ args, init }) => {
    const layer = make(kind, { ...args, units: 5, returnState: true });
    layer.applyWithState(XM);
    setPseudoWeights(layer, 17, 0.6);
    const states = init ? Array.from({ length: kind === 'lstm' ? 2 : 1 }, (_, i) => pseudoTensor([4, 5], 60 + i, 0.8)) : null;
    const fused = run(layer, XM, states, true, MASK);
    const plain = run(layer, XM, states, false, MASK);
    expect(fused.outs.length).toBe(plain.outs.length);
    fused.outs.forEach((o, i) => expect(maxDiff(o, plain.outs[i]!)).toBeLessThan(2e-6));
    fused.grads.forEach((g, i) => expect(maxDiff(g, plain.grads[i]!)).toBeLessThan(1e-5));
  });

  it('a mask with every step kept gives the unmasked result', () => {
    const layer = make(kind, { returnSequences: true });
    layer.apply(XM);
    setPseudoWeights(layer, 18, 0.6);
    const full = tensor(new Uint8Array(20).fill(1), [4, 5], 'bool');
    expect(maxDiff(layer.apply(XM, { mask: full }), layer.apply(XM))).toBe(0);
  });
});

describe.each(['lstm', 'gru', 'gru-before'] as const)('fused %s edge sizes', (kind) => {
  it('one step, and an empty batch', () => {
    const layer = make(kind, { units: 4, returnSequences: true, returnState: true });
    const one = pseudoTensor([3, 1, 5], 8);
    layer.applyWithState(one);
    setPseudoWeights(layer, 4, 0.6);
    const fused = run(layer, one, null, true);
    const plain = run(layer, one, null, false);
    fused.outs.forEach((o, i) => expect(maxDiff(o, plain.outs[i]!)).toBeLessThan(2e-6));
    fused.grads.forEach((g, i) => expect(maxDiff(g, plain.grads[i]!)).toBeLessThan(1e-5));
    const [out, ...states] = layer.applyWithState(tensor(new Float32Array(0), [0, 3, 5]));
    expect(out!.shape).toEqual([0, 3, 4]);
    for (const st of states) expect(st.shape).toEqual([0, 4]);
  });
});

describe.each(['lstm', 'gru', 'gru-before'] as const)('fused %s, gradient of a gradient', (kind) => {
  // f(x) = Σ (∂loss/∂x)², a gradient penalty: its gradient differentiates the RNN's backward pass.
  function setup(mask: Tensor | null = null) {
    const layer = make(kind, { returnSequences: true });
    layer.apply(X);
    setPseudoWeights(layer, 12, 0.7);
    const p = tensor(pseudo(2 * 4 * 3, 13), [2, 4, 3]);
    const dLoss = grad((x: Tensor) => sum(mul(layer.apply(x, mask ? { mask } : {}), p)));
    const penalty = (x: Tensor): Tensor => sum(square(dLoss(x)));
    return { layer, penalty };
  }
  /** The gradient of the penalty with respect to x and every weight, on the fused or the step-by-step path. */
  function second(fused: boolean, mask: Tensor | null = null) {
    RNN.fused = fused;
    const { layer, penalty } = setup(mask);
    const seen = new Set<KernelName>();
    const previous = setKernelHook((r) => {
      seen.add(r.kernel);
      previous?.(r);
    });
    try {
      const dx = grad(penalty)(X);
      const { grads } = variableGrads(() => penalty(X), layer.trainableWeights);
      expect(seen.has(layer instanceof LSTM ? 'LSTMSequence' : 'GRUSequence')).toBe(fused);
      return [dx, ...layer.trainableWeights.map((w) => grads.get(w)!)];
    } finally {
      setKernelHook(previous);
    }
  }

  it.each([
    { name: 'no mask', mask: null },
    { name: 'with a mask', mask: tensor([[true, false, true, true], [false, true, true, false]]) },
  ])('equals the step-by-step path (input and weights), $name', ({ mask }) => {
    const fused = second(true, mask);
    const plain = second(false, mask);
    expect(fused.length).toBe(plain.length);
    fused.forEach((g, i) => {
      // Not trivially zero: the recurrence's second derivatives are all there.
      expect(maxDiff(g, { shape: g.shape, values: new Float32Array(g.size) })).toBeGreaterThan(1e-3);
      expect(maxDiff(g, plain[i]!)).toBeLessThan(2e-5);
    });
  });

  it('matches finite differences of the first gradient', () => {
    RNN.fused = true;
    const { penalty } = setup();
    gradCheck(penalty, [X], { eps: 1e-2, rtol: 3e-2, atol: 3e-3 });
  });
});

describe('fused path selection', () => {
  it('keeps the step-by-step path for other activations and for recurrent dropout in training', () => {
    // hard_sigmoid gates: the result must follow hard_sigmoid, which the fused kernels do not compute.
    const hard = new LSTM({ units: 2, recurrentActivation: 'hard_sigmoid' });
    const soft = new LSTM({ units: 2 });
    hard.apply(X);
    soft.apply(X);
    setPseudoWeights(hard, 3, 2);
    soft.setWeights(hard.getWeights());
    expect(maxDiff(hard.apply(X), soft.apply(X))).toBeGreaterThan(1e-3);
    RNN.fused = false;
    const plainHard = hard.apply(X);
    RNN.fused = true;
    expect(maxDiff(hard.apply(X), plainHard)).toBe(0);
  });

  it('recurrent dropout in training takes the step-by-step path; input dropout and inference stay fused', () => {
    const kernelsOf = (f: () => void): Set<KernelName> => {
      const seen = new Set<KernelName>();
      const previous = setKernelHook((r) => {
        seen.add(r.kernel);
        previous?.(r);
      });
      try {
        f();
      } finally {
        setKernelHook(previous);
      }
      return seen;
    };
    const rec = new LSTM({ units: 2, recurrentDropout: 0.3, seed: 1 });
    const inp = new GRU({ units: 2, dropout: 0.3, seed: 1 });
    expect(kernelsOf(() => rec.apply(X, { training: true })).has('LSTMSequence')).toBe(false);
    expect(kernelsOf(() => rec.apply(X)).has('LSTMSequence')).toBe(true);
    expect(kernelsOf(() => inp.apply(X, { training: true })).has('GRUSequence')).toBe(true);
  });
});
