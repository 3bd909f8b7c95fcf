import * as tf from '@tensorflow/tfjs';
import { Dense, Embedding, getMask, GlobalAveragePooling1D, Input, LSTM, Masking, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelArtifacts } from '../io/artifacts.js';
import { loadModel } from '../io/load.js';
import { fromMemory, withSaveHandler } from '../io/router.js';
import { Model } from '../functional/model.js';
import { Sequential } from '../sequential.js';
import { maxAbsDiff, toTfjs } from '../test-utils/tfjs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  setSeed(5);
});

const ids = (rows: number[][]): Tensor => tensor(rows, undefined, 'int32');
const rowsOf = (t: Tensor): number[][] => t.toArray() as number[][];

/** Embedding(maskZero) → GlobalAveragePooling1D → Dense, as a Sequential or a graph Model. */
function classifier(kind: 'sequential' | 'functional'): Model {
  const emb = (inputShape?: [null]): Embedding =>
    new Embedding({ inputDim: 7, outputDim: 4, maskZero: true, embeddingsInitializer: { className: 'RandomNormal', config: { seed: 3 } }, ...(inputShape ? { inputShape } : {}) });
  const head = (): Dense => new Dense({ units: 2, activation: 'softmax', kernelInitializer: { className: 'GlorotUniform', config: { seed: 4 } } });
  if (kind === 'sequential') {
    return new Sequential([emb([null]), new GlobalAveragePooling1D(), head()]);
  }
  const x = Input({ shape: [null], dtype: 'int32' });
  return new Model({ inputs: x, outputs: head().apply(new GlobalAveragePooling1D().apply(emb().apply(x))) });
}

describe('padded batches give the results of the unpadded sequences', () => {
  for (const kind of ['sequential', 'functional'] as const) {
    it(`${kind}: Embedding(maskZero) → GlobalAveragePooling1D → Dense`, () => {
      const model = classifier(kind);
      const real = [[3, 1, 6], [2], [5, 4, 4, 1, 2]];
      const padded = model.predict(ids(real.map((r) => [...r, ...Array<number>(5 - r.length).fill(0)]))) as Tensor;
      const one = real.map((r) => rowsOf(model.predict(ids([r])) as Tensor)[0]!);
      expect(maxAbsDiff(padded.dataSync(), one.flat())).toBeLessThanOrEqual(1e-6);
      // model.apply keeps the same semantics (and the pooled output carries no mask).
      const applied = model.apply(ids([[2, 0, 0]]));
      expect(maxAbsDiff(applied.dataSync(), one[1]!)).toBeLessThanOrEqual(1e-6);
      expect(getMask(applied)).toBeNull();
    });
  }
});

/** ids → Embedding(maskZero) → Dense(softmax) per step: a masked sequence output `[b, 4, 3]`. */
function tagger(): Model {
  const x = Input({ shape: [4], dtype: 'int32' });
  const h = new Embedding({ inputDim: 5, outputDim: 3, maskZero: true, embeddingsInitializer: { className: 'RandomNormal', config: { seed: 8 } } }).apply(x);
  return new Model({ inputs: x, outputs: new Dense({ units: 3, activation: 'softmax', kernelInitializer: { className: 'GlorotUniform', config: { seed: 9 } } }).apply(h) });
}

describe('losses and metrics weight a masked output by its mask', () => {
  const x = [[1, 4, 2, 0], [3, 0, 0, 0], [2, 2, 0, 0]];
  // Labels of the padded steps are junk: they must not count.
  const y = [[0, 2, 1, 2], [1, 0, 0, 0], [2, 0, 1, 1]];

  /** Per-step cross-entropies and hits on the real steps, by hand from the predicted probabilities. */
  function byHand(model: Model): { ce: number[][]; hit: number[][] } {
    const p = (model.predict(ids(x)) as Tensor).toArray() as number[][][];
    const ce = x.map((row, i) => row.map((id, j) => (id === 0 ? Number.NaN : -Math.log(p[i]![j]![y[i]![j]!]!))));
    const hit = x.map((row, i) =>
      row.map((id, j) => {
        if (id === 0) return Number.NaN;
        const probs = p[i]![j]!;
        return probs.indexOf(Math.max(...probs)) === y[i]![j]! ? 1 : 0;
      }),
    );
    return { ce, hit };
  }
  const real = (m: number[][]): number[] => m.flat().filter((v) => !Number.isNaN(v));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

  it('evaluate: the loss and accuracy over the real steps only', () => {
    const model = tagger();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { ce, hit } = byHand(model);
    const logs = model.evaluate(ids(x), ids(y)) as Record<string, number>;
    expect(real(ce)).toHaveLength(6);
    expect(logs['loss']).toBeCloseTo(mean(real(ce)), 5);
    expect(logs['accuracy']).toBeCloseTo(mean(real(hit)), 6);
  });

  it('evaluate with sample weights: Σ w·mask·loss / (real steps), as Keras 3', () => {
    const model = tagger();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { ce, hit } = byHand(model);
    const w = [2, 0.5, 1];
    const logs = model.evaluate(ids(x), ids(y), { sampleWeight: tensor(w) }) as Record<string, number>;
    const weighted = ce.reduce((s, row, i) => s + row.reduce((t, v) => t + (Number.isNaN(v) ? 0 : v * w[i]!), 0), 0);
    expect(logs['loss']).toBeCloseTo(weighted / 6, 5);
    // The accuracy is a weighted mean over the real steps.
    const hits = hit.reduce((s, row, i) => s + row.reduce((t, v) => t + (Number.isNaN(v) ? 0 : v * w[i]!), 0), 0);
    const weights = x.reduce((s, row, i) => s + row.filter((id) => id !== 0).length * w[i]!, 0);
    expect(logs['accuracy']).toBeCloseTo(hits / weights, 6);
  });

  it('fit: one step on the padded batch equals one step on the real steps alone', async () => {
    // Each step is independent here (Embedding then Dense), so the real steps as sequences of length 1
    // make the same mean loss, hence the same gradient.
    const padded = tagger();
    const steps = new Sequential([new Embedding({ inputDim: 5, outputDim: 3, inputShape: [1] }), new Dense({ units: 3, activation: 'softmax' })]);
    steps.build([null, 1]);
    steps.setWeights(padded.getWeights());
    for (const m of [padded, steps]) m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.5 } }, loss: 'sparseCategoricalCrossentropy' });
    const realX = x.flatMap((row) => row.filter((id) => id !== 0).map((id) => [id]));
    const realY = x.flatMap((row, i) => row.flatMap((id, j) => (id === 0 ? [] : [[y[i]![j]!]])));
    const h1 = await padded.fit(ids(x), ids(y), { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
    const h2 = await steps.fit(ids(realX), ids(realY), { epochs: 1, batchSize: 6, shuffle: false, verbose: 0 });
    expect(h1.history['loss']![0]).toBeCloseTo(h2.history['loss']![0]!, 5);
    const a = padded.getWeights();
    const b = steps.getWeights();
    a.forEach((w, i) => expect(maxAbsDiff(w.dataSync(), b[i]!.dataSync())).toBeLessThanOrEqual(1e-6));
  });

  it('an unmasked model is unchanged: the mean over every step', () => {
    const x0 = Input({ shape: [4], dtype: 'int32' });
    const model = new Model({ inputs: x0, outputs: new Dense({ units: 3, activation: 'softmax' }).apply(new Embedding({ inputDim: 5, outputDim: 3 }).apply(x0)) });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const p = (model.predict(ids(x)) as Tensor).toArray() as number[][][];
    const all = x.flatMap((row, i) => row.map((_, j) => -Math.log(p[i]![j]![y[i]![j]!]!)));
    expect((model.evaluate(ids(x), ids(y)) as Record<string, number>)['loss']).toBeCloseTo(mean(all), 5);
  });
});

describe('end to end through an LSTM (it skips masked steps and carries its state)', () => {
  it('Sequential: padded batches give the last states of the unpadded sequences', () => {
    const model = new Sequential([new Embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [null] }), new LSTM({ units: 4 }), new Dense({ units: 2 })]);
    const real = [[3, 1], [2, 5, 4], [1]];
    const padded = model.predict(ids(real.map((r) => [...r, ...Array<number>(4 - r.length).fill(0)])));
    const one = real.flatMap((r) => rowsOf(model.predict(ids([r])))[0]!);
    expect(maxAbsDiff(padded.dataSync(), one)).toBeLessThanOrEqual(1e-6);
  });

  it('graph model: a returnSequences LSTM output keeps the mask, and the loss counts the real steps only', () => {
    const x = Input({ shape: [4], dtype: 'int32' });
    const h = new LSTM({ units: 3, returnSequences: true }).apply(new Embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(x));
    const model = new Model({ inputs: x, outputs: new Dense({ units: 3, activation: 'softmax' }).apply(h) });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const xs = [[1, 4, 0, 0], [3, 2, 2, 0]];
    const ys = [[0, 2, 1, 1], [1, 0, 2, 0]];
    expect(getMask(model.apply(ids(xs)))!.dataSync()).toEqual(new Uint8Array([1, 1, 0, 0, 1, 1, 1, 0]));
    const p = (model.predict(ids(xs)) as Tensor).toArray() as number[][][];
    const ce = xs.flatMap((row, i) => row.flatMap((id, j) => (id === 0 ? [] : [-Math.log(p[i]![j]![ys[i]![j]!]!)])));
    expect(ce).toHaveLength(5);
    const expected = ce.reduce((a, v) => a + v, 0) / ce.length;
    expect((model.evaluate(ids(xs), ids(ys)) as Record<string, number>)['loss']).toBeCloseTo(expected, 5);
  });
});

describe('masking layers save, load, and load in TF.js 4.22', () => {
  async function roundTrip(model: Model): Promise<Model> {
    let artifacts: ModelArtifacts | null = null;
    await model.save(withSaveHandler((a) => void (artifacts = a)));
    const topology = JSON.stringify(artifacts!.modelTopology);
    expect(topology).toMatch(/"mask_zero":true|"mask_value":-1/);
    return loadModel<Model>(fromMemory(artifacts!));
  }

  it('Sequential with Masking keeps mask_value, the mask and the outputs', async () => {
    const model = new Sequential([new Masking({ maskValue: -1, inputShape: [null, 2] }), new Dense({ units: 2 }), new GlobalAveragePooling1D()]);
    const data = tensor([[[1, 2], [-1, -1], [3, 1]], [[-1, -1], [-1, -1], [0, 5]]]);
    const copy = await roundTrip(model);
    expect(maxAbsDiff((copy.predict(data) as Tensor).dataSync(), model.predict(data).dataSync())).toBeLessThanOrEqual(1e-6);
    // The masked steps do not count in the average: sample 1 is its last step alone.
    const last = model.predict(tensor([[[0, 5]]])).dataSync();
    expect(maxAbsDiff((copy.predict(data) as Tensor).dataSync().slice(2), last)).toBeLessThanOrEqual(1e-6);
  });

  it('graph model with Embedding(maskZero) round-trips, and TF.js loads it and predicts the same per step', async () => {
    const model = tagger();
    const copy = await roundTrip(model);
    const data = ids([[1, 4, 2, 0], [3, 0, 0, 0]]);
    expect(maxAbsDiff((copy.predict(data) as Tensor).dataSync(), (model.predict(data) as Tensor).dataSync())).toBeLessThanOrEqual(1e-6);
    const out = copy.apply(data);
    expect(getMask(out)!.dataSync()).toEqual(new Uint8Array([1, 1, 1, 0, 1, 0, 0, 0]));
    const tm = await toTfjs(model);
    const theirs = tm.predict(tf.tensor(data.dataSync(), [2, 4], 'int32')) as tf.Tensor;
    expect(maxAbsDiff(theirs.dataSync() as Float32Array, (model.predict(data) as Tensor).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('TF.js 4.22 runs a saved Embedding(maskZero) → LSTM model on padded ids as we do (its RNNs use masks too)', async () => {
    const model = new Sequential([new Embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [4] }), new LSTM({ units: 3 }), new Dense({ units: 2 })]);
    const data = ids([[3, 1, 0, 0], [2, 5, 4, 0], [1, 2, 3, 4]]);
    const tm = await toTfjs(model);
    const theirs = tm.predict(tf.tensor(data.dataSync(), [3, 4], 'int32')) as tf.Tensor;
    expect(maxAbsDiff(theirs.dataSync() as Float32Array, model.predict(data).dataSync())).toBeLessThanOrEqual(1e-5);
  });

  it('TF.js models with Masking and mask_zero load here', async () => {
    const tm = tf.sequential({
      layers: [tf.layers.masking({ maskValue: 0, inputShape: [3, 2] }), tf.layers.dense({ units: 2 })],
    });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await tm.save(tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }));
    const ours = await loadModel<Model>(fromMemory(artifacts! as unknown as ModelArtifacts));
    const data = randomNormal([2, 3, 2]);
    const theirs = (tm.predict(tf.tensor(data.dataSync() as Float32Array, [2, 3, 2])) as tf.Tensor).dataSync() as Float32Array;
    expect(maxAbsDiff((ours.predict(data) as Tensor).dataSync(), theirs)).toBeLessThanOrEqual(1e-5);
    expect(ours.layers.some((l) => l instanceof Masking)).toBe(true);

    const te = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 3 })] });
    let art2: tf.io.ModelArtifacts | null = null;
    await te.save(tf.io.withSaveHandler((a) => {
      art2 = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }));
    const emb = await loadModel<Model>(fromMemory(art2! as unknown as ModelArtifacts));
    const e = emb.layers.find((l) => l instanceof Embedding) as Embedding;
    expect(e.maskZero).toBe(true);
    expect(getMask(emb.apply(ids([[2, 0, 1]])))!.dataSync()).toEqual(new Uint8Array([1, 0, 1]));
  });
});
