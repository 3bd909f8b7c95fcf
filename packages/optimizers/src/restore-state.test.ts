import { variable } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { tensor, zeros } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import type { NamedTensor, Optimizer } from './optimizer.js';
import { SGD } from './sgd.js';
import { fromTfjsOptimizerConfig, fromTfjsOptimizerState, isTfjsOptimizerState } from './tfjs.js';

// Issue 13: optimizer state that is incomplete or of the wrong shape fails when restored
// (restoreState), not silently or at the first update; TF.js state and configs are mapped.

const C = tensor([
  [1, 2, -1],
  [0.5, -1, 3],
]);

function makeVars(): [Variable, Variable] {
  return [variable(tensor([0.5, -1.2, 0.8, 1.5, -0.3, 0.9], [2, 3]), { name: 'dense/kernel' }), variable(tensor([0.1, -0.7, 2.0], [3]), { name: 'dense/bias' })];
}

function train(opt: Optimizer, [w, b]: [Variable, Variable], steps: number): void {
  for (let i = 0; i < steps; i++) opt.minimize(() => w.mul(C).square().sum().add(b.square().sum()));
}

describe('Optimizer.restoreState', () => {
  it('a missing slot fails, naming it and its shape (setWeights would restart it silently)', () => {
    const vars = makeVars();
    const a = new SGD({ momentum: 0.9 });
    train(a, vars, 2);
    const saved = a.getWeights().filter((w) => w.name !== 'dense/kernel/momentum');
    expect(() => new SGD({ momentum: 0.9 }).restoreState(saved, makeVars())).toThrow(
      /SGD\.restoreState: the saved optimizer state is incomplete: it has no 'dense\/kernel\/momentum' \[2,3\]/,
    );
  });

  it('a slot of the wrong shape fails at once, expected vs given (setWeights kept it until the first update)', () => {
    const vars = makeVars();
    const a = new Adam();
    train(a, vars, 1);
    const saved: NamedTensor[] = a.getWeights().map((w) => (w.name === 'dense/kernel/velocity' ? { name: w.name, tensor: zeros([3, 2]) } : w));
    const b = new Adam();
    expect(() => b.restoreState(saved, makeVars())).toThrow(
      /Adam\.restoreState: state 'dense\/kernel\/velocity' must have shape \[2,3\] \(that of variable 'dense\/kernel'\), but the saved state has \[3,2\]/,
    );
    expect(b.iterations).toBe(0);
    // A slot this optimizer does not have, and a name that is no state at all, fail before anything is restored.
    const extra = [...a.getWeights(), { name: 'dense/kernel/bogus', tensor: zeros([2, 3]) }];
    expect(() => b.restoreState(extra, makeVars())).toThrow(/variable 'dense\/kernel' has no state 'bogus' in this optimizer \(it has: momentum, velocity\)/);
    expect(() => b.restoreState([...a.getWeights(), { name: 'bogus', tensor: zeros([]) }], makeVars())).toThrow(/unknown state 'bogus'/);
    expect(b.iterations).toBe(0);
  });

  it('complete state restores and continues bit for bit; untrained state needs no slots', () => {
    const va = makeVars();
    const a = new Adam({ learningRate: 0.1 });
    train(a, va, 2);
    const vb = makeVars();
    vb[0].assign(va[0]);
    vb[1].assign(va[1]);
    const b = new Adam({ learningRate: 0.1 });
    b.restoreState(a.getWeights(), vb);
    expect(b.iterations).toBe(2);
    train(a, va, 1);
    train(b, vb, 1);
    expect(Array.from(vb[0].dataSync())).toEqual(Array.from(va[0].dataSync()));

    const fresh = new Adam();
    fresh.restoreState([{ name: 'iterations', tensor: tensor(0, [], 'int32') }], makeVars());
    expect(fresh.iterations).toBe(0);
  });
});

describe('TF.js optimizer configs and state', () => {
  it('maps TF.js class names and options', () => {
    expect(fromTfjsOptimizerConfig('Momentum', { learningRate: 0.1, momentum: 0.9, useNesterov: true })).toEqual({
      className: 'SGD',
      config: { learningRate: 0.1, momentum: 0.9, nesterov: true },
    });
    expect(fromTfjsOptimizerConfig('RMSProp', { learningRate: 0.001, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false })).toEqual({
      className: 'RMSprop',
      config: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    });
    // Keras 2's RMSprop has rho, and 'decay' there is something else: left alone.
    expect(fromTfjsOptimizerConfig('RMSprop', { rho: 0.9, decay: 0.01 })).toEqual({ className: 'RMSprop', config: { rho: 0.9, decay: 0.01 } });
    expect(fromTfjsOptimizerConfig('Adamax', { learningRate: 0.002, beta1: 0.9, decay: 0 }).config).toEqual({ learningRate: 0.002, beta1: 0.9 });
    expect(fromTfjsOptimizerConfig('Adamax', { learningRate: 0.002, decay: 0.5 }).config.learningRate).toEqual({
      className: 'InverseTimeDecay',
      config: expect.objectContaining({ initialLearningRate: 0.002, decaySteps: 1, decayRate: 0.5 }),
    });
  });

  it("converts TF.js momentum state (a = μa + g) to Keras's (v = −η·a); skips state whose math differs", () => {
    const state: NamedTensor[] = [
      { name: 'iter', tensor: tensor(3, [], 'int32') },
      { name: 'd/kernel/momentum', tensor: tensor([1, -2]) },
    ];
    expect(isTfjsOptimizerState(state)).toBe(true);
    const out = fromTfjsOptimizerState('Momentum', { learningRate: 0.5, momentum: 0.9 }, state);
    expect(out.weights!.map((w) => w.name)).toEqual(['iterations', 'd/kernel/momentum']);
    expect(Array.from(out.weights![1]!.tensor.dataSync())).toEqual([-0.5, 1]);
    expect(fromTfjsOptimizerState('Adam', {}, state).skipped).toMatch(/adds epsilon after the bias correction/);
    expect(fromTfjsOptimizerState('SGD', {}, state).skipped).toMatch(/state 'd\/kernel\/momentum' has no Descent equivalent/);
    expect(fromTfjsOptimizerState('RMSProp', { momentum: 0 }, [{ name: 'iter', tensor: tensor(1, [], 'int32') }, { name: 'd/k/rms', tensor: tensor([1]) }, { name: 'd/k/momentum', tensor: tensor([2]) }]).weights!.map((w) => w.name)).toEqual(['iterations', 'd/k/velocity']);
  });
});
