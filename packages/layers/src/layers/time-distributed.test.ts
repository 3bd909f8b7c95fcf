import { tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { Conv2D } from './conv.js';
import { Dense } from './dense.js';
import { checkLayerGrads, expectTensor, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';
import { TimeDistributed } from './time-distributed.js';

beforeEach(() => resetLayerNames());

const X = pseudoTensor([2, 3, 2], 4);

describe('TimeDistributed', () => {
  it('applies a Dense to every step with shared weights', () => {
    const td = new TimeDistributed({ layer: new Dense({ units: 1 }) });
    const x = tensor([[[1, 2], [3, 4], [5, 6]]]);
    td.apply(x);
    td.setWeights([tensor([[1], [-1]]), tensor([10])]);
    expectTensor(td.apply(x), [1, 3, 1], [[[9], [9], [9]]]);
    expect(td.getWeightNames()).toEqual(['time_distributed/kernel', 'time_distributed/bias']);
    expect(td.computeOutputShape([null, 3, 2])).toEqual([null, 3, 1]);
  });

  it('wraps Conv2D over frames and builds from a symbolic shape', () => {
    const td = new TimeDistributed({ layer: new Conv2D({ filters: 2, kernelSize: 2 }) });
    td.build([null, 4, 5, 5, 3]);
    expect(td.countParams()).toBe(2 * 2 * 3 * 2 + 2);
    expect(td.computeOutputShape([null, 4, 5, 5, 3])).toEqual([null, 4, 4, 4, 2]);
    expect(td.apply(pseudoTensor([2, 4, 5, 5, 3], 1)).shape).toEqual([2, 4, 4, 4, 2]);
  });

  it('passes gradCheck and rejects rank-2 input', () => {
    const td = new TimeDistributed({ layer: new Dense({ units: 2, activation: 'tanh' }) });
    td.apply(X);
    setPseudoWeights(td);
    checkLayerGrads(td, X);
    expect(() => td.apply(tensor([[1, 2]]))).toThrow(/TimeDistributed: expected input of rank ≥ 3/);
  });
});
