/**
 * MNIST from URLs, platform-neutral: the four IDX files (gzipped or not) fetched, SHA-256 verified
 * with WebCrypto, decompressed with `DecompressionStream` and returned as tensors. Works in browsers,
 * workers and Node; the Node entry (`@descent/datasets/node`) adds the offline bundled subset and a
 * download cache (`mnist.load`).
 */
import { fetchVerified, streamBody } from '../fetch.js';
import type { DownloadProgress } from '../fetch.js';
import { linkedController, loadFiles, MNIST_FILE_KEYS, MNIST_MAX_FILE_BYTES, publishedSpecs, validateFetchOptions } from './files.js';
import type { FileSpec, MnistFetchOptions, MnistFile } from './files.js';
import { validateFormat } from './split.js';
import type { MnistData, MnistFormatOptions } from './split.js';

export { MNIST_FILE_KEYS, MNIST_FILES, MNIST_MAX_FILE_BYTES } from './files.js';
export type { MnistFetchOptions, MnistFile, MnistProgress } from './files.js';

export { IMAGE_SIZE, NUM_CLASSES } from './split.js';
export type { MnistData, MnistFormatOptions, MnistSplit } from './split.js';

/** A public mirror of the original files (the one TensorFlow Datasets uses). */
export const DEFAULT_MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

/** The file name `writeMnistSubset` gives its manifest. */
export const MNIST_MANIFEST_NAME = 'mnist.json';

/** The largest manifest accepted (1 MiB; a real one is under 1 KiB). */
const MAX_MANIFEST_BYTES = 1 << 20;

/**
 * A manifest naming four IDX files (relative to the manifest's URL) with their SHA-256 and size, as
 * `writeMnistSubset` (Node entry) writes it next to the files.
 */
export interface MnistManifest {
  /** Always `'descent-mnist'`: what the file is. */
  format: 'descent-mnist';
  /** The manifest format's version: 1. */
  version: 1;
  /** Free text: where the files come from. */
  description?: string;
  /**
   * Per file: its `name` (a URL relative to the manifest), the `sha256` (hex) and `size` (bytes) of
   * the file as served (gzipped or not).
   */
  files: Record<MnistFile, { name: string; sha256: string; size: number }>;
}

/** Options of `mnist.loadFromUrl`: the tensors' layout and how the files are fetched and checked. */
export interface MnistUrlOptions extends MnistFormatOptions, MnistFetchOptions {}

const OP = 'mnist.loadFromUrl';

/** `url` made absolute: relative URLs resolve against the page (`location.href`) where there is one. */
function absoluteUrl(url: string): URL {
  if (typeof url !== 'string' || url === '') throw new Error(`${OP}: url must be a non-empty string, got ${JSON.stringify(url)}`);
  try {
    return new URL(url);
  } catch {
    const page = (globalThis as { location?: { href?: unknown } }).location?.href;
    if (typeof page === 'string') return new URL(url, page);
    throw new Error(`${OP}: ${JSON.stringify(url)} is a relative URL and there is no page to resolve it against; give an absolute URL (http://…)`);
  }
}

/** Check a parsed manifest, naming what is wrong. */
function manifestSpecs(manifest: unknown, url: URL, opts: MnistFetchOptions): FileSpec[] {
  const where = `${OP}: the manifest ${url.toString()}`;
  const m = manifest as Partial<MnistManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== 'descent-mnist') {
    throw new Error(`${where} is not an MNIST manifest (expected "format": "descent-mnist", as writeMnistSubset writes)`);
  }
  if (m.version !== 1) throw new Error(`${where} has version ${JSON.stringify(m.version)}; this version of @descent/datasets reads version 1`);
  if (m.files === null || typeof m.files !== 'object') throw new Error(`${where} has no "files" object`);
  return MNIST_FILE_KEYS.map((key) => {
    const entry = (m.files as Partial<MnistManifest['files']>)[key];
    if (!entry || typeof entry.name !== 'string' || entry.name === '') throw new Error(`${where} names no file for ${key}`);
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(entry.sha256)) {
      throw new Error(`${where} gives ${key} a sha256 that is not 64 hex digits: ${JSON.stringify(entry.sha256)}`);
    }
    if (!(Number.isInteger(entry.size) && entry.size > 0)) throw new Error(`${where} gives ${key} a size that is not a positive integer: ${JSON.stringify(entry.size)}`);
    const checksum = opts.checksums?.[key];
    return {
      key,
      url: new URL(entry.name, url).toString(),
      name: entry.name,
      sha256: checksum ?? entry.sha256,
      size: opts.sizes?.[key] ?? (checksum === undefined ? entry.size : undefined),
    };
  });
}

async function fetchManifest(url: URL, opts: MnistFetchOptions, signal: AbortSignal): Promise<unknown> {
  const decoder = new TextDecoder();
  let text = '';
  await streamBody({
    url: url.toString(),
    cap: MAX_MANIFEST_BYTES,
    capWhat: 'the most a manifest may hold',
    size: undefined,
    fetch: opts.fetch,
    requestInit: { ...opts.requestInit, signal },
    suffix: '',
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    chunk: (bytes) => void (text += decoder.decode(bytes, { stream: true })),
  });
  text += decoder.decode();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${OP}: the manifest ${url.toString()} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Load MNIST from a URL, in any JavaScript runtime with `fetch` (browsers, workers, Node):
 *
 * - a folder holding the four original files (`train-images-idx3-ubyte.gz`, …), checked against the
 *   published SHA-256s unless `checksums` says otherwise, e.g. `loadFromUrl('/data/mnist/')`; or
 * - a manifest (`….json`, as `writeMnistSubset` writes next to the bundled subset) naming the files
 *   with their SHA-256s and sizes, e.g. `loadFromUrl('/mnist-subset/mnist.json')`.
 *
 * Relative URLs resolve against the page. Files may be gzipped (decompressed with
 * `DecompressionStream`) or plain IDX. `onProgress` hears each file's bytes as they arrive. Nothing
 * is cached; in Node, `mnist.load({ source: 'download' })` from `@descent/datasets/node` caches.
 */
export async function loadFromUrl(url: string, opts: MnistUrlOptions = {}): Promise<MnistData> {
  validateFormat(OP, opts);
  validateFetchOptions(OP, opts);
  const target = absoluteUrl(url);
  const maxBytes = opts.maxBytes ?? MNIST_MAX_FILE_BYTES;
  let specs: FileSpec[];
  if (target.pathname.endsWith('.json')) {
    const manifest = await fetchManifest(target, opts, linkedController(opts.requestInit?.signal).signal);
    specs = manifestSpecs(manifest, target, opts);
  } else {
    specs = publishedSpecs(target.toString(), opts);
  }
  return loadFiles(
    OP,
    specs,
    (spec, signal) =>
      fetchVerified({
        url: spec.url,
        sha256: spec.sha256,
        maxBytes,
        ...(spec.size !== undefined ? { size: spec.size } : {}),
        ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        requestInit: { ...opts.requestInit, signal },
        ...(opts.onProgress ? { onProgress: (p: DownloadProgress) => opts.onProgress!({ ...p, file: spec.key }) } : {}),
      }),
    { ...opts, cancelOthers: true },
  );
}
