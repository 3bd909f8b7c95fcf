import { normalizeName, unknownNameError } from '@descent/tensor';
import type { LiteralUnion, SnakeCase } from '../engine/name-types.js';
import { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './constraint.js';

type Factory = (config: Record<string, unknown>) => Constraint;

// Constructors validate every option at run time, so a config read from JSON can be handed over as is.
const CLASSES: Readonly<Record<string, Factory>> = {
  MaxNorm: (c) => new MaxNorm(c),
  NonNeg: () => new NonNeg(),
  UnitNorm: (c) => new UnitNorm(c),
  MinMaxNorm: (c) => new MinMaxNorm(c),
};

const NAMES = ['maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm'] as const;

/** Every built-in constraint name, camelCase (`'maxNorm'`) and snake_case (`'max_norm'`); other casings resolve too. */
export type ConstraintName = (typeof NAMES)[number] | SnakeCase<(typeof NAMES)[number]>;

/** The built-in constraint names, camelCase. */
export function listConstraints(): string[] {
  return [...NAMES];
}

/** What `getConstraint` accepts: a name (`'maxNorm'`), an instance, or a `{ className, config }` object. */
export type ConstraintIdentifier = LiteralUnion<ConstraintName> | Constraint | { className: string; config?: Record<string, unknown> };

function lookup(name: string): Factory {
  const key = Object.keys(CLASSES).find((k) => normalizeName(k) === normalizeName(name));
  if (key === undefined) throw unknownNameError('constraint', name, NAMES);
  return CLASSES[key]!;
}

/** Resolve `'maxNorm'`/`'max_norm'` (defaults), `{ className: 'MaxNorm', config }` or an instance. */
export function getConstraint(id: ConstraintIdentifier): Constraint {
  if (id instanceof Constraint) return id;
  if (typeof id === 'string') return lookup(id)({});
  if (typeof id === 'object' && id !== null && typeof id.className === 'string') return lookup(id.className)(id.config ?? {});
  throw new Error(`getConstraint: expected a name, a { className, config } object or a Constraint, got ${id === null ? 'null' : typeof id}`);
}

/** The constraint as `{ className, config }`, as saved models write it. */
export function serializeConstraint(c: Constraint): { className: string; config: Record<string, unknown> } {
  return { className: c.className, config: c.getConfig() };
}
