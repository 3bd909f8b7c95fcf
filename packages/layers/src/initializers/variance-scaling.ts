import type { DType, Tensor } from '@descent/tensor';
import { normalizeName, randomNormal, randomUniform, truncatedNormal } from '@descent/tensor';
import { checkFloat, checkNumber, checkSeed, computeFans, Initializer } from './initializer.js';
import { showValue } from '../engine/show-value.js';

/** Which fan the variance is divided by: fan-in, fan-out or their average (see `computeFans`). */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/**
 * The distribution samples are drawn from: a normal truncated to ±2 standard deviations (variance
 * corrected), a plain normal, or a uniform.
 */
export type Distribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

const MODES: Readonly<Record<string, FanMode>> = { fanin: 'fanIn', fanout: 'fanOut', fanavg: 'fanAvg' };
// 'normal' is the Keras 2 / TF.js spelling of the truncated normal.
const DISTRIBUTIONS: Readonly<Record<string, Distribution>> = {
  truncatednormal: 'truncatedNormal',
  normal: 'truncatedNormal',
  untruncatednormal: 'untruncatedNormal',
  uniform: 'uniform',
};

/**
 * Standard deviation of a standard normal truncated to [−2, 2]: dividing by it makes the truncated
 * samples have the variance the fan formula asks for (Keras's 0.8796… correction).
 */
const TRUNCATED_STDDEV = 0.87962566103423978;

/** Options of `VarianceScaling`. */
export interface VarianceScalingArgs {
  /** Variance numerator: samples have variance `scale / n` (default 1; must be positive). */
  scale?: number;
  /** The `n` of `scale / n`: `'fanIn'` (default), `'fanOut'` or `'fanAvg'`; snake_case accepted. */
  mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg';
  /**
   * `'truncatedNormal'` (default; Keras 2's `'normal'` means the same), `'untruncatedNormal'` or
   * `'uniform'`; snake_case accepted.
   */
  distribution?: Distribution | 'truncated_normal' | 'untruncated_normal' | 'normal';
  /**
   * Seed of the generator, for the same values on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/**
 * Samples with variance `scale / n`, n being fan-in, fan-out or their average: a truncated normal
 * (corrected so the variance is right), a plain normal, or a uniform on ±sqrt(3·scale/n).
 */
export class VarianceScaling extends Initializer {
  readonly className: string = 'VarianceScaling';
  /** Variance numerator. */
  readonly scale: number;
  /** Which fan divides `scale`. */
  readonly mode: FanMode;
  /** The distribution samples are drawn from. */
  readonly distribution: Distribution;
  /** The seed, or null for the global generator. */
  readonly seed: number | null;

  constructor(args: VarianceScalingArgs = {}) {
    super();
    const name = 'VarianceScaling';
    this.scale = checkNumber(name, 'scale', args.scale ?? 1, 'positive');
    const mode = MODES[normalizeName(args.mode ?? 'fanIn')];
    if (!mode) throw new Error(`VarianceScaling: mode must be one of 'fanIn', 'fanOut', 'fanAvg', got ${showValue(args.mode)}`);
    this.mode = mode;
    const dist = DISTRIBUTIONS[normalizeName(args.distribution ?? 'truncatedNormal')];
    if (!dist) {
      throw new Error(
        `VarianceScaling: distribution must be one of 'truncatedNormal', 'untruncatedNormal', 'uniform', got ${showValue(args.distribution)}`,
      );
    }
    this.distribution = dist;
    this.seed = checkSeed(name, args.seed);
  }

  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    checkFloat(this.className, dtype);
    const { fanIn, fanOut } = computeFans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    const seed = this.seed ?? undefined;
    switch (this.distribution) {
      case 'truncatedNormal':
        return truncatedNormal(shape, 0, Math.sqrt(variance) / TRUNCATED_STDDEV, dtype, seed);
      case 'untruncatedNormal':
        return randomNormal(shape, 0, Math.sqrt(variance), dtype, seed);
      case 'uniform': {
        const limit = Math.sqrt(3 * variance);
        return randomUniform(shape, -limit, limit, dtype, seed);
      }
    }
  }

  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

/** Options of the preset variance-scaling initializers: only the seed. */
export interface SeedArgs {
  /**
   * Seed of the generator, for the same values on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/**
 * The named presets. Their config is only `{ seed }`, as in Keras and TF.js, because the scale,
 * mode and distribution are fixed by the name.
 */
abstract class Preset extends VarianceScaling {
  /** The preset's config: only `{ seed }`, as in Keras and TF.js. */
  override getConfig(): Record<string, unknown> {
    return { seed: this.seed };
  }
}

/** Uniform on ±sqrt(6 / (fanIn + fanOut)): the default kernel initializer of Dense and Conv. */
export class GlorotUniform extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'GlorotUniform';
  constructor(args: SeedArgs = {}) {
    super({ scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: args.seed ?? null });
  }
}

/** Truncated normal with variance `2 / (fanIn + fanOut)`. */
export class GlorotNormal extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'GlorotNormal';
  constructor(args: SeedArgs = {}) {
    super({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal', seed: args.seed ?? null });
  }
}

/** Truncated normal with variance `2 / fanIn`: suited to ReLU layers. */
export class HeNormal extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'HeNormal';
  constructor(args: SeedArgs = {}) {
    super({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal', seed: args.seed ?? null });
  }
}

/** Uniform on ±sqrt(6 / fanIn): suited to ReLU layers. */
export class HeUniform extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'HeUniform';
  constructor(args: SeedArgs = {}) {
    super({ scale: 2, mode: 'fanIn', distribution: 'uniform', seed: args.seed ?? null });
  }
}

/** Class name spelled as TF.js registers it ('LeCunNormal'); Keras's 'LecunNormal' resolves too (names match case-insensitively). */
export class LeCunNormal extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'LeCunNormal';
  constructor(args: SeedArgs = {}) {
    super({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: args.seed ?? null });
  }
}

/** Uniform on ±sqrt(3 / fanIn). */
export class LeCunUniform extends Preset {
  /** The Keras class name written into saved configs. */
  override readonly className = 'LeCunUniform';
  constructor(args: SeedArgs = {}) {
    super({ scale: 1, mode: 'fanIn', distribution: 'uniform', seed: args.seed ?? null });
  }
}
