import { optionsFromConfig } from './config.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerOptions } from './optimizer-options.js';
import { BASE_OPTION_NAMES } from './optimizer-options.js';
import { register } from './registry.js';
import type { GradientTransform } from './transform.js';
import { isGradientTransform } from './transform.js';

/** A JSON value: what a chain optimizer's own parameters may hold, so they save in a model's config. */
export type ParamValue = number | string | boolean | null | readonly ParamValue[];

/** How `ChainOptimizer` is named and configured when `fromTransforms` builds it. */
export interface ChainSpec {
  /** The registered name `get()` rebuilds it under (default `'ChainOptimizer'`). */
  className?: string;
  /** Its own parameters, returned by `getConfig()` next to the base options. */
  params?: Readonly<Record<string, ParamValue>>;
  /** Learning rate when the options give none (default 0.001). */
  defaultLearningRate?: number;
}

/**
 * An optimizer made of gradient transforms: `new ChainOptimizer(chain(clipByGlobalNorm(1),
 * addDecayedWeights(1e-4), scaleByAdam()), { learningRate: 3e-4 })`. The transform runs once per
 * step over all the variables; the base options (`clipnorm`, `useEma`, `gradientAccumulationSteps`,
 * ...) still work and wrap it as they wrap a built-in rule. To save and load it by name, define it
 * with `fromTransforms`.
 */
export class ChainOptimizer extends Optimizer {
  /** The parameters `fromTransforms` built the chain from (empty for a chain given directly). */
  readonly params: Readonly<Record<string, ParamValue>>;

  constructor(transform: GradientTransform, options: OptimizerOptions & Record<string, unknown> = {}, spec: ChainSpec = {}) {
    const className = spec.className ?? 'ChainOptimizer';
    if (!isGradientTransform(transform)) {
      throw new Error(`${className}: expected a gradient transform (chain(...), scaleByAdam(), ...), got ${transform === null ? 'null' : typeof transform}`);
    }
    const params = spec.params ?? {};
    super(className, options, Object.keys(params), { learningRate: spec.defaultLearningRate ?? 0.001, name: className }, transform);
    this.params = params;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.params };
  }

  /**
   * A chain is code, not configuration: `fromTransforms(className, build)` registers the code under
   * a name, and `get({ className, config })` (or the factory's `fromConfig`) rebuilds it.
   */
  static override fromConfig(): never {
    throw new Error(
      'ChainOptimizer.fromConfig: a chain cannot be rebuilt from its config alone; define it with fromTransforms(className, build) and load it with get({ className, config })',
    );
  }
}

/** What `fromTransforms` returns: builds the optimizer from options (its own parameters among them). */
export interface ChainOptimizerFactory<P extends Record<string, ParamValue>> {
  (options?: OptimizerOptions & Partial<P>): ChainOptimizer;
  /** The registered name. */
  readonly className: string;
  /** Rebuild from `getConfig()` output (camelCase or Keras snake_case keys). */
  fromConfig(config: Record<string, unknown>): ChainOptimizer;
}

/**
 * Define an optimizer as a chain of transforms and register it under `className`, so that
 * `get(className)`, `get({ className, config })`, a saved model's `optimizer_config` and
 * `compile({ optimizer: 'className' })` all rebuild it. `build` gets the parameters (the defaults
 * overridden by the options) and returns the transform; the parameters are saved in `getConfig()`.
 *
 * ```ts
 * const ClippedAdamW = fromTransforms('ClippedAdamW', (p) =>
 *   chain(clipByGlobalNorm(p.clip), addDecayedWeights(p.decay), scaleByAdam({ beta1: p.beta1 })),
 *   { params: { clip: 1, decay: 1e-4, beta1: 0.9 }, learningRate: 1e-3 });
 * const opt = ClippedAdamW({ learningRate: 3e-4, clip: 0.5 });
 * ```
 */
export function fromTransforms<P extends Record<string, ParamValue>>(
  className: string,
  build: (params: P) => GradientTransform,
  defaults: { params?: P; learningRate?: number } = {},
): ChainOptimizerFactory<P> {
  if (typeof className !== 'string' || className === '') throw new Error(`fromTransforms: className must be a non-empty string, got ${String(className)}`);
  if (typeof build !== 'function') throw new Error(`fromTransforms: build must be a function of the parameters returning a transform, got ${typeof build}`);
  const defaultParams = (defaults.params ?? {}) as P;
  for (const key of Object.keys(defaultParams)) {
    if ((BASE_OPTION_NAMES as readonly string[]).includes(key)) {
      throw new Error(`fromTransforms: parameter '${key}' of '${className}' has the name of an option every optimizer takes; rename it`);
    }
  }
  const make = (options: Record<string, unknown> = {}): ChainOptimizer => {
    if (options === null || typeof options !== 'object') throw new Error(`${className}: options must be an object, got ${String(options)}`);
    const params: Record<string, ParamValue> = { ...defaultParams };
    for (const key of Object.keys(defaultParams)) if (options[key] !== undefined) params[key] = options[key] as ParamValue;
    const transform = build(params as P);
    return new ChainOptimizer(transform, options, { className, params, ...(defaults.learningRate !== undefined ? { defaultLearningRate: defaults.learningRate } : {}) });
  };
  register(className, make);
  return Object.assign((options?: OptimizerOptions & Partial<P>) => make(options as Record<string, unknown> | undefined), {
    className,
    fromConfig: (config: Record<string, unknown>) => make(optionsFromConfig(config)),
  });
}
