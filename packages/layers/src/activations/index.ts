export type { Activation } from './activation.js';
// Same interface under a name that does not clash with the `Activation` layer class.
export type { Activation as ActivationFunction } from './activation.js';
export { getActivation, listActivations, serializeActivation } from './activation.js';
