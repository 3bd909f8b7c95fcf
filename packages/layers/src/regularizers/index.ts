export { L1, l1, L1L2, l1l2, L2, l2, Regularizer } from './regularizer.js';
export { getRegularizer, listRegularizers, registerRegularizer, serializeRegularizer } from './registry.js';
export type { RegularizerIdentifier, RegularizerName } from './registry.js';
