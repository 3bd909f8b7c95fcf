export {
  binaryCrossentropy,
  BinaryCrossentropy,
  binaryFocalCrossentropy,
  BinaryFocalCrossentropy,
  categoricalCrossentropy,
  CategoricalCrossentropy,
  sparseCategoricalCrossentropy,
  SparseCategoricalCrossentropy,
} from './crossentropy.js';
export type { BinaryFocalCrossentropyOptions, CrossentropyOptions } from './crossentropy.js';
export { dice, Dice } from './dice.js';
export type { DiceOptions } from './dice.js';
export { KLDivergence, kullbackLeiblerDivergence, poisson, Poisson } from './divergence.js';
export { categoricalFocalCrossentropy, CategoricalFocalCrossentropy } from './focal.js';
export type { CategoricalFocalCrossentropyOptions } from './focal.js';
export { categoricalHinge, CategoricalHinge, hinge, Hinge, squaredHinge, SquaredHinge } from './hinge.js';
export { Loss, LossFunctionWrapper, reduceLoss } from './loss.js';
export type { LossArgs, LossFunction, Reduction } from './loss.js';
export { getLoss, listLosses, registerLoss } from './registry.js';
export type { LossIdentifier, LossName } from './registry.js';
export {
  cosineSimilarity,
  CosineSimilarity,
  huber,
  Huber,
  logCosh,
  LogCosh,
  meanAbsoluteError,
  MeanAbsoluteError,
  meanAbsolutePercentageError,
  MeanAbsolutePercentageError,
  meanSquaredError,
  MeanSquaredError,
  meanSquaredLogarithmicError,
  MeanSquaredLogarithmicError,
} from './regression.js';
export type { CosineSimilarityOptions, HuberOptions } from './regression.js';
export { alignSampleWeight } from './shapes.js';
