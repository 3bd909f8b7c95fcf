import { cpus } from 'node:os';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { TORCH_HINT, TorchWorker, findTorchPython } from './pytorch.js';
import type { BenchModel, Contender, ModelKind } from './train-contenders.js';
import { baselineOf, initialWeights, loadContenders, loadDigits, maxRelDiff } from './train-contenders.js';

const PREDICT_BATCH = 256;

const rate = (v: number): string => (v >= 1e4 ? `${(v / 1000).toFixed(0)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));

/** One contender of the interleaved rounds: its calls per sample and ms per call of each sample. */
interface Runner {
  readonly id: string;
  readonly label: string;
  readonly activate: () => Promise<void>;
  /** One predict pass; resolves to its wall time in ms (PyTorch's own timing for PyTorch). */
  readonly call: () => Promise<number>;
  readonly calls: number;
  readonly ms: number[];
}

/**
 * A contender whose `predict` is timed here, or reports its own time in ms (PyTorch): warmed up, then
 * given enough calls per sample for a sample to last `minSampleMs`.
 */
async function runner(
  id: string, label: string, activate: () => Promise<void>, predict: () => Promise<number | void>,
  opts: { warmup: number; minSampleMs: number },
): Promise<Runner> {
  const call = async (): Promise<number> => {
    const t0 = performance.now();
    const own = await predict();
    return typeof own === 'number' ? own : performance.now() - t0;
  };
  await activate();
  for (let i = 0; i < opts.warmup; i++) await call();
  const once = await call();
  return { id, label, activate, call, calls: Math.max(1, Math.ceil(opts.minSampleMs / Math.max(once, 1e-3))), ms: [] };
}

/** Median over rounds of num[i] / den[i]: a throughput ratio from the times of the same rounds. */
function pairedRatio(num: readonly number[], den: readonly number[]): number {
  const r = num.map((v, i) => v / den[i]!).sort((a, b) => a - b);
  return r.length === 0 ? NaN : r[r.length >> 1]!;
}

/**
 * `predict` throughput of the MLP and the CNN: every contender holds the same weights, predicts the
 * same test digits (batch 256) and reads the probabilities back to JS; PyTorch at 1 thread and at the
 * machine's core count too, when a python with torch is found.
 */
export const inferenceSuite: Suite = {
  name: 'inference',
  description: 'predict throughput (samples/s) of the MLP and the CNN, batch 256: Descent vs TF.js (and PyTorch when installed)',
  async run({ quick, clock = 'wall', log, python, contenders: only }: SuiteOptions): Promise<SuiteResult> {
    const wanted = (id: string): boolean => only === undefined || only.length === 0 || only.includes(id);
    const cores = cpus().length;
    const torchThreads = (cores > 1 ? [1, cores] : [1]).filter((t) => wanted(`pytorch-${t}t`));
    const torchPython = torchThreads.length === 0 ? null : findTorchPython(python);
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
      // The baseline (TF.js wasm) always runs: every output is checked against it.
      const base = baselineOf(contenders.list);
      const runners: Runner[] = [];
      const workers: TorchWorker[] = [];
      try {
        const outputs = new Map<Contender, Float32Array>();
        for (const c of contenders.list) {
          if (c !== base && !wanted(c.id)) continue;
          await c.activate();
          log(`inference ${kind}: ${c.label}, warm-up…`);
          const model: BenchModel = c.build(kind, init, data);
          outputs.set(c, model.predict(n, PREDICT_BATCH));
          runners.push(await runner(c.id, c.label, () => c.activate(), () => Promise.resolve(void model.predict(n, PREDICT_BATCH)), opts));
        }
        for (const [c, out] of outputs) {
          const d = maxRelDiff(out, outputs.get(base)!);
          if (!(d <= 1e-4)) throw new Error(`inference: ${c.label} predicts other ${kind} probabilities than ${base.label} from the same weights (max diff ${d})`);
        }
        if (torchPython !== null) {
          for (const threads of torchThreads) {
            log(`inference ${kind}: starting PyTorch, ${threads} thread(s)…`);
            const worker = await TorchWorker.start(torchPython, kind, init, data, threads);
            workers.push(worker);
            const label = `PyTorch, ${worker.threads} thread${worker.threads === 1 ? '' : 's'}`;
            runners.push(await runner(`pytorch-${threads}t`, label, () => Promise.resolve(), () => worker.predict(n, PREDICT_BATCH), opts));
          }
        }
        // Rounds: one sample of every contender, back to back, in an order that rotates.
        for (let round = 0; round < opts.samples; round++) {
          log(`inference ${kind}: round ${round + 1}/${opts.samples}…`);
          for (let q = 0; q < runners.length; q++) {
            const r = runners[(q + round) % runners.length]!;
            await r.activate();
            let ms = 0;
            for (let call = 0; call < r.calls; call++) ms += await r.call();
            r.ms.push(ms / r.calls);
          }
        }
      } finally {
        for (const w of workers) w.close();
        contenders.restore();
      }
      const baseRunner = runners.find((r) => r.id === base.id)!;
      const torch1 = runners.find((r) => r.id === 'pytorch-1t');
      for (const r of runners) {
        const sorted = [...r.ms].sort((a, b) => a - b);
        const perSec = (ms: number): number => (n * 1000) / ms;
        const median = perSec(sorted[sorted.length >> 1]!);
        const vsBase = pairedRatio(baseRunner.ms, r.ms);
        const vsTorch = torch1 === undefined ? NaN : pairedRatio(torch1.ms, r.ms);
        rows.push([
          kind.toUpperCase(), String(n), r.label, `${rate(median)} (${rate(perSec(sorted[sorted.length - 1]!))}–${rate(perSec(sorted[0]!))})`,
          `${vsBase.toFixed(2)}×`, ...(torch1 === undefined ? [] : [`${vsTorch.toFixed(2)}×`]),
        ]);
        records.push({
          model: kind, samples: n, contender: r.id, samplesPerSec: median, minSamplesPerSec: perSec(sorted[sorted.length - 1]!), maxSamplesPerSec: perSec(sorted[0]!),
          speedupVsBaseline: vsBase, ...(torch1 === undefined ? {} : { rateVsPytorch1t: vsTorch }),
        });
      }
    }
    if (torchThreads.length > 0 && torchPython === null) notes.push(`PyTorch skipped: no python3 here can 'import torch'; ${TORCH_HINT}.`);
    if (torchPython !== null) {
      notes.push(
        `PyTorch (${torchPython}, torch.set_num_threads ${torchThreads.join(' and ')}) predicts as many training digits with the same weights under torch.no_grad(), ` +
          'timed by PyTorch itself, in worker processes kept alive for the suite.',
      );
    }
    return {
      suite: 'inference',
      title: `Inference throughput, predict on test digits, batch ${PREDICT_BATCH} (samples/s)`,
      columns: ['model', 'digits per call', 'contender', 'samples/s median (min–max)', 'speed-up vs TF.js wasm', ...(torchPython !== null && torchThreads.includes(1) ? ['throughput / PyTorch 1 thread'] : [])],
      rows,
      records,
      notes: [
        ...notes,
        `Every contender holds the same weights and its probabilities agree with TF.js wasm's to 1e-4. Each call predicts the listed number of test digits and reads the result back. ` +
          `Contenders are timed in ${opts.samples} rounds (one sample of each per round, the order rotating; each sample ≥ ${opts.minSampleMs} ms of calls, ` +
          `after ${opts.warmup} warm-up call(s)); median and min–max over rounds; ratios are medians of the per-round ratios. Clock: wall.`,
      ],
    };
  },
};
