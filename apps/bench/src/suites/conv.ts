import { conv2d, setBackend, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type { Timing } from '../measure.js';
import { measure, seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';

interface ConvCase {
  /** [N, H, W, C] */
  readonly x: readonly [number, number, number, number];
  /** [kh, kw, C, O] */
  readonly f: readonly [number, number, number, number];
  readonly stride: number;
  readonly pad: 'same' | 'valid';
}

const CASES: readonly ConvCase[] = [
  { x: [32, 28, 28, 1], f: [3, 3, 1, 16], stride: 1, pad: 'same' }, // first layer of an MNIST CNN
  { x: [32, 14, 14, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [8, 32, 32, 32], f: [3, 3, 32, 32], stride: 2, pad: 'valid' },
  { x: [32, 14, 14, 64], f: [1, 1, 64, 64], stride: 1, pad: 'valid' }, // pointwise
];

/** Multiply-adds × 2 of a convolution with the output shape `out`. */
function flops(c: ConvCase, out: readonly number[]): number {
  const [kh, kw, ci] = c.f;
  return 2 * out.reduce((p, d) => p * d, 1) * kh * kw * ci;
}

const rate = (f: number, t: Timing): number => f / t.median / 1e6;

/** NHWC float32 conv2d forward: Descent's im2col + blocked gemm against TF.js's cpu backend. */
export const convSuite: Suite = {
  name: 'conv',
  description: 'float32 NHWC conv2d forward, GFLOP/s, Descent cpu vs TF.js cpu',
  async run({ quick, clock = 'wall', log }: SuiteOptions): Promise<SuiteResult> {
    // The Descent column is the pure-TypeScript CPU backend, even when the wasm backend is loaded.
    setBackend('cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    const cases = quick ? CASES.slice(0, 2) : CASES;
    const opts = quick ? { warmup: 1, samples: 3, minSampleMs: 20, clock } : { warmup: 2, samples: 5, minSampleMs: 100, clock };
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    for (const c of cases) {
      const label = `x [${c.x.join(',')}] f [${c.f.join(',')}] s${c.stride} ${c.pad}`;
      const xv = seededFloats(c.x.reduce((p, d) => p * d, 1), 3);
      const fv = seededFloats(c.f.reduce((p, d) => p * d, 1), 4);
      const dx = tensor(xv, c.x);
      const df = tensor(fv, c.f);
      const tx = tf.tensor4d(xv, [...c.x]);
      const tfl = tf.tensor4d(fv, [...c.f]);

      const ours = conv2d(dx, df, c.stride, c.pad);
      const theirsT = tf.conv2d(tx, tfl, c.stride, c.pad);
      const theirs = theirsT.dataSync();
      theirsT.dispose();
      const mine = ours.dataSync();
      let maxDiff = 0;
      for (let i = 0; i < mine.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mine[i]! - theirs[i]!));
      if (mine.length !== theirs.length || !(maxDiff <= 1e-3)) {
        throw new Error(`conv suite: Descent and TF.js disagree on ${label} (max |diff| ${maxDiff})`);
      }
      const f = flops(c, ours.shape);

      log(`conv ${label}: descent…`);
      const descent = rate(f, measure(() => void conv2d(dx, df, c.stride, c.pad), opts));
      log(`conv ${label}: tfjs-cpu…`);
      const tfjs = rate(
        f,
        measure(() => {
          const y = tf.conv2d(tx, tfl, c.stride, c.pad);
          y.dataSync();
          y.dispose();
        }, opts),
      );
      tx.dispose();
      tfl.dispose();
      rows.push([label, descent.toFixed(2), tfjs.toFixed(2), `${(descent / tfjs).toFixed(1)}×`]);
      records.push({ case: label, descentGflops: descent, tfjsCpuGflops: tfjs, speedup: descent / tfjs });
    }
    return {
      suite: 'conv',
      title: 'conv2d forward, float32 NHWC (GFLOP/s = 2·outputs·kh·kw·inChannels / time)',
      columns: ['case', 'Descent cpu', 'TF.js cpu', 'Descent / TF.js'],
      rows,
      records,
      notes: [
        `Median of ${opts.samples} samples after ${opts.warmup} warm-up call(s) (${clock === 'cpu' ? 'process CPU time' : 'wall-clock time'}). ` +
          'Both libraries convolve the same seeded data and their outputs are checked to agree before timing.',
      ],
    };
  },
};
