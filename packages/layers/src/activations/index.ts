export type { Activation } from './activation.js';
export { getActivation, listActivations, serializeActivation } from './activation.js';
