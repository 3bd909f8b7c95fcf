import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { SGD } from './sgd.js';
import { sgdReference } from './test-utils/rules.js';
import { checkAgainstReference, expectClose } from './test-utils/reference.js';


describe('SGD', () => {
  it('has the Keras defaults', () => {
    const opt = new SGD();
    expect(opt.learningRate).toBe(0.01);
    expect(opt.momentum).toBe(0);
    expect(opt.nesterov).toBe(false);
    expect(opt.name).toBe('SGD');
  });

  it('matches hand-computed momentum steps', () => {
    // w = 1, g = 1 every step, η = 0.1, μ = 0.9: v = −0.1, −0.19, −0.271; w = 0.9, 0.71, 0.439.
    const w = variable([1], { name: 'w' });
    const opt = new SGD({ learningRate: 0.1, momentum: 0.9 });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.applyGradients([[tensor([1]), w]]);
      seen.push(w.dataSync()[0]!);
    }
    expectClose(seen, [0.9, 0.71, 0.439], 'w');
  });

  it('matches hand-computed Nesterov steps', () => {
    // v1 = −0.1, w1 = 1 + 0.9·(−0.1) − 0.1 = 0.81; v2 = −0.19, w2 = 0.81 − 0.171 − 0.1 = 0.539.
    const w = variable([1], { name: 'w' });
    const opt = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w.dataSync(), [0.81], 'step 1');
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w.dataSync(), [0.539], 'step 2');
  });

  it('plain: first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new SGD(o), () => sgdReference(0, false), 0.1);
  });

  it('momentum: first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new SGD({ ...o, momentum: 0.9 }), () => sgdReference(0.9, false), 0.1);
  });

  it('nesterov: first steps match the float64 reference with every option', () => {
    checkAgainstReference((o) => new SGD({ ...o, momentum: 0.8, nesterov: true }), () => sgdReference(0.8, true), 0.1);
  });

  it('rejects momentum outside [0, 1]', () => {
    expect(() => new SGD({ momentum: 1.5 })).toThrow(/SGD: momentum must be a number in \[0, 1\], got 1.5/);
    expect(() => new SGD({ momentum: -0.1 })).toThrow(/momentum.*-0.1/);
  });
});
