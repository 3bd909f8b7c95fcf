import { variableGrads } from '@descent/autograd';
import { mean, mul, norm, square, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { Dense } from './dense.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

describe('Dense', () => {
  it('computes activation(x·W + b) on hand-checked numbers', () => {
    const d = new Dense({ units: 2, activation: 'relu' });
    d.apply(tensor([[0, 0, 0]]));
    d.setWeights([tensor([[1, -1], [2, 0], [0, 3]]), tensor([0.5, -10])]);
    // row 1: [1+4+0+0.5, -1+0+9-10] = [5.5, -2] → relu [5.5, 0]; row 2: [-1+0+0+0.5, 1+0+3-10]
    expectTensor(d.apply(tensor([[1, 2, 3], [-1, 0, 1]])), [2, 2], [[5.5, 0], [0, 0]]);
    expect(d.getWeightNames()).toEqual(['dense/kernel', 'dense/bias']);
    expect(d.kernel!.shape).toEqual([3, 2]);
  });

  it('applies to the last axis of rank-3 inputs and reports shapes with a null batch', () => {
    const d = new Dense({ units: 1, useBias: false, kernelInitializer: 'ones' });
    expectTensor(d.apply(tensor([[[1, 2], [3, 4]]])), [1, 2, 1], [[[3], [7]]]);
    expect(d.weights.length).toBe(1);
    expect(d.computeOutputShape([null, 5, 2])).toEqual([null, 5, 1]);
    expect(d.countParams()).toBe(2);
  });

  it('builds from a symbolic shape', () => {
    const d = new Dense({ units: 4 });
    d.build([null, 3]);
    expect(d.countParams()).toBe(16);
  });

  it('rejects bad options and rank-1 input clearly', () => {
    expect(() => new Dense({ units: 0 })).toThrow(/Dense: units must be a positive integer, got 0/);
    expect(() => new Dense({ units: 2, activation: 'rellu' })).toThrow(/Did you mean 'relu'/);
    expect(() => new Dense({ units: 2 }).apply(tensor([1, 2]))).toThrow(/Dense: expected input of rank ≥ 2/);
  });

  it('passes gradCheck through kernel, bias and input', () => {
    const d = new Dense({ units: 3, activation: 'tanh' });
    const x = pseudoTensor([2, 4], 3);
    d.apply(x);
    setPseudoWeights(d);
    checkLayerGrads(d, x);
  });

  it('an l2 kernel regularizer ends training with a larger data loss and a smaller kernel norm', () => {
    const x = tensor([[1, 2], [2, 1], [3, 3], [-1, 0]]);
    const y = tensor([[3], [3], [6], [-1]]);
    const train = (reg: 'l2' | null): { dataLoss: number; kernelNorm: number } => {
      const d = new Dense({ units: 1, kernelInitializer: 'zeros', kernelRegularizer: reg === null ? null : { className: 'L2', config: { l2: 0.5 } } });
      const dataLoss = () => mean(square(d.apply(x).sub(y)));
      const total = () => d.regularizationLosses().reduce((l, p) => l.add(p), dataLoss());
      for (let i = 0; i < 300; i++) {
        const { grads } = variableGrads(total, d.trainableWeights);
        for (const [v, g] of grads) v.assign(v.sub(mul(g!, 0.05)));
      }
      return { dataLoss: dataLoss().item(), kernelNorm: norm(d.kernel!).item() };
    };
    const plain = train(null);
    const l2 = train('l2');
    // y = x0 + x1 exactly, so the unregularized fit is near perfect
    expect(plain.dataLoss).toBeLessThan(1e-3);
    expect(l2.dataLoss).toBeGreaterThan(plain.dataLoss + 0.01);
    expect(l2.kernelNorm).toBeLessThan(plain.kernelNorm - 0.05);
  });
});
