/**
 * Type-level helpers for registry names. Registries match names case-insensitively and ignore
 * `_` and `-` (see `normalizeName`), so every name has a camelCase and a snake_case spelling; the
 * unions below list both so editors offer either, while `(string & {})` keeps custom names legal.
 */

/**
 * A union of known names that still accepts any string. The `& {}` stops TypeScript from
 * collapsing the literals into `string`, so editors keep suggesting them.
 */
export type LiteralUnion<Known extends string> = Known | (string & {});

/** `'hardSigmoid'` → `'hard_sigmoid'`, `'topKCategoricalAccuracy'` → `'top_k_categorical_accuracy'`. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** `'hard_sigmoid'` → `'hardSigmoid'`, `'log_softmax'` → `'logSoftmax'`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
