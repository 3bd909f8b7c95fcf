import type { Tensor } from '@descent/tensor';
import { NameRegistry } from '@descent/tensor';
import type { LiteralUnion, SnakeCase } from '../engine/name-types.js';
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
} from './crossentropy.js';
import { Dice } from './dice.js';
import { KLDivergence, Poisson } from './divergence.js';
import { CategoricalFocalCrossentropy } from './focal.js';
import { CategoricalHinge, Hinge, SquaredHinge } from './hinge.js';
import { Loss, LossFunctionWrapper } from './loss.js';
import {
  CosineSimilarity,
  Huber,
  LogCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
} from './regression.js';

interface Entry {
  /** The camelCase name listed to users. */
  name: string;
  /** Other accepted spellings (compared after normalizeName). */
  aliases: readonly string[];
  make: () => Loss;
}

const ENTRIES = [
  { name: 'meanSquaredError', aliases: ['mse'], make: () => new MeanSquaredError() },
  { name: 'meanAbsoluteError', aliases: ['mae'], make: () => new MeanAbsoluteError() },
  { name: 'meanAbsolutePercentageError', aliases: ['mape'], make: () => new MeanAbsolutePercentageError() },
  { name: 'meanSquaredLogarithmicError', aliases: ['msle'], make: () => new MeanSquaredLogarithmicError() },
  { name: 'huber', aliases: ['huberLoss'], make: () => new Huber() },
  { name: 'logCosh', aliases: [], make: () => new LogCosh() },
  { name: 'binaryCrossentropy', aliases: ['bce'], make: () => new BinaryCrossentropy() },
  { name: 'categoricalCrossentropy', aliases: [], make: () => new CategoricalCrossentropy() },
  { name: 'sparseCategoricalCrossentropy', aliases: [], make: () => new SparseCategoricalCrossentropy() },
  { name: 'binaryFocalCrossentropy', aliases: [], make: () => new BinaryFocalCrossentropy() },
  { name: 'kullbackLeiblerDivergence', aliases: ['kld', 'klDivergence'], make: () => new KLDivergence() },
  { name: 'poisson', aliases: [], make: () => new Poisson() },
  { name: 'hinge', aliases: [], make: () => new Hinge() },
  { name: 'squaredHinge', aliases: [], make: () => new SquaredHinge() },
  { name: 'categoricalHinge', aliases: [], make: () => new CategoricalHinge() },
  { name: 'cosineSimilarity', aliases: [], make: () => new CosineSimilarity() },
  { name: 'categoricalFocalCrossentropy', aliases: [], make: () => new CategoricalFocalCrossentropy() },
  { name: 'dice', aliases: [], make: () => new Dice() },
] as const satisfies readonly Entry[];

type LossSpelling = (typeof ENTRIES)[number]['name'] | (typeof ENTRIES)[number]['aliases'][number];

/**
 * Every built-in loss name and alias, camelCase (`'categoricalCrossentropy'`) and Keras snake_case
 * (`'categorical_crossentropy'`); other casings resolve too.
 */
export type LossName = LossSpelling | SnakeCase<LossSpelling>;

const losses = new NameRegistry<() => Loss>('loss', () => ENTRIES.flatMap((e) => [e.name, ...e.aliases].map((n) => [n, e.make] as const)));

/** Every loss name (camelCase) and alias accepted by `getLoss`. */
export function listLosses(): string[] {
  return losses.list();
}

/**
 * Make `getLoss(name)` (and so `compile({ loss: name })`) build a loss with `make`; names compare
 * as for the built-ins, and registering a known name replaces it.
 */
export function registerLoss(name: string, make: () => Loss): void {
  losses.register(name, make, { fn: 'registerLoss', callable: 'factory' });
}

/**
 * What `compile`'s `loss` accepts: a name (`'categoricalCrossentropy'`), a `Loss`, or a function `(yTrue,
 * yPred) → per-sample losses`.
 */
export type LossIdentifier = LiteralUnion<LossName> | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/**
 * Resolve a loss: a name in any casing (`'categoricalCrossentropy'`, `'categorical_crossentropy'`,
 * `'mse'`), a `Loss` instance (returned as is), or a function `(yTrue, yPred) → per-sample losses`.
 */
export function getLoss(id: LossIdentifier): Loss {
  if (id instanceof Loss) return id;
  if (typeof id === 'function') return new LossFunctionWrapper(id);
  if (typeof id === 'string') return losses.get(id)();
  throw new Error(`getLoss: expected a loss name, a Loss or a function (yTrue, yPred) => Tensor, got ${id === null ? 'null' : typeof id}`);
}
