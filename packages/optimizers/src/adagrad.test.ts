import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad.js';
import { adagradReference } from './test-utils/rules.js';
import { checkAgainstReference, expectClose } from './test-utils/reference.js';


describe('Adagrad', () => {
  it('has the Keras defaults', () => {
    const opt = new Adagrad();
    expect([opt.learningRate, opt.initialAccumulatorValue, opt.epsilon]).toEqual([0.001, 0.1, 1e-7]);
  });

  it('matches a hand-computed step', () => {
    // acc = 0.1 + 0.9² = 0.91; w = 1 − 0.1·0.9/sqrt(0.91 + 1e-7) = 0.905654...
    const w = variable([1], { name: 'w' });
    new Adagrad({ learningRate: 0.1 }).applyGradients([[tensor([0.9]), w]]);
    expectClose(w.dataSync(), [1 - 0.09 / Math.sqrt(0.9100001)], 'w');
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Adagrad(o), () => adagradReference(0.1, 1e-7), 0.1);
    checkAgainstReference((o) => new Adagrad({ ...o, initialAccumulatorValue: 0.5, epsilon: 1e-3 }), () => adagradReference(0.5, 1e-3), 0.2);
  });

  it('rejects a negative initial accumulator', () => {
    expect(() => new Adagrad({ initialAccumulatorValue: -1 })).toThrow(/Adagrad: initialAccumulatorValue .*got -1/);
  });
});
