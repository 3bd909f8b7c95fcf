import { toCamelCase as caseToCamel, toSnakeCase as caseToSnake } from '@descent/tensor';
import { deserializeSchedule } from './schedules.js';

/**
 * `learning_rate` → `learningRate`, `beta_1` → `beta1`, `l1_regularization_strength` → `l1RegularizationStrength`
 * (tensor's case conversion under its `'keras-args'` rule).
 */
export function toCamelCase(key: string): string {
  return caseToCamel(key, { rule: 'keras-args' });
}

/**
 * `learningRate` → `learning_rate`, `beta1` → `beta_1`, `epsilon1` → `epsilon_1`, but
 * `l1RegularizationStrength` → `l1_regularization_strength`: the spellings Keras and TF.js write
 * (tensor's case conversion under its `'keras-args'` rule).
 */
export function toSnakeCase(key: string): string {
  return caseToSnake(key, { rule: 'keras-args' });
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** A `{ className, config }` or Keras `{ class_name, config }` spec, or null. */
function specOf(x: unknown): { className: string; config: Record<string, unknown> } | null {
  if (!isPlainObject(x)) return null;
  const className = x.className ?? x.class_name;
  if (typeof className !== 'string') return null;
  const config = isPlainObject(x.config) ? x.config : {};
  return { className, config: camelCaseKeys(config) };
}

function camelCaseKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[toCamelCase(k)] = v;
  return out;
}

/**
 * Constructor options from a config in either spelling (our camelCase `getConfig()` or a Keras /
 * TF.js snake_case `config`), with a serialized schedule turned back into a schedule. Keys an
 * optimizer does not take, like Keras's `is_legacy_optimizer`, are dropped when null/false so that
 * configs written by Keras load; anything else reaches the constructor, which rejects it by name.
 */
export function optionsFromConfig(config: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(config)) throw new Error(`fromConfig: config must be an object, got ${String(config)}`);
  const out = camelCaseKeys(config);
  const lrSpec = specOf(out.learningRate);
  if (lrSpec) out.learningRate = deserializeSchedule(lrSpec);
  for (const [k, v] of Object.entries(out)) if (v === null || v === undefined) delete out[k];
  for (const k of ['isLegacyOptimizer', 'lossScaleFactor', 'jitCompile']) if (out[k] === false || out[k] === null) delete out[k];
  return out;
}

/**
 * A config with Keras / TF.js snake_case keys (a schedule as `{ class_name, config }`), as it
 * appears in a saved model's `training_config.optimizer_config.config`.
 */
export function toSnakeCaseConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const spec = isPlainObject(v) && typeof v.className === 'string' ? v : null;
    out[toSnakeCase(k)] = spec
      ? { class_name: spec.className, config: toSnakeCaseConfig(isPlainObject(spec.config) ? spec.config : {}) }
      : v;
  }
  return out;
}
