export { Adadelta, scaleByAdadelta } from './adadelta.js';
export type { AdadeltaOptions, AdadeltaRuleOptions } from './adadelta.js';
export { Adafactor, scaleByAdafactor } from './adafactor.js';
export type { AdafactorOptions, AdafactorRuleOptions } from './adafactor.js';
export { Adagrad, scaleByAdagrad } from './adagrad.js';
export type { AdagradOptions, AdagradRuleOptions } from './adagrad.js';
export { Adam, scaleByAdam } from './adam.js';
export type { AdamOptions, AdamRuleOptions } from './adam.js';
export { Adamax, scaleByAdamax } from './adamax.js';
export type { AdamaxOptions, AdamaxRuleOptions } from './adamax.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export { toCamelCase, toSnakeCase, toSnakeCaseConfig, optionsFromConfig } from './config.js';
export { ChainOptimizer, fromTransforms } from './chain-optimizer.js';
export type { ChainOptimizerFactory, ChainSpec, ParamValue } from './chain-optimizer.js';
export { Ftrl, scaleByFtrl } from './ftrl.js';
export { OPTIMIZER_UPDATE_KERNELS, fusedOptimizerStep, optimizerSlotCount } from './fused-update.js';
export type { FusedStepOptions, OptimizerHyper, OptimizerRule } from './fused-update.js';
export type { FtrlOptions, FtrlRuleOptions } from './ftrl.js';
export { Lion, scaleByLion } from './lion.js';
export type { LionOptions, LionRuleOptions } from './lion.js';
export { Nadam, scaleByNadam } from './nadam.js';
export type { NadamOptions, NadamRuleOptions } from './nadam.js';
export { Optimizer } from './optimizer.js';
export type { BaseDefaults, GradsAndVars, NamedTensor, OptimizerOptions, StepContext, UpdateRule } from './optimizer.js';
export { get, getOptimizer, list, listOptimizers, register, registerOptimizer } from './registry.js';
export type { OptimizerFactory, OptimizerIdentifier, OptimizerName } from './registry.js';
export { RMSprop, scaleByRMSprop } from './rmsprop.js';
export type { RMSpropOptions, RMSpropRuleOptions } from './rmsprop.js';
export {
  CosineDecay,
  CosineDecayRestarts,
  ExponentialDecay,
  InverseTimeDecay,
  LearningRateSchedule,
  PiecewiseConstantDecay,
  PolynomialDecay,
  deserializeSchedule,
  isLearningRateSchedule,
  listSchedules,
  registerSchedule,
  serializeSchedule,
} from './schedules.js';
export type { LearningRate, ScheduleClassName } from './schedules.js';
export { SGD, scaleBySGD } from './sgd.js';
export { fromTfjsOptimizerConfig, fromTfjsOptimizerState, isTfjsOptimizerState } from './tfjs.js';
export type { TfjsStateImport } from './tfjs.js';
export type { SGDOptions, SGDRuleOptions } from './sgd.js';
export { chain, fromUpdateRule, isGradientTransform, perVariable } from './transform.js';
export type { GradientTransform, TransformResult, TransformState, TransformStep } from './transform.js';
export {
  accumulateGradients,
  addDecayedWeights,
  clipByGlobalNorm,
  clipByNorm,
  clipGradients,
  clipValues,
  decayWeights,
  exponentialMovingAverage,
  movingAverage,
} from './transforms.js';
export type { ClipSpec, DecayOptions, MovingAverageOptions } from './transforms.js';
