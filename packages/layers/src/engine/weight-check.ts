import type { Layer } from './layer.js';

/** Called with the layer, the weight's name and shape before a layer creates a weight; it throws to refuse. */
export type WeightCheck = (layer: Layer, name: string, shape: readonly number[]) => void;

let weightCheck: WeightCheck | null = null;

/**
 * Run `fn` with `check` called before every weight any layer creates, so a model loader can compare
 * a config's weight shapes with a file's before an initializer allocates anything. `fn` must be
 * synchronous (layer building is), so the check is never seen by other code; checks nest.
 */
export function withWeightCheck<T>(check: WeightCheck, fn: () => T): T {
  const previous = weightCheck;
  weightCheck = check;
  try {
    return fn();
  } finally {
    weightCheck = previous;
  }
}

/** @internal Ask the active weight check (if any) about a weight `layer` is about to create. */
export function checkNewWeight(layer: Layer, name: string, shape: readonly number[]): void {
  weightCheck?.(layer, name, shape);
}
