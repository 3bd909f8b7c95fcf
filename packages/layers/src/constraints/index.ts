export { Constraint, MaxNorm, maxNorm, MinMaxNorm, minMaxNorm, NonNeg, nonNeg, UnitNorm, unitNorm } from './constraint.js';
export type { NormAxis } from './constraint.js';
export { getConstraint, listConstraints, registerConstraint, serializeConstraint } from './registry.js';
export type { ConstraintIdentifier, ConstraintName } from './registry.js';
