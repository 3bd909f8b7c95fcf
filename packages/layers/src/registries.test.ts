import type { Tensor } from '@descent/tensor';
import { abs, mean, mul, sub, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { getActivation, listActivations, registerActivation, serializeActivation } from './activations/activation.js';
import { MaxNorm } from './constraints/constraint.js';
import { listLayers, registerLayer } from './engine/registry.js';
import { getConstraint, listConstraints, registerConstraint } from './constraints/registry.js';
import { Constant } from './initializers/constant.js';
import { getInitializer, listInitializers, registerInitializer } from './initializers/registry.js';
import { LossFunctionWrapper } from './losses/loss.js';
import { getLoss, listLosses, registerLoss } from './losses/registry.js';
import { MeanMetricWrapper } from './metrics/metric.js';
import { getMetric, listMetrics, registerMetric } from './metrics/registry.js';
import { L1 } from './regularizers/regularizer.js';
import { getRegularizer, listRegularizers, registerRegularizer } from './regularizers/registry.js';

// The register* functions every registry has: a name registered in one spelling resolves in any
// other, is listed, and a bad name or a value that is not a function is refused naming the function.

const absDiff = (t: Tensor, p: Tensor): Tensor => mean(abs(sub(t, p)), -1);

describe('built-in registries (before anything is registered)', () => {
  it('list the same names in the same order as before the shared helper', () => {
    expect(listActivations()).toEqual([
      'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softmax', 'log_softmax',
      'softplus', 'softsign', 'swish', 'gelu', 'mish', 'leaky_relu', 'exponential', 'silu',
    ]);
    expect(listInitializers()).toEqual([
      'zeros', 'ones', 'constant', 'identity', 'randomNormal', 'randomUniform', 'truncatedNormal', 'varianceScaling',
      'glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'leCunNormal', 'leCunUniform', 'orthogonal',
    ]);
    expect(listConstraints()).toEqual(['maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm']);
    expect(listRegularizers()).toEqual(['l1', 'l2', 'l1l2']);
    expect(listLosses().slice(0, 8)).toEqual(['meanSquaredError', 'mse', 'meanAbsoluteError', 'mae', 'meanAbsolutePercentageError', 'mape', 'meanSquaredLogarithmicError', 'msle']);
    expect(listLosses()).toHaveLength(26);
    expect(listMetrics().slice(0, 3)).toEqual(['accuracy', 'acc', 'binaryAccuracy']);
    expect(listMetrics()).toHaveLength(39);
    expect(listLayers()).toEqual([...listLayers()].sort());
    expect(listLayers()).toContain('Dense');
  });

  it('resolve the unlisted Keras 2 initializer names and name the kind in errors', () => {
    expect(getInitializer('zero').className).toBe('Zeros');
    expect(getInitializer('One').className).toBe('Ones');
    expect(() => getInitializer('glorotUnifrom')).toThrow(/^Unknown initializer 'glorotUnifrom'\. Did you mean 'glorotUniform'\? Valid names: zeros, ones, constant, /);
    expect(() => getConstraint('maxNrm')).toThrow(new Error("Unknown constraint 'maxNrm'. Did you mean 'maxNorm'? Valid names: maxNorm, nonNeg, unitNorm, minMaxNorm"));
    expect(() => getRegularizer('l3')).toThrow(new Error("Unknown regularizer 'l3'. Did you mean 'l1'? Valid names: l1, l2, l1l2"));
    expect(() => getRegularizer('constructor')).toThrow(/^Unknown regularizer 'constructor'\./);
    expect(() => getActivation('rellu')).toThrow(/^Unknown activation 'rellu'\. Did you mean 'relu'\? Valid names: linear, relu, /);
    expect(() => getMetric('acuracy')).toThrow(/^Unknown metric 'acuracy'\. Did you mean 'accuracy'\? Valid names: accuracy, acc, /);
    expect(getMetric('mse').name).toBe('mse');
    expect(getMetric('meanSquaredError').name).toBe('mean_squared_error');
  });
});

describe('register* for each registry', () => {
  it('registerLoss', () => {
    registerLoss('meanAbsDiff', () => new LossFunctionWrapper(absDiff));
    expect(listLosses()).toContain('meanAbsDiff');
    const loss = getLoss('mean_abs_diff');
    // mean over samples of mean |t − p| per sample: (|1−0| + |2−4|)/2 = 1.5 and |3−3| = 0 → 0.75.
    expect(loss.apply(tensor([[1, 2], [3, 3]]), tensor([[0, 4], [3, 3]])).dataSync()[0]).toBeCloseTo(0.75, 6);
    expect(getLoss('MeanAbsDiff')).not.toBe(loss); // a fresh loss per lookup, as for the built-ins
    expect(() => registerLoss('bad', 3 as never)).toThrow(new Error("registerLoss: factory for 'bad' must be a function, got number"));
    expect(() => registerLoss('', () => new LossFunctionWrapper(absDiff))).toThrow(/registerLoss: name must be a non-empty string/);
    expect(() => getLoss('meanAbsDif')).toThrow(/Unknown loss 'meanAbsDif'\. Did you mean 'meanAbsDiff'\?/);
  });

  it('registerMetric names the metric as registered', () => {
    registerMetric('meanAbsDiff', (name) => new MeanMetricWrapper(absDiff, name));
    expect(listMetrics()).toContain('meanAbsDiff');
    const m = getMetric('mean_abs_diff');
    expect(m.name).toBe('meanAbsDiff');
    m.update(tensor([[1, 2], [3, 3]]), tensor([[0, 4], [3, 3]]));
    expect(m.result()).toBeCloseTo(0.75, 6);
    expect(() => registerMetric('bad', null as never)).toThrow(new Error("registerMetric: factory for 'bad' must be a function, got object"));
  });

  it('registerActivation saves under the registered name', () => {
    const triple = registerActivation('triple', (x) => mul(x, 3));
    expect(listActivations()).toContain('triple');
    expect(getActivation('Triple')).toBe(triple);
    expect(serializeActivation(triple)).toBe('triple');
    expect(Array.from(getActivation('triple').apply(tensor([1, -2])).dataSync())).toEqual([3, -6]);
    expect(() => registerActivation('bad', 'relu' as never)).toThrow(new Error("registerActivation: apply for 'bad' must be a function, got string"));
  });

  it('registerInitializer: a name gets {}, a { className, config } its config', () => {
    registerInitializer('sevens', (c) => new Constant({ value: typeof c.value === 'number' ? c.value : 7 }));
    expect(listInitializers()).toContain('sevens');
    expect(Array.from(getInitializer('Sevens').apply([2]).dataSync())).toEqual([7, 7]);
    expect(Array.from(getInitializer({ className: 'Sevens', config: { value: 2 } }).apply([1]).dataSync())).toEqual([2]);
    expect(() => registerInitializer('bad', {} as never)).toThrow(/registerInitializer: factory for 'bad' must be a function, got object/);
  });

  it('registerConstraint', () => {
    registerConstraint('unitMax', (c) => new MaxNorm({ maxValue: typeof c.maxValue === 'number' ? c.maxValue : 1, axis: 0 }));
    expect(listConstraints()).toContain('unitMax');
    // Column norms 5 and 0.5: the first is scaled to norm 1, the second kept.
    const w = getConstraint('unit_max').apply(tensor([[3, 0.3], [4, 0.4]]));
    const v = Array.from(w.dataSync());
    [0.6, 0.3, 0.8, 0.4].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    expect(getConstraint({ className: 'UnitMax', config: { maxValue: 2 } })).toBeInstanceOf(MaxNorm);
    expect(() => registerConstraint('bad', 1 as never)).toThrow(/registerConstraint: factory for 'bad' must be a function, got number/);
  });

  it('registerRegularizer: by name and by { className, config }', () => {
    registerRegularizer('L1Tenth', (c) => new L1({ l1: typeof c.l1 === 'number' ? c.l1 : 0.1 }));
    expect(listRegularizers()).toContain('L1Tenth');
    const w = tensor([1, -2, 3]);
    expect(getRegularizer('l1_tenth').apply(w).dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(getRegularizer({ className: 'L1Tenth', config: { l1: 1 } }).apply(w).dataSync()[0]).toBeCloseTo(6, 6);
    expect(() => registerRegularizer('bad', 'l1' as never)).toThrow(/registerRegularizer: factory for 'bad' must be a function, got string/);
    expect(() => getRegularizer({ className: 'L3' })).toThrow(/Unknown regularizer class 'L3'\..*Valid names: L1, L2, L1L2, L1Tenth/);
  });

  it('registerLayer refuses an empty name, naming the function', () => {
    const before = listLayers();
    expect(() => registerLayer('', class {} as never)).toThrow(new Error('registerLayer: name must be a non-empty string, got '));
    expect(listLayers()).toEqual(before);
  });
});
