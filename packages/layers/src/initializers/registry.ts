import { normalizeName, unknownNameError } from '@descent/tensor';
import type { LiteralUnion, SnakeCase } from '../engine/name-types.js';
import { Constant, Identity, Ones, Zeros } from './constant.js';
import { Initializer } from './initializer.js';
import { Orthogonal } from './orthogonal.js';
import { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LeCunNormal,
  LeCunUniform,
  VarianceScaling,
} from './variance-scaling.js';

type Factory = (config: Record<string, unknown>) => Initializer;

// Constructors validate every option at run time, so a config read from JSON can be handed over as is.
const of =
  <A>(C: new (args: A) => Initializer): Factory =>
  (config) =>
    new C(config as A);

/** Class name → constructor from a camelCase config. Config objects are passed through as constructor args. */
const CLASSES: Readonly<Record<string, Factory>> = {
  Zeros: () => new Zeros(),
  Ones: () => new Ones(),
  Constant: of(Constant),
  Identity: of(Identity),
  RandomNormal: of(RandomNormal),
  RandomUniform: of(RandomUniform),
  TruncatedNormal: of(TruncatedNormal),
  VarianceScaling: of(VarianceScaling),
  GlorotUniform: of(GlorotUniform),
  GlorotNormal: of(GlorotNormal),
  HeNormal: of(HeNormal),
  HeUniform: of(HeUniform),
  LeCunNormal: of(LeCunNormal),
  LeCunUniform: of(LeCunUniform),
  Orthogonal: of(Orthogonal),
};

/** camelCase names users type (snake_case and class-name spellings match too). */
const NAMES = [
  'zeros',
  'ones',
  'constant',
  'identity',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'varianceScaling',
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'leCunNormal',
  'leCunUniform',
  'orthogonal',
] as const;

/** Keras writes LeCun as one word (`lecun_normal`), not as the snake_case of `leCunNormal`. */
type KerasSpelling<S extends string> = S extends `leCun${infer Rest}` ? `lecun${SnakeCase<Rest>}` : SnakeCase<S>;

/**
 * Every built-in initializer name in the spellings users type: camelCase (`'glorotUniform'`) and
 * Keras snake_case (`'glorot_uniform'`, `'lecun_normal'`). Class names (`'GlorotUniform'`) resolve too.
 */
export type InitializerName = (typeof NAMES)[number] | KerasSpelling<(typeof NAMES)[number]>;

const byKey = new Map<string, Factory>();
for (const [cls, f] of Object.entries(CLASSES)) byKey.set(normalizeName(cls), f);
// Keras 2 spellings still found in saved configs.
byKey.set('zero', CLASSES.Zeros!);
byKey.set('one', CLASSES.Ones!);

/** The built-in initializer names, camelCase. */
export function listInitializers(): string[] {
  return [...NAMES];
}

/**
 * What `getInitializer` accepts: a name (`'glorotUniform'`), an instance, or a `{ className, config }`
 * object.
 */
export type InitializerIdentifier = LiteralUnion<InitializerName> | Initializer | { className: string; config?: Record<string, unknown> };

/**
 * Resolve an initializer from a name (`'glorotUniform'`, `'glorot_uniform'`, `'GlorotUniform'`),
 * a `{ className, config }` object as saved in a layer config, or an instance (returned as is).
 */
export function getInitializer(id: InitializerIdentifier): Initializer {
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') return lookup(id)({});
  if (typeof id === 'object' && id !== null && typeof id.className === 'string') {
    const config = id.config ?? {};
    if (typeof config !== 'object' || config === null) {
      throw new Error(`getInitializer: config of '${id.className}' must be an object, got ${typeof config}`);
    }
    return lookup(id.className)(config);
  }
  throw new Error(`getInitializer: expected a name, a { className, config } object or an Initializer, got ${id === null ? 'null' : typeof id}`);
}

function lookup(name: string): Factory {
  const f = byKey.get(normalizeName(name));
  if (!f) throw unknownNameError('initializer', name, NAMES);
  return f;
}

/** `{ className, config }` as written into a layer's config. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: init.className, config: init.getConfig() };
}
