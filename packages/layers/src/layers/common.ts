import type { Activation } from '../activations/index.js';
import { getActivation } from '../activations/index.js';
import type { getConstraint } from '../constraints/index.js';
import type { getInitializer } from '../initializers/index.js';
import type { getRegularizer } from '../regularizers/index.js';
import { showValue } from '../engine/show-value.js';

export type ActivationId = Parameters<typeof getActivation>[0];
export type InitializerId = Parameters<typeof getInitializer>[0];
export type RegularizerOption = Parameters<typeof getRegularizer>[0] | null;
export type ConstraintOption = Parameters<typeof getConstraint>[0] | null;

/** The layer an error is about, as its messages name it. */
export interface NamedLayer {
  readonly className: string;
  readonly name: string;
}

/**
 * Runs `fn` (an activation / initializer / ... lookup for `option`); an error it throws is
 * re-thrown prefixed with the layer and option, unless it already names the layer.
 */
export function forOption<T>(layer: NamedLayer | undefined, option: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (layer !== undefined && e instanceof Error && !e.message.startsWith(`${layer.className}:`) && !e.message.startsWith(`${layer.className} '`)) {
      e.message = `${layer.className} '${layer.name}': ${option}: ${e.message}`;
    }
    throw e;
  }
}

export function activationOf(id: ActivationId | undefined, layer?: NamedLayer, option = 'activation'): Activation {
  return forOption(layer, option, () => getActivation(id ?? null));
}

/** A positive integer option, or a clear error naming the layer and option. */
export function positiveInt(layer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${layer}: ${option} must be a positive integer, got ${showValue(value)}`);
  }
  return value;
}

/** A rate in [0, 1). */
export function rateIn01(layer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${layer}: ${option} must be a number in [0, 1), got ${showValue(value)}`);
  }
  return value;
}
