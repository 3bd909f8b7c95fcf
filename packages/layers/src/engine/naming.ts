/**
 * Default layer names: the class name in snake_case, made unique with a counter per prefix,
 * as Keras does (`dense`, `dense_1`, `dense_2`, ...). Counters are global so that two models
 * built in one program never hand out the same weight names.
 */
const counters = new Map<string, number>();

// Keras's `to_snake_case` (tensor's case conversion, default rule): `Conv2DTranspose` → `conv2d_transpose`,
// `ReLU` → `re_lu`, `LSTM` → `lstm`.
export { toSnakeCase } from '@descent/tensor';

/** The next unused name for `prefix`: the prefix itself the first time, then `prefix_1`, `prefix_2`, ... */
export function uniqueLayerName(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Forget every counter, so the next `Dense` is `dense` again (for tests and fresh sessions). */
export function resetLayerNames(): void {
  counters.clear();
}
