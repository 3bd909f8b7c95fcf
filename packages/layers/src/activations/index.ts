export type { Activation, ActivationIdentifier, ActivationName } from './activation.js';
export { getActivation, listActivations, registerActivation, serializeActivation } from './activation.js';
