/**
 * `@descent/datasets/node`: everything the platform-neutral entry has, plus what needs Node: the
 * download cache (`fetchCached`, `defaultCacheDir`), `mnist.load` (the bundled subset from the
 * optional `mnist` package, or the full set downloaded and cached) and `writeMnistSubset`.
 */
// Everything of the neutral entry; `mnist` below (a superset with `load`) takes precedence over its `mnist`.
export * from '../index.js';
export { defaultCacheDir, fetchCached, sha256 } from './download.js';
export type { CachedFileOptions } from './download.js';
export * as mnist from './mnist.js';
export type { MnistData, MnistFetchOptions, MnistFormatOptions, MnistManifest, MnistOptions, MnistProgress, MnistSplit, MnistUrlOptions } from './mnist.js';
export { writeMnistSubset } from './subset.js';
export type { WriteMnistSubsetOptions } from './subset.js';
