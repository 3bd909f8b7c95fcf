import { NameRegistry } from '@descent/tensor';
import { Adadelta } from './adadelta.js';
import { Adafactor } from './adafactor.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { optionsFromConfig } from './config.js';
import { Ftrl } from './ftrl.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** Builds an optimizer from constructor options (camelCase). */
export type OptimizerFactory = (options: Record<string, unknown>) => Optimizer;

const optimizers = new NameRegistry<OptimizerFactory>('optimizer');

/**
 * Make `get(name)` build an optimizer (names compare case-insensitively, ignoring `_` and `-`).
 * Registering an existing name replaces it.
 */
export function register(name: string, factory: OptimizerFactory): void {
  optimizers.register(name, factory, { callable: 'factory' });
}

/** Every name `get` accepts, in registration order. */
export function list(): string[] {
  return optimizers.list();
}

/** The built-in optimizers, in the order `list()` shows them; `OptimizerName` is read from this table. */
const BUILTINS = {
  sgd: (o) => new SGD(o),
  // Not a Keras or TF.js name, but the course material users learn from calls SGD with momentum 0.9 an optimizer of its own.
  momentum: (o) => new SGD({ momentum: 0.9, ...o }),
  adagrad: (o) => new Adagrad(o),
  rmsprop: (o) => new RMSprop(o),
  adam: (o) => new Adam(o),
  adamw: (o) => new AdamW(o),
  adadelta: (o) => new Adadelta(o),
  adamax: (o) => new Adamax(o),
  nadam: (o) => new Nadam(o),
  lion: (o) => new Lion(o),
  ftrl: (o) => new Ftrl(o),
  adafactor: (o) => new Adafactor(o),
} as const satisfies Readonly<Record<string, OptimizerFactory>>;
for (const [name, factory] of Object.entries(BUILTINS)) register(name, factory);

/** The name of every built-in optimizer (`get` also matches other casings and `_`/`-`: `'RMSprop'`, `'adam_w'`). */
export type OptimizerName = keyof typeof BUILTINS;

/**
 * What `get` accepts. A name may be any string (checked at run time, so optimizers added with
 * `register` work); the `& {}` keeps editors suggesting the built-in names.
 */
export type OptimizerIdentifier =
  | OptimizerName
  | (string & {})
  | { className: string; config?: Record<string, unknown> }
  | { class_name: string; config?: Record<string, unknown> }
  | Optimizer;

/**
 * An optimizer from a name (`'adam'`, `'Momentum'`, `'rms_prop'`), a `{ className, config }` spec
 * (config in camelCase or Keras snake_case; a class name resolves like a name), or an instance
 * (returned as is).
 */
export function get(identifier: OptimizerIdentifier): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') return optimizers.get(identifier)({});
  if (identifier !== null && typeof identifier === 'object') {
    const spec = identifier as { className?: unknown; class_name?: unknown; config?: unknown };
    const className = spec.className ?? spec.class_name;
    if (typeof className === 'string') {
      const config = spec.config === undefined || spec.config === null ? {} : spec.config;
      if (typeof config !== 'object') throw new Error(`get: optimizer config must be an object, got ${describe(config)}`);
      return optimizers.get(className)(optionsFromConfig(config as Record<string, unknown>));
    }
  }
  throw new Error(
    `get: expected an optimizer name (${list().join(', ')}), a { className, config } object or an Optimizer, got ${describe(identifier)}`,
  );
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'object':
      return JSON.stringify(x);
    case 'number':
      return `number ${x}`;
    case 'boolean':
      return `boolean ${x}`;
    case 'string':
      return `string ${JSON.stringify(x)}`;
    default:
      return typeof x;
  }
}

export { get as getOptimizer, list as listOptimizers, register as registerOptimizer };
