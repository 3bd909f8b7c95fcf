import type { Tensor } from '@descent/tensor';
import { add, dispose, exp, setBackend, sum, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type { Contender } from '../measure.js';
import { measureInterleaved, pairedSpeedup, seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { fallbackNote, loadWasmContenders, useTf } from './wasm-contenders.js';

type OpName = 'add' | 'exp' | 'sum';
const OPS: readonly OpName[] = ['add', 'exp', 'sum'];
const SIZES = [1_000, 1_000_000];

function descentOp(op: OpName, a: Tensor, b: Tensor): Tensor {
  if (op === 'add') return add(a, b);
  if (op === 'exp') return exp(a);
  return sum(a);
}

function tfOp(op: OpName, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (op === 'add') return tf.add(a, b);
  if (op === 'exp') return tf.exp(a);
  return tf.sum(a);
}

const us = (ms: number): string => (ms * 1000 < 10 ? (ms * 1000).toFixed(2) : (ms * 1000).toFixed(1));

/**
 * Per-op cost (µs) of add, exp and sum at 1e3 elements (dispatch overhead dominates) and 1e6 (memory
 * bandwidth dominates). Every contender creates and frees its result, as a training step does.
 */
export const wasmOpsSuite: Suite = {
  name: 'wasm-ops',
  description: 'µs per op for add/exp/sum at 1e3 and 1e6 elements: Descent wasm and cpu vs TF.js wasm and cpu',
  async run({ quick, clock = 'wall', log }: SuiteOptions): Promise<SuiteResult> {
    const setup = await loadWasmContenders();
    const opts = quick ? { warmup: 3, samples: 3, minSampleMs: 20, clock } : { warmup: 20, samples: 11, minSampleMs: 50, clock };
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    try {
      for (const size of SIZES) {
        const av = seededFloats(size, 5);
        const bv = seededFloats(size, 6);
        for (const op of OPS) {
          const results: Record<string, Float32Array> = {};
          const contenders: Contender[] = [];
          const made: tf.Tensor[] = [];
          for (const backend of ['wasm', 'cpu'] as const) {
            const before = (): void => setBackend(backend);
            before();
            const a = tensor(av);
            const b = tensor(bv);
            results[`descent-${backend}`] = descentOp(op, a, b).dataSync() as Float32Array;
            contenders.push({ name: `descent-${backend}`, before, fn: () => dispose(descentOp(op, a, b)) });
          }
          for (const backend of ['wasm', 'cpu'] as const) {
            const before = (): Promise<void> => useTf(backend);
            await before();
            const a = tf.tensor1d(av);
            const b = tf.tensor1d(bv);
            made.push(a, b);
            const r = tfOp(op, a, b);
            results[`tfjs-${backend}`] = r.dataSync() as Float32Array;
            r.dispose();
            contenders.push({ name: `tfjs-${backend}`, before, fn: () => tfOp(op, a, b).dispose() });
          }
          log(`wasm-ops ${op} ${size}: Descent and TF.js, wasm and cpu (interleaved)…`);
          const t = await measureInterleaved(contenders, opts);
          for (const x of made) x.dispose();
          const ref = results['tfjs-wasm']!;
          for (const [name, r] of Object.entries(results)) {
            let d = 0;
            for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(r[i]! - ref[i]!) / Math.max(1, Math.abs(ref[i]!)));
            if (r.length !== ref.length || !(d <= 1e-4)) throw new Error(`wasm-ops: ${name} disagrees with TF.js wasm on ${op} of ${size} (rel diff ${d})`);
          }
          const speedup = pairedSpeedup(t['descent-wasm']!, t['tfjs-wasm']!);
          const cell = (k: string): string => `${us(t[k]!.median)} (${us(t[k]!.min)}–${us(t[k]!.max)})`;
          rows.push([
            op,
            size.toExponential(0),
            cell('descent-wasm'),
            cell('descent-cpu'),
            cell('tfjs-wasm'),
            cell('tfjs-cpu'),
            `${speedup.toFixed(2)}×`,
          ]);
          const rec: Record<string, number | string> = { op, size, speedupVsTfjsWasm: speedup };
          for (const [k, v] of Object.entries(t)) {
            rec[`${k}Us`] = v.median * 1000;
            rec[`${k}MinUs`] = v.min * 1000;
            rec[`${k}MaxUs`] = v.max * 1000;
          }
          records.push(rec);
        }
      }
    } finally {
      setup.restore();
      await useTf('cpu');
    }
    return {
      suite: 'wasm-ops',
      title: 'Per-op cost, float32 (µs per op; median (min–max))',
      columns: ['op', 'elements', 'Descent wasm', 'Descent cpu', 'TF.js wasm', 'TF.js cpu', 'speed-up vs TF.js wasm'],
      rows,
      records,
      notes: [
        `${setup.descentInfo}. ${setup.tfjsWasmInfo}.`,
        fallbackNote(setup),
        `Contenders timed in interleaved rounds (one sample of each per round). Median of ${opts.samples} samples after ${opts.warmup} warm-up calls, each sample ≥ ${opts.minSampleMs} ms; clock: ${clock}. ` +
          'Each call creates its result and frees it (Descent: dispose, TF.js: dispose), no read-back. "speed-up" = TF.js wasm time / Descent wasm time, the median over rounds of that ratio within each round.',
      ],
    };
  },
};
