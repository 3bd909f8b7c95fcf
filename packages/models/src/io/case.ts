/**
 * Keras/TF.js model.json topologies are "pythonic": snake_case keys and snake_case enum-like string
 * values (`'channels_last'`, `'hard_sigmoid'`), while layer configs in TypeScript are camelCase. The
 * conversion rules follow what TF.js does when it reads and writes model.json, so files travel both
 * ways: keys and string values are converted, except the values of `name` (user-chosen) and
 * `className`/`class_name` (class names stay PascalCase).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

import { toCamelCase, toSnakeCase } from '@descent/tensor';

// One implementation for every package (tensor's util/case.ts), under its default 'keras' rule:
// `'useBias'` ↔ `'use_bias'`, `'hardSigmoid'` → `'hard_sigmoid'`, `'conv2DTranspose'` → `'conv2d_transpose'`.
export { toCamelCase, toSnakeCase };

const KEEP_VALUE_KEYS = new Set(['name', 'className', 'class_name']);

/**
 * How deeply model.json values may nest. Keras configs nest a few levels (a wrapper layer's
 * layer's initializer's config ≈ 10); the bound keeps the recursive conversions (and the layer
 * registry's) far from the call stack's limit on hostile or corrupt files.
 */
export const MAX_CONFIG_DEPTH = 100;

/** Throw when `value` nests arrays/objects deeper than `MAX_CONFIG_DEPTH`; iterative, so any depth is safe to check. */
export function checkJsonDepth(value: unknown, where: string, limit = MAX_CONFIG_DEPTH): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) throw new Error(`${where} nests deeper than ${limit} levels; expected a layer config (a few levels deep)`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}

function convert(value: unknown, key: string | null, keyFn: (k: string) => string, depth = 0): JsonValue {
  if (depth >= MAX_CONFIG_DEPTH && typeof value === 'object' && value !== null) {
    throw new Error(`model.json: config value for '${key ?? '?'}' nests deeper than ${MAX_CONFIG_DEPTH} levels; expected a layer config (a few levels deep)`);
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return key !== null && KEEP_VALUE_KEYS.has(key) ? value : keyFn(value);
  if (typeof value === 'number') {
    // JSON has no Infinity/NaN; Keras writes them as such in Python but TF.js's JSON.parse would fail.
    if (!Number.isFinite(value)) throw new Error(`model.json: config value for '${key ?? '?'}' is ${value}, which JSON cannot hold`);
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => convert(item, key, keyFn, depth + 1));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const outKey = keyFn(k);
      // JSON.parse makes '__proto__' an own key; assigning it would replace `out`'s prototype.
      if (k === '__proto__' || outKey === '__proto__') throw new Error(`model.json: config key '__proto__' (in '${key ?? 'config'}') is not a layer option; the file is corrupt or hostile`);
      out[outKey] = convert(v, k, keyFn, depth + 1);
    }
    return out;
  }
  throw new Error(`model.json: config value for '${key ?? '?'}' has type ${typeof value}, which cannot be serialized`);
}

/** camelCase config (as `getConfig()` returns it) → snake_case model.json form. */
export function toPythonic(config: unknown): JsonValue {
  return convert(config, null, toSnakeCase);
}

/** snake_case model.json form → camelCase config (what `fromConfig` takes). */
export function fromPythonic(config: unknown): JsonValue {
  return convert(config, null, toCamelCase);
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
