export { defaultCacheDir, fetchCached, sha256 } from './download.js';
export type { CachedFileOptions } from './download.js';
export { encodeIdx, parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export * as mnist from './mnist/index.js';
export type { MnistData, MnistOptions, MnistSplit } from './mnist/index.js';
