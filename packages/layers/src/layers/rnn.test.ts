import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { SimpleRNN } from './rnn.js';
import type { Mat } from './test-utils/helpers.js';
import { addv, checkLayerGrads, expectTensor, pseudoTensor, rnnWeights, setPseudoWeights, vm } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

const X = pseudoTensor([2, 3, 4], 5);
const seqs = X.toArray() as Mat[];
describe('SimpleRNN', () => {
  it('h_t = tanh(x_t·W + h_{t−1}·U + b), last output and sequences', () => {
    const rnn = new SimpleRNN({ units: 3, returnSequences: true });
    rnn.apply(X);
    setPseudoWeights(rnn);
    const { W, U, b } = rnnWeights(rnn);
    const want = seqs.map((seq) => {
      let h = [0, 0, 0];
      return seq.map((x) => (h = addv(vm(x, W, 0, 3), vm(h, U, 0, 3), b as number[]).map(Math.tanh)));
    });
    expectTensor(rnn.apply(X), [2, 3, 3], want, 1e-5);
    const last = new SimpleRNN({ units: 3 });
    last.apply(X);
    last.setWeights(rnn.getWeights());
    expectTensor(last.apply(X), [2, 3], want.map((s) => s[2]!), 1e-5);
    expect(rnn.getWeightNames()).toEqual(['simple_rnn/kernel', 'simple_rnn/recurrent_kernel', 'simple_rnn/bias']);
    expect(rnn.kernel!.shape).toEqual([4, 3]);
    expect(rnn.recurrentKernel!.shape).toEqual([3, 3]);
  });

  it('passes gradCheck', () => {
    const rnn = new SimpleRNN({ units: 2 });
    const x = pseudoTensor([2, 3, 2], 9);
    rnn.apply(x);
    setPseudoWeights(rnn);
    checkLayerGrads(rnn, x);
  });
});
