/** @internal The four MNIST files and getting them; shared by the neutral and Node entries. */
import { checkLimit, gunzip, isGzip } from '../fetch.js';
import type { DownloadProgress } from '../fetch.js';
import { idxSplit } from './split.js';
import type { IdxFile, MnistData, MnistFormatOptions } from './split.js';

/**
 * The four IDX files of MNIST with the SHA-256 and byte size of their gzipped form (as TensorFlow
 * Datasets records them).
 */
export const MNIST_FILES = {
  trainImages: { name: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609', size: 9_912_422 },
  trainLabels: { name: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c', size: 28_881 },
  testImages: { name: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6', size: 1_648_877 },
  testLabels: { name: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6', size: 4_542 },
} as const;

/** The four files by role: `'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'`. */
export type MnistFile = keyof typeof MNIST_FILES;

/** The four files, in the order they are loaded. */
export const MNIST_FILE_KEYS: readonly MnistFile[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** The cap on one downloaded file whose exact size is not known (a custom checksum without `sizes`): 64 MiB. */
export const MNIST_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** How far one of the four files has come. */
export interface MnistProgress extends DownloadProgress {
  /** Which file this is. */
  readonly file: MnistFile;
}

/** The download options shared by `loadFromUrl` and the Node entry's `load({ source: 'download' })`. */
export interface MnistFetchOptions {
  /** Expected SHA-256 per file, for mirrors that serve other bytes (e.g. a local test server). */
  checksums?: Partial<Record<MnistFile, string>>;
  /**
   * Expected byte size per file. Defaults to the published sizes for files checked against the
   * published checksums; a file with a custom checksum and no size is capped at `maxBytes`.
   */
  sizes?: Partial<Record<MnistFile, number>>;
  /** The cap on a file whose exact size is not known (default {@link MNIST_MAX_FILE_BYTES}). */
  maxBytes?: number;
  /** Milliseconds to wait for the server to answer (default 30,000). */
  connectTimeoutMs?: number;
  /** Milliseconds a download may go without receiving a byte (default 60,000). */
  idleTimeoutMs?: number;
  /** The fetch implementation (default the global `fetch`). */
  fetch?: typeof fetch;
  /** Extra request options (headers, credentials, mode, …); its `signal` cancels the downloads. */
  requestInit?: RequestInit;
  /** Called per file as its bytes arrive: `{ file, url, received, total }`. */
  onProgress?: (progress: MnistProgress) => void;
}

/** @internal Check the download options shared with the Node entry. */
export function validateFetchOptions(op: string, opts: MnistFetchOptions): void {
  for (const [option, record] of [
    ['checksums', opts.checksums],
    ['sizes', opts.sizes],
  ] as const) {
    if (record === undefined) continue;
    if (record === null || typeof record !== 'object') throw new Error(`${op}: ${option} must be an object keyed by file, got ${JSON.stringify(record)}`);
    for (const [key, value] of Object.entries(record)) {
      if (!(MNIST_FILE_KEYS as readonly string[]).includes(key)) {
        throw new Error(`${op}: ${option} has an unknown file ${JSON.stringify(key)}; expected one of ${MNIST_FILE_KEYS.join(', ')}`);
      }
      if (option === 'checksums' && !(typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value))) {
        throw new Error(`${op}: checksums.${key} must be a SHA-256 in hex (64 digits), got ${JSON.stringify(value)}`);
      }
      if (option === 'sizes') checkLimit(`sizes.${key}`, value as number, op);
    }
  }
  checkLimit('maxBytes', opts.maxBytes, op);
  checkLimit('connectTimeoutMs', opts.connectTimeoutMs, op);
  checkLimit('idleTimeoutMs', opts.idleTimeoutMs, op);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw new Error(`${op}: onProgress must be a function, got ${typeof opts.onProgress}`);
  }
}

/** One file to get: where from, and what it must hash to. */
export interface FileSpec {
  key: MnistFile;
  url: string;
  name: string;
  sha256: string;
  size: number | undefined;
}

/**
 * @internal The four files under `base` with the published names, checksums and sizes, with `opts`'
 * overrides. A published size only describes the published bytes, so a custom checksum drops it.
 */
export function publishedSpecs(base: string, opts: MnistFetchOptions): FileSpec[] {
  const folder = base.endsWith('/') ? base : `${base}/`;
  return MNIST_FILE_KEYS.map((key) => {
    const file = MNIST_FILES[key];
    const checksum = opts.checksums?.[key];
    return {
      key,
      url: new URL(file.name, folder).toString(),
      name: file.name,
      sha256: checksum ?? file.sha256,
      size: opts.sizes?.[key] ?? (checksum === undefined ? file.size : undefined),
    };
  });
}

/** A controller that also aborts when `outer` does. */
export function linkedController(outer: AbortSignal | null | undefined): AbortController {
  const controller = new AbortController();
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  }
  return controller;
}

/**
 * @internal Get the four files in parallel, gunzip those that are gzipped, and build the splits.
 * Every file settles before a failure is reported (so nothing is still writing to a cache). With
 * `cancelOthers`, the first failure cancels the downloads still running and is the one reported;
 * without, the others finish (and are cached) and the failure of the first file in order is reported.
 */
export async function loadFiles(
  op: string,
  specs: readonly FileSpec[],
  get: (spec: FileSpec, signal: AbortSignal) => Promise<Uint8Array>,
  opts: MnistFormatOptions & { requestInit?: RequestInit; cancelOthers: boolean },
): Promise<MnistData> {
  const controller = linkedController(opts.requestInit?.signal);
  let first: { error: unknown } | undefined;
  const settled = await Promise.all(
    specs.map(async (spec): Promise<{ file: IdxFile } | { error: unknown }> => {
      try {
        let bytes = await get(spec, controller.signal);
        if (isGzip(bytes)) {
          try {
            bytes = await gunzip(bytes, spec.name);
          } catch (err) {
            throw new Error(`${op}: ${(err as Error).message.replace(/^gunzip: /, '')}`, { cause: err });
          }
        }
        return { file: { name: spec.name, bytes } };
      } catch (error) {
        if (!first) {
          first = { error };
          if (opts.cancelOthers) controller.abort(error);
        }
        return { error };
      }
    }),
  );
  const failure = opts.cancelOthers ? first : settled.find((s) => 'error' in s);
  if (failure) throw failure.error;
  const [trainImages, trainLabels, testImages, testLabels] = settled.map((s) => (s as { file: IdxFile }).file);
  return {
    train: idxSplit(op, trainImages!, trainLabels!, 'train', opts),
    test: idxSplit(op, testImages!, testLabels!, 'test', opts),
  };
}

