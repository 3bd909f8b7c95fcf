import type { DType, Tensor } from '@descent/tensor';
import { randomNormal, randomUniform, truncatedNormal } from '@descent/tensor';
import { checkNumber, checkSeed, Initializer } from './initializer.js';

/** Options of `RandomNormal` and `TruncatedNormal`. */
export interface RandomNormalArgs {
  /** Mean of the samples (default 0). */
  mean?: number;
  /** Standard deviation of the samples (default 0.05; must be ≥ 0). */
  stddev?: number;
  /**
   * Seed of the generator, for the same values on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/** What RandomNormal and TruncatedNormal share: mean/stddev/seed options, validation and config. */
abstract class NormalInitializer extends Initializer {
  /** Mean of the samples. */
  readonly mean: number;
  /** Standard deviation of the samples. */
  readonly stddev: number;
  /** The seed, or null for the global generator. */
  readonly seed: number | null;
  constructor(className: string, args: RandomNormalArgs) {
    super();
    this.mean = checkNumber(className, 'mean', args.mean ?? 0);
    this.stddev = checkNumber(className, 'stddev', args.stddev ?? 0.05, 'nonNegative');
    this.seed = checkSeed(className, args.seed);
  }
  override getConfig(): Record<string, unknown> {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/** Normal samples; Keras defaults mean 0, stddev 0.05. A given seed gives the same tensor on every call. */
export class RandomNormal extends NormalInitializer {
  readonly className = 'RandomNormal';
  constructor(args: RandomNormalArgs = {}) {
    super('RandomNormal', args);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return randomNormal(shape, this.mean, this.stddev, dtype, this.seed ?? undefined);
  }
}

/** Normal samples redrawn when beyond two standard deviations; Keras defaults mean 0, stddev 0.05. */
export class TruncatedNormal extends NormalInitializer {
  readonly className = 'TruncatedNormal';
  constructor(args: RandomNormalArgs = {}) {
    super('TruncatedNormal', args);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return truncatedNormal(shape, this.mean, this.stddev, dtype, this.seed ?? undefined);
  }
}

/** Options of `RandomUniform`. */
export interface RandomUniformArgs {
  /** Lower bound, inclusive (default −0.05). */
  minval?: number;
  /** Upper bound, exclusive (default 0.05). */
  maxval?: number;
  /**
   * Seed of the generator, for the same values on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/** Uniform samples in `[minval, maxval)`; Keras defaults −0.05 and 0.05. */
export class RandomUniform extends Initializer {
  readonly className = 'RandomUniform';
  /** Lower bound, inclusive. */
  readonly minval: number;
  /** Upper bound, exclusive. */
  readonly maxval: number;
  /** The seed, or null for the global generator. */
  readonly seed: number | null;
  constructor(args: RandomUniformArgs = {}) {
    super();
    this.minval = checkNumber(this.className, 'minval', args.minval ?? -0.05);
    this.maxval = checkNumber(this.className, 'maxval', args.maxval ?? 0.05);
    if (!(this.maxval > this.minval)) {
      throw new Error(`RandomUniform: maxval must be greater than minval, got minval=${this.minval}, maxval=${this.maxval}`);
    }
    this.seed = checkSeed(this.className, args.seed);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return randomUniform(shape, this.minval, this.maxval, dtype, this.seed ?? undefined);
  }
  override getConfig(): Record<string, unknown> {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}
