import { NameRegistry } from '@descent/tensor';
import type { LiteralUnion, SnakeCase } from '../engine/name-types.js';
import { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';

type Factory = (config: Record<string, unknown>) => Constraint;

// Constructors validate every option at run time, so a config read from JSON can be handed over as is.
// Listed camelCase; the class names (`'MaxNorm'`) are the same names in another casing.
const BUILTINS = {
  maxNorm: (c) => new MaxNorm(c),
  nonNeg: () => new NonNeg(),
  unitNorm: (c) => new UnitNorm(c),
  minMaxNorm: (c) => new MinMaxNorm(c),
} as const satisfies Readonly<Record<string, Factory>>;

const constraints = new NameRegistry<Factory>('constraint', () => Object.entries(BUILTINS));

/** Every built-in constraint name, camelCase (`'maxNorm'`) and snake_case (`'max_norm'`); other casings resolve too. */
export type ConstraintName = keyof typeof BUILTINS | SnakeCase<keyof typeof BUILTINS>;

/** The built-in constraint names, camelCase. */
export function listConstraints(): string[] {
  return constraints.list();
}

/**
 * Make `getConstraint(name)` and `getConstraint({ className: name, config })` build a constraint
 * with `make` (a name alone gives it `{}`). Names compare as for the built-ins, and registering a
 * known name replaces it.
 */
export function registerConstraint(name: string, make: (config: Record<string, unknown>) => Constraint): void {
  constraints.register(name, make, { fn: 'registerConstraint', callable: 'factory' });
}

/** What `getConstraint` accepts: a name (`'maxNorm'`), an instance, or a `{ className, config }` object. */
export type ConstraintIdentifier = LiteralUnion<ConstraintName> | Constraint | { className: string; config?: Record<string, unknown> };

/** Resolve `'maxNorm'`/`'max_norm'` (defaults), `{ className: 'MaxNorm', config }` or an instance. */
export function getConstraint(id: ConstraintIdentifier): Constraint {
  if (id instanceof Constraint) return id;
  if (typeof id === 'string') return constraints.get(id)({});
  if (typeof id === 'object' && id !== null && typeof id.className === 'string') return constraints.get(id.className)(id.config ?? {});
  throw new Error(`getConstraint: expected a name, a { className, config } object or a Constraint, got ${id === null ? 'null' : typeof id}`);
}

/** The constraint as `{ className, config }`, as saved models write it. */
export function serializeConstraint(c: Constraint): { className: string; config: Record<string, unknown> } {
  return { className: c.className, config: c.getConfig() };
}
