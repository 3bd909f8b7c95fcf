import type { Tensor } from '@descent/tensor';
import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { LSTM } from './lstm.js';
import type { Mat } from './test-utils/helpers.js';
import { addv, checkLayerGrads, expectTensor, pseudoTensor, rnnWeights, setPseudoWeights, sig, vm } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

// Keras 3's hard_sigmoid: relu6(x + 3) / 6.
const hardSig = (v: number): number => Math.min(1, Math.max(0, v / 6 + 0.5));

/** One LSTM step written from the gate equations (gates i, f, c, o along the columns). */
function lstmStep(x: number[], h: number[], c: number[], W: Mat, U: Mat, b: number[], u: number, rec: (v: number) => number) {
  const gate = (k: number): number[] => addv(vm(x, W, k * u, u), vm(h, U, k * u, u), b.slice(k * u, (k + 1) * u));
  const i = gate(0).map(rec);
  const f = gate(1).map(rec);
  const g = gate(2).map(Math.tanh);
  const o = gate(3).map(rec);
  const c2 = c.map((cv, j) => f[j]! * cv + i[j]! * g[j]!);
  const h2 = c2.map((cv, j) => o[j]! * Math.tanh(cv));
  return { h: h2, c: c2 };
}
const X = pseudoTensor([2, 3, 4], 5);
const seqs = X.toArray() as Mat[];
describe('LSTM', () => {
  it('one step matches the gate equations (i, f, c, o), with sigmoid gates by default', () => {
    const lstm = new LSTM({ units: 2 });
    const x1 = tensor([[[0.5, -1, 2, 0.1]]]);
    lstm.apply(x1);
    setPseudoWeights(lstm);
    const { W, U, b } = rnnWeights(lstm);
    expect(W.length).toBe(4);
    expect(W[0]!.length).toBe(8);
    expect(U.length).toBe(2);
    const { h } = lstmStep([0.5, -1, 2, 0.1], [0, 0], [0, 0], W, U, b as number[], 2, sig);
    expectTensor(lstm.apply(x1), [1, 2], [h], 1e-5);
  });

  it('runs three steps with states, returnSequences and applyWithState', () => {
    const lstm = new LSTM({ units: 3, returnSequences: true, recurrentActivation: 'hardSigmoid' });
    lstm.apply(X);
    setPseudoWeights(lstm);
    const { W, U, b } = rnnWeights(lstm);
    const hs: Mat[] = [];
    const finals: { h: number[]; c: number[] }[] = [];
    for (const seq of seqs) {
      let s = { h: [0, 0, 0], c: [0, 0, 0] };
      const out: Mat = [];
      for (const x of seq) {
        s = lstmStep(x, s.h, s.c, W, U, b as number[], 3, hardSig);
        out.push(s.h);
      }
      hs.push(out);
      finals.push(s);
    }
    expectTensor(lstm.apply(X), [2, 3, 3], hs, 1e-5);
    const [out, h, c] = lstm.applyWithState(X) as [Tensor, Tensor, Tensor];
    expectTensor(out, [2, 3, 3], hs, 1e-5);
    expectTensor(h, [2, 3], finals.map((f) => f.h), 1e-5);
    expectTensor(c, [2, 3], finals.map((f) => f.c), 1e-5);
  });

  it('goBackwards processes the last step first', () => {
    const fwd = new LSTM({ units: 2, returnSequences: true });
    const bwd = new LSTM({ units: 2, returnSequences: true, goBackwards: true });
    fwd.apply(X);
    setPseudoWeights(fwd);
    bwd.apply(X);
    bwd.setWeights(fwd.getWeights());
    const reversed = tensor(seqs.map((s) => [...s].reverse()));
    expectTensor(bwd.apply(X), [2, 3, 2], fwd.apply(reversed).toArray(), 1e-6);
  });

  it('initial state: a given [h, c] starts the recurrence', () => {
    const lstm = new LSTM({ units: 2 });
    const x = tensor([[[1, 0]]]);
    lstm.apply(x);
    setPseudoWeights(lstm);
    const { W, U, b } = rnnWeights(lstm);
    const want = lstmStep([1, 0], [0.5, -0.5], [1, 2], W, U, b as number[], 2, sig).h;
    const [out] = lstm.applyWithState(x, { initialState: [tensor([[0.5, -0.5]]), tensor([[1, 2]])] });
    expectTensor(out!, [1, 2], [want], 1e-5);
    expect(() => lstm.applyWithState(x, { initialState: [tensor([[1, 2]])] })).toThrow(/LSTM: initialState must be 2 tensor\(s\) of shape \[1,2\]/);
  });

  it('unitForgetBias initializes the forget-gate bias to one', () => {
    const lstm = new LSTM({ units: 2 });
    lstm.build([null, 3, 4]);
    expectTensor(lstm.bias!, [8], [0, 0, 1, 1, 0, 0, 0, 0]);
    const plain = new LSTM({ units: 2, unitForgetBias: false });
    plain.build([null, 3, 4]);
    expectTensor(plain.bias!, [8], [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('returnState needs applyWithState; apply says so', () => {
    const lstm = new LSTM({ units: 2, returnState: true });
    expect(() => lstm.apply(X)).toThrow(/returnState is true, so the layer has 3 outputs; call applyWithState\(\)/);
    expect(lstm.applyWithState(X).length).toBe(3);
  });

  it('dropout and recurrentDropout apply only in training, with one mask per sequence', () => {
    const a = new LSTM({ units: 2, dropout: 0.5, recurrentDropout: 0.5, seed: 3 });
    const b = new LSTM({ units: 2 });
    a.apply(X);
    setPseudoWeights(a);
    b.apply(X);
    b.setWeights(a.getWeights());
    expectTensor(a.apply(X), [2, 2], b.apply(X).toArray(), 1e-6);
    const t1 = Array.from(a.apply(X, { training: true }).dataSync());
    expect(t1).not.toEqual(Array.from(b.apply(X).dataSync()));
    expect(() => new LSTM({ units: 2, dropout: 1 })).toThrow(/LSTM: dropout must be a number in \[0, 1\)/);
  });

  it('passes gradCheck', () => {
    const lstm = new LSTM({ units: 2 });
    const x = pseudoTensor([2, 3, 2], 9);
    lstm.apply(x);
    setPseudoWeights(lstm);
    checkLayerGrads(lstm, x);
  });

  it('computes output shapes and rejects wrong rank and stateful', () => {
    expect(new LSTM({ units: 5 }).computeOutputShape([null, 7, 3])).toEqual([null, 5]);
    expect(new LSTM({ units: 5, returnSequences: true }).computeOutputShape([null, 7, 3])).toEqual([null, 7, 5]);
    expect(() => new LSTM({ units: 2 }).apply(tensor([[1, 2]]))).toThrow(/LSTM: expected input of rank 3/);
    expect(() => new LSTM({ units: 2, stateful: true })).toThrow(/LSTM: stateful RNNs are not supported/);
  });
});
