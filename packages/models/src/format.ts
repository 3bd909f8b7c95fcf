import { showValue } from '@descent/tensor';

/**
 * A value as error messages show it: `showValue` from `@descent/tensor`, bounded for messages about
 * hostile input (a model.json or options object): at most 3 levels, 8 entries per level and
 * `maxLength` characters.
 */
export function formatValue(value: unknown, maxLength = 80): string {
  return showValue(value, { maxDepth: 3, maxEntries: 8, maxLength });
}
