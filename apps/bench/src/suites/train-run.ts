import { cpus } from 'node:os';
import type { SuiteOptions, SuiteResult } from '../suite.js';
import { SLOW_BLAS_GFLOPS, TORCH_HINT, TorchWorker, findTorchPython } from './pytorch.js';
import type { BenchModel, Contender, ModelKind, Stats } from './train-contenders.js';
import { BATCH, initialWeights, loadContenders, loadDigits, stats } from './train-contenders.js';

export interface TrainingPlan {
  readonly kind: ModelKind;
  readonly suite: string;
  readonly title: string;
  /** What one run reports: seconds per epoch (MLP) or milliseconds per step (CNN). */
  readonly unit: 's/epoch' | 'ms/step';
  /** Most batches one run trains on (a whole epoch for the MLP). */
  readonly maxBatches: number;
  /** Wall time a run of a slow contender is cut down to (fewer batches, same per-batch cost). */
  readonly budgetMs: number;
  /**
   * Contenders so slow at this model that they get one warm-up batch and one timed batch, and
   * none in quick mode (TF.js cpu's CNN filter gradient takes tens of seconds per step).
   */
  readonly singleRun?: readonly string[];
  /** Warm-up batches before calibration (default 3; 1 in quick mode). */
  readonly warmupBatches?: number;
}

/** One contender as the round loop sees it: Descent and TF.js in this process, PyTorch in a worker process. */
interface Runner {
  readonly id: string;
  readonly label: string;
  readonly single: boolean;
  activate(): Promise<void>;
  /** Train `batches` more batches: their mean loss and the wall time they took (ms). */
  train(batches: number): Promise<{ loss: number; ms: number }>;
  prepare(batches: number): void;
  readonly model?: BenchModel;
  batches: number;
  loss: number;
  /** Per-batch value of each round's run (NaN where the contender did not run that round). */
  readonly times: number[];
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median over the rounds both ran of `num`'s time / `den`'s time (NaN when they share no round). */
export function pairedRatio(num: readonly number[], den: readonly number[]): number {
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(num.length, den.length); r++) if (num[r]! > 0 && den[r]! > 0) ratios.push(num[r]! / den[r]!);
  return ratios.length === 0 ? NaN : median(ratios);
}

/** The contender ratios are quoted against: TF.js wasm, else TF.js cpu, else the first that ran. */
function baseOf(runners: readonly Runner[]): Runner {
  return runners.find((r) => r.id === 'tfjs-wasm') ?? runners.find((r) => r.id === 'tfjs-cpu') ?? runners[0]!;
}

function inProcess(c: Contender, model: BenchModel, single: boolean): Runner {
  return {
    id: c.id,
    label: c.label,
    single,
    activate: () => c.activate(),
    train: async (batches) => {
      const t0 = performance.now();
      const loss = await model.train(batches);
      return { loss, ms: performance.now() - t0 };
    },
    prepare: (batches) => model.prepare(batches),
    model,
    batches: 1,
    loss: NaN,
    times: [],
  };
}

function torchRunner(worker: TorchWorker): Runner {
  return {
    id: `pytorch-${worker.threads}t`,
    label: `PyTorch ${worker.version} cpu, ${worker.threads} thread${worker.threads === 1 ? '' : 's'}`,
    single: false,
    activate: () => Promise.resolve(),
    train: (batches) => worker.train(batches),
    prepare: () => undefined,
    batches: 1,
    loss: NaN,
    times: [],
  };
}

/**
 * Pause before a timed run, so threads the previous contender left spinning (PyTorch's OpenMP/BLAS pools
 * spin for tens of ms after a call, Descent's workers for 0.2 ms) have gone to sleep and do not take a
 * core from the run. Without it, 2-thread runs on this 2-core machine measured up to 4× slower than alone.
 */
const COOLDOWN_MS = 300;
const cooldown = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));

/**
 * Train the same model, from the same initial weights on the same batches, with every contender:
 * Descent and TF.js in this process, PyTorch (when a python with torch is found) in worker processes
 * at 1 thread and at the machine's core count. Each contender first trains a few batches (warm-up, and
 * a loss check against the baseline); then the timed runs go in rounds, one run per contender per
 * round in an order that rotates, so a slow spell of the shared machine hits all alike. Ratios are the
 * median over rounds of the ratio within each round.
 */
export async function runTraining(plan: TrainingPlan, { quick, log, python, contenders: only, rounds: askedRounds }: SuiteOptions): Promise<SuiteResult> {
  const wanted = (id: string): boolean => only === undefined || only.includes(id);
  const data = await loadDigits();
  const epochBatches = Math.ceil(data.trainSize / BATCH);
  const init = initialWeights(plan.kind, 7);
  const loaded = await loadContenders(plan.kind);
  const single = (c: Contender): boolean => plan.singleRun?.includes(c.id) ?? false;
  const skipped = quick ? loaded.list.filter(single) : [];
  const contenders = { ...loaded, list: loaded.list.filter((c) => !skipped.includes(c) && wanted(c.id)) };
  const checkBatches = quick ? 1 : (plan.warmupBatches ?? 3);
  const rounds = askedRounds ?? (quick ? 2 : 7);
  const budget = quick ? 0 : plan.budgetMs;
  const perBatchValue = (ms: number): number => (plan.unit === 's/epoch' ? (ms / 1000) * epochBatches : ms);
  const kernelCounts: string[] = [];
  const runners: Runner[] = [];
  const workers: TorchWorker[] = [];
  let torchNote: string;
  try {
    const cores = cpus().length;
    const torchThreads = (cores > 1 ? [1, cores] : [1]).filter((t) => wanted(`pytorch-${t}t`));
    const torchPython = torchThreads.length === 0 ? null : findTorchPython(python);
    if (torchThreads.length === 0) {
      torchNote = 'PyTorch not run (--contender left it out).';
    } else if (torchPython === null) {
      torchNote = `PyTorch skipped: no python3 here can 'import torch'; ${TORCH_HINT}.`;
      log(`${plan.suite}: ${torchNote}`);
    } else {
      for (const threads of torchThreads) {
        log(`${plan.suite}: starting PyTorch (${torchPython}, ${threads} thread(s))…`);
        workers.push(await TorchWorker.start(torchPython, plan.kind, init, data, threads));
      }
      const speeds = workers.map((w) => `${w.gflops.toFixed(0)} GFLOP/s at ${w.threads} thread${w.threads === 1 ? '' : 's'}`).join(', ');
      const slow = workers.some((w) => w.threads === 1 && w.gflops < SLOW_BLAS_GFLOPS);
      torchNote =
        `PyTorch (${torchPython}) trains the same model from the same weights on the same batches in worker processes kept alive for the suite ` +
        `(torch.set_num_threads ${torchThreads.join(' and ')}); its runs are interleaved with the others' and timed by PyTorch itself. ` +
        `Its 256×256 matmul: ${speeds}.` +
        (slow ? ` **That is a reference BLAS, not PyTorch's usual speed**: on Debian install libopenblas0-pthread (libblas.so.3 then points to OpenBLAS).` : '');
      if (slow) log(`${plan.suite}: warning: PyTorch's matmul runs at ${speeds}: a reference BLAS; install libopenblas0-pthread`);
    }
    for (const c of contenders.list) {
      await c.activate();
      runners.push(inProcess(c, c.build(plan.kind, init, data), single(c)));
    }
    runners.push(...workers.map(torchRunner));
    for (const r of runners) {
      await r.activate();
      log(`${plan.suite}: ${r.label} warm-up…`);
      r.loss = (await r.train(checkBatches)).loss;
      if (r.single) continue;
      // The second warm-up run calibrates how many batches a timed run can afford.
      const perBatch = (await r.train(checkBatches)).ms / checkBatches;
      r.batches = Math.max(checkBatches, Math.min(plan.maxBatches, Math.round(budget / perBatch)));
      r.prepare(r.batches);
    }
    if (runners.length === 0) throw new Error(`${plan.suite}: no contender left to run (--contender ${only?.join(', ')})`);
    // Same init, same batches, same Adam: the first losses agree up to float32 rounding.
    const base = baseOf(runners);
    for (const r of runners) {
      if (!(Math.abs(r.loss - base.loss) <= 2e-3 * Math.max(1, Math.abs(base.loss)))) {
        throw new Error(`${plan.suite}: ${r.label} trained to loss ${r.loss} on the warm-up batches, ${base.label} to ${base.loss}`);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < runners.length; j++) {
        const r = runners[(j + round) % runners.length]!;
        if (r.single && round > 0) continue;
        await r.activate();
        await cooldown();
        log(`${plan.suite}: ${r.label} run ${round + 1}/${rounds} (${r.batches} batches)…`);
        r.times[round] = perBatchValue((await r.train(r.batches)).ms / r.batches);
      }
    }
    for (const r of runners) {
      if (r.model?.kernelsPerStep === undefined || r.single) continue;
      await r.activate();
      const n = Math.min(r.batches, 10);
      kernelCounts.push(`${r.label} ${(await r.model.kernelsPerStep(n)).toFixed(1)} (fit over ${n} batch${n === 1 ? '' : 'es'})`);
    }
  } finally {
    contenders.restore();
    for (const w of workers) w.close();
  }
  const baseRunner = baseOf(runners);
  const baseName = baseRunner.label;
  const torch1 = runners.find((r) => r.id === 'pytorch-1t');
  const rows = runners.map((r) => {
    const value: Stats = stats(r.times.filter((t) => t !== undefined));
    return { r, value, speedup: pairedRatio(baseRunner.times, r.times), vsTorch: torch1 ? pairedRatio(r.times, torch1.times) : NaN };
  });
  const columns = ['contender', `${plan.unit} median (min–max)`, 'runs', 'batches per run', 'warm-up loss', `speed-up vs ${baseName}`];
  if (torch1) columns.push('time / PyTorch 1 thread');
  return {
    suite: plan.suite,
    title: plan.title,
    columns,
    rows: rows.map(({ r, value, speedup, vsTorch }) => [
      r.label,
      `${fmt(value.median)} (${fmt(value.min)}–${fmt(value.max)})`,
      String(value.runs),
      String(r.batches),
      r.loss.toFixed(4),
      `${speedup.toFixed(2)}×`,
      ...(torch1 ? [`${vsTorch.toFixed(2)}×`] : []),
    ]),
    records: rows.map(({ r, value, speedup, vsTorch }) => ({
      contender: r.id,
      unit: plan.unit,
      median: value.median,
      min: value.min,
      max: value.max,
      runs: value.runs,
      batchesPerRun: r.batches,
      warmupLoss: r.loss,
      speedupVsBaseline: speedup,
      ...(torch1 ? { timeVsPytorch1t: vsTorch } : {}),
    })),
    notes: [
      ...contenders.notes,
      `Batch ${BATCH}, Adam (lr 1e-3), categorical cross-entropy, fit without shuffling; every contender starts from the same Glorot-uniform weights ` +
        `and trains on the same batches (the warm-up losses agree). Wall clock; median of ${rounds} runs after ${2 * checkBatches} warm-up batches, ` +
        `one run per contender per round, the order rotating from round to round, each after a ${COOLDOWN_MS} ms pause (threads the previous contender left spinning go to sleep).`,
      plan.unit === 's/epoch'
        ? `A run is one fit over the first "batches per run" batches of the ${data.trainSize} training digits (${epochBatches} batches = one epoch); contenders too slow for a whole epoch in ~${plan.budgetMs / 1000} s run fewer batches, scaled to s/epoch.`
        : `A run is one fit over "batches per run" batches (about ${plan.budgetMs / 1000} s of work); ms/step = run time / batches.`,
      ...(plan.singleRun && !quick
        ? [`${plan.singleRun.join(', ')}: one timed batch after the warm-up batches (a step takes tens of seconds there), so one run, no spread; its ratios come from round 1 alone.`]
        : []),
      ...(skipped.length > 0 ? [`Quick mode leaves out ${skipped.map((c) => c.label).join(', ')} (tens of seconds per step).`] : []),
      torchNote,
      ...(kernelCounts.length > 0
        ? [`Kernel calls per training step, counted after the timed runs (forward, backward, metrics and fit's own per-epoch work spread over the batches; a fused optimizer update counts as none): ${kernelCounts.join(', ')}.`]
        : []),
      `"speed-up" = median over rounds of ${baseName}'s time / the contender's time in the same round (higher is faster)` +
        (torch1 ? '; "time / PyTorch 1 thread" = median over rounds of the contender\'s time / PyTorch 1-thread\'s time in the same round (lower is faster).' : '.'),
    ],
  };
}
