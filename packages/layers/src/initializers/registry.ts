import { NameRegistry } from '@descent/tensor';
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

/**
 * The built-ins, listed camelCase (`'glorotUniform'`); class names (`'GlorotUniform'`) and Keras
 * snake_case (`'glorot_uniform'`, `'lecun_normal'`) are the same names in other spellings. Config
 * objects are passed through as constructor args.
 */
const BUILTINS = {
  zeros: () => new Zeros(),
  ones: () => new Ones(),
  constant: of(Constant),
  identity: of(Identity),
  randomNormal: of(RandomNormal),
  randomUniform: of(RandomUniform),
  truncatedNormal: of(TruncatedNormal),
  varianceScaling: of(VarianceScaling),
  glorotUniform: of(GlorotUniform),
  glorotNormal: of(GlorotNormal),
  heNormal: of(HeNormal),
  heUniform: of(HeUniform),
  leCunNormal: of(LeCunNormal),
  leCunUniform: of(LeCunUniform),
  orthogonal: of(Orthogonal),
} as const satisfies Readonly<Record<string, Factory>>;

type BuiltinName = keyof typeof BUILTINS;

const initializers = new NameRegistry<Factory>('initializer', () => Object.entries(BUILTINS));
// Keras 2 spellings still found in saved configs; they resolve but are not listed.
initializers.register('zero', BUILTINS.zeros, { listed: false });
initializers.register('one', BUILTINS.ones, { listed: false });

/** Keras writes LeCun as one word (`lecun_normal`), not as the snake_case of `leCunNormal`. */
type KerasSpelling<S extends string> = S extends `leCun${infer Rest}` ? `lecun${SnakeCase<Rest>}` : SnakeCase<S>;

/**
 * Every built-in initializer name in the spellings users type: camelCase (`'glorotUniform'`) and
 * Keras snake_case (`'glorot_uniform'`, `'lecun_normal'`). Class names (`'GlorotUniform'`) resolve too.
 */
export type InitializerName = BuiltinName | KerasSpelling<BuiltinName>;

/** The built-in initializer names, camelCase. */
export function listInitializers(): string[] {
  return initializers.list();
}

/**
 * Make `getInitializer(name)` and `getInitializer({ className: name, config })` build an
 * initializer with `make` (a name alone gives it `{}`). Names compare as for the built-ins, and
 * registering a known name replaces it.
 */
export function registerInitializer(name: string, make: (config: Record<string, unknown>) => Initializer): void {
  initializers.register(name, make, { fn: 'registerInitializer', callable: 'factory' });
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
  if (typeof id === 'string') return initializers.get(id)({});
  if (typeof id === 'object' && id !== null && typeof id.className === 'string') {
    const config = id.config ?? {};
    if (typeof config !== 'object' || config === null) {
      throw new Error(`getInitializer: config of '${id.className}' must be an object, got ${typeof config}`);
    }
    return initializers.get(id.className)(config);
  }
  throw new Error(`getInitializer: expected a name, a { className, config } object or an Initializer, got ${id === null ? 'null' : typeof id}`);
}

/** `{ className, config }` as written into a layer's config. */
export function serializeInitializer(init: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: init.className, config: init.getConfig() };
}
