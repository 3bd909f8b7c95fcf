import { mnist } from '@descent/datasets/node';
import { Conv2D, Dense, Flatten, MaxPooling2D } from '@descent/layers';
import { Sequential } from '@descent/models';
import type { KernelHook, Tensor } from '@descent/tensor';
import { dispose, listBackends, setBackend, setKernelHook, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { seededFloats } from '../measure.js';
import { loadWasmContenders, useTf } from './wasm-contenders.js';
import type { RecurrentKind } from './rnn-models.js';
import { descentRecurrentLayers, isRecurrent, tfRecurrentLayers } from './rnn-models.js';
import type { WasmSetup } from './wasm-contenders.js';

/** The two benchmark models of issue 7 and the recurrent ones of issue 20 (rnn-models.ts), built identically by every framework. */
export type ModelKind = 'mlp' | 'cnn' | RecurrentKind;

export const BATCH = 64;
const PIXELS = 28 * 28;
const CLASSES = 10;

/** The bundled MNIST digits as plain arrays, so each contender makes its own tensors on its own backend. */
export interface Digits {
  readonly trainX: Float32Array;
  readonly trainY: Float32Array;
  readonly trainSize: number;
  readonly testX: Float32Array;
  readonly testSize: number;
}

let digits: Digits | null = null;

export async function loadDigits(): Promise<Digits> {
  if (digits) return digits;
  const data = await mnist.load();
  digits = {
    trainX: data.train.xs.dataSync() as Float32Array,
    trainY: data.train.ys.dataSync() as Float32Array,
    trainSize: data.train.size,
    testX: data.test.xs.dataSync() as Float32Array,
    testSize: data.test.size,
  };
  return digits;
}

function inputShape(kind: ModelKind, n: number): number[] {
  if (isRecurrent(kind)) return [n, 28, 28];
  return kind === 'mlp' ? [n, PIXELS] : [n, 28, 28, 1];
}

/** The bench model `kind` in Descent, compiled with Adam and categorical cross-entropy (also used by profile-cnn.ts). */
export function descentModel(kind: ModelKind): Sequential {
  const model = isRecurrent(kind)
    ? new Sequential(descentRecurrentLayers(kind))
    : kind === 'mlp'
      ? new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [PIXELS] }), new Dense({ units: CLASSES, activation: 'softmax' })])
      : new Sequential([
          new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
          new MaxPooling2D({ poolSize: 2 }),
          new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
          new MaxPooling2D({ poolSize: 2 }),
          new Flatten(),
          new Dense({ units: CLASSES, activation: 'softmax' }),
        ]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

function tfModel(kind: ModelKind): tf.Sequential {
  const model = isRecurrent(kind)
    ? tf.sequential({ layers: tfRecurrentLayers(kind) })
    : kind === 'mlp'
      ? tf.sequential({ layers: [tf.layers.dense({ units: 128, activation: 'relu', inputShape: [PIXELS] }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })] })
      : tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
          ],
        });
  // Same Adam as Descent's 'adam': lr 1e-3, β1 0.9, β2 0.999, ε 1e-7.
  model.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  return model;
}

/** Initial weights (Glorot-uniform kernels, zero biases), drawn once and given to every contender. */
export interface InitialWeights {
  readonly values: readonly Float32Array[];
  readonly shapes: readonly (readonly number[])[];
}

export function initialWeights(kind: ModelKind, seed: number): InitialWeights {
  setBackend('cpu');
  setSeed(seed);
  const ws = descentModel(kind).getWeights();
  return { values: ws.map((w) => w.dataSync() as Float32Array), shapes: ws.map((w) => [...w.shape]) };
}

/** A model of one contender, holding its own copy of the data on its own backend. */
export interface BenchModel {
  /** Make the data tensors `train(batches)` uses, so their creation is not timed. */
  prepare(batches: number): void;
  /** One epoch of `fit` over the first `batches` batches (no shuffling, so every contender sees the same batches); returns the epoch's loss. */
  train(batches: number): Promise<number>;
  /** Class probabilities of the first `n` test digits, read back to JS. */
  predict(n: number, batchSize: number): Float32Array;
  /** Kernel calls per training step over `batches` batches of `fit` (Descent only: TF.js has no such hook). */
  kernelsPerStep?(batches: number): Promise<number>;
}

export interface Contender {
  readonly id: string;
  readonly label: string;
  /** Make this contender's backend the active one (Descent and TF.js each have their own). */
  activate(): Promise<void>;
  build(kind: ModelKind, init: InitialWeights, data: Digits): BenchModel;
}

class DescentModel implements BenchModel {
  private readonly model: Sequential;
  private train_: { n: number; x: Tensor; y: Tensor } | null = null;
  private test: { n: number; x: Tensor } | null = null;

  constructor(
    private readonly kind: ModelKind,
    init: InitialWeights,
    private readonly data: Digits,
  ) {
    this.model = descentModel(kind);
    this.model.setWeights(init.values.map((v, i) => tensor(v, init.shapes[i])));
  }

  prepare(batches: number): void {
    const n = Math.min(batches * BATCH, this.data.trainSize);
    if (this.train_?.n !== n) {
      if (this.train_) dispose([this.train_.x, this.train_.y]);
      this.train_ = {
        n,
        x: tensor(this.data.trainX.subarray(0, n * PIXELS), inputShape(this.kind, n)),
        y: tensor(this.data.trainY.subarray(0, n * CLASSES), [n, CLASSES]),
      };
    }
  }

  async train(batches: number): Promise<number> {
    this.prepare(batches);
    const { x, y } = this.train_!;
    const h = await this.model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    return h.history.loss![0]!;
  }

  async kernelsPerStep(batches: number): Promise<number> {
    let calls = 0;
    // Chained, so autograd's recording hook still sees every kernel while this one counts them.
    const previous: KernelHook | null = setKernelHook((record) => {
      calls++;
      previous?.(record);
    });
    try {
      await this.train(batches);
    } finally {
      setKernelHook(previous);
    }
    return calls / batches;
  }

  predict(n: number, batchSize: number): Float32Array {
    if (this.test?.n !== n) {
      if (this.test) dispose(this.test.x);
      this.test = { n, x: tensor(this.data.testX.subarray(0, n * PIXELS), inputShape(this.kind, n)) };
    }
    const out = this.model.predict(this.test.x, { batchSize });
    const values = out.dataSync() as Float32Array;
    dispose(out);
    return values;
  }
}

class TfModel implements BenchModel {
  private readonly model: tf.Sequential;
  private train_: { n: number; x: tf.Tensor; y: tf.Tensor } | null = null;
  private test: { n: number; x: tf.Tensor } | null = null;

  constructor(
    private readonly kind: ModelKind,
    init: InitialWeights,
    private readonly data: Digits,
  ) {
    this.model = tfModel(kind);
    this.model.setWeights(init.values.map((v, i) => tf.tensor(v, [...init.shapes[i]!])));
  }

  prepare(batches: number): void {
    const n = Math.min(batches * BATCH, this.data.trainSize);
    if (this.train_?.n !== n) {
      if (this.train_) tf.dispose([this.train_.x, this.train_.y]);
      this.train_ = {
        n,
        x: tf.tensor(this.data.trainX.subarray(0, n * PIXELS), inputShape(this.kind, n)),
        y: tf.tensor(this.data.trainY.subarray(0, n * CLASSES), [n, CLASSES]),
      };
    }
  }

  async train(batches: number): Promise<number> {
    this.prepare(batches);
    const { x, y } = this.train_!;
    const h = await this.model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0, yieldEvery: 'never' });
    return h.history.loss![0] as number;
  }

  predict(n: number, batchSize: number): Float32Array {
    if (this.test?.n !== n) {
      if (this.test) this.test.x.dispose();
      this.test = { n, x: tf.tensor(this.data.testX.subarray(0, n * PIXELS), inputShape(this.kind, n)) };
    }
    const out = this.model.predict(this.test.x, { batchSize }) as tf.Tensor;
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  }
}

let tfWasmConvFilterPatched = false;

type KernelArgs = { inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[]; backend: unknown; attrs: Record<string, unknown> };

function wasmKernel(name: string): (args: KernelArgs) => tf.TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (k === undefined) throw new Error(`bench: TF.js wasm has no ${name} kernel`);
  return k.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo;
}

/**
 * TF.js 4.22's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train a CNN at all
 * (and TF.js cpu's kernel takes tens of seconds per step). Register one built from TF.js wasm's own
 * Slice, BatchMatMul and Concat kernels — ∂W[i,j] = Σ x[:, i+h, j+w, :]ᵀ · dy[:, h, w, :] — which is
 * what a TF.js user could write, so the CNN has a fair TF.js wasm contender. Stride 1, 'valid' only
 * (the benchmark CNN).
 */
export async function patchTfWasmConvFilter(): Promise<void> {
  if (tfWasmConvFilterPatched || tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  const slice = wasmKernel('Slice');
  const reshape = wasmKernel('Reshape');
  const batchMatMul = wasmKernel('BatchMatMul');
  const concat = wasmKernel('Concat');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, filterShape } = attrs as { strides: number | number[]; pad: unknown; dataFormat: string; filterShape: number[] };
      const stride = typeof strides === 'number' ? [strides, strides] : strides;
      if (pad !== 'valid' || stride[0] !== 1 || stride[1] !== 1 || dataFormat !== 'NHWC') {
        throw new Error(`bench: the lent Conv2DBackpropFilter handles stride 1, 'valid', NHWC only, got strides ${String(strides)}, pad ${String(pad)}, ${dataFormat}`);
      }
      const disposeData = (backend as { disposeData(id: object): boolean }).disposeData.bind(backend);
      const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
      const [n, oh, ow] = dy.shape as [number, number, number, number];
      const rows = n * oh * ow;
      const dy3 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, rows, cout] } });
      const parts: tf.TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const xs = slice({ inputs: { x }, backend, attrs: { begin: [0, i, j, 0], size: [n, oh, ow, cin] } });
          const x3 = reshape({ inputs: { x: xs }, backend, attrs: { shape: [1, rows, cin] } });
          parts.push(batchMatMul({ inputs: { a: x3, b: dy3 }, backend, attrs: { transposeA: true, transposeB: false } }));
          disposeData(xs.dataId);
          disposeData(x3.dataId);
        }
      }
      const joined = concat({ inputs: parts, backend, attrs: { axis: 0 } });
      const out = reshape({ inputs: { x: joined }, backend, attrs: { shape: [kh, kw, cin, cout] } });
      for (const t of [dy3, joined, ...parts]) disposeData(t.dataId);
      return out;
    },
  });
  tfWasmConvFilterPatched = true;
  await checkLentConvFilter();
}

/** The lent kernel against TF.js cpu's own on a small case, before it is trusted in a benchmark. */
async function checkLentConvFilter(): Promise<void> {
  const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 3, 4] };
  const xv = seededFloats(2 * 7 * 6 * 3, 11);
  const dyv = seededFloats(2 * 5 * 4 * 4, 12);
  const run = (): Float32Array => {
    const x = tf.tensor(xv, [2, 7, 6, 3]);
    const dy = tf.tensor(dyv, [2, 5, 4, 4]);
    const out = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs as never);
    const values = out.dataSync() as Float32Array;
    tf.dispose([x, dy, out]);
    return values;
  };
  const before = tf.getBackend();
  await useTf('wasm');
  const lent = run();
  await useTf('cpu');
  const ref = run();
  await tf.setBackend(before);
  const d = maxRelDiff(lent, ref);
  if (!(d <= 1e-5)) throw new Error(`bench: the lent TF.js wasm Conv2DBackpropFilter disagrees with TF.js cpu's (max rel diff ${d})`);
}

/** Every contender that loads on this machine, plus what they are (for the table notes). */
export interface Contenders {
  readonly list: readonly Contender[];
  readonly notes: readonly string[];
  restore(): void;
}

/** Descent cpu and wasm (when its backend loads), TF.js cpu and wasm. */
export async function loadContenders(kind: ModelKind): Promise<Contenders> {
  let wasm: WasmSetup | null = null;
  let failure = '';
  try {
    wasm = await loadWasmContenders();
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  const descentWasm = wasm !== null && listBackends().includes('wasm');
  const defaultThreads = wasm?.descent.getWasmBackend().numThreads ?? 1;
  // threads: the wasm backend's thread count while this contender runs (its default when absent).
  const descent = (backend: string, threads?: number): Contender => ({
    id: `descent-${backend}${threads === undefined ? '' : `-${threads}t`}`,
    label: `Descent ${backend}${threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`}`,
    activate: () => {
      setBackend(backend);
      if (backend === 'wasm') wasm!.descent.setNumThreads(threads ?? defaultThreads);
      return Promise.resolve();
    },
    build: (kind, init, data) => new DescentModel(kind, init, data),
  });
  const tfjs = (backend: 'cpu' | 'wasm'): Contender => ({
    id: `tfjs-${backend}`,
    label: `TF.js ${backend}`,
    activate: () => useTf(backend),
    build: (kind, init, data) => new TfModel(kind, init, data),
  });
  // Descent wasm at its default thread count, and at one thread when that is more (the fair peer of PyTorch at one thread).
  const list = [...(descentWasm ? [descent('wasm'), ...(defaultThreads > 1 ? [descent('wasm', 1)] : [])] : []), descent('cpu'), ...(wasm ? [tfjs('wasm')] : []), tfjs('cpu')];
  const notes = wasm ? [`${wasm.descentInfo}. ${wasm.tfjsWasmInfo}.`] : [`wasm contenders skipped: ${failure}`];
  if (wasm && kind === 'cnn') {
    await patchTfWasmConvFilter();
    notes.push(
      "TF.js wasm 4.22 has no Conv2DBackpropFilter kernel (training a CNN throws); the bench lends it one made of TF.js wasm's own Slice, BatchMatMul (XNNPACK) and Concat kernels.",
    );
  }
  return {
    list,
    notes,
    restore: () => {
      if (wasm) {
        wasm.descent.setNumThreads(defaultThreads);
        wasm.restore();
      }
      else setBackend('cpu');
    },
  };
}

/** The contender ratios are quoted against (TF.js wasm when it loaded, else TF.js cpu). */
export function baselineOf(list: readonly Contender[]): Contender {
  return list.find((c) => c.id === 'tfjs-wasm') ?? list.find((c) => c.id === 'tfjs-cpu')!;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** Largest relative difference between two arrays (relative to max(1, |b|)). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return d;
}
