/**
 * Every optimizer, with hyperparameters a user might pick, drives a convex quadratic (through
 * `minimize` and autograd) and the 2-D Rosenbrock function (analytic gradients through
 * `applyGradients`) toward their minimum. The assertions are loss ratios, not exact values.
 */
import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { OptimizerIdentifier } from './registry.js';
import { get } from './registry.js';

const cfg = (className: string, config: Record<string, unknown>): OptimizerIdentifier => ({ className, config });

// f(w) = Σ aᵢ (wᵢ − cᵢ)², condition number 10, minimum 0 at c.
const A = tensor([1, 4, 10]);
const C = tensor([1, -2, 3]);

const QUADRATIC: [string, OptimizerIdentifier][] = [
  ['sgd', cfg('sgd', { learningRate: 0.04 })],
  ['momentum', cfg('momentum', { learningRate: 0.01 })],
  ['adagrad', cfg('adagrad', { learningRate: 0.5 })],
  ['rmsprop', cfg('rmsprop', { learningRate: 0.05 })],
  ['adam', cfg('adam', { learningRate: 0.1 })],
  ['adamw', cfg('adamw', { learningRate: 0.1, weightDecay: 1e-3 })],
  ['adadelta', cfg('adadelta', { learningRate: 1, rho: 0.9, epsilon: 1e-4 })],
  ['adamax', cfg('adamax', { learningRate: 0.1 })],
  ['nadam', cfg('nadam', { learningRate: 0.1 })],
  // Lion moves every coordinate by exactly ±η, so it needs a decaying rate to settle, and a
  // shorter momentum (β2) than its default for a 200-step run.
  ['lion', cfg('lion', { learningRate: { className: 'CosineDecay', config: { initialLearningRate: 0.04, decaySteps: 200 } }, beta2: 0.9 })],
  ['ftrl', cfg('ftrl', { learningRate: 0.5 })],
  ['adafactor', cfg('adafactor', { learningRate: 1 })],
];

const ROSENBROCK: [string, OptimizerIdentifier, number][] = [
  ['sgd', cfg('sgd', { learningRate: 0.002 }), 0.01],
  ['momentum', cfg('momentum', { learningRate: 0.0005 }), 0.01],
  ['adagrad', cfg('adagrad', { learningRate: 1 }), 0.01],
  ['rmsprop', cfg('rmsprop', { learningRate: 0.01 }), 0.01],
  ['adam', cfg('adam', { learningRate: 0.05 }), 0.01],
  ['adamw', cfg('adamw', { learningRate: 0.05, weightDecay: 1e-4 }), 0.01],
  // Adadelta's steps grow from sqrt(ε) and it is famously slow along the curved valley.
  ['adadelta', cfg('adadelta', { learningRate: 1, rho: 0.95, epsilon: 1e-4 }), 0.1],
  ['adamax', cfg('adamax', { learningRate: 0.2 }), 0.01],
  ['nadam', cfg('nadam', { learningRate: 0.05 }), 0.01],
  ['lion', cfg('lion', { learningRate: 0.003 }), 0.01],
  ['ftrl', cfg('ftrl', { learningRate: 1 }), 0.01],
  ['adafactor', cfg('adafactor', { learningRate: 1 }), 0.01],
];

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

describe('convergence', () => {
  it.each(QUADRATIC)('%s minimizes a convex quadratic (200 steps, loss ratio < 1e-4)', (_name, id) => {
    const w = variable([0, 0, 0], { name: 'w' });
    const opt = get(id);
    const loss = () => w.sub(C).square().mul(A).sum();
    const initial = loss().item();
    for (let i = 0; i < 200; i++) opt.minimize(loss);
    expect(loss().item() / initial).toBeLessThan(1e-4);
  });

  it.each(ROSENBROCK)('%s descends the Rosenbrock valley (1000 steps from (−1.2, 1))', (_name, id, ratio) => {
    const p = variable([-1.2, 1], { name: 'p' });
    const opt = get(id);
    let [x, y] = [-1.2, 1];
    const initial = rosenbrock(x, y);
    for (let i = 0; i < 1000; i++) {
      opt.applyGradients([[tensor([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]), p]]);
      [x, y] = Array.from(p.dataSync()) as [number, number];
    }
    expect(rosenbrock(x, y) / initial).toBeLessThan(ratio);
    // Closer to the minimum at (1, 1) than the start was (distance 2.2).
    expect(Math.hypot(x - 1, y - 1)).toBeLessThan(0.6 * 2.2);
  });
});
