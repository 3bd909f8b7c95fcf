import { closestName } from '@descent/tensor';

/**
 * Reject option keys that `op` does not know, suggesting the closest valid one, so a typo such as
 * `fit(x, y, { epoch: 3 })` fails instead of being silently ignored:
 * `fit: unknown option 'epoch'. Did you mean 'epochs'? Valid options: batchSize, epochs, …`.
 * Also rejects an options argument that is not a plain object.
 */
export function checkOptionKeys(op: string, options: unknown, valid: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
    throw new Error(`${op}: options must be an object such as { ${valid.slice(0, 2).join(', ')} }, got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      const guess = closestName(key, valid);
      const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
      throw new Error(`${op}: unknown option '${key}'.${hint} Valid options: ${valid.join(', ')}`);
    }
  }
}

const COMMON_FIT = ['epochs', 'verbose', 'callbacks', 'classWeight', 'initialEpoch', 'validationFreq', 'validationBatchSize', 'validationSteps'] as const;

/** Option names of `fit(x, y, options)` with tensors. */
export const FIT_OPTIONS: readonly string[] = [...COMMON_FIT, 'batchSize', 'validationSplit', 'validationData', 'shuffle', 'sampleWeight'];
/** Option names of `fit(dataset, options)`. */
export const FIT_DATASET_OPTIONS: readonly string[] = [...COMMON_FIT, 'stepsPerEpoch', 'validationData'];
export const EVALUATE_OPTIONS: readonly string[] = ['batchSize', 'sampleWeight', 'callbacks'];
export const EVALUATE_DATASET_OPTIONS: readonly string[] = ['steps', 'callbacks'];
export const PREDICT_OPTIONS: readonly string[] = ['batchSize', 'callbacks'];
export const TRAIN_ON_BATCH_OPTIONS: readonly string[] = ['sampleWeight', 'classWeight'];
export const TEST_ON_BATCH_OPTIONS: readonly string[] = ['sampleWeight'];
export const COMPILE_ARGS: readonly string[] = ['optimizer', 'loss', 'metrics'];

/**
 * The option names of an options interface `T`, from an object listing each of them as `true`: it
 * does not compile while a key of `T` is missing or an extra one is listed, so the list and the
 * interface cannot drift apart.
 */
export function optionNames<T>(keys: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.keys(keys);
}
