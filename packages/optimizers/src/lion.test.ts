import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Lion } from './lion.js';
import { checkAgainstReference, expectClose } from './test-utils/reference.js';
import { lionReference } from './test-utils/rules.js';

describe('Lion', () => {
  it('has the Keras defaults', () => {
    const opt = new Lion();
    expect([opt.learningRate, opt.beta1, opt.beta2]).toEqual([0.001, 0.9, 0.99]);
  });

  it('moves every element by exactly ±learningRate', () => {
    // Step 1: m = 0 so the direction is sign(g); m becomes 0.01·g. Step 2 with g' = −g/20:
    // 0.9·0.01·g + 0.1·(−g/20) = 0.009g − 0.005g > 0, so the sign stays that of g.
    const w = variable([1, 1, 1], { name: 'w' });
    const opt = new Lion({ learningRate: 0.25 });
    opt.applyGradients([[tensor([4, -2, 0]), w]]);
    expectClose(w.dataSync(), [0.75, 1.25, 1], 'step 1');
    opt.applyGradients([[tensor([-0.2, 0.1, 0]), w]]);
    expectClose(w.dataSync(), [0.5, 1.5, 1], 'step 2');
  });

  it('first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new Lion(o), () => lionReference(0.9, 0.99), 0.01);
    checkAgainstReference((o) => new Lion({ ...o, beta1: 0.5, beta2: 0.2 }), () => lionReference(0.5, 0.2), 0.01);
  });
});
