import { NameRegistry } from '@descent/tensor';
import type { LiteralUnion } from '../engine/name-types.js';
import { L1, L1L2, L2, Regularizer } from './regularizer.js';

type Factory = (config: Record<string, unknown>) => Regularizer;

// Constructors validate every option at run time, so a config read from JSON can be handed over as is.
const classes = new NameRegistry<Factory>('regularizer class', () => [
  ['L1', (c) => new L1(c)],
  ['L2', (c) => new L2(c)],
  ['L1L2', (c) => new L1L2(c)],
]);

/** By name, each kind with the Keras default rate 0.01 (`'l1l2'` sets both). */
const NAMED = {
  l1: () => new L1(),
  l2: () => new L2(),
  l1l2: () => new L1L2({ l1: 0.01, l2: 0.01 }),
} as const satisfies Readonly<Record<string, () => Regularizer>>;

const names = new NameRegistry<() => Regularizer>('regularizer', () => Object.entries(NAMED));

/** Every built-in regularizer name, plus Keras's snake_case `'l1_l2'` (other casings resolve too). */
export type RegularizerName = keyof typeof NAMED | 'l1_l2';

/** The built-in regularizer names. */
export function listRegularizers(): string[] {
  return names.list();
}

/**
 * Make `getRegularizer({ className: name, config })` build a regularizer with `make`, and
 * `getRegularizer(name)` too (with `{}`). Names compare as for the built-ins, and registering a
 * known name replaces it.
 */
export function registerRegularizer(name: string, make: (config: Record<string, unknown>) => Regularizer): void {
  const opts = { fn: 'registerRegularizer', callable: 'factory' };
  classes.register(name, make, opts);
  names.register(name, () => make({}), opts);
}

/** What `getRegularizer` accepts: a name (`'l2'`), an instance, or a `{ className, config }` object. */
export type RegularizerIdentifier = LiteralUnion<RegularizerName> | Regularizer | { className: string; config?: Record<string, unknown> };

/** Resolve `'l2'`, `'l1_l2'`, `{ className: 'L1L2', config: { l1, l2 } }` or an instance. */
export function getRegularizer(id: RegularizerIdentifier): Regularizer {
  if (id instanceof Regularizer) return id;
  if (typeof id === 'string') return names.get(id)();
  if (typeof id === 'object' && id !== null && typeof id.className === 'string') return classes.get(id.className)(id.config ?? {});
  throw new Error(`getRegularizer: expected a name, a { className, config } object or a Regularizer, got ${id === null ? 'null' : typeof id}`);
}

/** The regularizer as `{ className, config }`, as saved models write it. */
export function serializeRegularizer(r: Regularizer): { className: string; config: Record<string, unknown> } {
  return { className: r.className, config: r.getConfig() };
}
