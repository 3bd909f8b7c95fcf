export { nonNegative, numberOption, oneLineError, positiveInt, verbosity } from './cli.js';
export { mulberry32 } from './random.js';
