/**
 * `@descent/datasets`: platform-neutral (no Node module anywhere in its graph), so it bundles for
 * browsers and workers. Node adds the download cache and the bundled subset: `@descent/datasets/node`.
 */
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_GUNZIP_BYTES,
  digestSha256,
  fetchVerified,
  gunzip,
  isGzip,
} from './fetch.js';
export type { DownloadLimits, DownloadProgress, FetchVerifiedOptions } from './fetch.js';
export { encodeIdx, parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export * as mnist from './mnist/index.js';
export type { MnistData, MnistFetchOptions, MnistFormatOptions, MnistManifest, MnistProgress, MnistSplit, MnistUrlOptions } from './mnist/index.js';
