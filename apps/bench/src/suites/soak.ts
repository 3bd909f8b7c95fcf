import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Variable } from '@descent/autograd';
import { grad, valueAndGrads, variable, variableGrads } from '@descent/autograd';
import type { WasmMemoryInfo } from '@descent/backend-wasm';
import { CategoricalCrossentropy, Dense } from '@descent/layers';
import { LambdaCallback, Sequential } from '@descent/models';
import { Adam } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { cast, floor, getBackend, listBackends, matMul, mean, mul, oneHot, randomNormal, randomUniform, setBackend, setSeed, square, tensor } from '@descent/tensor';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { BATCH, loadDigits } from './train-contenders.js';

/** The step whose memory is the baseline: caches, size classes and optimizer slots exist by then. */
const BASELINE_STEP = 100;
/** Flat = wasm bytes in use at the last step within this fraction of the baseline step's. */
const TOLERANCE = 0.1;
/** Host memory (after a full GC) may grow by TOLERANCE plus this much before a row is flagged: JS heap… */
const HEAP_TOLERANCE_MB = 2;
/**
 * …and array buffers, where evicted tensor values live. After a full GC they mostly stay within
 * 0.5 MB here when nothing leaks, but one 10,000-step run read 11 MB more at the end of loop (5)
 * (a few steps' evicted values, not yet freed; runs before and after read 0). Evicted values that are
 * never freed add 64 KB ((2)) to 3 MB ((5)) per step at these sizes: with the WeakRef bug fixed in
 * 0fe0e06, 300 steps flag (4)–(6), and 10,000 steps would hold 0.6–30 GB.
 */
const BUFFERS_TOLERANCE_MB = 16;

/** A full collection before each heap sample, so the samples show what is retained, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return typeof gc === 'function' ? gc : () => undefined;
}

const mb = (bytes: number): number => bytes / (1 << 20);

function takeSample(wasm: (() => WasmMemoryInfo) | null, gc: () => void): Sample {
  // Twice: V8 frees array buffers' memory concurrently after a collection, and the next collection
  // first finishes that, so the count read after the second one no longer includes garbage.
  gc();
  gc();
  const m = process.memoryUsage();
  return { wasm: wasm?.() ?? null, heapMB: mb(m.heapUsed), buffersMB: mb(m.arrayBuffers) };
}

/** Process memory for the progress lines: resident set, JS heap, and array buffers (where evicted tensors live). */
function hostMemory(): string {
  const m = process.memoryUsage();
  return `rss ${mb(m.rss).toFixed(0)} MB, heap ${mb(m.heapUsed).toFixed(0)} MB, array buffers ${mb(m.arrayBuffers).toFixed(0)} MB`;
}

/**
 * Between loops: collect, then let the event loop turn so the FinalizationRegistry frees the wasm
 * storage of the finished loop's variables, models and optimizer state (unreachable now), and each
 * loop starts from the same memory rather than on top of the previous loops'.
 */
async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Memory at one step: the wasm allocator (null on a backend without one), the JS heap and array buffers after a full GC. */
interface Sample {
  wasm: WasmMemoryInfo | null;
  heapMB: number;
  buffersMB: number;
}

/** One row of the report: a loop run for `steps` steps, sampled at BASELINE_STEP and at its last step. */
interface Row {
  loop: string;
  steps: number;
  msPerStep: number;
  baseline: Sample;
  last: Sample;
  /** Most wasm bytes in use seen after any step from the baseline on. */
  peakBytes: number | null;
  /** What the loop computed: "loss a → b", or whether its result stayed the same as step 1's. */
  result: string;
}

/**
 * A hand-written loop of issue 12, at the sizes, written the way a user writes it: top-level
 * code, no withScope/keep/dispose. `step` runs one iteration and returns what the user's code would
 * get back (a loss, a gradient, predictions) or nothing.
 */
interface SoakLoop {
  readonly name: string;
  /** 'loss': the returned value is a loss that should fall; 'same': the result should equal step 1's. */
  readonly check: 'loss' | 'same';
  make(): () => Tensor | number;
}

interface Inputs {
  x: Tensor;
  y: Tensor;
}

const linearLoss = (x: Tensor, w: Tensor): Tensor => mean(square(matMul(x, w)));
const weight = (): Variable => variable(randomNormal([512, 512], 0, 0.01), { name: 'w' });
const mlp = (): Sequential => new Sequential([new Dense({ units: 512, activation: 'relu', inputShape: [512] }), new Dense({ units: 10 })]);

function loops({ x, y }: Inputs): SoakLoop[] {
  return [
    {
      name: '(1) `opt.minimize(f)`',
      check: 'loss',
      make() {
        const w = weight();
        const opt = new Adam();
        return () => opt.minimize(() => linearLoss(x, w));
      },
    },
    {
      name: '(2) `grad(f)(x)`',
      check: 'same',
      make() {
        const w = weight();
        const g = grad((xx) => linearLoss(xx, w));
        return () => g(x);
      },
    },
    {
      name: '(3) `valueAndGrads(f)([x])`',
      check: 'same',
      make() {
        const w = weight();
        const vg = valueAndGrads((xx) => linearLoss(xx, w));
        return () => vg([x]).grads[0]!;
      },
    },
    {
      name: '(4) `variableGrads(f)` + `opt.applyGradients(grads)`',
      check: 'loss',
      make() {
        const w = weight();
        const opt = new Adam();
        return () => {
          const { value, grads } = variableGrads(() => linearLoss(x, w));
          opt.applyGradients(grads);
          return value;
        };
      },
    },
    {
      name: '(5) `variableGrads(f)` + `v.assign(v.sub(mul(g, lr)))`',
      check: 'loss',
      make() {
        const w = weight();
        return () => {
          const { value, grads } = variableGrads(() => linearLoss(x, w));
          for (const [v, g] of grads) v.assign(v.sub(mul(g!, 0.1)));
          return value;
        };
      },
    },
    {
      name: '(6) Sequential as a function: `variableGrads(() => loss(y, model.apply(x, { training: true })))` + `applyGradients`',
      check: 'loss',
      make() {
        const model = mlp();
        const lossFn = new CategoricalCrossentropy({ fromLogits: true });
        const opt = new Adam();
        return () => {
          const { value, grads } = variableGrads(() => lossFn.apply(y, model.apply(x, { training: true })));
          opt.applyGradients(grads);
          return value;
        };
      },
    },
    {
      name: '(7) `model.predict(x)`',
      check: 'same',
      make() {
        const model = mlp();
        return () => model.predict(x);
      },
    },
    {
      name: '(8) `model.trainOnBatch(x, y)`',
      check: 'loss',
      make() {
        const model = mlp();
        model.compile({ optimizer: new Adam(), loss: new CategoricalCrossentropy({ fromLogits: true }) });
        return () => model.trainOnBatch(x, y).loss!;
      },
    },
  ];
}

const scalarOf = (r: Tensor | number): number => (typeof r === 'number' ? r : r.item());

function sameValues(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Run one loop synchronously for `steps` steps (as a user's loop runs: no await, so no
 * FinalizationRegistry callback can help), timing the steps and sampling memory at BASELINE_STEP
 * (or the last step if fewer) and at the end; the wasm allocator is read after every step for the peak.
 */
function runLoop(loop: SoakLoop, steps: number, wasm: (() => WasmMemoryInfo) | null, gc: () => void, log: (line: string) => void): Row {
  setSeed(12);
  const step = loop.make();
  const baselineStep = Math.min(BASELINE_STEP, steps);
  let baseline: Sample | null = null;
  let peakBytes: number | null = null;
  let first: number | Float32Array | Int32Array | Uint8Array = 0;
  let last: Tensor | number = 0;
  let ms = 0;
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    last = step();
    ms += performance.now() - t0;
    if (i === 1) first = loop.check === 'loss' ? scalarOf(last) : (last as Tensor).dataSync();
    if (i === baselineStep) baseline = takeSample(wasm, gc);
    if (baseline !== null && wasm !== null) peakBytes = Math.max(peakBytes ?? 0, wasm().bytesInUse);
    if (i % 2000 === 0) log(`soak: ${loop.name}: step ${i}/${steps}, ${hostMemory()}`);
  }
  const end = takeSample(wasm, gc);
  const result =
    loop.check === 'loss'
      ? `loss ${(first as number).toPrecision(4)} → ${scalarOf(last).toPrecision(4)}`
      : sameValues(first as Float32Array, (last as Tensor).dataSync())
        ? 'same as step 1'
        : 'DIFFERS from step 1';
  return { loop: loop.name, steps, msPerStep: ms / steps, baseline: baseline!, last: end, peakBytes, result };
}

/**
 * The MLP of the training suites trained with `fit` (784-128-10, Adam, batch 64) on the bundled
 * digits for at least `steps` batches (whole epochs), sampled the same way from its batch callbacks.
 */
async function runFit(steps: number, wasm: (() => WasmMemoryInfo) | null, gc: () => void, log: (line: string) => void): Promise<Row> {
  const data = await loadDigits();
  const x = tensor(data.trainX, [data.trainSize, 784]);
  const y = tensor(data.trainY, [data.trainSize, 10]);
  setSeed(3);
  const model = new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [784] }), new Dense({ units: 10, activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const stepsPerEpoch = Math.ceil(data.trainSize / BATCH);
  const epochs = Math.max(1, Math.ceil(steps / stepsPerEpoch));
  const total = epochs * stepsPerEpoch;
  const baselineStep = Math.min(BASELINE_STEP, total);
  let step = 0;
  let baseline: Sample | null = null;
  let peakBytes: number | null = null;
  let sampleMs = 0;
  const t0 = performance.now();
  const history = await model.fit(x, y, {
    batchSize: BATCH,
    epochs,
    verbose: 0,
    callbacks: [
      new LambdaCallback({
        onBatchEnd: () => {
          step++;
          if (step === baselineStep) {
            const s0 = performance.now();
            baseline = takeSample(wasm, gc);
            sampleMs += performance.now() - s0;
          }
          if (baseline !== null && wasm !== null) peakBytes = Math.max(peakBytes ?? 0, wasm().bytesInUse);
          if (step % 2000 === 0) log(`soak: fit: step ${step}/${total}, ${hostMemory()}`);
        },
      }),
    ],
  });
  const ms = performance.now() - t0 - sampleMs;
  const last = takeSample(wasm, gc);
  const losses = history.history.loss!;
  return {
    loop: `\`model.fit\` (MNIST MLP 784-128-10, batch ${BATCH}, ${epochs} epochs)`,
    steps: total,
    msPerStep: ms / total,
    baseline: baseline!,
    last,
    peakBytes,
    result: `epoch loss ${losses[0]!.toPrecision(4)} → ${losses[losses.length - 1]!.toPrecision(4)}`,
  };
}

/** 'flat', or what grew: wasm bytes in use beyond TOLERANCE, the JS heap or array buffers beyond theirs. */
function verdict(r: Row): string {
  const grew: string[] = [];
  const wasmGrew = r.baseline.wasm !== null && r.last.wasm !== null && r.last.wasm.bytesInUse > r.baseline.wasm.bytesInUse * (1 + TOLERANCE);
  if (wasmGrew) grew.push('WASM');
  if (r.last.heapMB > r.baseline.heapMB * (1 + TOLERANCE) + HEAP_TOLERANCE_MB) grew.push('JS HEAP');
  if (r.last.buffersMB > r.baseline.buffersMB * (1 + TOLERANCE) + BUFFERS_TOLERANCE_MB) grew.push('ARRAY BUFFERS');
  return grew.length > 0 ? `${grew.join(', ')} GREW` : 'flat';
}

/**
 * Soak test of issue 12: each hand-written loop users write (minimize, grad, valueAndGrads,
 * variableGrads + applyGradients, variableGrads + assign, a Sequential called in a custom loop,
 * predict, trainOnBatch) runs `steps` steps on the default backend (wasm when @descent/backend-wasm
 * loads) at the sizes with no scopes in user code, then `fit` trains the MLP for as many
 * batches. Each row compares wasm bytes in use at step 100 with the last step's (flat: at most 10%
 * more), and the JS heap and array buffers the same way.
 */
export function soakSuite(steps: number): Suite {
  return {
    name: 'soak',
    description: `each issue-12 loop and fit for ${steps} steps, wasm and heap memory sampled: does memory stay flat?`,
    async run({ log }: SuiteOptions): Promise<SuiteResult> {
      let wasm: (() => WasmMemoryInfo) | null = null;
      try {
        const mod = await import('@descent/backend-wasm');
        if (listBackends().includes('wasm')) {
          setBackend('wasm');
          wasm = mod.wasmMemoryInfo;
        }
      } catch {
        wasm = null;
      }
      const backend = getBackend().name;
      const gc = collector();
      setSeed(1);
      const inputs: Inputs = {
        x: randomNormal([32, 512]),
        y: oneHot(cast(floor(randomUniform([32], 0, 10)), 'int32'), 10),
      };
      const rows: Row[] = [];
      const t0 = performance.now();
      for (const loop of loops(inputs)) {
        log(`soak: ${loop.name}, ${steps} steps`);
        rows.push(runLoop(loop, steps, wasm, gc, log));
        await settle(gc);
      }
      log(`soak: fit, ${steps} steps`);
      rows.push(await runFit(steps, wasm, gc, log));
      const seconds = (performance.now() - t0) / 1000;
      const verdicts = rows.map(verdict);
      const allFlat = verdicts.every((v) => v === 'flat');
      const cell = (s: Sample, pick: (w: WasmMemoryInfo) => number): string => (s.wasm === null ? '—' : mb(pick(s.wasm)).toFixed(2));
      log(`soak: ${rows.length} loops in ${seconds.toFixed(0)} s; memory ${allFlat ? 'stayed flat' : 'GREW'}`);
      return {
        suite: 'soak',
        title: `Soak: ${steps} steps of each hand-written loop (issue 12) and of fit on the ${backend} backend — memory ${allFlat ? 'stayed flat' : 'GREW'}`,
        columns: ['loop', 'ms/step', 'wasm in use @100 (MB)', 'wasm in use @last (MB)', 'last / @100', 'peak (MB)', 'evicted', 'wasm memory (MB)', 'host MB @100 → last: JS heap; array buffers', 'result', 'verdict'],
        rows: rows.map((r, i) => [
          r.loop,
          r.msPerStep.toFixed(2),
          cell(r.baseline, (w) => w.bytesInUse),
          cell(r.last, (w) => w.bytesInUse),
          r.baseline.wasm && r.last.wasm ? (r.last.wasm.bytesInUse / r.baseline.wasm.bytesInUse).toFixed(3) : '—',
          r.peakBytes === null ? '—' : mb(r.peakBytes).toFixed(2),
          r.baseline.wasm && r.last.wasm ? String(r.last.wasm.evicted - r.baseline.wasm.evicted) : '—',
          cell(r.last, (w) => w.memoryBytes),
          `${r.baseline.heapMB.toFixed(1)} → ${r.last.heapMB.toFixed(1)}; ${r.baseline.buffersMB.toFixed(1)} → ${r.last.buffersMB.toFixed(1)}`,
          r.result,
          verdicts[i]!,
        ]),
        records: rows.map((r, i) => ({
          loop: r.loop,
          steps: r.steps,
          msPerStep: r.msPerStep,
          wasmBytesAt100: r.baseline.wasm?.bytesInUse ?? '',
          wasmBytesAtLast: r.last.wasm?.bytesInUse ?? '',
          wasmBlocksAt100: r.baseline.wasm?.blocksInUse ?? '',
          wasmBlocksAtLast: r.last.wasm?.blocksInUse ?? '',
          wasmPeakBytes: r.peakBytes ?? '',
          evicted: r.baseline.wasm && r.last.wasm ? r.last.wasm.evicted - r.baseline.wasm.evicted : '',
          restored: r.baseline.wasm && r.last.wasm ? r.last.wasm.restored - r.baseline.wasm.restored : '',
          wasmMemoryBytes: r.last.wasm?.memoryBytes ?? '',
          heapMBAt100: r.baseline.heapMB,
          heapMBAtLast: r.last.heapMB,
          arrayBuffersMBAt100: r.baseline.buffersMB,
          arrayBuffersMBAtLast: r.last.buffersMB,
          result: r.result,
          verdict: verdicts[i]!,
        })),
        notes: [
          `Loops (1)–(8) at the issue's sizes: x = randomNormal([32, 512]); (1)–(5) w = variable(randomNormal([512, 512], 0, 0.01)), loss mean(square(matMul(x, w))), Adam (lr 1e-3; (5) plain SGD with lr 0.1 by assign); (6)–(8) Sequential Dense(512, relu) → Dense(10) with categorical cross-entropy from logits on random one-hot y, Adam. No withScope/keep/dispose in any loop; each runs synchronously, as a user's loop does, so no FinalizationRegistry callback runs during it. The fit row trains the MNIST MLP on the 8,000 bundled digits for whole epochs (${rows[rows.length - 1]!.steps} batches).`,
          `@100 = after step ${BASELINE_STEP} (warm: caches, size classes and optimizer state exist), @last = after the last step; both after a full GC. Flat = wasm bytes in use @last no more than ${TOLERANCE * 100}% above @100 (less is fine: which recent loose tensors are still resident depends on where the step falls between eviction sweeps), and host memory too: the JS heap no more than ${TOLERANCE * 100}% + ${HEAP_TOLERANCE_MB} MB above @100, array buffers (where evicted values live) no more than ${TOLERANCE * 100}% + ${BUFFERS_TOLERANCE_MB} MB. Peak = most wasm bytes in use after any step from step ${BASELINE_STEP} on. Evicted = loose tensors moved to host memory between @100 and @last. Wasm memory = the size of wasm memory at the end (it never shrinks). ms/step excludes the memory samples. Total ${seconds.toFixed(0)} s.`,
        ],
      };
    },
  };
}
