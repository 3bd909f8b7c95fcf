import { cpus } from 'node:os';
import { listBackends, setBackend } from '@descent/tensor';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { TORCH_HINT, findTorchPython } from './pytorch.js';
import { maxRelDiff, stats } from './train-contenders.js';
import { pairedRatio } from './train-run.js';
import type { BlockModel } from './transformer-block.js';
import { BATCH, CLASSES, DATA_BATCHES, DIM, DescentBlock, FF, FORWARD_FLOPS, HEADS, KEY_DIM, STEPS, TfBlock, initialWeights, makeData } from './transformer-block.js';
import { TorchBlock } from './transformer-torch.js';
import type { WasmSetup } from './wasm-contenders.js';
import { fallbackNote, loadWasmContenders, useTf } from './wasm-contenders.js';

// The block, its data and the Descent and TF.js contenders are in transformer-block.ts; the PyTorch
// worker in transformer-torch.ts. This file runs them in interleaved rounds.

/** One contender as the round loop sees it. */
interface Runner {
  readonly id: string;
  readonly label: string;
  activate(): Promise<void>;
  /** `n` training steps: their mean loss and wall time (ms; PyTorch's own clock for PyTorch). */
  train(n: number): Promise<{ loss: number; ms: number }>;
  /** `n` forward passes: wall time (ms). */
  forward(n: number): Promise<number>;
  probs(): Promise<Float32Array>;
  kernelsPerStep?(): number;
  steps: number;
  loss: number;
  /** ms per training step of each round's run. */
  readonly times: number[];
  /** ms per forward pass of each round's run. */
  readonly fwd: number[];
}

function inProcess(id: string, label: string, activate: () => Promise<void>, model: BlockModel): Runner {
  return {
    id,
    label,
    activate,
    train: async (n) => {
      const t0 = performance.now();
      const loss = await model.train(n);
      return { loss, ms: performance.now() - t0 };
    },
    forward: async (n) => {
      const t0 = performance.now();
      await model.forward(n);
      return performance.now() - t0;
    },
    probs: () => model.probs(),
    ...(model.kernelsPerStep ? { kernelsPerStep: () => model.kernelsPerStep!() } : {}),
    steps: 1,
    loss: NaN,
    times: [],
    fwd: [],
  };
}

function torchRunner(w: TorchBlock): Runner {
  return {
    id: `pytorch-${w.threads}t`,
    label: `PyTorch ${w.version} cpu, ${w.threads} thread${w.threads === 1 ? '' : 's'}`,
    activate: () => Promise.resolve(),
    train: async (n) => {
      const r = await w.request({ cmd: 'train', batches: n });
      return { loss: r.loss!, ms: r.ms! };
    },
    forward: async (n) => (await w.request({ cmd: 'forward', batches: n })).ms!,
    probs: async () => Float32Array.from((await w.request({ cmd: 'probs' })).probs!),
    steps: 1,
    loss: NaN,
    times: [],
    fwd: [],
  };
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * Training steps of one Transformer encoder block (issue 17) with every contender in the same rounds:
 * Descent wasm (default threads and 1 thread) and cpu, TF.js wasm and cpu (the attention built from
 * tf ops), PyTorch at 1 thread and at the machine's core count when a python with torch is found.
 */
export const transformerTrainSuite: Suite = {
  name: 'transformer-train',
  description: `Transformer encoder block (LN → MHA ${HEADS}×${KEY_DIM} → + → LN → Dense ${FF} gelu → Dense ${DIM} → +, mean, Dense ${CLASSES}) on [${BATCH}, ${STEPS}, ${DIM}], Adam: ms/step, Descent vs TF.js and PyTorch`,
  async run({ quick, log, python, contenders: only }: SuiteOptions): Promise<SuiteResult> {
    const wanted = (id: string): boolean => only === undefined || only.includes(id);
    const data = makeData();
    const init = initialWeights(13);
    const rounds = quick ? 2 : 7;
    const warmup = quick ? 1 : 2;
    const budgetMs = quick ? 0 : 2000;
    const notes: string[] = [];
    const runners: Runner[] = [];
    const workers: TorchBlock[] = [];
    const kernelCounts: string[] = [];
    let wasm: WasmSetup | null = null;
    let failure = '';
    try {
      wasm = await loadWasmContenders();
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
    const defaultThreads = wasm?.descent.getWasmBackend().numThreads ?? 1;
    notes.push(wasm ? `${wasm.descentInfo}. ${wasm.tfjsWasmInfo}.` : `wasm contenders skipped: ${failure}`);
    let torchNote: string;
    let fallback = '';
    try {
      const descent = (backend: 'wasm' | 'cpu', threads?: number): void => {
        const id = `descent-${backend}${threads === undefined ? '' : `-${threads}t`}`;
        if (!wanted(id)) return;
        const activate = (): Promise<void> => {
          setBackend(backend);
          if (backend === 'wasm') wasm!.descent.setNumThreads(threads ?? defaultThreads);
          return Promise.resolve();
        };
        setBackend(backend);
        runners.push(inProcess(id, `Descent ${backend}${threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`}`, activate, new DescentBlock(init, data)));
      };
      const tfjs = async (backend: 'wasm' | 'cpu', opsLayerNorm = false): Promise<void> => {
        const id = `tfjs-${backend}${opsLayerNorm ? '-ops-ln' : ''}`;
        if (!wanted(id)) return;
        await useTf(backend);
        runners.push(inProcess(id, `TF.js ${backend}${opsLayerNorm ? ', LayerNorm from ops' : ''}`, () => useTf(backend), new TfBlock(init, data, opsLayerNorm)));
      };
      if (wasm && listBackends().includes('wasm')) {
        descent('wasm');
        if (defaultThreads > 1) descent('wasm', 1);
      }
      descent('cpu');
      if (wasm) {
        await tfjs('wasm');
        await tfjs('wasm', true);
      }
      await tfjs('cpu');
      const cores = cpus().length;
      const torchThreads = (cores > 1 ? [1, cores] : [1]).filter((t) => wanted(`pytorch-${t}t`));
      const torchPython = torchThreads.length === 0 ? null : findTorchPython(python);
      if (torchThreads.length === 0) torchNote = 'PyTorch not run (--contender left it out).';
      else if (torchPython === null) {
        torchNote = `PyTorch skipped: no python3 here can 'import torch'; ${TORCH_HINT}.`;
        log(`transformer-train: ${torchNote}`);
      } else {
        for (const threads of torchThreads) {
          log(`transformer-train: starting PyTorch (${torchPython}, ${threads} thread(s))…`);
          workers.push(await TorchBlock.start(torchPython, init, data, threads));
        }
        runners.push(...workers.map(torchRunner));
        torchNote =
          `PyTorch (${torchPython}) builds the block with torch.nn.MultiheadAttention (the same math: contiguous heads, q scaled by 1/√${KEY_DIM}), ` +
          `LayerNorm(ε 1e-3), exact (erf) gelu, F.cross_entropy on the logits, in worker processes kept alive for the suite (torch.set_num_threads ${torchThreads.join(' and ')}); ` +
          'its runs are interleaved with the others\' and timed by PyTorch itself.';
      }
      if (runners.length === 0) throw new Error(`transformer-train: no contender left to run (--contender ${only?.join(', ')})`);
      // Same weights: the same probabilities before any step.
      const reference = runners[0]!;
      await reference.activate();
      const want = await reference.probs();
      for (const r of runners) {
        await r.activate();
        const d = maxRelDiff(await r.probs(), want);
        if (!(d <= 1e-4)) throw new Error(`transformer-train: ${r.label} predicts other probabilities than ${reference.label} from the same weights (max diff ${d})`);
      }
      for (const r of runners) {
        await r.activate();
        log(`transformer-train: ${r.label} warm-up…`);
        const first = await r.train(warmup);
        r.loss = first.loss;
        // A second warm-up run calibrates how many steps a timed run can afford (not worth it for contenders slower than a run's budget).
        const firstPerStep = first.ms / warmup;
        const perStep = firstPerStep >= budgetMs ? firstPerStep : (await r.train(warmup)).ms / warmup;
        r.steps = Math.max(1, Math.min(20, Math.round(budgetMs / perStep) || 1));
        await r.forward(1);
      }
      // Same weights, same batches, same Adam: the warm-up losses agree up to float32 rounding.
      for (const r of runners) {
        if (!(Math.abs(r.loss - reference.loss) <= 2e-3 * Math.max(1, Math.abs(reference.loss)))) {
          throw new Error(`transformer-train: ${r.label} trained to loss ${r.loss} on the warm-up batches, ${reference.label} to ${reference.loss}`);
        }
      }
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < runners.length; j++) {
          const r = runners[(j + round) % runners.length]!;
          await r.activate();
          log(`transformer-train: ${r.label} run ${round + 1}/${rounds} (${r.steps} steps)…`);
          r.fwd[round] = (await r.forward(r.steps)) / r.steps;
          r.times[round] = (await r.train(r.steps)).ms / r.steps;
        }
      }
      for (const r of runners) {
        if (r.kernelsPerStep === undefined) continue;
        await r.activate();
        kernelCounts.push(`${r.label} ${r.kernelsPerStep()}`);
      }
      if (wasm) fallback = fallbackNote(wasm);
    } finally {
      if (wasm) {
        wasm.descent.setNumThreads(defaultThreads);
        wasm.restore();
      } else setBackend('cpu');
      for (const w of workers) w.close();
    }
    const base = runners.find((r) => r.id === 'tfjs-wasm') ?? runners.find((r) => r.id === 'tfjs-cpu') ?? runners[0]!;
    const torch1 = runners.find((r) => r.id === 'pytorch-1t');
    const rows = runners.map((r) => {
      const step = stats(r.times);
      const fwd = stats(r.fwd);
      return {
        r,
        step,
        fwd,
        rest: pairedMedian(r.times, r.fwd),
        gflops: (3 * FORWARD_FLOPS) / (step.median * 1e6),
        speedup: pairedRatio(base.times, r.times),
        vsTorch: torch1 ? pairedRatio(r.times, torch1.times) : NaN,
      };
    });
    const columns = ['contender', 'ms/step median (min–max)', 'forward ms (min–max)', 'step − forward ms', '≈ GFLOP/s', 'steps per run', 'warm-up loss', `speed-up vs ${base.label}`];
    if (torch1) columns.push('time / PyTorch 1 thread');
    notes.push(
      `Block: input [${BATCH}, ${STEPS}, ${DIM}] → LayerNormalization → MultiHeadAttention(${HEADS} heads, keyDim ${KEY_DIM}, self-attention) → residual Add → LayerNormalization → ` +
        `Dense(${FF}, gelu) → Dense(${DIM}) → residual Add → GlobalAveragePooling1D → Dense(${CLASSES}, softmax); sparse categorical cross-entropy, Adam (lr 1e-3, ε 1e-7), ` +
        `${init.values.reduce((s, v) => s + v.length, 0).toLocaleString('en-US')} weights. One step = trainOnBatch (forward, backward, Adam, loss read back) on one of ${DATA_BATCHES} fixed random batches, cycled.`,
      'Every contender starts from the same weights (drawn once by Descent\'s initializers; Keras layouts mapped to each framework): their probabilities on the first batch agree to 1e-4 before training and their warm-up losses agree (both checked).',
      "TF.js 4.22 exports no MultiHeadAttention: its block uses a custom tf.layers.Layer doing the same math with tf.matMul/reshape/transpose/softmax (weights in Keras's [dim, heads, keyDim] layouts), with TF.js's own layerNormalization, dense (gelu = exact erf form), add, globalAveragePooling1d layers and trainOnBatch. " +
        "TF.js's layerNormalization tiles γ, β and the moments to the input's shape, and the gradient of that tile is a Slice and an Add per tiled row " +
        `(${(BATCH * STEPS).toLocaleString('en-US')} per γ or β here): "TF.js wasm, LayerNorm from ops" (id tfjs-wasm-ops-ln) is the same block with both layer normalizations written from tf.moments and broadcasting ops instead.`,
      torchNote,
      `Wall clock; median of ${rounds} rounds after ${warmup} or ${2 * warmup} warm-up steps (one warm-up run for contenders slower than a run's budget); each round runs every contender once, in an order that rotates, and a run is "steps per run" forward passes (inference, read back) then as many training steps (about ${budgetMs / 1000} s). ` +
        '"step − forward" = median over rounds of (step time − forward time) of the same round: roughly backward + Adam (the training forward also records the tape). ' +
        `GFLOP/s counts 3× the forward's ${(FORWARD_FLOPS / 1e9).toFixed(2)} GFLOP per step.`,
      ...(fallback === '' ? [] : [fallback]),
      ...(kernelCounts.length > 0 ? [`Kernel calls in one training step (trainOnBatch; a fused optimizer update counts as none): ${kernelCounts.join(', ')}.`] : []),
      `"speed-up" = median over rounds of ${base.label}'s time / the contender's time in the same round (higher is faster)` +
        (torch1 ? '; "time / PyTorch 1 thread" = median over rounds of the contender\'s time / PyTorch 1-thread\'s time in the same round (lower is faster).' : '.'),
    );
    return {
      suite: 'transformer-train',
      title: `Transformer encoder block (MHA ${HEADS}×${KEY_DIM}, FF ${FF}) on [${BATCH}, ${STEPS}, ${DIM}], training step (ms/step)`,
      columns,
      rows: rows.map(({ r, step, fwd, rest, gflops, speedup, vsTorch }) => [
        r.label,
        `${fmt(step.median)} (${fmt(step.min)}–${fmt(step.max)})`,
        `${fmt(fwd.median)} (${fmt(fwd.min)}–${fmt(fwd.max)})`,
        fmt(rest),
        gflops.toFixed(1),
        String(r.steps),
        r.loss.toFixed(4),
        `${speedup.toFixed(2)}×`,
        ...(torch1 ? [`${vsTorch.toFixed(2)}×`] : []),
      ]),
      records: rows.map(({ r, step, fwd, rest, speedup, vsTorch }) => ({
        contender: r.id,
        unit: 'ms/step',
        median: step.median,
        min: step.min,
        max: step.max,
        forwardMedian: fwd.median,
        stepMinusForward: rest,
        runs: step.runs,
        stepsPerRun: r.steps,
        warmupLoss: r.loss,
        speedupVsBaseline: speedup,
        ...(torch1 ? { timeVsPytorch1t: vsTorch } : {}),
      })),
      notes,
    };
  },
};

/** Median over rounds of a[r] − b[r]. */
function pairedMedian(a: readonly number[], b: readonly number[]): number {
  return stats(a.map((v, i) => v - b[i]!)).median;
}
