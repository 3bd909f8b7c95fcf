/** The custom training loop of the README, run as written: it must recover the true weights. */
import { variable, variableGrads } from '@descent/autograd';
import { randomNormal, randomUniform, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, CosineDecay, get } from './index.js';

describe('README training loop', () => {
  it('fits a small linear regression', () => {
    // Data: y = 3·x₁ − 2·x₂ + 0.5 + noise.
    const x = randomUniform([256, 2], -1, 1, 'float32', 1);
    const y = x.matMul(tensor([[3], [-2]])).add(0.5).add(randomNormal([256, 1], 0, 0.05, 'float32', 2));

    const w = variable(randomNormal([2, 1], 0, 0.1, 'float32', 3), { name: 'w' });
    const b = variable(tensor([0]), { name: 'b' });
    const optimizer = new Adam({ learningRate: new CosineDecay(0.1, 300), clipnorm: 1 });

    let first = 0;
    let last = 0;
    for (let step = 0; step < 300; step++) {
      const loss = optimizer.minimize(() => x.matMul(w).add(b).sub(y).square().mean());
      if (step === 0) first = loss.item();
      last = loss.item();
    }
    expect(last).toBeLessThan(first / 100);
    const [w1, w2] = Array.from(w.dataSync());
    expect(w1).toBeCloseTo(3, 1);
    expect(w2).toBeCloseTo(-2, 1);
    expect(b.item()).toBeCloseTo(0.5, 1);
  });

  it('the same loop with explicit gradients and an optimizer by name', () => {
    const x = randomUniform([64, 1], -1, 1, 'float32', 4);
    const y = x.mul(2).sub(1);
    const w = variable(tensor([[0]]), { name: 'w' });
    const b = variable(tensor([0]), { name: 'b' });
    const optimizer = get({ className: 'momentum', config: { learningRate: 0.1 } });
    for (let step = 0; step < 200; step++) {
      const { grads } = variableGrads(() => x.matMul(w).add(b).sub(y).square().mean());
      optimizer.applyGradients(grads);
    }
    expect(w.item()).toBeCloseTo(2, 3);
    expect(b.item()).toBeCloseTo(-1, 3);
  });
});
