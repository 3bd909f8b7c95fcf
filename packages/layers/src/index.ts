export * from './engine/index.js';
export * from './layers/index.js';
export * from './activations/index.js';
export * from './initializers/index.js';
export * from './regularizers/index.js';
export * from './constraints/index.js';
export * from './losses/index.js';
export * from './metrics/index.js';
