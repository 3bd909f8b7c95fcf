import { cpus } from 'node:os';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { TORCH_HINT, TorchWorker, findTorchPython } from './pytorch.js';
import type { RecurrentKind } from './rnn-models.js';
import { RECURRENT_KINDS, RECURRENT_LABEL } from './rnn-models.js';
import type { BenchModel, Contender } from './train-contenders.js';
import { BATCH, initialWeights, loadContenders, loadDigits, maxRelDiff, stats } from './train-contenders.js';
import { pairedRatio, runTraining } from './train-run.js';

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * TF.js 4.22's GRU implements only `resetAfter: false` (Keras 2's math); the gru model is Keras 3's
 * default, `resetAfter: true`, which PyTorch's GRU computes too. So TF.js sits out the GRU rows.
 */
const TFJS_GRU_NOTE = "TF.js 4.22's GRU implements only resetAfter: false, so the GRU rows (Keras 3's default resetAfter: true, PyTorch's GRU math) have no TF.js contender.";

function contendersFor(kind: RecurrentKind, only: readonly string[] | undefined): readonly string[] | undefined {
  if (kind !== 'gru') return only;
  const all = only ?? ['descent-wasm', 'descent-wasm-1t', 'descent-cpu', ...cpus().map((_, i) => `pytorch-${i + 1}t`)];
  return all.filter((id) => !id.startsWith('tfjs-'));
}

/** Training steps of the recurrent models of issue 20 (LSTM, GRU, stacked LSTM), every contender in the same rounds. */
export const rnnTrainSuite: Suite = {
  name: 'rnn-train',
  description: 'LSTM(128) / GRU(128) / LSTM→LSTM on MNIST rows (28 steps × 28), dense 10, batch 64, Adam: ms/step, Descent vs TF.js and PyTorch',
  async run(options: SuiteOptions): Promise<SuiteResult> {
    const parts: { kind: RecurrentKind; result: SuiteResult }[] = [];
    for (const kind of RECURRENT_KINDS) {
      const contenders = contendersFor(kind, options.contenders);
      const result = await runTraining(
        {
          kind,
          suite: 'rnn-train',
          title: RECURRENT_LABEL[kind],
          unit: 'ms/step',
          maxBatches: 40,
          budgetMs: 2500,
          singleRun: ['tfjs-cpu'],
          warmupBatches: 1,
        },
        { ...options, ...(contenders === undefined ? {} : { contenders }) },
      );
      parts.push({ kind, result });
    }
    // One table: the first column names the model; each model's ratio columns are within its own rounds.
    const columns = parts.reduce<readonly string[]>((best, p) => (p.result.columns.length > best.length ? p.result.columns : best), []);
    const notes: string[] = [];
    for (const { result } of parts) for (const n of result.notes) if (!notes.includes(n)) notes.push(n);
    notes.push(TFJS_GRU_NOTE);
    return {
      suite: 'rnn-train',
      title: 'Recurrent models on MNIST rows (28 steps of 28 pixels) → dense 10, training, batch 64 (ms/step)',
      columns: ['model', ...columns.map((c) => (c.startsWith('speed-up vs') ? 'speed-up vs TF.js wasm (GRU: vs Descent wasm)' : c))],
      rows: parts.flatMap(({ kind, result }) => result.rows.map((r) => [RECURRENT_LABEL[kind], ...r])),
      records: parts.flatMap(({ kind, result }) => result.records.map((r) => ({ model: kind, ...r }))),
      notes,
    };
  },
};

interface PredictRunner {
  readonly id: string;
  /** Timed in the first round only (TF.js cpu: seconds per batch). */
  readonly single: boolean;
  readonly label: string;
  activate(): Promise<void>;
  /** Wall time (ms) of one predict pass over the digits. */
  run(): Promise<number>;
  readonly times: number[];
}

/**
 * `predict` of the same recurrent models: every contender holds the same weights and predicts the same
 * number of digits in batches of 64, in rounds (one pass per contender per round, order rotating).
 */
export const rnnPredictSuite: Suite = {
  name: 'rnn-predict',
  description: 'predict of LSTM(128) / GRU(128) / LSTM→LSTM on MNIST rows, batch 64: ms per batch, Descent vs TF.js and PyTorch',
  async run({ quick, log, python, contenders: only }: SuiteOptions): Promise<SuiteResult> {
    const data = await loadDigits();
    const n = quick ? 128 : 1024;
    const rounds = quick ? 2 : 7;
    const rows: string[][] = [];
    const records: Record<string, number | string>[] = [];
    const notes: string[] = [];
    const wanted = (id: string): boolean => only === undefined || only.includes(id);
    const torchPython = findTorchPython(python);
    if (torchPython === null) notes.push(`PyTorch skipped: no python3 here can 'import torch'; ${TORCH_HINT}.`);
    for (const kind of RECURRENT_KINDS) {
      const init = initialWeights(kind, 9);
      const loaded = await loadContenders(kind);
      if (notes.length === 0) notes.push(...loaded.notes.slice(0, 1));
      const list = loaded.list.filter((c) => wanted(c.id) && !(kind === 'gru' && c.id.startsWith('tfjs-')));
      const runners: PredictRunner[] = [];
      const outputs = new Map<Contender, Float32Array>();
      const workers: TorchWorker[] = [];
      try {
        for (const c of list) {
          await c.activate();
          const model: BenchModel = c.build(kind, init, data);
          outputs.set(c, model.predict(n, BATCH));
          runners.push({
            id: c.id,
            label: c.label,
            single: c.id === 'tfjs-cpu',
            activate: () => c.activate(),
            run: () => {
              const t0 = performance.now();
              model.predict(n, BATCH);
              return Promise.resolve(performance.now() - t0);
            },
            times: [],
          });
        }
        if (torchPython !== null) {
          const cores = cpus().length;
          for (const threads of (cores > 1 ? [1, cores] : [1]).filter((t) => wanted(`pytorch-${t}t`))) {
            log(`rnn-predict ${kind}: starting PyTorch (${threads} thread(s))…`);
            const w = await TorchWorker.start(torchPython, kind, init, data, threads);
            workers.push(w);
            await w.predict(n, BATCH);
            runners.push({
              id: `pytorch-${w.threads}t`,
              label: `PyTorch ${w.version} cpu, ${w.threads} thread${w.threads === 1 ? '' : 's'}`,
              single: false,
              activate: () => Promise.resolve(),
              run: () => w.predict(n, BATCH),
              times: [],
            });
          }
        }
        const base = list[0];
        for (const [c, out] of outputs) {
          const d = maxRelDiff(out, outputs.get(base!)!);
          if (!(d <= 1e-4)) throw new Error(`rnn-predict: ${c.label} predicts other ${kind} probabilities than ${base!.label} from the same weights (max diff ${d})`);
        }
        for (let round = 0; round < rounds; round++) {
          for (let j = 0; j < runners.length; j++) {
            const r = runners[(j + round) % runners.length]!;
            if (r.single && round > 0) continue;
            await r.activate();
            log(`rnn-predict ${kind}: ${r.label} run ${round + 1}/${rounds}…`);
            r.times.push((await r.run()) / Math.ceil(n / BATCH));
          }
        }
      } finally {
        loaded.restore();
        for (const w of workers) w.close();
      }
      const torch1 = runners.find((r) => r.id === 'pytorch-1t');
      for (const r of runners) {
        const s = stats(r.times);
        const vsTorch = torch1 ? pairedRatio(r.times, torch1.times) : NaN;
        rows.push([RECURRENT_LABEL[kind], r.label, `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`, torch1 ? `${vsTorch.toFixed(2)}×` : '–']);
        records.push({ model: kind, contender: r.id, msPerBatch: s.median, min: s.min, max: s.max, runs: s.runs, ...(torch1 ? { timeVsPytorch1t: vsTorch } : {}) });
      }
    }
    notes.push(
      `Each pass predicts ${n} digits in batches of ${BATCH} and reads the probabilities back (PyTorch: torch.no_grad, softmax, timed by PyTorch itself); ms per batch = pass time / ${Math.ceil(n / BATCH)}. ` +
        `Median of ${rounds} passes, one per contender per round, the order rotating. Descent and TF.js predict the same probabilities from the same weights (checked).`,
      TFJS_GRU_NOTE,
      'TF.js cpu predicts in the first round only (seconds per batch), so one run, no spread; its ratio comes from that round.',
      '"time / PyTorch 1 thread" = median over rounds of the contender\'s time / PyTorch 1-thread\'s time in the same round (lower is faster).',
    );
    return {
      suite: 'rnn-predict',
      title: 'Recurrent models on MNIST rows, predict, batch 64 (ms/batch)',
      columns: ['model', 'contender', 'ms/batch median (min–max)', 'time / PyTorch 1 thread'],
      rows,
      records,
      notes,
    };
  },
};
