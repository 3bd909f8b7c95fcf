export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  defaultCacheDir,
  fetchCached,
  sha256,
} from './download.js';
export type { CachedFileOptions, DownloadLimits } from './download.js';
export { encodeIdx, parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export * as mnist from './mnist/index.js';
export type { MnistData, MnistOptions, MnistSplit } from './mnist/index.js';
