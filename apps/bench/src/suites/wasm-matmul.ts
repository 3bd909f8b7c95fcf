import { dispose, matMul, setBackend, tensor } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type { Timing } from '../measure.js';
import type { Contender } from '../measure.js';
import { measureInterleaved, pairedSpeedup, seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { fallbackNote, loadWasmContenders, useTf } from './wasm-contenders.js';

const FULL_SIZES = [64, 128, 256, 512, 1024];
const QUICK_SIZES = [64, 256];

const fmt = (v: number): string => v.toFixed(1);

interface Rate {
  median: number;
  min: number;
  max: number;
}

function gflops(n: number, t: Timing): Rate {
  const flop = 2 * n * n * n;
  return { median: flop / t.median / 1e6, min: flop / t.max / 1e6, max: flop / t.min / 1e6 };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? d : Infinity;
}

/**
 * n×n float32 matMul on Descent's wasm backend (1 and 2 threads) next to Descent cpu, TF.js cpu and
 * TF.js wasm, same data, same process, same run.
 */
export const wasmMatmulSuite: Suite = {
  name: 'wasm-matmul',
  description: 'float32 n×n matMul, GFLOP/s: Descent wasm (1, 2 threads) and cpu vs TF.js wasm and cpu',
  async run({ quick, clock = 'wall', log }: SuiteOptions): Promise<SuiteResult> {
    const setup = await loadWasmContenders();
    const wasm = setup.descent.getWasmBackend();
    const savedMinWork = wasm.threadMinWork;
    const savedThreads = wasm.numThreads;
    // Two threads for the 2T column, started once; 1T samples keep the worker idle (see `descent`).
    wasm.setNumThreads(2);
    const sizes = quick ? QUICK_SIZES : FULL_SIZES;
    const opts = quick ? { warmup: 1, samples: 3, minSampleMs: 20 } : { warmup: 3, samples: 11, minSampleMs: 100 };
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    try {
      for (const n of sizes) {
        const av = seededFloats(n * n, 1);
        const bv = seededFloats(n * n, 2);
        const rates: Record<string, Rate> = {};
        const results: Record<string, Float32Array> = {};
        const contenders: Contender[] = [];
        const made: tf.Tensor[] = [];

        const descent = (name: string, backend: 'wasm' | 'cpu', threads: number): void => {
          // One-thread runs raise the thread threshold instead of stopping the worker (restarting it
          // between interleaved samples would cost more than a product).
          const before = (): void => {
            setBackend(backend);
            if (backend === 'wasm') wasm.threadMinWork = threads > 1 ? savedMinWork : Infinity;
          };
          before();
          const a: Tensor = tensor(av, [n, n]);
          const b: Tensor = tensor(bv, [n, n]);
          results[name] = matMul(a, b).dataSync() as Float32Array;
          // CPU time would add up both threads: multi-threaded runs are always timed on the wall clock.
          contenders.push({ name, before, fn: () => dispose(matMul(a, b)), ...(threads > 1 ? { clock: 'wall' as const } : {}) });
        };
        const tfjs = async (name: string, backend: 'cpu' | 'wasm'): Promise<void> => {
          const before = (): Promise<void> => useTf(backend);
          await before();
          const a = tf.tensor2d(av, [n, n]);
          const b = tf.tensor2d(bv, [n, n]);
          made.push(a, b);
          const r = tf.matMul(a, b);
          results[name] = r.dataSync() as Float32Array;
          r.dispose();
          contenders.push({ name, before, fn: () => tf.matMul(a, b).dispose() });
        };

        descent('descentWasm1', 'wasm', 1);
        descent('descentWasm2', 'wasm', 2);
        if (n <= 512 || !quick) descent('descentCpu', 'cpu', 1);
        await tfjs('tfjsWasm', 'wasm');
        if (n <= 256) await tfjs('tfjsCpu', 'cpu');
        log(`wasm-matmul n=${n}: ${contenders.map((c) => c.name).join(', ')} (interleaved)…`);
        const timings = await measureInterleaved(contenders, { ...opts, clock });
        const speedup = (fast: string, slow: string): number => pairedSpeedup(timings[fast]!, timings[slow]!);
        for (const [name, t] of Object.entries(timings)) rates[name] = gflops(n, t);
        for (const t of made) t.dispose();

        const ref = results.tfjsWasm!;
        for (const [name, r] of Object.entries(results)) {
          const d = maxDiff(r, ref);
          if (!(d <= 1e-4 * n)) throw new Error(`wasm-matmul: ${name} and TF.js wasm disagree at n=${n} (max |diff| ${d})`);
        }
        const cell = (k: string): string => (rates[k] ? `${fmt(rates[k].median)} (${fmt(rates[k].min)}–${fmt(rates[k].max)})` : '—');
        const ratios = {
          wasm1VsTfjs: speedup('descentWasm1', 'tfjsWasm'),
          wasm2VsTfjs: speedup('descentWasm2', 'tfjsWasm'),
          twoThreads: speedup('descentWasm2', 'descentWasm1'),
        };
        rows.push([
          String(n),
          cell('descentWasm1'),
          cell('descentWasm2'),
          cell('descentCpu'),
          cell('tfjsWasm'),
          cell('tfjsCpu'),
          `${ratios.wasm1VsTfjs.toFixed(2)}×`,
          `${ratios.wasm2VsTfjs.toFixed(2)}×`,
          `${ratios.twoThreads.toFixed(2)}×`,
        ]);
        const rec: Record<string, number | string> = { n, ...ratios };
        for (const [k, r] of Object.entries(rates)) {
          rec[`${k}Gflops`] = r.median;
          rec[`${k}Min`] = r.min;
          rec[`${k}Max`] = r.max;
        }
        records.push(rec);
      }
    } finally {
      wasm.threadMinWork = savedMinWork;
      wasm.setNumThreads(savedThreads);
      setup.restore();
      await useTf('cpu');
    }
    return {
      suite: 'wasm-matmul',
      title: 'matMul on wasm, float32 n×n (GFLOP/s = 2n³ / time; median (min–max))',
      columns: ['n', 'Descent wasm 1T', 'Descent wasm 2T', 'Descent cpu', 'TF.js wasm', 'TF.js cpu', 'wasm 1T / TF.js wasm', 'wasm 2T / TF.js wasm', '2T / 1T'],
      rows,
      records,
      notes: [
        `${setup.descentInfo}. ${setup.tfjsWasmInfo}.`,
        fallbackNote(setup),
        `Contenders timed in interleaved rounds (one sample of each per round, order rotating), so drift in the shared machine's speed hits all alike; ratios are medians over rounds of the ratio within each round. Median of ${opts.samples} samples after ${opts.warmup} warm-up call(s), each sample ≥ ${opts.minSampleMs} ms; clock: ${clock}` +
          `${clock === 'cpu' ? ' (2-thread runs on the wall clock)' : ''}. All contenders multiply the same seeded data and agree before timing. ` +
          'TF.js cpu is skipped above n=256 (it takes seconds per product).',
      ],
    };
  },
};
