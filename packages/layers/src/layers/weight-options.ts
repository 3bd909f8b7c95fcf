import type { Constraint } from '../constraints/index.js';
import { getConstraint, serializeConstraint } from '../constraints/index.js';
import type { AddWeightOptions, Layer } from '../engine/layer.js';
import type { Initializer } from '../initializers/index.js';
import { getInitializer, serializeInitializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import { getRegularizer, serializeRegularizer } from '../regularizers/index.js';
import type { ConstraintOption, InitializerId, NamedLayer, RegularizerOption } from './common.js';
import { forOption } from './common.js';

// Every weight a layer creates takes the same three options, named after the weight
// (`kernel` → kernelInitializer, kernelRegularizer, kernelConstraint), and the layer keeps them
// resolved as public fields of the same names. These helpers resolve, apply and serialize that
// block once for Dense, the convolutions, the RNNs, Embedding and the normalizations.

/** Constructor options of the weights `W`, as the layers' `...Args` interfaces spell them. */
export type WeightArgs<W extends string> = { readonly [K in `${W}Initializer`]?: InitializerId } & {
  readonly [K in `${W}Regularizer`]?: RegularizerOption;
} & { readonly [K in `${W}Constraint`]?: ConstraintOption };

/** The same options resolved: the layer's public fields. */
export type WeightFields<W extends string> = { readonly [K in `${W}Initializer`]: Initializer } & {
  readonly [K in `${W}Regularizer`]: Regularizer | null;
} & { readonly [K in `${W}Constraint`]: Constraint | null };

/** Fields of weights that take an initializer and nothing else (BatchNormalization's moving statistics). */
export type InitializerFields<W extends string> = { readonly [K in `${W}Initializer`]: Initializer };

/** The layer's fields read by key; the key types above guarantee what each holds. */
function field<T>(layer: object, key: string): T {
  return (layer as Record<string, T>)[key]!;
}

/**
 * Resolve, in a layer's constructor, the options of each weight in `defaultInitializers` (weight
 * name → initializer used when none is given) from the constructor's args, and set them as the
 * layer's fields (declared `declare readonly kernelInitializer: Initializer` and so on; `layer`'s
 * type makes sure they exist). A missing or null regularizer or constraint resolves to null.
 */
export function initWeightOptions<W extends string>(
  layer: WeightFields<NoInfer<W>>,
  args: WeightArgs<NoInfer<W>>,
  defaultInitializers: Readonly<Record<W, string>>,
): void {
  const given = args as Readonly<Record<string, unknown>>;
  const weights = Object.keys(defaultInitializers) as W[];
  const fields: Record<string, unknown> = {};
  // Kind by kind, as the layers always resolved them, so that the first bad option reported stays the same.
  const named = layer as unknown as NamedLayer;
  for (const w of weights) {
    fields[`${w}Initializer`] = forOption(named, `${w}Initializer`, () => getInitializer((given[`${w}Initializer`] as InitializerId | undefined) ?? defaultInitializers[w]));
  }
  for (const w of weights) {
    const regularizer = given[`${w}Regularizer`] as RegularizerOption | undefined;
    fields[`${w}Regularizer`] = regularizer === undefined || regularizer === null ? null : forOption(named, `${w}Regularizer`, () => getRegularizer(regularizer));
  }
  for (const w of weights) {
    const constraint = given[`${w}Constraint`] as ConstraintOption | undefined;
    fields[`${w}Constraint`] = constraint === undefined || constraint === null ? null : forOption(named, `${w}Constraint`, () => getConstraint(constraint));
  }
  Object.assign(layer, fields);
}

/** `addWeight` options for weight `w` from the layer's resolved fields: `this.addWeight('kernel', shape, weightOptions(this, 'kernel'))`. */
export function weightOptions<W extends string>(layer: WeightFields<NoInfer<W>>, w: W): AddWeightOptions {
  return {
    initializer: field<Initializer>(layer, `${w}Initializer`),
    regularizer: field<Regularizer | null>(layer, `${w}Regularizer`),
    constraint: field<Constraint | null>(layer, `${w}Constraint`),
  };
}

export interface WeightConfigOptions<I extends string> {
  /** Write the layer's `activityRegularizer` between the regularizers and the constraints (null when it has none). */
  activityRegularizer?: boolean;
  /** Weights with only an initializer, written after the other weights' initializers. */
  initializerOnly?: readonly I[];
}

/**
 * `getConfig()` entries for the weights' options in the order TF.js writes them: every
 * initializer, then every regularizer (then the activity regularizer when asked), then every
 * constraint; an absent regularizer or constraint is written as null.
 */
export function weightOptionsConfig<W extends string, I extends string = never>(
  layer: Layer & WeightFields<NoInfer<W>> & InitializerFields<NoInfer<I>>,
  weights: readonly W[],
  options: WeightConfigOptions<I> = {},
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const w of [...weights, ...(options.initializerOnly ?? [])]) {
    config[`${w}Initializer`] = serializeInitializer(field<Initializer>(layer, `${w}Initializer`));
  }
  for (const w of weights) config[`${w}Regularizer`] = regularizerConfig(field<Regularizer | null>(layer, `${w}Regularizer`));
  if (options.activityRegularizer === true) config['activityRegularizer'] = regularizerConfig(layer.activityRegularizer);
  for (const w of weights) {
    const constraint = field<Constraint | null>(layer, `${w}Constraint`);
    config[`${w}Constraint`] = constraint === null ? null : serializeConstraint(constraint);
  }
  return config;
}

function regularizerConfig(x: Regularizer | null): Record<string, unknown> | null {
  return x === null ? null : serializeRegularizer(x);
}
