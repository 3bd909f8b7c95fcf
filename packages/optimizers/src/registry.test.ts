import { describe, expect, it } from 'vitest';
import { Adadelta } from './adadelta.js';
import { Adafactor } from './adafactor.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Ftrl } from './ftrl.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import { get, getOptimizer, list, listOptimizers, register, registerOptimizer } from './registry.js';
import { RMSprop } from './rmsprop.js';
import { ExponentialDecay, deserializeSchedule, listSchedules, registerSchedule } from './schedules.js';
import { SGD } from './sgd.js';

describe('get / list / register', () => {
  it('builds every name with its defaults', () => {
    const expected: [string, new () => object, number][] = [
      ['sgd', SGD, 0.01],
      ['momentum', SGD, 0.01],
      ['adagrad', Adagrad, 0.001],
      ['rmsprop', RMSprop, 0.001],
      ['adam', Adam, 0.001],
      ['adamw', AdamW, 0.001],
      ['adadelta', Adadelta, 0.001],
      ['adamax', Adamax, 0.001],
      ['nadam', Nadam, 0.001],
      ['lion', Lion, 0.001],
      ['ftrl', Ftrl, 0.001],
      ['adafactor', Adafactor, 0.001],
    ];
    expect(list().slice(0, expected.length)).toEqual(expected.map((e) => e[0]));
    for (const [name, cls, lr] of expected) {
      const opt = get(name);
      expect(opt, name).toBeInstanceOf(cls);
      expect(opt.learningRate, name).toBe(lr);
    }
    expect((get('sgd') as SGD).momentum).toBe(0);
    expect((get('momentum') as SGD).momentum).toBe(0.9);
  });

  it('ignores case, underscores and dashes', () => {
    expect(get('Adam')).toBeInstanceOf(Adam);
    expect(get('RMSProp')).toBeInstanceOf(RMSprop);
    expect(get('rms_prop')).toBeInstanceOf(RMSprop);
    expect(get('Ada-Grad')).toBeInstanceOf(Adagrad);
    expect((get('MOMENTUM') as SGD).momentum).toBe(0.9);
  });

  it('accepts { className, config } in either spelling, and an instance', () => {
    const a = get({ className: 'Adam', config: { learningRate: 3e-4, beta1: 0.8 } }) as Adam;
    expect([a.learningRate, a.beta1]).toEqual([3e-4, 0.8]);
    const b = get({ class_name: 'Adam', config: { learning_rate: 0.01, beta_2: 0.99, use_ema: true } }) as Adam;
    expect([b.learningRate, b.beta2, b.useEma]).toEqual([0.01, 0.99, true]);
    const m = get({ className: 'momentum', config: { learningRate: 0.1 } }) as SGD;
    expect([m.momentum, m.learningRate]).toEqual([0.9, 0.1]);
    const s = get({ className: 'SGD', config: { learningRate: { className: 'ExponentialDecay', config: { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 } } } });
    expect(s.learningRate).toBeInstanceOf(ExponentialDecay);
    const instance = new Lion();
    expect(get(instance)).toBe(instance);
    expect(getOptimizer('adam')).toBeInstanceOf(Adam);
  });

  it('an unknown name lists every name and suggests the closest', () => {
    expect(() => get('adma')).toThrow(/Unknown optimizer 'adma'\. Did you mean 'adam'\? Valid names: sgd, momentum, adagrad, rmsprop, adam, adamw, adadelta, adamax, nadam, lion, ftrl, adafactor/);
    expect(() => get('rmsprp')).toThrow(/Did you mean 'rmsprop'\?/);
    expect(() => get({ className: 'Adamm' })).toThrow(/Unknown optimizer 'Adamm'/);
    expect(() => get(42 as unknown as string)).toThrow(/get: expected an optimizer name .*got number 42/);
  });

  it('a bad option in a config names the optimizer and the option', () => {
    expect(() => get({ className: 'Adam', config: { beta_1: 2 } })).toThrow(/Adam: beta1 must be a number in \[0, 1\), got 2/);
    expect(() => get({ className: 'Adam', config: { lr: 0.1 } })).toThrow(/Adam: unknown option 'lr'/);
  });

  it('users can register their own optimizer', () => {
    register('slowSgd', (o) => new SGD({ learningRate: 1e-4, ...o }));
    expect(list()).toContain('slowSgd');
    expect(get('slow_sgd').learningRate).toBe(1e-4);
    expect(get({ className: 'SlowSGD', config: { learningRate: 0.5 } }).learningRate).toBe(0.5);
    expect(() => register('', () => new SGD())).toThrow(/register: name must be a non-empty string/);
  });

  it('refuses a factory that is not a function; re-registering keeps the place in list()', () => {
    expect(() => register('broken', 5 as never)).toThrow(new Error("register: factory for 'broken' must be a function, got number"));
    expect(list()).not.toContain('broken');
    const before = list();
    register('ADAM', (o) => new Adam({ learningRate: 0.5, ...o }));
    expect(list()).toEqual(before.map((n) => (n === 'adam' ? 'ADAM' : n)));
    expect(get('adam').learningRate).toBe(0.5);
    register('adam', (o) => new Adam(o));
    expect(get('adam').learningRate).toBe(0.001);
  });

  it('listOptimizers and registerOptimizer are list and register under the naming convention of the other registries', () => {
    expect(listOptimizers).toBe(list);
    expect(registerOptimizer).toBe(register);
  });

  it('schedules: listSchedules, registerSchedule and the unknown-name error', () => {
    expect(listSchedules()).toEqual(['ExponentialDecay', 'PiecewiseConstantDecay', 'PolynomialDecay', 'InverseTimeDecay', 'CosineDecay', 'CosineDecayRestarts']);
    registerSchedule('HalvingDecay', (c) => new ExponentialDecay(c.initialLearningRate as number, 1, 0.5));
    expect(listSchedules().at(-1)).toBe('HalvingDecay');
    // 0.8 · 0.5^3 at step 3.
    expect(deserializeSchedule({ className: 'halving_decay', config: { initialLearningRate: 0.8 } }).call(3)).toBeCloseTo(0.1, 12);
    expect(() => registerSchedule('Bad', 1 as never)).toThrow(new Error("registerSchedule: factory for 'Bad' must be a function, got number"));
    expect(() => deserializeSchedule({ className: 'Halving' })).toThrow(/Unknown learning-rate schedule 'Halving'\..* Valid names: ExponentialDecay, .*, HalvingDecay$/);
  });
});
