import { variable } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import type { NamedTensor, Optimizer } from './optimizer.js';
import { get, list } from './registry.js';

const W0 = [0.5, -1.2, 0.8, 1.5, -0.3, 0.9];
const B0 = [0.1, -0.7, 2.0];
const C = tensor([
  [1, 2, -1],
  [0.5, -1, 3],
]);
const D = tensor([[0.3, -0.2, 0.1]]);

function makeVars(w = W0, b = B0): [Variable, Variable] {
  return [variable(tensor(w, [2, 3]), { name: 'dense/kernel' }), variable(tensor(b, [3]), { name: 'dense/bias' })];
}

function train(opt: Optimizer, [w, b]: [Variable, Variable], steps: number): void {
  for (let i = 0; i < steps; i++) opt.minimize(() => w.mul(C).sub(D).square().sum().add(b.square().mul(0.5).sum()).add(w.sum().mul(b.sum())));
}

/** What a file round trip does: values copied out to plain arrays and back. */
function copyOut(ts: readonly NamedTensor[]): NamedTensor[] {
  return ts.map(({ name, tensor: t }) => ({ name, tensor: tensor(Array.from(t.dataSync()), [...t.shape], t.dtype) }));
}

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

const CASES: { label: string; config: Record<string, unknown> }[] = [
  { label: 'defaults, larger rate', config: { learningRate: 0.05 } },
  {
    label: 'schedule, EMA, accumulation, clipping, weight decay',
    config: {
      learningRate: { className: 'ExponentialDecay', config: { initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.7 } },
      useEma: true,
      emaMomentum: 0.8,
      emaOverwriteFrequency: 3,
      gradientAccumulationSteps: 2,
      globalClipnorm: 2,
      weightDecay: 0.01,
    },
  },
];

describe('state save → restore → continue', () => {
  for (const c of CASES) {
    it(`equals an uninterrupted run bit for bit for every optimizer (${c.label})`, () => {
      for (const name of list()) {
        const straight = makeVars();
        train(get({ className: name, config: c.config }), straight, 9);

        const first = makeVars();
        const opt1 = get({ className: name, config: c.config });
        train(opt1, first, 5);
        const savedState = copyOut(opt1.getWeights());
        const savedConfig = JSON.parse(JSON.stringify(opt1.getConfig())) as Record<string, unknown>;
        const resumed = makeVars(Array.from(first[0].dataSync()), Array.from(first[1].dataSync()));
        const opt2 = get({ className: opt1.className, config: savedConfig });
        opt2.setWeights(savedState);
        expect(opt2.iterations, name).toBe(5);
        train(opt2, resumed, 4);

        expect(bits(resumed[0]), `${name} kernel`).toEqual(bits(straight[0]));
        expect(bits(resumed[1]), `${name} bias`).toEqual(bits(straight[1]));
        // And the runs really moved the variables.
        expect(Array.from(straight[1].dataSync())).not.toEqual(B0.map(Math.fround));
      }
    });
  }

  it('names the state by variable, and restores into an optimizer that already built it', () => {
    const vars = makeVars();
    const opt = new Adam({ amsgrad: true, learningRate: 0.1 });
    train(opt, vars, 2);
    expect(opt.getWeights().map((w) => w.name)).toEqual([
      'iterations',
      'dense/kernel/momentum',
      'dense/kernel/velocity',
      'dense/kernel/velocityHat',
      'dense/bias/momentum',
      'dense/bias/velocity',
      'dense/bias/velocityHat',
    ]);
    const saved = copyOut(opt.getWeights());
    const savedValues = vars.map((v) => Array.from(v.dataSync()));
    train(opt, vars, 3);
    const after = vars.map((v) => Array.from(v.dataSync()));
    // Rewind the same optimizer and the same variables, and replay.
    opt.setWeights(saved);
    vars.forEach((v, i) => v.assign(tensor(savedValues[i]!, [...v.shape])));
    train(opt, vars, 3);
    expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(after);
  });

  it('rejects state that does not fit', () => {
    const vars = makeVars();
    const opt = new Adam();
    train(opt, vars, 1);
    expect(() => opt.setWeights([{ name: 'dense/bias/momentum', tensor: tensor([1, 2]) }])).toThrow(
      /Adam\.setWeights: state 'dense\/bias\/momentum' has shape \[3\] \(that of variable 'dense\/bias'\), got \[2\]/,
    );
    expect(() => opt.setWeights([{ name: 'dense/bias/accumulator', tensor: tensor([1, 2, 3]) }])).toThrow(
      /variable 'dense\/bias' has no state 'accumulator' in this optimizer \(it has: momentum, velocity\)/,
    );
    expect(() => opt.setWeights([{ name: 'iterations', tensor: tensor(-1) }])).toThrow(/iterations must be a non-negative integer, got -1/);
    expect(() => opt.setWeights([{ name: 'bogus', tensor: tensor(1) }])).toThrow(/unknown state 'bogus'/);
  });

  it('refuses to save state of two variables sharing a name', () => {
    const a = variable([1], { name: 'same' });
    const b = variable([2], { name: 'same' });
    const opt = new Adam();
    opt.applyGradients([
      [tensor([1]), a],
      [tensor([1]), b],
    ]);
    expect(() => opt.getWeights()).toThrow(/two variables share the name 'same'/);
  });
});
