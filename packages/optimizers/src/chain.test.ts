import { variable } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { setKernelHook, sign, tensor } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { float32Bits } from '@descent/test-utils';
import { scaleByAdam } from './adam.js';
import { AdamW } from './adamw.js';
import { ChainOptimizer, fromTransforms } from './chain-optimizer.js';
import { toSnakeCaseConfig } from './config.js';
import type { Optimizer } from './optimizer.js';
import { get } from './registry.js';
import { scaleBySGD } from './sgd.js';
import { ExponentialDecay } from './schedules.js';
import { chain, perVariable } from './transform.js';
import { accumulateGradients, addDecayedWeights, clipByGlobalNorm, clipValues, exponentialMovingAverage } from './transforms.js';
import { Adam } from './adam.js';

const C = tensor([
  [1, 2, -1],
  [0.5, -1, 3],
]);

function makeVars(): [Variable, Variable] {
  return [
    variable(tensor([0.5, -1.2, 0.8, 1.5, -0.3, 0.9], [2, 3]), { name: 'dense/kernel' }),
    variable(tensor([0.1, -0.7, 2.0], [3]), { name: 'dense/bias' }),
  ];
}

function train(opt: Optimizer, [w, b]: Variable[], steps: number): void {
  for (let i = 0; i < steps; i++) opt.minimize(() => w!.mul(C).square().sum().add(b!.square().mul(3).sum()).add(w!.sum().mul(b!.sum())));
}

const bits = (t: Tensor): number[] => Array.from(float32Bits(t));

/** Every variable and state value, as float32 bit patterns, with the state names. */
function snapshot(opt: Optimizer, vars: Variable[]): { vars: number[][]; state: [string, number[]][] } {
  return { vars: vars.map(bits), state: opt.getWeights().map((e) => [e.name, bits(e.tensor)]) };
}

describe('built-in optimizers are chains of transforms', () => {
  it('a chain of clipByGlobalNorm, addDecayedWeights and scaleByAdam equals AdamW with globalClipnorm, bit for bit', () => {
    const lr = new ExponentialDecay(0.05, 2, 0.8);
    const builtin = new AdamW({ learningRate: lr, weightDecay: 0.02, globalClipnorm: 0.5, beta1: 0.8 });
    const chained = new ChainOptimizer(chain(clipByGlobalNorm(0.5), addDecayedWeights(0.02), scaleByAdam({ beta1: 0.8 })), { learningRate: lr });
    const a = makeVars();
    const b = makeVars();
    train(builtin, a, 6);
    train(chained, b, 6);
    expect(snapshot(chained, b)).toEqual(snapshot(builtin, a));
    // It moved: not a comparison of two untouched copies.
    expect(bits(b[0])).not.toEqual(bits(makeVars()[0]));
  });

  it('accumulation and moving average as transforms equal the base options, finalizeVariableValues included', () => {
    const builtin = new Adam({ learningRate: 0.1, gradientAccumulationSteps: 2, useEma: true, emaMomentum: 0.7, emaOverwriteFrequency: 3 });
    const chained = new ChainOptimizer(
      chain(accumulateGradients(2), scaleByAdam(), exponentialMovingAverage({ momentum: 0.7, overwriteFrequency: 3 })),
      { learningRate: 0.1 },
    );
    const a = makeVars();
    const b = makeVars();
    train(builtin, a, 7);
    train(chained, b, 7);
    expect(snapshot(chained, b)).toEqual(snapshot(builtin, a));
    expect(chained.getWeights().map((e) => e.name)).toContain('dense/kernel/accumulatedGradient');
    builtin.finalizeVariableValues();
    chained.finalizeVariableValues();
    expect(b.map(bits)).toEqual(a.map(bits));
  });

  it('Adam assembled from its transform runs the same kernels as a chain holding only scaleByAdam (the fused path)', () => {
    const count = (opt: Optimizer): number => {
      let kernels = 0;
      const vars = makeVars();
      const grads = vars.map((v) => tensor(Array.from({ length: v.size }, (_, i) => i - 1.5), v.shape));
      const prev = setKernelHook((r) => {
        kernels++;
        prev?.(r);
      });
      try {
        opt.applyGradients(vars.map((v, i) => [grads[i]!, v] as const));
      } finally {
        setKernelHook(prev);
      }
      return kernels;
    };
    expect(count(new ChainOptimizer(scaleByAdam()))).toBe(count(new Adam()));
  });
});

describe('transforms by hand', () => {
  it('clipValues then scaleBySGD: w − η·clip(g, −c, c)', () => {
    const w = variable(tensor([1, 2, 3]), { name: 'w' });
    const opt = new ChainOptimizer(chain(clipValues(0.5), scaleBySGD()), { learningRate: 0.1 });
    opt.applyGradients([[tensor([2, -0.25, -4]), w]]);
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo([1 - 0.05, 2 + 0.025, 3 + 0.05][i]!, 6));
  });

  it('a user transform: sign descent with a step counter as shared state', () => {
    const signDescent = perVariable('signDescent', {}, (g, param, _s, _v, ctx) => ({ param: param.sub(sign(g).mul(ctx.learningRate)) }));
    const counter = {
      name: 'counter',
      initGlobals: () => ({ seen: 0 }),
      update: (step: Parameters<typeof signDescent.update>[0], states: Parameters<typeof signDescent.update>[1], ctx: Parameters<typeof signDescent.update>[2]) => {
        ctx.globals.seen! += step.variables.length;
        return { step, states };
      },
    };
    const w = variable(tensor([1, -1, 0.5]), { name: 'w' });
    const opt = new ChainOptimizer(chain(counter, signDescent), { learningRate: 0.25 });
    opt.applyGradients([[tensor([3, -0.1, 0]), w]]);
    opt.applyGradients([[tensor([3, -0.1, 0]), w]]);
    expect(Array.from(w.dataSync())).toEqual([0.5, -0.5, 0.5]);
    expect(opt.getWeights().map((e) => [e.name, e.tensor.item()])).toEqual([
      ['iterations', 2],
      ['seen', 2],
    ]);
  });

  it('names the problem on bad input', () => {
    expect(() => chain()).toThrow(/chain: expected at least one gradient transform, got none/);
    expect(() => chain(scaleByAdam(), 3 as never)).toThrow(/chain: argument 1 must be a gradient transform/);
    const twice = new ChainOptimizer(chain(scaleByAdam(), scaleByAdam()));
    expect(() => twice.applyGradients([[tensor([1]), variable(tensor([1]), { name: 'x' })]])).toThrow(
      /chain: transforms 'scaleByAdam' and 'scaleByAdam' both keep a slot named 'momentum'/,
    );
    expect(() => scaleByAdam({ beta1: 1 })).toThrow(/scaleByAdam: beta1 must be a number in \[0, 1\), got 1/);
    expect(() => scaleByAdam({ lr: 1 } as never)).toThrow(/scaleByAdam: unknown option 'lr'/);
    expect(() => clipByGlobalNorm(0)).toThrow(/clipByGlobalNorm: clipnorm must be a number in \(0, ∞\), got 0/);
    expect(() => accumulateGradients(1)).toThrow(/accumulateGradients: steps must be an integer in \[2, ∞\), got 1/);
    expect(() => new ChainOptimizer({} as never)).toThrow(/ChainOptimizer: expected a gradient transform/);
    expect(() => ChainOptimizer.fromConfig()).toThrow(/define it with fromTransforms/);
    expect(() => fromTransforms('Bad', () => scaleByAdam(), { params: { clipnorm: 1 } })).toThrow(/parameter 'clipnorm' of 'Bad' has the name of an option every optimizer takes/);
  });
});

describe('fromTransforms: a user optimizer that saves and loads by name', () => {
  const ClippedAdamW = fromTransforms(
    'ClippedAdamW',
    (p) => chain(clipByGlobalNorm(p.clip), addDecayedWeights(p.decay), scaleByAdam({ beta1: p.beta1 })),
    { params: { clip: 1, decay: 1e-2, beta1: 0.9 }, learningRate: 0.05 },
  );

  it('getConfig holds its parameters; get() and fromConfig rebuild it from them (Keras snake_case too)', () => {
    const opt = ClippedAdamW({ clip: 0.5, learningRate: 0.01 });
    expect(opt.className).toBe('ClippedAdamW');
    expect(opt.getConfig()).toMatchObject({ name: 'ClippedAdamW', learningRate: 0.01, clip: 0.5, decay: 1e-2, beta1: 0.9 });
    const again = get({ class_name: 'ClippedAdamW', config: toSnakeCaseConfig(opt.getConfig()) });
    expect(again).toBeInstanceOf(ChainOptimizer);
    expect(again.getConfig()).toEqual(opt.getConfig());
    expect(ClippedAdamW.fromConfig(opt.getConfig()).getConfig()).toEqual(opt.getConfig());
    expect(get('clipped_adamw').getConfig()).toMatchObject({ learningRate: 0.05, clip: 1 });
    expect(() => ClippedAdamW({ clipp: 1 } as never)).toThrow(/ClippedAdamW: unknown option 'clipp'. Did you mean 'clip'\?/);
  });

  it('save → restore → continue equals an uninterrupted run bit for bit, with the state names of its transforms', () => {
    const straight = ClippedAdamW({ clip: 0.5 });
    const a = makeVars();
    train(straight, a, 6);
    const first = ClippedAdamW({ clip: 0.5 });
    const b = makeVars();
    train(first, b, 3);
    const saved = first.getWeights().map(({ name, tensor: t }) => ({ name, tensor: tensor(Array.from(t.dataSync()), [...t.shape], t.dtype) }));
    expect(saved.map((e) => e.name)).toEqual(['iterations', 'dense/kernel/momentum', 'dense/kernel/velocity', 'dense/bias/momentum', 'dense/bias/velocity']);
    const resumed = get({ className: first.className, config: first.getConfig() });
    resumed.setWeights(saved);
    train(resumed, b, 3);
    expect(snapshot(resumed, b)).toEqual(snapshot(straight, a));
  });
});
