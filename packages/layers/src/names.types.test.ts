import { normalizeName } from '@descent/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  ActivationIdentifier,
  ActivationName,
  ConstraintIdentifier,
  ConstraintName,
  DenseArgs,
  InitializerIdentifier,
  InitializerName,
  LayerClassName,
  LayerSpec,
  LossIdentifier,
  LossName,
  MetricIdentifier,
  MetricLogName,
  MetricName,
  RegularizerIdentifier,
  RegularizerName,
} from './index.js';
import {
  getActivation,
  getConstraint,
  getInitializer,
  getLoss,
  getMetric,
  getRegularizer,
  listActivations,
  listConstraints,
  listInitializers,
  listLayers,
  listLosses,
  listMetrics,
  listRegularizers,
} from './index.js';

// Every member of each name union, once. `satisfies Record<Name, true>` makes tsc reject a missing
// or an extra entry, and the tests below resolve each one in its registry, so the union, these
// lists and the registries cannot drift apart.
const ACTIVATIONS = {
  linear: true,
  relu: true,
  relu6: true,
  elu: true,
  selu: true,
  sigmoid: true,
  hard_sigmoid: true,
  hardSigmoid: true,
  tanh: true,
  softmax: true,
  log_softmax: true,
  logSoftmax: true,
  softplus: true,
  softsign: true,
  swish: true,
  silu: true,
  gelu: true,
  mish: true,
  leaky_relu: true,
  leakyRelu: true,
  exponential: true,
} as const satisfies Record<ActivationName, true>;

const INITIALIZERS = {
  zeros: true,
  ones: true,
  constant: true,
  identity: true,
  orthogonal: true,
  randomNormal: true,
  random_normal: true,
  randomUniform: true,
  random_uniform: true,
  truncatedNormal: true,
  truncated_normal: true,
  varianceScaling: true,
  variance_scaling: true,
  glorotUniform: true,
  glorot_uniform: true,
  glorotNormal: true,
  glorot_normal: true,
  heNormal: true,
  he_normal: true,
  heUniform: true,
  he_uniform: true,
  leCunNormal: true,
  lecun_normal: true,
  leCunUniform: true,
  lecun_uniform: true,
} as const satisfies Record<InitializerName, true>;

const REGULARIZERS = { l1: true, l2: true, l1l2: true, l1_l2: true } as const satisfies Record<RegularizerName, true>;

const CONSTRAINTS = {
  maxNorm: true,
  max_norm: true,
  nonNeg: true,
  non_neg: true,
  unitNorm: true,
  unit_norm: true,
  minMaxNorm: true,
  min_max_norm: true,
} as const satisfies Record<ConstraintName, true>;

const LOSSES = {
  meanSquaredError: true,
  mean_squared_error: true,
  mse: true,
  meanAbsoluteError: true,
  mean_absolute_error: true,
  mae: true,
  meanAbsolutePercentageError: true,
  mean_absolute_percentage_error: true,
  mape: true,
  meanSquaredLogarithmicError: true,
  mean_squared_logarithmic_error: true,
  msle: true,
  huber: true,
  huberLoss: true,
  huber_loss: true,
  logCosh: true,
  log_cosh: true,
  binaryCrossentropy: true,
  binary_crossentropy: true,
  bce: true,
  categoricalCrossentropy: true,
  categorical_crossentropy: true,
  sparseCategoricalCrossentropy: true,
  sparse_categorical_crossentropy: true,
  binaryFocalCrossentropy: true,
  binary_focal_crossentropy: true,
  kullbackLeiblerDivergence: true,
  kullback_leibler_divergence: true,
  kld: true,
  klDivergence: true,
  kl_divergence: true,
  poisson: true,
  hinge: true,
  squaredHinge: true,
  squared_hinge: true,
  categoricalHinge: true,
  categorical_hinge: true,
  cosineSimilarity: true,
  cosine_similarity: true,
  categoricalFocalCrossentropy: true,
  categorical_focal_crossentropy: true,
  dice: true,
} as const satisfies Record<LossName, true>;

const METRICS = {
  accuracy: true,
  acc: true,
  binaryAccuracy: true,
  binary_accuracy: true,
  categoricalAccuracy: true,
  categorical_accuracy: true,
  sparseCategoricalAccuracy: true,
  sparse_categorical_accuracy: true,
  topKCategoricalAccuracy: true,
  top_k_categorical_accuracy: true,
  precision: true,
  recall: true,
  auc: true,
  f1Score: true,
  f1_score: true,
  meanSquaredError: true,
  mean_squared_error: true,
  mse: true,
  meanAbsoluteError: true,
  mean_absolute_error: true,
  mae: true,
  meanAbsolutePercentageError: true,
  mean_absolute_percentage_error: true,
  mape: true,
  meanSquaredLogarithmicError: true,
  mean_squared_logarithmic_error: true,
  msle: true,
  rootMeanSquaredError: true,
  root_mean_squared_error: true,
  binaryCrossentropy: true,
  binary_crossentropy: true,
  bce: true,
  categoricalCrossentropy: true,
  categorical_crossentropy: true,
  sparseCategoricalCrossentropy: true,
  sparse_categorical_crossentropy: true,
  kullbackLeiblerDivergence: true,
  kullback_leibler_divergence: true,
  kld: true,
  poisson: true,
  hinge: true,
  squaredHinge: true,
  squared_hinge: true,
  categoricalHinge: true,
  categorical_hinge: true,
  logCosh: true,
  log_cosh: true,
  logcosh: true,
  cosineSimilarity: true,
  cosine_similarity: true,
  mean: true,
  sparseTopKCategoricalAccuracy: true,
  sparse_top_k_categorical_accuracy: true,
  r2Score: true,
  r2_score: true,
  fBetaScore: true,
  f_beta_score: true,
  fbeta_score: true,
  truePositives: true,
  true_positives: true,
  falsePositives: true,
  false_positives: true,
  trueNegatives: true,
  true_negatives: true,
  falseNegatives: true,
  false_negatives: true,
} as const satisfies Record<MetricName, true>;

const METRIC_LOG_NAMES = {
  accuracy: true,
  acc: true,
  binary_accuracy: true,
  categorical_accuracy: true,
  sparse_categorical_accuracy: true,
  top_k_categorical_accuracy: true,
  precision: true,
  recall: true,
  auc: true,
  f1_score: true,
  mean_squared_error: true,
  mse: true,
  mean_absolute_error: true,
  mae: true,
  mean_absolute_percentage_error: true,
  mape: true,
  mean_squared_logarithmic_error: true,
  msle: true,
  root_mean_squared_error: true,
  binary_crossentropy: true,
  bce: true,
  categorical_crossentropy: true,
  sparse_categorical_crossentropy: true,
  kullback_leibler_divergence: true,
  kld: true,
  poisson: true,
  hinge: true,
  squared_hinge: true,
  categorical_hinge: true,
  logcosh: true,
  cosine_similarity: true,
  mean: true,
  sparse_top_k_categorical_accuracy: true,
  r2_score: true,
  fbeta_score: true,
  true_positives: true,
  false_positives: true,
  true_negatives: true,
  false_negatives: true,
} as const satisfies Record<MetricLogName, true>;

const LAYERS = {
  Activation: true,
  AlphaDropout: true,
  Conv1DTranspose: true,
  Cropping1D: true,
  Cropping2D: true,
  GaussianDropout: true,
  GroupNormalization: true,
  Identity: true,
  PReLU: true,
  RMSNormalization: true,
  UnitNormalization: true,
  AdditiveAttention: true,
  Attention: true,
  EinsumDense: true,
  MultiHeadAttention: true,
  Add: true,
  Average: true,
  AveragePooling1D: true,
  AveragePooling2D: true,
  BatchNormalization: true,
  Bidirectional: true,
  Concatenate: true,
  Conv1D: true,
  Conv2D: true,
  Conv2DTranspose: true,
  Dense: true,
  DepthwiseConv2D: true,
  Dot: true,
  Dropout: true,
  ELU: true,
  Embedding: true,
  Flatten: true,
  GRU: true,
  GaussianNoise: true,
  GlobalAveragePooling1D: true,
  GlobalAveragePooling2D: true,
  GlobalMaxPooling1D: true,
  GlobalMaxPooling2D: true,
  InputLayer: true,
  LSTM: true,
  LayerNormalization: true,
  LeakyReLU: true,
  Masking: true,
  MaxPooling1D: true,
  MaxPooling2D: true,
  Maximum: true,
  Minimum: true,
  Multiply: true,
  Permute: true,
  ReLU: true,
  RepeatVector: true,
  Reshape: true,
  SeparableConv2D: true,
  SimpleRNN: true,
  Softmax: true,
  SpatialDropout1D: true,
  SpatialDropout2D: true,
  Subtract: true,
  TimeDistributed: true,
  UpSampling2D: true,
  ZeroPadding2D: true,
} as const satisfies Record<LayerClassName, true>;

const names = <K extends string>(table: Record<K, true>): K[] => Object.keys(table) as K[];

/**
 * Each spelling resolves, every name the registry lists is one of them, and spellings that differ
 * only in case and underscores resolve to the same thing (`identity` of the result).
 */
function checkRegistry<K extends string>(table: Record<K, true>, listed: readonly string[], resolve: (name: K) => unknown, identity: (x: unknown) => unknown) {
  expect(names(table)).toEqual(expect.arrayContaining([...listed]));
  const seen = new Map<string, unknown>();
  for (const name of names(table)) {
    const id = identity(resolve(name));
    const key = normalizeName(name);
    if (seen.has(key)) expect(id, name).toBe(seen.get(key));
    else seen.set(key, id);
  }
}

const classOf = (x: unknown) => (x as object).constructor;

describe('registry name unions: every name resolves at run time', () => {
  it('activations', () => checkRegistry(ACTIVATIONS, listActivations(), getActivation, (a) => a));
  it('initializers', () => checkRegistry(INITIALIZERS, listInitializers(), getInitializer, classOf));
  it('regularizers', () => checkRegistry(REGULARIZERS, listRegularizers(), getRegularizer, classOf));
  it('constraints', () => checkRegistry(CONSTRAINTS, listConstraints(), getConstraint, classOf));
  it('losses', () => checkRegistry(LOSSES, listLosses(), getLoss, classOf));
  it('metrics', () => checkRegistry(METRICS, listMetrics(), (n) => getMetric(n), classOf));

  it('the camelCase alias of an activation is the snake_case one', () => {
    expect(getActivation('hardSigmoid')).toBe(getActivation('hard_sigmoid'));
    expect(getActivation('silu')).toBe(getActivation('swish'));
  });

  it('a name is never looked up on Object.prototype', () => {
    expect(() => getRegularizer('constructor')).toThrow(/regularizer/);
  });

  it('layer class names are exactly the built-in layers', () => {
    expect(names(LAYERS).sort()).toEqual(listLayers());
  });

  it('a metric asked for by its log name is logged under that name', () => {
    for (const name of names(METRIC_LOG_NAMES)) expect(getMetric(name).name).toBe(name);
  });

  it('a snake_case metric name keys history by its Keras name', () => {
    expect(getMetric('top_k_categorical_accuracy').name).toBe('top_k_categorical_accuracy');
    expect(getMetric('topKCategoricalAccuracy').name).toBe('top_k_categorical_accuracy');
  });
});

describe('registry name unions: types', () => {
  it('hold both spellings and no other string', () => {
    expectTypeOf<'hard_sigmoid' | 'hardSigmoid' | 'silu'>().toExtend<ActivationName>();
    expectTypeOf<'glorot_uniform' | 'glorotUniform' | 'lecun_normal'>().toExtend<InitializerName>();
    expectTypeOf<'l1_l2'>().toExtend<RegularizerName>();
    expectTypeOf<'max_norm' | 'maxNorm'>().toExtend<ConstraintName>();
    expectTypeOf<'categorical_crossentropy' | 'categoricalCrossentropy' | 'mse'>().toExtend<LossName>();
    expectTypeOf<'sparse_categorical_accuracy' | 'acc' | 'logcosh'>().toExtend<MetricName>();
    expectTypeOf<'Dense' | 'Conv2D'>().toExtend<LayerClassName>();
    expectTypeOf<MetricLogName>().toExtend<MetricName>();

    expectTypeOf<string>().not.toExtend<ActivationName>();
    expectTypeOf<string>().not.toExtend<InitializerName>();
    expectTypeOf<string>().not.toExtend<RegularizerName>();
    expectTypeOf<string>().not.toExtend<ConstraintName>();
    expectTypeOf<string>().not.toExtend<LossName>();
    expectTypeOf<string>().not.toExtend<MetricName>();
    expectTypeOf<string>().not.toExtend<LayerClassName>();
    expectTypeOf<string>().not.toExtend<MetricLogName>();
    // @ts-expect-error history keys are snake_case: camelCase names are looked up, not logged
    expectTypeOf<'sparseCategoricalAccuracy'>().toExtend<MetricLogName>();
  });

  it('reject typos in a name type', () => {
    // @ts-expect-error a typo is not an activation name
    expectTypeOf<'hard_sigmod'>().toExtend<ActivationName>();
    // @ts-expect-error Keras spells it lecun_normal, not le_cun_normal
    expectTypeOf<'le_cun_normal'>().toExtend<InitializerName>();
    // @ts-expect-error a typo is not a loss name
    expectTypeOf<'categoricalCrossEntropy'>().toExtend<LossName>();
    // @ts-expect-error a typo is not a metric name
    expectTypeOf<'accuracyy'>().toExtend<MetricName>();
    // @ts-expect-error layer class names are PascalCase
    expectTypeOf<'dense'>().toExtend<LayerClassName>();
  });

  it('identifiers keep the literal names (for completion) and still take custom names', () => {
    expectTypeOf<ActivationName>().toExtend<ActivationIdentifier>();
    expectTypeOf<InitializerName>().toExtend<InitializerIdentifier>();
    expectTypeOf<RegularizerName>().toExtend<RegularizerIdentifier>();
    expectTypeOf<ConstraintName>().toExtend<ConstraintIdentifier>();
    expectTypeOf<LossName>().toExtend<LossIdentifier>();
    expectTypeOf<MetricName>().toExtend<MetricIdentifier>();
    expectTypeOf<LayerClassName>().toExtend<LayerSpec['className']>();

    expectTypeOf<string>().toExtend<ActivationIdentifier>();
    expectTypeOf<string>().toExtend<InitializerIdentifier>();
    expectTypeOf<string>().toExtend<RegularizerIdentifier>();
    expectTypeOf<string>().toExtend<ConstraintIdentifier>();
    expectTypeOf<string>().toExtend<LossIdentifier>();
    expectTypeOf<string>().toExtend<MetricIdentifier>();
    expectTypeOf<string>().toExtend<LayerSpec['className']>();

    // Not collapsed to plain `string`, which would drop the suggestions.
    expectTypeOf<Extract<LossIdentifier, string>>().not.toEqualTypeOf<string>();
    expectTypeOf<Extract<MetricIdentifier, string>>().not.toEqualTypeOf<string>();
    expectTypeOf<LayerSpec['className']>().not.toEqualTypeOf<string>();
  });

  it('layer options take the unions', () => {
    expectTypeOf<'leakyRelu'>().toExtend<NonNullable<DenseArgs['activation']>>();
    expectTypeOf<Extract<DenseArgs['activation'], string>>().not.toEqualTypeOf<string>();
    expectTypeOf<Extract<DenseArgs['kernelInitializer'], string>>().not.toEqualTypeOf<string>();
    expectTypeOf<'he_normal'>().toExtend<NonNullable<DenseArgs['kernelInitializer']>>();
    expectTypeOf<'l1_l2'>().toExtend<NonNullable<DenseArgs['kernelRegularizer']>>();
    expectTypeOf<'non_neg'>().toExtend<NonNullable<DenseArgs['kernelConstraint']>>();
    // @ts-expect-error an activation is a name, an Activation or null, not a number
    expectTypeOf<number>().toExtend<NonNullable<DenseArgs['activation']>>();
  });
});
