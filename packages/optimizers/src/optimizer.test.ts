import { variable } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { PiecewiseConstantDecay } from './schedules.js';
import { SGD } from './sgd.js';
import { expectClose } from './test-utils/reference.js';

const g = (values: number[]) => tensor(values);

describe('Optimizer base', () => {
  it('skips null gradients and counts iterations', () => {
    const a = variable([1, 2], { name: 'a' });
    const b = variable([3], { name: 'b' });
    const opt = new SGD({ learningRate: 0.5 });
    expect(opt.iterations).toBe(0);
    opt.applyGradients([
      [g([1, 1]), a],
      [null, b],
    ]);
    expectClose(a.dataSync(), [0.5, 1.5], 'a');
    expectClose(b.dataSync(), [3], 'b');
    expect(opt.iterations).toBe(1);
    opt.applyGradients(new Map([[b, g([2])]]));
    expectClose(b.dataSync(), [2], 'b after the map form');
    expect(opt.iterations).toBe(2);
  });

  it('rejects all-null gradients, mismatched shapes, non-variables and duplicates', () => {
    const a = variable([1, 2], { name: 'a' });
    const opt = new SGD();
    expect(() => opt.applyGradients([[null, a]])).toThrow(/SGD\.applyGradients: no gradients provided for any variable \(all 1 are null\)/);
    expect(() => opt.applyGradients([[g([1, 2, 3]), a]])).toThrow(/the gradient of variable 'a' has shape \[3\], expected \[2\]/);
    expect(() => opt.applyGradients([[g([1, 2]), tensor([1, 2]) as never]])).toThrow(/expected a Variable/);
    expect(() =>
      opt.applyGradients([
        [g([1, 2]), a],
        [g([1, 2]), a],
      ]),
    ).toThrow(/variable 'a' appears more than once/);
    expect(() => opt.applyGradients([])).toThrow(/no variables given/);
    expect(opt.iterations).toBe(0);
  });

  it('minimize: gradients of the loss, applied; returns the loss', () => {
    // loss = Σ (w − 3)², gradient 2(w − 3) = [−4, −2] at w = [1, 2]; with η = 0.25: w = [2, 2.5].
    const w = variable([1, 2], { name: 'w' });
    const frozen = variable([5], { name: 'frozen', trainable: false });
    const opt = new SGD({ learningRate: 0.25 });
    const loss = opt.minimize(() => w.sub(3).square().sum().add(frozen.sum()));
    expect(loss.item()).toBeCloseTo(4 + 1 + 5, 5);
    expectClose(w.dataSync(), [2, 2.5], 'w');
    expectClose(frozen.dataSync(), [5], 'non-trainable variable untouched');
    // With an explicit list, only those variables move.
    const v = variable([0], { name: 'v' });
    opt.minimize(() => w.sum().add(v.sum()), [v]);
    expectClose(w.dataSync(), [2, 2.5], 'w not listed');
    expectClose(v.dataSync(), [-0.25], 'v');
    expect(() => opt.minimize(() => frozen.sum())).toThrow(/SGD\.minimize: the loss uses no trainable variable/);
  });

  it('learningRate: readable, settable mid-training, a schedule or a function', () => {
    const w = variable([0], { name: 'w' });
    const opt = new SGD({ learningRate: 0.1 });
    opt.applyGradients([[g([1]), w]]);
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBe(0.5);
    opt.applyGradients([[g([1]), w]]);
    expectClose(w.dataSync(), [-0.6], 'after 0.1 then 0.5');
    // A schedule is evaluated at `iterations` (0 on the first update): 1, 1, 0.5.
    const s = new SGD({ learningRate: new PiecewiseConstantDecay([1], [1, 0.5]) });
    const u = variable([0], { name: 'u' });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(s.currentLearningRate());
      s.applyGradients([[g([1]), u]]);
    }
    expect(seen).toEqual([1, 1, 0.5]);
    expectClose(u.dataSync(), [-2.5], 'u');
    let lr = 0.2;
    const f = new SGD({ learningRate: () => lr });
    const x = variable([0], { name: 'x' });
    f.applyGradients([[g([1]), x]]);
    lr = 0.3;
    f.applyGradients([[g([1]), x]]);
    expectClose(x.dataSync(), [-0.5], 'x');
    expect(() => (opt.learningRate = -1)).toThrow(/SGD: learningRate must be a number in \[0, ∞\), got -1/);
    const bad = new SGD({ learningRate: () => Number.NaN });
    expect(() => bad.applyGradients([[g([1]), x]])).toThrow(/learning rate at step 0 must be a finite number >= 0, got NaN/);
  });

  it('weight decay skips excluded variables (by variable, name substring or RegExp)', () => {
    const kernel = variable([1, 1], { name: 'dense/kernel' });
    const bias = variable([1, 1], { name: 'dense/bias' });
    const gamma = variable([1], { name: 'bn/gamma' });
    const opt = new SGD({ learningRate: 0.1, weightDecay: 0.5 });
    opt.excludeFromWeightDecay({ varNames: ['bias', /gamma$/] });
    const zero = () => g([0, 0]);
    opt.applyGradients([
      [zero(), kernel],
      [zero(), bias],
      [g([0]), gamma],
    ]);
    expectClose(kernel.dataSync(), [0.95, 0.95], 'kernel decays by wd·η');
    expectClose(bias.dataSync(), [1, 1], 'bias excluded');
    expectClose(gamma.dataSync(), [1], 'gamma excluded');
    const other = new SGD({ learningRate: 0.1, weightDecay: 0.5 });
    other.excludeFromWeightDecay({ variables: [kernel] });
    other.applyGradients([[zero(), kernel]]);
    expectClose(kernel.dataSync(), [0.95, 0.95], 'kernel excluded by reference');
  });

  it('applies variable constraints after the update', () => {
    const w = variable([0.5, -0.5], { name: 'w', constraint: (t) => t.clipByValue(0, Infinity) });
    new SGD({ learningRate: 1 }).applyGradients([[g([1, 1]), w]]);
    expectClose(w.dataSync(), [0, 0], 'w');
  });

  it('gradient accumulation: N − 1 calls only accumulate, the N-th applies the mean', () => {
    const w = variable([0], { name: 'w' });
    const opt = new SGD({ learningRate: 1, gradientAccumulationSteps: 3 });
    opt.applyGradients([[g([1]), w]]);
    opt.applyGradients([[g([2]), w]]);
    expectClose(w.dataSync(), [0], 'no change yet');
    expect(opt.iterations).toBe(2);
    opt.applyGradients([[g([6]), w]]);
    expectClose(w.dataSync(), [-3], 'mean of 1, 2, 6');
    opt.applyGradients([[g([3]), w]]);
    opt.applyGradients([[g([3]), w]]);
    opt.applyGradients([[g([3]), w]]);
    expectClose(w.dataSync(), [-6], 'the accumulator was reset');
  });

  it('EMA: averages, overwrite frequency, finalizeVariableValues', () => {
    // SGD η = 1, g = 1: w = −1, −2, −3; avg = −1 (first step copies), 0.5·(−1) + 0.5·(−2) = −1.5, −2.25.
    const w = variable([0], { name: 'w' });
    const opt = new SGD({ learningRate: 1, useEma: true, emaMomentum: 0.5 });
    for (let i = 0; i < 3; i++) opt.applyGradients([[g([1]), w]]);
    expectClose(w.dataSync(), [-3], 'w keeps the raw value');
    opt.finalizeVariableValues([w]);
    expectClose(w.dataSync(), [-2.25], 'w takes the average');
    // Overwrite every 2 steps: step 2 sets w = avg = −1.5, step 3 w = −2.5, avg = −2.
    const u = variable([0], { name: 'u' });
    const o2 = new SGD({ learningRate: 1, useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2 });
    o2.applyGradients([[g([1]), u]]);
    o2.applyGradients([[g([1]), u]]);
    expectClose(u.dataSync(), [-1.5], 'overwritten at step 2');
    o2.applyGradients([[g([1]), u]]);
    expectClose(u.dataSync(), [-2.5], 'step 3');
    o2.finalizeVariableValues();
    expectClose(u.dataSync(), [-2], 'finalized');
    // Without useEma, finalize changes nothing.
    const x = variable([1], { name: 'x' });
    const plain = new SGD({ learningRate: 1 });
    plain.applyGradients([[g([1]), x]]);
    plain.finalizeVariableValues([x]);
    expectClose(x.dataSync(), [0], 'x');
  });

  it('clipping: per tensor norm, global norm, value', () => {
    const a = variable([0, 0], { name: 'a' });
    const b = variable([0], { name: 'b' });
    // ‖[3, 4]‖ = 5 → scaled to norm 1: [0.6, 0.8]; [0.5] is under the norm and unchanged.
    new SGD({ learningRate: 1, clipnorm: 1 }).applyGradients([
      [g([3, 4]), a],
      [g([0.5]), b],
    ]);
    expectClose(a.dataSync(), [-0.6, -0.8], 'clipnorm a');
    expectClose(b.dataSync(), [-0.5], 'clipnorm b');
    // Global norm of [3, 4] and [12] is 13 → scale 6.5/13 = 0.5.
    const c = variable([0, 0], { name: 'c' });
    const d = variable([0], { name: 'd' });
    new SGD({ learningRate: 1, globalClipnorm: 6.5 }).applyGradients([
      [g([3, 4]), c],
      [g([12]), d],
    ]);
    expectClose(c.dataSync(), [-1.5, -2], 'global c');
    expectClose(d.dataSync(), [-6], 'global d');
    const e = variable([0, 0, 0], { name: 'e' });
    new SGD({ learningRate: 1, clipvalue: 0.5 }).applyGradients([[g([3, -0.2, -4]), e]]);
    expectClose(e.dataSync(), [-0.5, 0.2, 0.5], 'clipvalue');
  });

  it('validates the base options, naming the option and the value', () => {
    expect(() => new Adam({ learningRate: -0.1 })).toThrow(/Adam: learningRate must be a number in \[0, ∞\), got -0.1/);
    expect(() => new Adam({ clipnorm: 1, clipvalue: 0.5 })).toThrow(/Adam: only one of clipnorm, clipvalue and globalClipnorm can be set, got clipnorm 1 and clipvalue 0.5/);
    expect(() => new Adam({ clipnorm: 0 })).toThrow(/Adam: clipnorm must be a number in \(0, ∞\), got 0/);
    expect(() => new Adam({ gradientAccumulationSteps: 1 })).toThrow(/Adam: gradientAccumulationSteps must be an integer in \[2, ∞\), got 1/);
    expect(() => new Adam({ gradientAccumulationSteps: 2.5 })).toThrow(/gradientAccumulationSteps must be an integer, got 2.5/);
    expect(() => new Adam({ emaMomentum: 1.5 })).toThrow(/Adam: emaMomentum must be a number in \[0, 1\], got 1.5/);
    expect(() => new Adam({ emaOverwriteFrequency: 0 })).toThrow(/emaOverwriteFrequency .*got 0/);
    expect(() => new Adam({ weightDecay: -1 })).toThrow(/Adam: weightDecay .*got -1/);
    expect(() => new Adam({ learningRate: '0.1' as never })).toThrow(/Adam: learningRate must be a number, got "0.1"/);
    expect(() => new Adam({ useEma: 'yes' as never })).toThrow(/Adam: useEma must be true or false, got "yes"/);
    expect(() => new Adam({ learning_rate: 0.1 } as never)).toThrow(/Adam: unknown option 'learning_rate'\. Did you mean 'learningRate'\?/);
  });
});

describe('a user-defined optimizer', () => {
  it('supplies only its rule and options; the base adds everything else', async () => {
    const { Optimizer } = await import('./optimizer.js');
    const { get, register } = await import('./registry.js');
    const { mul, sign, sub } = await import('@descent/tensor');
    // signSGD: w −= η·sign(g).
    class SignSGD extends Optimizer {
      constructor(options: Record<string, unknown> = {}) {
        super('SignSGD', options, [], { learningRate: 0.1, name: 'signsgd' }, {
          initSlots: () => ({}),
          update: (w, grad, _slots, { learningRate }) => sub(w, mul(sign(grad), learningRate)),
        });
      }
    }
    register('signSgd', (o) => new SignSGD(o));
    const w = variable([1, 1], { name: 'w' });
    const opt = get({ className: 'sign_sgd', config: { weightDecay: 0.5, learningRate: 0.2 } });
    opt.applyGradients([[g([-3, 0.01]), w]]);
    // Decay: 1 − 1·0.5·0.2 = 0.9, then ∓0.2.
    expectClose(w.dataSync(), [1.1, 0.7], 'w');
    expect(opt.getConfig()).toMatchObject({ name: 'signsgd', learningRate: 0.2, weightDecay: 0.5 });
    expect(() => new SignSGD({ beta1: 0.9 })).toThrow(/SignSGD: unknown option 'beta1'/);
  });
});
