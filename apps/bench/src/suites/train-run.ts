import type { SuiteOptions, SuiteResult } from '../suite.js';
import { runTorch, torchAvailable } from './pytorch.js';
import type { BenchModel, Contender, ModelKind, Stats } from './train-contenders.js';
import { BATCH, baselineOf, initialWeights, loadContenders, loadDigits, stats } from './train-contenders.js';

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

interface Row {
  readonly contender: { readonly id: string; readonly label: string };
  readonly batches: number;
  readonly loss: number;
  readonly value: Stats;
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

async function timeRun(model: BenchModel, batches: number): Promise<number> {
  const t0 = performance.now();
  await model.train(batches);
  return performance.now() - t0;
}

/**
 * Train the same model, from the same initial weights on the same batches, with every contender.
 * Each contender first trains a few batches (warm-up, and a loss check against the baseline), then
 * runs are interleaved round by round so a slow spell of the shared machine hits all alike.
 */
export async function runTraining(plan: TrainingPlan, { quick, log }: SuiteOptions): Promise<SuiteResult> {
  const data = await loadDigits();
  const epochBatches = Math.ceil(data.trainSize / BATCH);
  const init = initialWeights(plan.kind, 7);
  const loaded = await loadContenders(plan.kind);
  const single = (c: Contender): boolean => plan.singleRun?.includes(c.id) ?? false;
  const skipped = quick ? loaded.list.filter(single) : [];
  const contenders = { ...loaded, list: loaded.list.filter((c) => !skipped.includes(c)) };
  const checkBatches = quick ? 1 : (plan.warmupBatches ?? 3);
  const rounds = quick ? 2 : 7;
  const budget = quick ? 0 : plan.budgetMs;
  const perBatchValue = (ms: number): number => (plan.unit === 's/epoch' ? (ms / 1000) * epochBatches : ms);
  const models = new Map<Contender, { model: BenchModel; batches: number; loss: number }>();
  const times = new Map<Contender, number[]>();
  const kernelCounts: string[] = [];
  try {
    for (const c of contenders.list) {
      await c.activate();
      log(`${plan.suite}: ${c.label} warm-up…`);
      const model = c.build(plan.kind, init, data);
      if (single(c)) {
        models.set(c, { model, batches: 1, loss: await model.train(checkBatches) });
        times.set(c, []);
        continue;
      }
      const loss = await model.train(checkBatches);
      // The second warm-up run calibrates how many batches a timed run can afford.
      const perBatch = (await timeRun(model, checkBatches)) / checkBatches;
      const batches = Math.max(checkBatches, Math.min(plan.maxBatches, Math.round(budget / perBatch)));
      model.prepare(batches);
      models.set(c, { model, batches, loss });
      times.set(c, []);
    }
    // Same init, same batches, same Adam: the first losses agree up to float32 rounding.
    const base = baselineOf(contenders.list);
    const baseLoss = models.get(base)!.loss;
    for (const [c, m] of models) {
      if (!(Math.abs(m.loss - baseLoss) <= 2e-3 * Math.max(1, Math.abs(baseLoss)))) {
        throw new Error(`${plan.suite}: ${c.label} trained to loss ${m.loss} on the warm-up batches, ${base.label} to ${baseLoss}`);
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (const c of contenders.list) {
        await c.activate();
        const m = models.get(c)!;
        if (single(c) && r > 0) continue;
        log(`${plan.suite}: ${c.label} run ${r + 1}/${rounds} (${m.batches} batches)…`);
        times.get(c)!.push(perBatchValue((await timeRun(m.model, m.batches)) / m.batches));
      }
    }
    for (const c of contenders.list) {
      const m = models.get(c)!;
      if (m.model.kernelsPerStep === undefined || single(c)) continue;
      await c.activate();
      const n = Math.min(m.batches, 10);
      kernelCounts.push(`${c.label} ${(await m.model.kernelsPerStep(n)).toFixed(1)} (fit over ${n} batch${n === 1 ? '' : 'es'})`);
    }
  } finally {
    contenders.restore();
  }
  const rows: Row[] = contenders.list.map((c) => ({ contender: c, batches: models.get(c)!.batches, loss: models.get(c)!.loss, value: stats(times.get(c)!) }));
  let torchNote: string | null = null;
  if (torchAvailable()) {
    log(`${plan.suite}: PyTorch…`);
    const torch = runTorch(plan.kind, init, data, { checkBatches, rounds, budgetMs: budget, maxBatches: plan.maxBatches });
    rows.push({ contender: { id: 'pytorch', label: `PyTorch ${torch.version} cpu (${torch.threads} thread(s))` }, batches: torch.batches, loss: torch.loss, value: stats(torch.times.map(perBatchValue)) });
    torchNote = 'PyTorch runs the same model from the same initial weights on the same batches in a python3 process (its own warm-up and rounds).';
  }
  const baseId = baselineOf(contenders.list).id;
  const baseMedian = rows.find((r) => r.contender.id === baseId)!.value.median;
  return {
    suite: plan.suite,
    title: plan.title,
    columns: ['contender', `${plan.unit} median (min–max)`, 'runs', 'batches per run', 'warm-up loss', `speed-up vs ${baseId === 'tfjs-wasm' ? 'TF.js wasm' : 'TF.js cpu'}`],
    rows: rows.map(({ contender, batches, loss, value }) => [
      contender.label,
      `${fmt(value.median)} (${fmt(value.min)}–${fmt(value.max)})`,
      String(value.runs),
      String(batches),
      loss.toFixed(4),
      `${(baseMedian / value.median).toFixed(2)}×`,
    ]),
    records: rows.map(({ contender, batches, loss, value }) => ({
      contender: contender.id,
      unit: plan.unit,
      median: value.median,
      min: value.min,
      max: value.max,
      runs: value.runs,
      batchesPerRun: batches,
      warmupLoss: loss,
      speedupVsBaseline: baseMedian / value.median,
    })),
    notes: [
      ...contenders.notes,
      `Batch ${BATCH}, Adam (lr 1e-3), categorical cross-entropy, fit without shuffling; every contender starts from the same Glorot-uniform weights ` +
        `and trains on the same batches (the warm-up losses agree). Wall clock; median of ${rounds} runs after ${2 * checkBatches} warm-up batches, runs interleaved across contenders.`,
      plan.unit === 's/epoch'
        ? `A run is one fit over the first "batches per run" batches of the ${data.trainSize} training digits (${epochBatches} batches = one epoch); contenders too slow for a whole epoch in ~${plan.budgetMs / 1000} s run fewer batches, scaled to s/epoch.`
        : `A run is one fit over "batches per run" batches (about ${plan.budgetMs / 1000} s of work); ms/step = run time / batches.`,
      ...(plan.singleRun && !quick
        ? [`${plan.singleRun.join(', ')}: one timed batch after the warm-up batches (a step takes tens of seconds there), so one run, no spread.`]
        : []),
      ...(skipped.length > 0 ? [`Quick mode leaves out ${skipped.map((c) => c.label).join(', ')} (tens of seconds per step).`] : []),
      ...(torchNote ? [torchNote] : []),
      ...(kernelCounts.length > 0
        ? [`Kernel calls per training step, counted after the timed runs (forward, backward, metrics and fit's own per-epoch work spread over the batches; a fused optimizer update counts as none): ${kernelCounts.join(', ')}.`]
        : []),
      '"speed-up" = baseline median / contender median (higher is faster).',
    ],
  };
}
