import { measure } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import type { BenchModel, Contender, ModelKind } from './train-contenders.js';
import { baselineOf, initialWeights, loadContenders, loadDigits, maxRelDiff } from './train-contenders.js';

const PREDICT_BATCH = 256;

const rate = (v: number): string => (v >= 1e4 ? `${(v / 1000).toFixed(0)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));

/**
 * `predict` throughput of the MLP and the CNN: every contender holds the same weights, predicts the
 * same test digits (batch 256) and reads the probabilities back to JS.
 */
export const inferenceSuite: Suite = {
  name: 'inference',
  description: 'predict throughput (samples/s) of the MLP and the CNN, batch 256: Descent vs TF.js',
  async run({ quick, clock = 'wall', log }: SuiteOptions): Promise<SuiteResult> {
    const data = await loadDigits();
    // The CNN predicts fewer digits: TF.js cpu manages ~70 per second.
    const size = (kind: ModelKind): number => (quick ? 32 : kind === 'mlp' ? data.testSize : 512);
    const opts = quick ? { warmup: 1, samples: 3, minSampleMs: 0, clock } : { warmup: 1, samples: 5, minSampleMs: 500, clock };
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    const notes: string[] = [];
    for (const kind of ['mlp', 'cnn'] as ModelKind[]) {
      const n = size(kind);
      const init = initialWeights(kind, 9);
      const contenders = await loadContenders(kind);
      if (notes.length === 0) notes.push(...contenders.notes.slice(0, 1));
      const outputs = new Map<Contender, Float32Array>();
      const rates = new Map<Contender, { median: number; min: number; max: number }>();
      try {
        for (const c of contenders.list) {
          await c.activate();
          log(`inference ${kind}: ${c.label}…`);
          const model: BenchModel = c.build(kind, init, data);
          outputs.set(c, model.predict(n, PREDICT_BATCH));
          const t = measure(() => void model.predict(n, PREDICT_BATCH), opts);
          // Samples per second from ms per call: the fastest call is the highest rate.
          rates.set(c, { median: (n * 1000) / t.median, min: (n * 1000) / t.max, max: (n * 1000) / t.min });
        }
      } finally {
        contenders.restore();
      }
      const base = baselineOf(contenders.list);
      for (const [c, out] of outputs) {
        const d = maxRelDiff(out, outputs.get(base)!);
        if (!(d <= 1e-4)) throw new Error(`inference: ${c.label} predicts other ${kind} probabilities than ${base.label} from the same weights (max diff ${d})`);
      }
      const baseRate = rates.get(base)!.median;
      for (const c of contenders.list) {
        const r = rates.get(c)!;
        rows.push([kind.toUpperCase(), String(n), c.label, `${rate(r.median)} (${rate(r.min)}–${rate(r.max)})`, `${(r.median / baseRate).toFixed(2)}×`]);
        records.push({ model: kind, samples: n, contender: c.id, samplesPerSec: r.median, minSamplesPerSec: r.min, maxSamplesPerSec: r.max, speedupVsBaseline: r.median / baseRate });
      }
    }
    return {
      suite: 'inference',
      title: `Inference throughput, predict on test digits, batch ${PREDICT_BATCH} (samples/s)`,
      columns: ['model', 'digits per call', 'contender', 'samples/s median (min–max)', 'speed-up vs TF.js wasm'],
      rows,
      records,
      notes: [
        ...notes,
        `Every contender holds the same weights and its probabilities agree with TF.js wasm's to 1e-4. Each call predicts the listed number of test digits and reads the result back. ` +
          `Median of ${opts.samples} samples after ${opts.warmup} warm-up calls, each sample ≥ ${opts.minSampleMs} ms; clock: ${clock}.`,
      ],
    };
  },
};
