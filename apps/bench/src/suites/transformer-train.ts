import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Layer } from '@descent/layers';
import { Add, Dense, GlobalAveragePooling1D, Input, LayerNormalization, MultiHeadAttention } from '@descent/layers';
import { Model } from '@descent/models';
import type { KernelHook, Tensor } from '@descent/tensor';
import { dispose, listBackends, setBackend, setKernelHook, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';
import { TORCH_HINT, findTorchPython } from './pytorch.js';
import { maxRelDiff, stats } from './train-contenders.js';
import { pairedRatio } from './train-run.js';
import type { WasmSetup } from './wasm-contenders.js';
import { fallbackNote, loadWasmContenders, useTf } from './wasm-contenders.js';

// One pre-LayerNorm Transformer encoder block (issue 17), classifying whole sequences:
// x → LN → MHA(4 heads, keyDim 32, self-attention) → + x → LN → Dense(256, gelu) → Dense(128) → + →
// mean over the steps → Dense(10, softmax), sparse categorical cross-entropy, Adam.
const BATCH = 32;
const STEPS = 64;
const DIM = 128;
const HEADS = 4;
const KEY_DIM = 32;
const FF = 256;
const CLASSES = 10;
/** Distinct batches of data, cycled through by every contender. */
const DATA_BATCHES = 4;

/**
 * Multiply-adds ×2 of one forward pass: the q/k/v/output projections (4·D²), the two feed-forward
 * layers (2·D·FF) and the scores and weighted sums (2·T·D) per step, plus the head. A training step is
 * about three times this.
 */
const FORWARD_FLOPS = 2 * BATCH * STEPS * (4 * DIM * DIM + 2 * DIM * FF + 2 * STEPS * DIM) + 2 * BATCH * DIM * CLASSES;

/** The weights of the block, by name (Keras's layouts), in the order every contender lists them. */
const WEIGHT_NAMES = [
  'ln1/gamma', 'ln1/beta',
  'mha/query/kernel', 'mha/query/bias', 'mha/key/kernel', 'mha/key/bias', 'mha/value/kernel', 'mha/value/bias', 'mha/attention_output/kernel', 'mha/attention_output/bias',
  'ln2/gamma', 'ln2/beta', 'ff1/kernel', 'ff1/bias', 'ff2/kernel', 'ff2/bias', 'head/kernel', 'head/bias',
] as const;

interface Weights {
  readonly values: readonly Float32Array[];
  readonly shapes: readonly (readonly number[])[];
}

interface Data {
  /** [DATA_BATCHES, BATCH, STEPS, DIM], uniform in [−1, 1). */
  readonly x: Float32Array;
  /** [DATA_BATCHES, BATCH] class indices (as floats: every framework reads them). */
  readonly y: Float32Array;
}

/** @internal Exported for one-off checks. */
export function makeData(): Data {
  const x = seededFloats(DATA_BATCHES * BATCH * STEPS * DIM, 21);
  const y = Float32Array.from(seededFloats(DATA_BATCHES * BATCH, 22), (u) => Math.min(CLASSES - 1, Math.floor(((u + 1) / 2) * CLASSES)));
  return { x, y };
}

const batchX = (data: Data, i: number): Float32Array => data.x.subarray(i * BATCH * STEPS * DIM, (i + 1) * BATCH * STEPS * DIM);
const batchY = (data: Data, i: number): Float32Array => data.y.subarray(i * BATCH, (i + 1) * BATCH);

/** Descent's block as a functional model, and its layers in WEIGHT_NAMES order. */
function descentBlock(): { model: Model; layers: Layer[] } {
  const ln1 = new LayerNormalization({ epsilon: 1e-3 });
  const mha = new MultiHeadAttention({ numHeads: HEADS, keyDim: KEY_DIM });
  const ln2 = new LayerNormalization({ epsilon: 1e-3 });
  const ff1 = new Dense({ units: FF, activation: 'gelu' });
  const ff2 = new Dense({ units: DIM });
  const head = new Dense({ units: CLASSES, activation: 'softmax' });
  const x = Input({ shape: [STEPS, DIM] });
  const a = ln1.apply(x);
  const h = new Add().apply([x, mha.apply([a, a])]);
  const f = new Add().apply([h, ff2.apply(ff1.apply(ln2.apply(h)))]);
  const model = new Model({ inputs: x, outputs: head.apply(new GlobalAveragePooling1D().apply(f)) });
  // Descent's 'adam': lr 1e-3, β1 0.9, β2 0.999, ε 1e-7.
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return { model, layers: [ln1, mha, ln2, ff1, ff2, head] };
}

/** Initial weights drawn once (Descent's initializers: Glorot-uniform kernels, zero biases, unit gammas) and given to every contender. */
/** @internal Exported for one-off checks. */
export function initialWeights(seed: number): Weights {
  setBackend('cpu');
  setSeed(seed);
  const ws = descentBlock().layers.flatMap((l) => l.getWeights());
  if (ws.length !== WEIGHT_NAMES.length) throw new Error(`transformer-train: the Descent block has ${ws.length} weights, expected ${WEIGHT_NAMES.length}`);
  return { values: ws.map((w) => w.dataSync() as Float32Array), shapes: ws.map((w) => [...w.shape]) };
}

/** One contender's model, holding its own copy of the data on its own backend. */
interface BlockModel {
  /** `n` training steps (cycling through the batches); their mean loss. */
  train(n: number): Promise<number>;
  /** `n` forward passes in inference mode, each read back to JS. */
  forward(n: number): Promise<void>;
  /** Class probabilities of the first batch. */
  probs(): Promise<Float32Array>;
  /** Kernel calls in one training step (Descent only). */
  kernelsPerStep?(): number;
}

/** @internal Exported for one-off checks. */
export class DescentBlock implements BlockModel {
  private readonly model: Model;
  private readonly xs: Tensor[] = [];
  private readonly ys: Tensor[] = [];
  private next = 0;

  constructor(init: Weights, data: Data) {
    const { model, layers } = descentBlock();
    this.model = model;
    let i = 0;
    for (const layer of layers) {
      const n = layer.getWeights().length;
      layer.setWeights(init.values.slice(i, i + n).map((v, j) => tensor(v, init.shapes[i + j])));
      i += n;
    }
    for (let b = 0; b < DATA_BATCHES; b++) {
      this.xs.push(tensor(batchX(data, b), [BATCH, STEPS, DIM]));
      this.ys.push(tensor(Int32Array.from(batchY(data, b)), [BATCH], 'int32'));
    }
  }

  /** One training step on the next batch; its loss. */
  private step(): number {
    const b = this.next;
    this.next = (b + 1) % DATA_BATCHES;
    return this.model.trainOnBatch(this.xs[b]!, this.ys[b]!)['loss']!;
  }

  train(n: number): Promise<number> {
    let total = 0;
    for (let s = 0; s < n; s++) total += this.step();
    return Promise.resolve(total / n);
  }

  private predict(b: number): Float32Array {
    const out = this.model.predict(this.xs[b]!) as Tensor;
    const values = out.dataSync() as Float32Array;
    dispose(out);
    return values;
  }

  forward(n: number): Promise<void> {
    for (let s = 0; s < n; s++) this.predict(s % DATA_BATCHES);
    return Promise.resolve();
  }

  probs(): Promise<Float32Array> {
    return Promise.resolve(this.predict(0));
  }

  kernelsPerStep(): number {
    let calls = 0;
    // Chained, so autograd's recording hook still sees every kernel while this one counts them.
    const previous: KernelHook | null = setKernelHook((record) => {
      calls++;
      previous?.(record);
    });
    try {
      this.step();
    } finally {
      setKernelHook(previous);
    }
    return calls;
  }
}

/**
 * Self-attention for TF.js 4.22, which exports no MultiHeadAttention layer: the same math as Keras's
 * (and Descent's) from tf ops — q/k/v projections with kernels in Keras's `[dim, heads, keyDim]`
 * layout, heads split by reshape/transpose, q scaled by 1/√keyDim, `softmax(q·kᵀ)·v`, heads merged
 * and projected out — with the same weights in the same order, so setWeights takes Descent's values.
 */
class TfSelfAttention extends tf.layers.Layer {
  static readonly className = 'BenchSelfAttention';
  private readonly w: tf.LayerVariable[] = [];

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const dim = (inputShape as tf.Shape)[2]!;
    const zeros = tf.initializers.zeros();
    for (const part of ['query', 'key', 'value']) {
      this.w.push(this.addWeight(`${part}/kernel`, [dim, HEADS, KEY_DIM], 'float32', zeros));
      this.w.push(this.addWeight(`${part}/bias`, [HEADS, KEY_DIM], 'float32', zeros));
    }
    this.w.push(this.addWeight('attention_output/kernel', [HEADS, KEY_DIM, dim], 'float32', zeros));
    this.w.push(this.addWeight('attention_output/bias', [dim], 'float32', zeros));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const [b, t, dim] = x.shape as [number, number, number];
    const [qk, qb, kk, kb, vk, vb, ok, ob] = this.w.map((v) => v.read()) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const rows = tf.reshape(x, [b * t, dim]);
    // [b·t, dim]·[dim, heads·keyDim] + bias → [b, heads, t, keyDim]
    const heads = (kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor =>
      tf.transpose(tf.reshape(tf.add(tf.matMul(rows, tf.reshape(kernel, [dim, HEADS * KEY_DIM])), tf.reshape(bias, [HEADS * KEY_DIM])), [b, t, HEADS, KEY_DIM]), [0, 2, 1, 3]);
    const q = tf.mul(heads(qk, qb), 1 / Math.sqrt(KEY_DIM));
    const probs = tf.softmax(tf.matMul(q, heads(kk, kb), false, true));
    const ctx = tf.reshape(tf.transpose(tf.matMul(probs, heads(vk, vb)), [0, 2, 1, 3]), [b * t, HEADS * KEY_DIM]);
    return tf.reshape(tf.add(tf.matMul(ctx, tf.reshape(ok, [HEADS * KEY_DIM, dim])), ob), [b, t, dim]);
  }
}

/**
 * Keras's layer normalization over the last axis from tf ops (moments, then `(x − mean)·rsqrt(var + ε)·γ + β`
 * with broadcasting). tf.layers.layerNormalization tiles γ, β, mean and variance to the input's shape
 * (a workaround in TF.js 4.22 for batchNormalization's gradients), and the gradient of that tile is one
 * Slice and one Add per tiled row (2,048 per γ or β here), which dominates TF.js wasm's step; this layer
 * shows what TF.js costs without it.
 */
class TfOpsLayerNorm extends tf.layers.Layer {
  static readonly className = 'BenchOpsLayerNorm';
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const dim = shape[shape.length - 1]!;
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), this.gamma!.read()), this.beta!.read());
  }
}

/** @internal Exported for one-off checks. */
export class TfBlock implements BlockModel {
  private readonly model: tf.LayersModel;
  private readonly xs: tf.Tensor[] = [];
  private readonly ys: tf.Tensor[] = [];
  private next = 0;

  /** opsLayerNorm: the two layer normalizations from tf ops (TfOpsLayerNorm) instead of tf.layers.layerNormalization. */
  constructor(init: Weights, data: Data, opsLayerNorm = false) {
    const layerNorm = (): tf.layers.Layer => (opsLayerNorm ? new TfOpsLayerNorm({}) : tf.layers.layerNormalization({ epsilon: 1e-3 }));
    const ln1 = layerNorm();
    const mha = new TfSelfAttention({});
    const ln2 = layerNorm();
    const ff1 = tf.layers.dense({ units: FF, activation: 'gelu' });
    const ff2 = tf.layers.dense({ units: DIM });
    const head = tf.layers.dense({ units: CLASSES, activation: 'softmax' });
    const x = tf.input({ shape: [STEPS, DIM] });
    const a = ln1.apply(x) as tf.SymbolicTensor;
    const h = tf.layers.add().apply([x, mha.apply(a) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const f = tf.layers.add().apply([h, ff2.apply(ff1.apply(ln2.apply(h))) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    this.model = tf.model({ inputs: x, outputs: head.apply(tf.layers.globalAveragePooling1d().apply(f)) as tf.SymbolicTensor });
    let i = 0;
    for (const layer of [ln1, mha, ln2, ff1, ff2, head]) {
      const n = layer.getWeights().length;
      layer.setWeights(init.values.slice(i, i + n).map((v, j) => tf.tensor(v, [...init.shapes[i + j]!])));
      i += n;
    }
    // Same Adam as Descent's 'adam'.
    this.model.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'sparseCategoricalCrossentropy' });
    for (let b = 0; b < DATA_BATCHES; b++) {
      this.xs.push(tf.tensor(batchX(data, b), [BATCH, STEPS, DIM]));
      // TF.js's sparse cross-entropy wants the labels as [batch, 1].
      this.ys.push(tf.tensor(batchY(data, b), [BATCH, 1]));
    }
  }

  async train(n: number): Promise<number> {
    let total = 0;
    for (let s = 0; s < n; s++) {
      const b = this.next;
      this.next = (b + 1) % DATA_BATCHES;
      const out = await this.model.trainOnBatch(this.xs[b]!, this.ys[b]!);
      total += Array.isArray(out) ? out[0]! : out;
    }
    return total / n;
  }

  private predict(b: number): Float32Array {
    const out = this.model.predict(this.xs[b]!) as tf.Tensor;
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  }

  forward(n: number): Promise<void> {
    for (let s = 0; s < n; s++) this.predict(s % DATA_BATCHES);
    return Promise.resolve();
  }

  probs(): Promise<Float32Array> {
    return Promise.resolve(this.predict(0));
  }
}

interface Reply {
  readonly ready?: boolean;
  readonly version?: string;
  readonly threads?: number;
  readonly loss?: number;
  readonly ms?: number;
  readonly probs?: number[];
  readonly error?: string;
}

const SCRIPT = fileURLToPath(new URL('../../py/torch_transformer.py', import.meta.url));

/**
 * The PyTorch block in a python3 process (py/torch_transformer.py), kept alive for the whole suite so
 * its runs interleave with the others'; one JSON line per command and per reply. PyTorch times its
 * own runs.
 */
class TorchBlock {
  private readonly pending: ((r: Reply) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;
  version = '';
  threads = 0;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly dir: string,
  ) {}

  static async start(python: string, init: Weights, data: Data, threads: number): Promise<TorchBlock> {
    const dir = mkdtempSync(join(tmpdir(), 'descent-bench-transformer-'));
    const file = (name: string, values: Float32Array): string => {
      const path = join(dir, name);
      writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return path;
    };
    const spec = {
      batch: BATCH, steps: STEPS, dim: DIM, heads: HEADS, ff: FF, classes: CLASSES, batches: DATA_BATCHES,
      x: file('x.bin', data.x),
      y: file('y.bin', data.y),
      names: WEIGHT_NAMES,
      weights: init.values.map((v, i) => file(`w${i}.bin`, v)),
      shapes: init.shapes,
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const proc = spawn(python, [SCRIPT, join(dir, 'spec.json'), String(threads)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const worker = new TorchBlock(proc, dir);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      worker.stderr = (worker.stderr + s).slice(-4000);
    });
    createInterface({ input: proc.stdout }).on('line', (line) => worker.pending.shift()?.(JSON.parse(line) as Reply));
    const fail = (why: string): void => {
      worker.exited = why;
      for (const resolve of worker.pending.splice(0)) resolve({ error: why });
    };
    proc.on('error', (e) => fail(`could not run ${python}: ${e.message}`));
    proc.on('exit', (code, signal) => fail(`${SCRIPT} exited (${signal ?? `status ${code}`}): ${worker.stderr.trim()}`));
    const ready = await worker.reply();
    if (!ready.ready) {
      worker.close();
      throw new Error(`transformer-train: PyTorch worker: ${ready.error ?? 'it did not start'}`);
    }
    worker.version = ready.version ?? '?';
    worker.threads = ready.threads ?? threads;
    return worker;
  }

  private reply(): Promise<Reply> {
    if (this.exited !== null) return Promise.resolve({ error: this.exited });
    return new Promise((resolve) => this.pending.push(resolve));
  }

  async request(cmd: Record<string, unknown>): Promise<Reply> {
    const r = this.reply();
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    const reply = await r;
    if (reply.error !== undefined) throw new Error(`transformer-train: PyTorch worker: ${reply.error}`);
    return reply;
  }

  close(): void {
    if (this.exited === null) {
      this.proc.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      this.proc.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

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
