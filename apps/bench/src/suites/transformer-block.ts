import type { Layer } from '@descent/layers';
import { Add, Dense, GlobalAveragePooling1D, Input, LayerNormalization, MultiHeadAttention } from '@descent/layers';
import { Model } from '@descent/models';
import type { KernelHook, Tensor } from '@descent/tensor';
import { dispose, setBackend, setKernelHook, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { seededFloats } from '../measure.js';

// The transformer-train suite's model: one pre-LayerNorm Transformer encoder block (issue 17), classifying whole sequences:
// x → LN → MHA(4 heads, keyDim 32, self-attention) → + x → LN → Dense(256, gelu) → Dense(128) → + →
// mean over the steps → Dense(10, softmax), sparse categorical cross-entropy, Adam.
export const BATCH = 32;
export const STEPS = 64;
export const DIM = 128;
export const HEADS = 4;
export const KEY_DIM = 32;
export const FF = 256;
export const CLASSES = 10;
/** Distinct batches of data, cycled through by every contender. */
export const DATA_BATCHES = 4;

/**
 * Multiply-adds ×2 of one forward pass: the q/k/v/output projections (4·D²), the two feed-forward
 * layers (2·D·FF) and the scores and weighted sums (2·T·D) per step, plus the head. A training step is
 * about three times this.
 */
export const FORWARD_FLOPS = 2 * BATCH * STEPS * (4 * DIM * DIM + 2 * DIM * FF + 2 * STEPS * DIM) + 2 * BATCH * DIM * CLASSES;

/** The weights of the block, by name (Keras's layouts), in the order every contender lists them. */
export const WEIGHT_NAMES = [
  'ln1/gamma', 'ln1/beta',
  'mha/query/kernel', 'mha/query/bias', 'mha/key/kernel', 'mha/key/bias', 'mha/value/kernel', 'mha/value/bias', 'mha/attention_output/kernel', 'mha/attention_output/bias',
  'ln2/gamma', 'ln2/beta', 'ff1/kernel', 'ff1/bias', 'ff2/kernel', 'ff2/bias', 'head/kernel', 'head/bias',
] as const;

export interface Weights {
  readonly values: readonly Float32Array[];
  readonly shapes: readonly (readonly number[])[];
}

export interface Data {
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
export interface BlockModel {
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