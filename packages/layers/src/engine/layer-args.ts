import type { LayerArgs } from './layer-types.js';
import type { SymbolicShape } from './shape-utils.js';
import { showValue } from './show-value.js';

// What the Layer constructor makes of the options every layer accepts (`LayerArgs`).

/** Keras 3 writes dtype as a policy object (`{ className: 'DTypePolicy', config: { name: 'float32' } }`). */
export function dtypeName(dtype: unknown): unknown {
  if (dtype !== null && typeof dtype === 'object') {
    const name = (dtype as { config?: { name?: unknown } }).config?.name;
    if (name !== undefined) return name;
  }
  return dtype ?? undefined;
}

/** The batch input shape declared by `batchInputShape`, or by `inputShape` and `batchSize`; null when neither is given. */
export function resolveBatchInputShape(cls: string, args: LayerArgs): SymbolicShape | null {
  const check = (option: string, shape: readonly (number | null)[]): void => {
    if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
      throw new Error(`${cls}: ${option} must be an array of non-negative integers (or null), got ${showValue(shape)}`);
    }
  };
  if (args.batchInputShape !== undefined && args.batchInputShape !== null) {
    check('batchInputShape', args.batchInputShape);
    return [...args.batchInputShape];
  }
  if (args.inputShape !== undefined && args.inputShape !== null) {
    check('inputShape', args.inputShape);
    const b = args.batchSize ?? null;
    if (b !== null && !(Number.isInteger(b) && b > 0)) throw new Error(`${cls}: batchSize must be a positive integer, got ${showValue(b)}`);
    return [b, ...args.inputShape];
  }
  return null;
}
