export type { Activation, ActivationIdentifier, ActivationName } from './activation.js';
export { getActivation, listActivations, serializeActivation } from './activation.js';
