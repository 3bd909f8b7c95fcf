import { full } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../engine/layer.js';
import { deserializeLayer } from '../engine/registry.js';
import * as L from './index.js';

// Every layer whose weights take initializer / regularizer / constraint options, checked from
// what its config and weights must hold: the option keys in the order TF.js writes them, the
// defaults Keras uses, each given option landing on its own weight, and a JSON round trip that
// rebuilds the same config.

type Spec = { className: string; config: Record<string, unknown> };

/** Distinct options per weight, so that a mix-up between two weights shows. */
const INIT: Record<string, number> = {
  kernel: 0.5, bias: -2, recurrent: 0.25, depthwise: 1.5, pointwise: -0.75, embeddings: 3, beta: -1, gamma: 2, movingMean: 0.125, movingVariance: 4,
};
const REG: Record<string, ['L1' | 'L2', number]> = {
  kernel: ['L1', 0.1], bias: ['L2', 0.2], recurrent: ['L1', 0.3], depthwise: ['L2', 0.05], pointwise: ['L1', 0.4], embeddings: ['L2', 0.15], beta: ['L1', 0.25], gamma: ['L2', 0.35],
};
const MAX_NORM: Record<string, number> = { kernel: 1, bias: 2, recurrent: 3, depthwise: 4, pointwise: 5, embeddings: 6, beta: 7, gamma: 8 };

const initSpec = (w: string): Spec => ({ className: 'Constant', config: { value: INIT[w]! } });
const regSpec = (w: string): Spec => {
  const [cls, value] = REG[w]!;
  return { className: cls, config: { [cls.toLowerCase()]: value } };
};
const constraintSpec = (w: string): Spec => ({ className: 'MaxNorm', config: { maxValue: MAX_NORM[w]!, axis: 0 } });
const ACTIVITY: Spec = { className: 'L1', config: { l1: 0.5 } };

const GLOROT: Spec = { className: 'GlorotUniform', config: { seed: null } };
const ZEROS: Spec = { className: 'Zeros', config: {} };
const ONES: Spec = { className: 'Ones', config: {} };
const ORTHOGONAL: Spec = { className: 'Orthogonal', config: { gain: 1, seed: null } };
const EMBEDDING_UNIFORM: Spec = { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } };

interface Case {
  make: (options: Record<string, unknown>) => Layer;
  buildShape: number[];
  /** Option prefix → the initializer Keras uses when none is given. */
  weights: Record<string, Spec>;
  /** Weights with an initializer option only. */
  initializerOnly?: Record<string, Spec>;
  /** Variable name (after the layer's scope) → option prefix. */
  variables: Record<string, string>;
  /** The option keys of getConfig() in order, for a layer without activity regularizer. */
  keys: string[];
}

const KERNEL_BIAS_KEYS = ['kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];
const RNN_KEYS = [
  'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer',
  'activityRegularizer', 'kernelConstraint', 'recurrentConstraint', 'biasConstraint',
];
const DEPTHWISE_KEYS = ['depthwiseInitializer', 'biasInitializer', 'depthwiseRegularizer', 'biasRegularizer', 'activityRegularizer', 'depthwiseConstraint', 'biasConstraint'];
const kernelBias = { kernel: GLOROT, bias: ZEROS };
const rnnWeights = { kernel: GLOROT, recurrent: ORTHOGONAL, bias: ZEROS };
const rnnVariables = { kernel: 'kernel', recurrent_kernel: 'recurrent', bias: 'bias' };

const cases: Record<string, Case> = {
  Dense: { make: (o) => new L.Dense({ units: 3, ...o }), buildShape: [2, 4], weights: kernelBias, variables: { kernel: 'kernel', bias: 'bias' }, keys: KERNEL_BIAS_KEYS },
  Conv1D: { make: (o) => new L.Conv1D({ filters: 2, kernelSize: 2, ...o }), buildShape: [1, 5, 3], weights: kernelBias, variables: { kernel: 'kernel', bias: 'bias' }, keys: KERNEL_BIAS_KEYS },
  Conv2D: { make: (o) => new L.Conv2D({ filters: 2, kernelSize: [3, 2], ...o }), buildShape: [1, 4, 4, 3], weights: kernelBias, variables: { kernel: 'kernel', bias: 'bias' }, keys: KERNEL_BIAS_KEYS },
  Conv2DTranspose: {
    make: (o) => new L.Conv2DTranspose({ filters: 2, kernelSize: 2, ...o }), buildShape: [1, 3, 3, 3], weights: kernelBias, variables: { kernel: 'kernel', bias: 'bias' }, keys: KERNEL_BIAS_KEYS,
  },
  DepthwiseConv2D: {
    make: (o) => new L.DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, ...o }), buildShape: [1, 4, 4, 3],
    weights: { depthwise: GLOROT, bias: ZEROS }, variables: { depthwise_kernel: 'depthwise', bias: 'bias' }, keys: DEPTHWISE_KEYS,
  },
  SeparableConv2D: {
    make: (o) => new L.SeparableConv2D({ filters: 2, kernelSize: 2, ...o }), buildShape: [1, 4, 4, 3],
    weights: { depthwise: GLOROT, bias: ZEROS, pointwise: GLOROT }, variables: { depthwise_kernel: 'depthwise', pointwise_kernel: 'pointwise', bias: 'bias' },
    keys: [...DEPTHWISE_KEYS, 'pointwiseInitializer', 'pointwiseRegularizer', 'pointwiseConstraint'],
  },
  SimpleRNN: { make: (o) => new L.SimpleRNN({ units: 2, ...o }), buildShape: [1, 3, 2], weights: rnnWeights, variables: rnnVariables, keys: RNN_KEYS },
  LSTM: { make: (o) => new L.LSTM({ units: 2, ...o }), buildShape: [1, 3, 2], weights: rnnWeights, variables: rnnVariables, keys: RNN_KEYS },
  GRU: { make: (o) => new L.GRU({ units: 2, ...o }), buildShape: [1, 3, 2], weights: rnnWeights, variables: rnnVariables, keys: RNN_KEYS },
  Embedding: {
    make: (o) => new L.Embedding({ inputDim: 5, outputDim: 2, ...o }), buildShape: [2, 3], weights: { embeddings: EMBEDDING_UNIFORM }, variables: { embeddings: 'embeddings' },
    keys: ['embeddingsInitializer', 'embeddingsRegularizer', 'activityRegularizer', 'embeddingsConstraint'],
  },
  BatchNormalization: {
    make: (o) => new L.BatchNormalization(o), buildShape: [2, 3], weights: { beta: ZEROS, gamma: ONES },
    initializerOnly: { movingMean: ZEROS, movingVariance: ONES },
    variables: { gamma: 'gamma', beta: 'beta', moving_mean: 'movingMean', moving_variance: 'movingVariance' },
    keys: [
      'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint',
    ],
  },
  LayerNormalization: {
    make: (o) => new L.LayerNormalization(o), buildShape: [2, 3], weights: { beta: ZEROS, gamma: ONES }, variables: { gamma: 'gamma', beta: 'beta' },
    keys: ['betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint'],
  },
};

const OPTION_KEY = /(Initializer|Regularizer|Constraint)$/;
const optionKeys = (config: Record<string, unknown>): string[] => Object.keys(config).filter((k) => OPTION_KEY.test(k));
const field = (layer: Layer, key: string): unknown => (layer as unknown as Record<string, unknown>)[key];
const takesActivity = (c: Case): boolean => c.keys.includes('activityRegularizer');

/** Every option of every weight set (and the activity regularizer where the layer writes one). */
function fullOptions(c: Case): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const w of Object.keys(c.weights)) {
    o[`${w}Initializer`] = initSpec(w);
    o[`${w}Regularizer`] = regSpec(w);
    o[`${w}Constraint`] = constraintSpec(w);
  }
  for (const w of Object.keys(c.initializerOnly ?? {})) o[`${w}Initializer`] = initSpec(w);
  if (takesActivity(c)) o['activityRegularizer'] = ACTIVITY;
  return o;
}

/** The value every element of a weight starts at under `fullOptions` (LSTM's forget-gate bias is 1, unitForgetBias being on by default). */
function initialValues(className: string, variable: string, prefix: string, size: number): number[] {
  const v = INIT[prefix]!;
  if (className === 'LSTM' && variable === 'bias') {
    const u = size / 4;
    return [...Array<number>(u).fill(v), ...Array<number>(u).fill(1), ...Array<number>(2 * u).fill(v)];
  }
  return Array<number>(size).fill(v);
}

describe.each(Object.entries(cases))('%s weight options', (className, c) => {
  it('defaults: Keras initializers, no regularizer or constraint, in the public fields and the config', () => {
    const layer = c.make({});
    const config = layer.getConfig();
    expect(optionKeys(config)).toEqual(c.keys);
    for (const [w, init] of Object.entries({ ...c.weights, ...c.initializerOnly })) {
      expect(config[`${w}Initializer`]).toEqual(init);
      expect((field(layer, `${w}Initializer`) as { className: string }).className).toBe(init.className);
    }
    for (const w of Object.keys(c.weights)) {
      for (const key of [`${w}Regularizer`, `${w}Constraint`]) {
        expect(config[key]).toBeNull();
        expect(field(layer, key)).toBeNull();
      }
    }
    if (takesActivity(c)) expect(config['activityRegularizer']).toBeNull();
  });

  it('every option given: written back as given, and the config survives JSON unchanged', () => {
    const layer = c.make(fullOptions(c));
    const config = layer.getConfig();
    // The base Layer writes a set activity regularizer first, ahead of the weight options.
    const expectedKeys = takesActivity(c) ? ['activityRegularizer', ...c.keys.filter((k) => k !== 'activityRegularizer')] : c.keys;
    expect(optionKeys(config)).toEqual(expectedKeys);
    for (const w of Object.keys(c.weights)) {
      expect(config[`${w}Initializer`]).toEqual(initSpec(w));
      expect(config[`${w}Regularizer`]).toEqual(regSpec(w));
      expect(config[`${w}Constraint`]).toEqual(constraintSpec(w));
      expect(field(layer, `${w}Regularizer`)).toMatchObject({ className: REG[w]![0] });
      expect(field(layer, `${w}Constraint`)).toMatchObject({ className: 'MaxNorm', maxValue: MAX_NORM[w] });
    }
    for (const w of Object.keys(c.initializerOnly ?? {})) expect(config[`${w}Initializer`]).toEqual(initSpec(w));
    if (takesActivity(c)) expect(config['activityRegularizer']).toEqual(ACTIVITY);

    const json = JSON.stringify(config);
    const again = deserializeLayer({ className, config: JSON.parse(json) as Record<string, unknown> });
    expect(again.getConfig()).toEqual(config);
    expect(JSON.stringify(again.getConfig())).toBe(json);
  });

  it('each weight is created with its own initializer, regularizer and constraint', () => {
    const layer = c.make(fullOptions(c));
    layer.build(c.buildShape);
    const byName = new Map(layer.weights.map((v) => [v.name.slice(v.name.lastIndexOf('/') + 1), v]));
    expect([...byName.keys()].sort()).toEqual(Object.keys(c.variables).sort());
    const expectedLosses: number[] = [];
    for (const v of layer.weights) {
      const name = v.name.slice(v.name.lastIndexOf('/') + 1);
      const prefix = c.variables[name]!;
      const values = initialValues(className, name, prefix, v.size);
      expect(Array.from(v.dataSync())).toEqual(values);
      const reg = REG[prefix];
      if (prefix in c.weights && reg) {
        const [kind, factor] = reg;
        expectedLosses.push(factor * values.reduce((s, x) => s + (kind === 'L1' ? Math.abs(x) : x * x), 0));
        // MaxNorm over axis 0 brings a tensor of tens to norm maxValue per slice: every element maxValue / sqrt(shape[0]).
        const capped = Array.from(v.constraint!(full(v.shape, 10)).dataSync());
        const want = MAX_NORM[prefix]! / Math.sqrt(v.shape[0]!);
        for (const x of capped) expect(x).toBeCloseTo(want, 4);
      } else {
        expect(v.constraint).toBeNull();
      }
    }
    const losses = layer.regularizationLosses().map((t) => t.item());
    expect(losses.length).toBe(expectedLosses.length);
    losses.forEach((l, i) => expect(l).toBeCloseTo(expectedLosses[i]!, 4));
  });
});

describe('weight options without a bias', () => {
  it.each([
    ['Dense', () => new L.Dense({ units: 2, useBias: false, biasRegularizer: 'l2' }), [1, 3], 'biasRegularizer', { className: 'L2', config: { l2: 0.01 } }],
    ['Conv2D', () => new L.Conv2D({ filters: 2, kernelSize: 1, useBias: false, biasConstraint: 'nonNeg' }), [1, 2, 2, 3], 'biasConstraint', { className: 'NonNeg', config: {} }],
    ['GRU', () => new L.GRU({ units: 2, useBias: false, biasRegularizer: 'l1' }), [1, 2, 3], 'biasRegularizer', { className: 'L1', config: { l1: 0.01 } }],
  ] as const)('%s: useBias false creates no bias yet keeps its options in the config', (_name, make, shape, key, expected) => {
    const layer = make();
    layer.build([...shape]);
    expect(layer.weights.map((v) => v.name.slice(v.name.lastIndexOf('/') + 1))).not.toContain('bias');
    const config = layer.getConfig();
    expect(config['useBias']).toBe(false);
    expect(config[key]).toEqual(expected);
  });

  it('an unknown initializer name fails with the valid names', () => {
    expect(() => new L.Dense({ units: 2, kernelInitializer: 'glorotUnifrom' })).toThrow(/glorotUniform/);
  });

  it('with several bad options the first reported is still initializers, then regularizers, then constraints', () => {
    expect(() => new L.Dense({ units: 1, kernelConstraint: 'nope', biasInitializer: 'nope2' })).toThrow("Unknown initializer 'nope2'");
    expect(() => new L.Dense({ units: 1, kernelConstraint: 'nope', biasRegularizer: 'nope3' })).toThrow("Unknown regularizer 'nope3'");
  });
});
