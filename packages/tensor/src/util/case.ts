/**
 * Case conversion between the camelCase of TypeScript options and the snake_case Keras and TF.js
 * write, in one place for every package (layers' default names, model.json topologies, optimizer
 * configs). Two rules, because Keras itself spells two kinds of names differently:
 *
 * - `'keras'` (default), class and config names: a word starts at a capital, a digit does not split
 *   (`Conv2DTranspose` → `conv2d_transpose`, `ReLU` → `re_lu`, `HTTPServer` → `http_server`).
 * - `'keras-args'`, optimizer argument names: a digit after a letter is a word of its own
 *   (`beta1` → `beta_1`, `epsilon1` → `epsilon_1`) except in `l1`/`l2`
 *   (`l1RegularizationStrength` → `l1_regularization_strength`).
 */
export type CaseRule = 'keras' | 'keras-args';

/** Options of `toSnakeCase` and `toCamelCase`. */
export interface CaseOptions {
  /** Which spelling rule; see {@link CaseRule}. Default `'keras'`. */
  rule?: CaseRule;
}

function ruleOf(options: CaseOptions | undefined, fn: string): CaseRule {
  const rule = options?.rule ?? 'keras';
  if (rule !== 'keras' && rule !== 'keras-args') {
    throw new Error(`${fn}: rule must be 'keras' or 'keras-args', got ${JSON.stringify(rule)}`);
  }
  return rule;
}

/** camelCase or PascalCase → snake_case: `'useBias'` → `'use_bias'`, `'Conv2DTranspose'` → `'conv2d_transpose'`. */
export function toSnakeCase(s: string, options?: CaseOptions): string {
  if (ruleOf(options, 'toSnakeCase') === 'keras-args') {
    return s
      .replace(/([a-z])([0-9])/g, '$1_$2')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/(^|_)l_([12])(?=_|$)/g, '$1l$2');
  }
  // Two passes, where Keras's to_snake_case and TF.js split: "xAbc" first (so "HTTPServer" →
  // "http_server"), then a lower-case letter before a capital. A digit before a capital does not split.
  const first = s.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  return first.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * snake_case → camelCase: `'use_bias'` → `'useBias'`, `'beta_1'` → `'beta1'`. Under `'keras'` a run
 * of underscores goes and any letter after it is capitalized (a string without `_` is returned
 * as is); under `'keras-args'` only a single `_` before a lower-case letter or digit goes.
 */
export function toCamelCase(s: string, options?: CaseOptions): string {
  if (ruleOf(options, 'toCamelCase') === 'keras-args') return s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  if (!s.includes('_')) return s;
  return s.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}
