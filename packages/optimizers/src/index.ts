export { Adadelta } from './adadelta.js';
export type { AdadeltaOptions } from './adadelta.js';
export { Adafactor } from './adafactor.js';
export type { AdafactorOptions } from './adafactor.js';
export { Adagrad } from './adagrad.js';
export type { AdagradOptions } from './adagrad.js';
export { Adam } from './adam.js';
export type { AdamOptions } from './adam.js';
export { Adamax } from './adamax.js';
export type { AdamaxOptions } from './adamax.js';
export { AdamW } from './adamw.js';
export type { AdamWOptions } from './adamw.js';
export { toCamelCase, toSnakeCase, toSnakeCaseConfig, optionsFromConfig } from './config.js';
export { Ftrl } from './ftrl.js';
export type { FtrlOptions } from './ftrl.js';
export { Lion } from './lion.js';
export type { LionOptions } from './lion.js';
export { Nadam } from './nadam.js';
export type { NadamOptions } from './nadam.js';
export { Optimizer } from './optimizer.js';
export type { BaseDefaults, GradsAndVars, NamedTensor, OptimizerOptions, StepContext, UpdateRule } from './optimizer.js';
export { get, getOptimizer, list, register } from './registry.js';
export type { OptimizerFactory, OptimizerIdentifier, OptimizerName } from './registry.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
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
  registerSchedule,
  serializeSchedule,
} from './schedules.js';
export type { LearningRate, ScheduleClassName } from './schedules.js';
export { SGD } from './sgd.js';
export { fromTfjsOptimizerConfig, fromTfjsOptimizerState, isTfjsOptimizerState } from './tfjs.js';
export type { TfjsStateImport } from './tfjs.js';
export type { SGDOptions } from './sgd.js';
export { clipByGlobalNorm, clipByNorm, clipGradients, decayWeights, movingAverage } from './transforms.js';
export type { ClipSpec } from './transforms.js';
