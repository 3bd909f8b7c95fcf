import type { Tensor } from '@descent/tensor';
import { NameRegistry } from '@descent/tensor';
import type { CamelCase, LiteralUnion } from '../engine/name-types.js';
import type { BuiltinActivationName } from './builtins.js';
import { BUILTIN_ACTIVATIONS } from './builtins.js';

/**
 * An elementwise (or, for softmax, last-axis) function a layer applies to its output. `name` is
 * the Keras snake_case name written into saved models ('relu', 'hard_sigmoid', 'leaky_relu').
 */
export interface Activation {
  /** The Keras snake_case name written into saved models. */
  readonly name: string;
  /** The activation of `x`, elementwise (softmax: along the last axis). */
  apply(x: Tensor): Tensor;
}

/** Other spellings users type for the same function: Keras 3 calls swish `silu`. */
const ALIASES = { silu: 'swish' } as const satisfies Readonly<Record<string, BuiltinActivationName>>;

/**
 * Every built-in activation name in the spellings users type: Keras snake_case (`'hard_sigmoid'`),
 * camelCase (`'hardSigmoid'`) and the aliases. Other casings resolve too.
 */
export type ActivationName = BuiltinActivationName | CamelCase<BuiltinActivationName> | keyof typeof ALIASES;

/** What `getActivation` accepts: a known name (or any other string, checked at run time), an `Activation`, or `null`/`undefined` for linear. */
export type ActivationIdentifier = LiteralUnion<ActivationName> | Activation | null;

const activations = new NameRegistry<Activation>('activation');
for (const a of BUILTIN_ACTIVATIONS) activations.register(a.name, a);
for (const [alias, target] of Object.entries(ALIASES)) activations.register(alias, activations.get(target));

/** The canonical names of every built-in activation (plus accepted aliases). */
export function listActivations(): string[] {
  return activations.list();
}

/**
 * Make `getActivation(name)` (and so a layer's `activation: name` option, and loading a model that
 * saved it) apply `apply`; returns the activation, saved under `name`. Names compare as for the
 * built-ins, and registering a known name replaces it.
 */
export function registerActivation(name: string, apply: (x: Tensor) => Tensor): Activation {
  activations.check(name, apply, { fn: 'registerActivation', callable: 'apply' });
  const activation: Activation = Object.freeze({ name, apply });
  activations.register(name, activation);
  return activation;
}

/**
 * Resolve an activation: `null`/`undefined` is `linear`, an `Activation` is returned as is, and a
 * string matches in any casing (`'hardSigmoid'`, `'hard_sigmoid'`).
 */
export function getActivation(id?: ActivationIdentifier): Activation {
  if (id === undefined || id === null) return activations.get('linear');
  if (typeof id === 'string') return activations.get(id);
  if (typeof id === 'object' && typeof id.name === 'string' && typeof id.apply === 'function') return id;
  throw new Error(`getActivation: expected an activation name, an Activation object or null, got ${describe(id)}`);
}

/** The name saved in a layer config for `a` (its Keras name). */
export function serializeActivation(a: Activation): string {
  return a.name;
}

function describe(x: unknown): string {
  if (typeof x === 'function') return 'a function (wrap it as { name, apply })';
  return x === null ? 'null' : typeof x;
}
