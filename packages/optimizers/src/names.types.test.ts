import { describe, expect, expectTypeOf, it } from 'vitest';
import type { OptimizerIdentifier, OptimizerName, ScheduleClassName } from './index.js';
import { deserializeSchedule, get, list, Optimizer, SGD } from './index.js';

// Every member of each union, once: `satisfies Record<Name, true>` makes tsc reject a missing or an
// extra entry, and the tests below resolve each one at run time, so the union, this list and the
// registry cannot drift apart.
const OPTIMIZERS = {
  sgd: true,
  momentum: true,
  adagrad: true,
  rmsprop: true,
  adam: true,
  adamw: true,
  adadelta: true,
  adamax: true,
  nadam: true,
  lion: true,
  ftrl: true,
  adafactor: true,
} as const satisfies Record<OptimizerName, true>;

// Config values each schedule needs (the rest have defaults).
const SCHEDULES = {
  ExponentialDecay: { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 },
  PiecewiseConstantDecay: { boundaries: [5], values: [0.1, 0.01] },
  PolynomialDecay: { initialLearningRate: 0.1, decaySteps: 10 },
  InverseTimeDecay: { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 },
  CosineDecay: { initialLearningRate: 0.1, decaySteps: 10 },
  CosineDecayRestarts: { initialLearningRate: 0.1, firstDecaySteps: 10 },
} as const satisfies Record<ScheduleClassName, Record<string, unknown>>;

describe('OptimizerName', () => {
  it('is exactly the built-in registry, and every name builds an optimizer', () => {
    expect(Object.keys(OPTIMIZERS)).toEqual(list());
    for (const name of Object.keys(OPTIMIZERS) as OptimizerName[]) expect(get(name), name).toBeInstanceOf(Optimizer);
    expect(get('momentum')).toBeInstanceOf(SGD);
  });

  it('holds the built-in names and no other string', () => {
    expectTypeOf<'adam' | 'sgd' | 'adamw' | 'momentum'>().toExtend<OptimizerName>();
    expectTypeOf<string>().not.toExtend<OptimizerName>();
    // @ts-expect-error a typo is not an optimizer name
    expectTypeOf<'adma'>().toExtend<OptimizerName>();
  });

  it('OptimizerIdentifier keeps the names for completion and takes custom names, specs and instances', () => {
    expectTypeOf<OptimizerName>().toExtend<OptimizerIdentifier>();
    expectTypeOf<string>().toExtend<OptimizerIdentifier>();
    expectTypeOf<Extract<OptimizerIdentifier, string>>().not.toEqualTypeOf<string>();
    expectTypeOf<{ className: 'Adam'; config: { learningRate: number } }>().toExtend<OptimizerIdentifier>();
    expectTypeOf<SGD>().toExtend<OptimizerIdentifier>();
    expectTypeOf(get).parameter(0).toEqualTypeOf<OptimizerIdentifier>();
    // @ts-expect-error a number is no identifier
    expectTypeOf<number>().toExtend<OptimizerIdentifier>();
  });
});

describe('ScheduleClassName', () => {
  it('every built-in schedule class name deserializes to that class', () => {
    for (const [className, config] of Object.entries(SCHEDULES)) {
      expect(deserializeSchedule({ className, config }).className).toBe(className);
    }
  });

  it('holds the class names and no other string; deserializeSchedule still takes any string', () => {
    expectTypeOf<'CosineDecay' | 'ExponentialDecay'>().toExtend<ScheduleClassName>();
    expectTypeOf<string>().not.toExtend<ScheduleClassName>();
    // @ts-expect-error a typo is not a schedule class name
    expectTypeOf<'CosineDeacy'>().toExtend<ScheduleClassName>();
    type SpecClassName = Parameters<typeof deserializeSchedule>[0]['className'];
    expectTypeOf<ScheduleClassName>().toExtend<SpecClassName>();
    expectTypeOf<string>().toExtend<SpecClassName>();
    expectTypeOf<SpecClassName>().not.toEqualTypeOf<string>();
  });
});
