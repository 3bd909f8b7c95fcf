/** @internal Turning IDX files or pixel arrays into the tensors `mnist.load*` return; shared by the neutral and Node entries. */
import type { Tensor } from '@descent/tensor';
import { oneHot, tensor } from '@descent/tensor';
import { parseIdx } from '../idx.js';

/** Images are `IMAGE_SIZE × IMAGE_SIZE` (28 × 28) pixels. */
export const IMAGE_SIZE = 28;
/** Ten classes: the digits 0–9. */
export const NUM_CLASSES = 10;

/** How the tensors are laid out. */
export interface MnistFormatOptions {
  /** `'onehot'` (default) → float32 `[n, 10]`; `'int'` → int32 `[n]`. */
  labels?: 'onehot' | 'int';
  /** `true` (default) → images `[n, 784]`; `false` → `[n, 28, 28, 1]` (NHWC, for convolutions). */
  flatten?: boolean;
}

/** One split (train or test): images, labels as tensors and as integers, and the sample count. */
export interface MnistSplit {
  /** float32 images scaled to [0, 1]. */
  readonly xs: Tensor;
  /** Labels, one-hot float32 or int32 per `labels`. */
  readonly ys: Tensor;
  /** The integer labels, whatever `labels` asked for. */
  readonly labels: Int32Array;
  /** The number of samples. */
  readonly size: number;
}

/** MNIST as two splits. */
export interface MnistData {
  /** The training split. */
  readonly train: MnistSplit;
  /** The held-out test split. */
  readonly test: MnistSplit;
}

export function validateFormat(op: string, opts: MnistFormatOptions): void {
  if (opts === null || typeof opts !== 'object') throw new Error(`${op}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  const { labels, flatten } = opts;
  if (labels !== undefined && labels !== 'onehot' && labels !== 'int') {
    throw new Error(`${op}: labels must be 'onehot' or 'int', got ${JSON.stringify(labels)}`);
  }
  if (flatten !== undefined && typeof flatten !== 'boolean') {
    throw new Error(`${op}: flatten must be true or false, got ${JSON.stringify(flatten)}`);
  }
}

export function makeSplit(images: Float32Array, labels: Int32Array, opts: MnistFormatOptions): MnistSplit {
  const n = labels.length;
  const shape = opts.flatten === false ? [n, IMAGE_SIZE, IMAGE_SIZE, 1] : [n, IMAGE_SIZE * IMAGE_SIZE];
  const xs = tensor(images, shape);
  const intLabels = tensor(labels, [n], 'int32');
  const ys = opts.labels === 'int' ? intLabels : oneHot(intLabels, NUM_CLASSES);
  return { xs, ys, labels, size: n };
}

/** One uncompressed IDX file and the name its messages use. */
export interface IdxFile {
  name: string;
  bytes: Uint8Array;
}

/** A split from an images file (`[n, 28, 28]` bytes) and a labels file (`[n]` bytes, 0–9). */
export function idxSplit(op: string, imageFile: IdxFile, labelFile: IdxFile, split: string, opts: MnistFormatOptions): MnistSplit {
  const images = parseIdx(imageFile.bytes, imageFile.name);
  const labels = parseIdx(labelFile.bytes, labelFile.name);
  if (images.shape.length !== 3 || images.shape[1] !== IMAGE_SIZE || images.shape[2] !== IMAGE_SIZE) {
    throw new Error(`${op}: ${split} images must have shape [n, 28, 28], got [${images.shape.join(',')}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${op}: ${split} labels must have shape [${images.shape[0]}], got [${labels.shape.join(',')}]`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  const ints = new Int32Array(labels.data.length);
  for (let i = 0; i < ints.length; i++) {
    const v = labels.data[i]!;
    if (v >= NUM_CLASSES) throw new Error(`${op}: ${split} label ${i} is ${v}, expected 0–9`);
    ints[i] = v;
  }
  return makeSplit(pixels, ints, opts);
}
