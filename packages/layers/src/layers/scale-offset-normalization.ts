import type { Variable } from '@descent/autograd';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';

/** Options of a normalization's learned scale `gamma` and offset `beta` (BatchNormalization, LayerNormalization, GroupNormalization). */
export interface ScaleOffsetArgs {
  /** Add the learned offset `beta` (default true). */
  center?: boolean;
  /** Multiply by the learned scale `gamma` (default true). */
  scale?: boolean;
  /** Initializer of beta (default `'zeros'`). */
  betaInitializer?: InitializerId;
  /** Initializer of gamma (default `'ones'`). */
  gammaInitializer?: InitializerId;
  /** Penalty on beta added to the loss (default none). */
  betaRegularizer?: RegularizerOption;
  /** Penalty on gamma added to the loss (default none). */
  gammaRegularizer?: RegularizerOption;
  /** Constraint applied to beta after each optimizer step (default none). */
  betaConstraint?: ConstraintOption;
  /** Constraint applied to gamma after each optimizer step (default none). */
  gammaConstraint?: ConstraintOption;
}

/** The option names of `ScaleOffsetArgs` in TF.js's order, to spread into a subclass's `layerOptions({ … })`. */
export const SCALE_OFFSET_OPTIONS: { readonly [K in keyof ScaleOffsetArgs]-?: true } = {
  center: true,
  scale: true,
  betaInitializer: true,
  gammaInitializer: true,
  betaRegularizer: true,
  gammaRegularizer: true,
  betaConstraint: true,
  gammaConstraint: true,
};

/**
 * Base of the normalizations that end with a learned per-feature scale `gamma` and offset `beta`
 * (`BatchNormalization`, `LayerNormalization`, `GroupNormalization`): their `center`/`scale` options,
 * the beta/gamma initializers, regularizers and constraints, the two weights and their config entries.
 */
export abstract class ScaleOffsetNormalization extends Layer {
  /** Whether the learned offset beta is added. */
  readonly center: boolean;
  /** Whether the learned scale gamma is applied. */
  readonly scale: boolean;
  /** Initializer of beta. */
  declare readonly betaInitializer: Initializer;
  /** Initializer of gamma. */
  declare readonly gammaInitializer: Initializer;
  /** Penalty on beta, or null. */
  declare readonly betaRegularizer: Regularizer | null;
  /** Penalty on gamma, or null. */
  declare readonly gammaRegularizer: Regularizer | null;
  /** Constraint on beta, or null. */
  declare readonly betaConstraint: Constraint | null;
  /** Constraint on gamma, or null. */
  declare readonly gammaConstraint: Constraint | null;
  /** Learned scale (shaped like the normalized features); null until built or when `scale` is false. */
  gamma: Variable | null = null;
  /** Learned offset (shaped like the normalized features); null until built or when `center` is false. */
  beta: Variable | null = null;

  /** Reads `center` and `scale`; the subclass calls `initScaleOffset` after checking its own options. */
  constructor(args: LayerArgs & ScaleOffsetArgs) {
    super(args);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  /** Resolve the beta/gamma initializers, regularizers and constraints (errors name the layer and option). */
  protected initScaleOffset(args: ScaleOffsetArgs): void {
    initWeightOptions(this, args, { beta: 'zeros', gamma: 'ones' });
  }

  /** Create gamma (when `scale`) and beta (when `center`), in that order, of `shape`. */
  protected addScaleOffset(shape: readonly number[]): void {
    if (this.scale) this.gamma = this.addWeight('gamma', shape, weightOptions(this, 'gamma'));
    if (this.center) this.beta = this.addWeight('beta', shape, weightOptions(this, 'beta'));
  }

  /** The config entries `center`, `scale` and the beta/gamma options, in TF.js's order. */
  protected scaleOffsetConfig(): Record<string, unknown> {
    return { center: this.center, scale: this.scale, ...weightOptionsConfig(this, ['beta', 'gamma']) };
  }
}
