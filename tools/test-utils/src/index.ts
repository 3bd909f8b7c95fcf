export type { Actual, CloseOptions, Expected } from './close.js';
export { expectClose } from './close.js';
export type { HolderCounts } from './counting.js';
export { withHolderCounts } from './counting.js';
export type { FuzzHarness, FuzzHarnessOptions, KnownDefect } from './fuzz.js';
export { UNCLEAR_MESSAGES, fuzzHarness } from './fuzz.js';
export { mulberry32, seededFloats } from './random.js';
export type { ResultTensor, ScopeOps } from './tensor-oracle.js';
export { tensorOracle } from './tensor-oracle.js';
