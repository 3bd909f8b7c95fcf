export * from './engine/index.js';
export * from './layers/index.js';
export * from './activations/index.js';
export * from './initializers/index.js';
export * from './regularizers/index.js';
export * from './constraints/index.js';
export * from './losses/index.js';
export * from './metrics/index.js';
// `Activation` is the Keras layer; the activation-function interface is exported as `ActivationFunction`.
export { Activation } from './layers/index.js';
export type { Activation as ActivationFunction } from './activations/index.js';
// `Identity` is the Keras layer, as with `Activation`; the initializer is `IdentityInitializer` (or 'identity' by name).
export { Identity } from './layers/index.js';
export type { IdentityArgs } from './layers/index.js';
export { Identity as IdentityInitializer } from './initializers/index.js';
export type { IdentityArgs as IdentityInitializerArgs } from './initializers/index.js';
