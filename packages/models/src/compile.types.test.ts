import { Dense, resetLayerNames } from '@descent/layers';
import type { LossName, MetricName } from '@descent/layers';
import type { Adam, OptimizerName } from '@descent/optimizers';
import { register, SGD } from '@descent/optimizers';
import { setSeed, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { CompileArgs, EarlyStoppingOptions, ModelCheckpointOptions, MonitorName, ReduceLROnPlateauOptions } from './index.js';
import { EarlyStopping, resetSequentialNames, Sequential } from './index.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
});

type OptimizerArg = CompileArgs['optimizer'];
type LossArg = CompileArgs['loss'];
type MetricArg = NonNullable<CompileArgs['metrics']>[number];

describe('compile argument types', () => {
  it('offer the registry names and still take any string', () => {
    expectTypeOf<OptimizerName>().toExtend<OptimizerArg>();
    expectTypeOf<LossName>().toExtend<LossArg>();
    expectTypeOf<MetricName>().toExtend<MetricArg>();
    expectTypeOf<string>().toExtend<OptimizerArg>();
    expectTypeOf<string>().toExtend<LossArg>();
    expectTypeOf<string>().toExtend<MetricArg>();
    // Not widened to `string`, which would lose the suggestions.
    expectTypeOf<Extract<OptimizerArg, string>>().not.toEqualTypeOf<string>();
    expectTypeOf<Extract<LossArg, string>>().not.toEqualTypeOf<string>();
    expectTypeOf<Extract<MetricArg, string>>().not.toEqualTypeOf<string>();
  });

  it('take instances, specs and functions, and reject other types', () => {
    expectTypeOf<Adam>().toExtend<OptimizerArg>();
    expectTypeOf<{ className: 'Adam'; config: { learningRate: number } }>().toExtend<OptimizerArg>();
    expectTypeOf<{ class_name: 'Adam' }>().toExtend<OptimizerArg>();
    // @ts-expect-error an optimizer is a name, a spec or an Optimizer, not a number
    expectTypeOf<number>().toExtend<OptimizerArg>();
    // @ts-expect-error a loss is a name, a Loss or a function, not an array
    expectTypeOf<string[]>().toExtend<LossArg>();
  });

  it('compile accepts both spellings and a registered custom optimizer name at run time', () => {
    register('slowSgd', (o) => new SGD({ learningRate: 1e-4, ...o }));
    const model = new Sequential([new Dense({ units: 2, inputShape: [3], activation: 'softmax' })]);
    model.compile({ optimizer: 'slowSgd', loss: 'sparse_categorical_crossentropy', metrics: ['sparseCategoricalAccuracy', 'acc'] });
    expect(model.optimizer).toBeInstanceOf(SGD);
    expect(model.optimizer?.learningRate).toBe(1e-4);
    expect(model.metrics.map((m) => m.name)).toEqual(['sparse_categorical_accuracy', 'acc']);
    model.compile({ optimizer: 'adamw', loss: 'sparseCategoricalCrossentropy', metrics: ['sparse_categorical_accuracy'] });
    expect(model.metrics.map((m) => m.name)).toEqual(['sparse_categorical_accuracy']);
  });
});

describe('MonitorName', () => {
  it('offers loss and the logged metric names, with and without val_, and takes any string', () => {
    expectTypeOf<'loss' | 'val_loss' | 'acc' | 'val_acc' | 'val_sparse_categorical_accuracy' | 'val_mse'>().toExtend<MonitorName>();
    expectTypeOf<string>().toExtend<MonitorName>();
    expectTypeOf<MonitorName>().not.toEqualTypeOf<string>();
    expectTypeOf<MonitorName | undefined>().toEqualTypeOf<EarlyStoppingOptions['monitor']>();
    expectTypeOf<MonitorName | undefined>().toEqualTypeOf<ModelCheckpointOptions['monitor']>();
    expectTypeOf<MonitorName | undefined>().toEqualTypeOf<ReduceLROnPlateauOptions['monitor']>();
  });

  it('a val_ metric name from the union is the key fit logs', async () => {
    const model = new Sequential([new Dense({ units: 2, inputShape: [2], activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const x = tensor([[0, 1], [1, 0], [1, 1], [0, 0], [0.5, 0.5], [1, 0.5]]);
    const y = tensor([0, 1, 1, 0, 1, 0]);
    const monitor: MonitorName = 'val_acc';
    const stop = new EarlyStopping({ monitor, patience: 5 });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 2, validationSplit: 0.5, verbose: 0, callbacks: [stop] });
    expect(Object.keys(history.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(history.history[monitor]).toHaveLength(2);
  });
});
