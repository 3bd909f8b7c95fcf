import { matMul, setBackend, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type { Timing } from '../measure.js';
import { measure, seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';

const FULL_SIZES = [64, 128, 256, 512, 1024];
const QUICK_SIZES = [64, 128, 256, 512];

function gflops(n: number, t: Timing): { median: number; min: number; max: number } {
  const flop = 2 * n * n * n;
  // The fastest sample gives the highest rate.
  return { median: flop / t.median / 1e6, min: flop / t.max / 1e6, max: flop / t.min / 1e6 };
}

const fmt = (v: number): string => v.toFixed(2);

/** Square float32 n×n matMul: Descent's CPU backend against TF.js's pure-JS CPU backend, same data, same run. */
export const matmulSuite: Suite = {
  name: 'matmul',
  description: 'float32 n×n matMul, GFLOP/s, Descent cpu vs TF.js cpu',
  async run({ quick, clock = 'wall', log }: SuiteOptions): Promise<SuiteResult> {
    // The Descent column is the pure-TypeScript CPU backend, even when the wasm backend is loaded
    // (it is the default once imported); suites/wasm-matmul.ts measures that one.
    setBackend('cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    const sizes = quick ? QUICK_SIZES : FULL_SIZES;
    const opts = quick ? { warmup: 1, samples: 3, minSampleMs: 20, clock } : { warmup: 2, samples: 7, minSampleMs: 100, clock };
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    for (const n of sizes) {
      const a = seededFloats(n * n, 1);
      const b = seededFloats(n * n, 2);
      const da = tensor(a, [n, n]);
      const db = tensor(b, [n, n]);
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);

      // Both must compute the same product before either is timed.
      const ours = matMul(da, db).dataSync();
      const theirsT = tf.matMul(ta, tb);
      const theirs = theirsT.dataSync();
      theirsT.dispose();
      let maxDiff = 0;
      for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
      if (!(maxDiff <= 1e-4 * n)) throw new Error(`matmul suite: Descent and TF.js disagree at n=${n} (max |diff| ${maxDiff})`);

      log(`matmul n=${n}: descent…`);
      const descent = gflops(n, measure(() => void matMul(da, db), opts));
      log(`matmul n=${n}: tfjs-cpu…`);
      const tfjs = gflops(
        n,
        measure(() => {
          const c = tf.matMul(ta, tb);
          c.dataSync();
          c.dispose();
        }, opts),
      );
      ta.dispose();
      tb.dispose();
      const ratio = descent.median / tfjs.median;
      rows.push([
        String(n),
        fmt(descent.median),
        `${fmt(descent.min)}–${fmt(descent.max)}`,
        fmt(tfjs.median),
        `${fmt(tfjs.min)}–${fmt(tfjs.max)}`,
        `${ratio.toFixed(1)}×`,
      ]);
      records.push({
        n,
        descentGflops: descent.median,
        descentMin: descent.min,
        descentMax: descent.max,
        tfjsCpuGflops: tfjs.median,
        tfjsCpuMin: tfjs.min,
        tfjsCpuMax: tfjs.max,
        speedup: ratio,
      });
    }
    return {
      suite: 'matmul',
      title: 'matMul, float32 n×n (GFLOP/s = 2n³ / time)',
      columns: ['n', 'Descent cpu', 'min–max', 'TF.js cpu', 'min–max', 'Descent / TF.js'],
      rows,
      records,
      notes: [
        `Median of ${opts.samples} samples after ${opts.warmup} warm-up call(s); each sample repeats the call for ≥ ${opts.minSampleMs} ms ` +
          `(${clock === 'cpu' ? 'process CPU time' : 'wall-clock time'}). ` +
          'Single thread. Both libraries multiply the same seeded data and their results are checked to agree before timing.',
      ],
    };
  },
};
