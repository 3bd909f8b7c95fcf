import { describe, expect, it } from 'vitest';
import { Adafactor } from './adafactor.js';
import { Adam } from './adam.js';
import { Ftrl } from './ftrl.js';
import { toCamelCase, toSnakeCase, toSnakeCaseConfig } from './config.js';
import type { Optimizer } from './optimizer.js';
import { get } from './registry.js';
import { CosineDecay, LearningRateSchedule } from './schedules.js';
import { list } from './registry.js';

describe('config', () => {
  it('converts keys the way Keras spells them', () => {
    const pairs: [string, string][] = [
      ['learningRate', 'learning_rate'],
      ['beta1', 'beta_1'],
      ['beta2Decay', 'beta_2_decay'],
      ['epsilon1', 'epsilon_1'],
      ['globalClipnorm', 'global_clipnorm'],
      ['useEma', 'use_ema'],
      ['emaOverwriteFrequency', 'ema_overwrite_frequency'],
      ['l1RegularizationStrength', 'l1_regularization_strength'],
      ['l2ShrinkageRegularizationStrength', 'l2_shrinkage_regularization_strength'],
      ['initialAccumulatorValue', 'initial_accumulator_value'],
      ['clipnorm', 'clipnorm'],
    ];
    for (const [camel, snake] of pairs) {
      expect(toSnakeCase(camel)).toBe(snake);
      expect(toCamelCase(snake)).toBe(camel);
    }
  });

  it('getConfig → fromConfig rebuilds every registered optimizer with non-default options', () => {
    for (const name of list()) {
      const opt = get({ className: name, config: { learningRate: 0.123, clipnorm: 2, useEma: true, emaMomentum: 0.5, gradientAccumulationSteps: 3 } });
      const config = opt.getConfig();
      const again = get({ className: opt.className, config: JSON.parse(JSON.stringify(config)) as Record<string, unknown> });
      expect(again.constructor, name).toBe(opt.constructor);
      expect(again.getConfig(), name).toEqual(config);
      // Keras's snake_case spelling loads too.
      const snake = get({ class_name: opt.className, config: toSnakeCaseConfig(config) });
      expect(snake.getConfig(), name).toEqual(config);
    }
  });

  it('keeps each optimizer\'s own options', () => {
    const adam = new Adam({ beta1: 0.5, amsgrad: true, weightDecay: 0.01, name: 'mine' });
    expect(adam.getConfig()).toEqual({
      name: 'mine',
      learningRate: 0.001,
      weightDecay: 0.01,
      clipnorm: null,
      globalClipnorm: null,
      clipvalue: null,
      useEma: false,
      emaMomentum: 0.99,
      emaOverwriteFrequency: null,
      gradientAccumulationSteps: null,
      beta1: 0.5,
      beta2: 0.999,
      epsilon: 1e-7,
      amsgrad: true,
    });
    const ftrl = Ftrl.fromConfig({ l1_regularization_strength: 0.5, learning_rate_power: -0.25 });
    expect([ftrl.l1RegularizationStrength, ftrl.learningRatePower]).toEqual([0.5, -0.25]);
    const ada = Adafactor.fromConfig({ beta_2_decay: -0.5, epsilon_1: 1e-20, relative_step: false });
    expect([ada.beta2Decay, ada.epsilon1, ada.relativeStep]).toEqual([-0.5, 1e-20, false]);
  });

  it('serializes a schedule as { className, config } and restores it', () => {
    const opt = new Adam({ learningRate: new CosineDecay(0.1, 100, 0, 0.2, 10) });
    const config = opt.getConfig();
    expect(config.learningRate).toEqual({
      className: 'CosineDecay',
      config: { initialLearningRate: 0.1, decaySteps: 100, alpha: 0, warmupTarget: 0.2, warmupSteps: 10 },
    });
    const snake = toSnakeCaseConfig(config);
    expect(snake.learning_rate).toEqual({
      class_name: 'CosineDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 100, alpha: 0, warmup_target: 0.2, warmup_steps: 10 },
    });
    const again: Optimizer = Adam.fromConfig(snake);
    expect(again.learningRate).toBeInstanceOf(LearningRateSchedule);
    expect(again.getConfig()).toEqual(config);
  });

  it('a function learning rate is saved as its current value', () => {
    let lr = 0.3;
    const opt = new Adam({ learningRate: () => lr });
    lr = 0.2;
    expect(opt.getConfig().learningRate).toBe(0.2);
  });
});
