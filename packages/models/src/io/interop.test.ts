import type { Layer } from '@descent/layers';
import {
  Activation, AveragePooling1D, AveragePooling2D, BatchNormalization, Bidirectional, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, Dense, Dropout, ELU,
  Embedding, Flatten, GaussianNoise, GlobalAveragePooling1D, GlobalMaxPooling2D, GRU, LayerNormalization, LeakyReLU, LSTM, MaxPooling1D, MaxPooling2D,
  Permute, ReLU, RepeatVector, resetLayerNames, Reshape, SeparableConv2D, SimpleRNN, Softmax, SpatialDropout1D, TimeDistributed, UpSampling2D, ZeroPadding2D,
} from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { oneHot, randomNormal, randomUniform, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';
import { fromJSON } from './load.js';
import { fromTfjs, maxAbsDiff, tfPredict, toTfjs } from '../test-utils/tfjs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(21);
});

/** A few training steps so weights (and BatchNorm moving statistics) are not their initial values. */
async function train(m: Sequential, x: Tensor, classes: number): Promise<void> {
  const n = x.shape[0]!;
  const labels = oneHot(tensor(Array.from({ length: n }, (_, i) => i % classes), [n], 'int32'), classes);
  m.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.05 } }, loss: classes === 1 ? 'mse' : 'categoricalCrossentropy' });
  await m.fit(x, classes === 1 ? randomNormal([n, 1]) : labels, { epochs: 3, batchSize: 4, verbose: 0 });
}

describe('Descent-trained models load in TF.js and predict the same', () => {
  it('Dense', async () => {
    const m = new Sequential([new Dense({ units: 8, activation: 'relu', inputShape: [5] }), new Dense({ units: 3, activation: 'softmax' })]);
    await train(m, randomNormal([12, 5]), 3);
    const x = randomNormal([6, 5]);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(await toTfjs(m), x))).toBeLessThanOrEqual(1e-5);
  });

  it('Conv2D with max and average pooling', async () => {
    const m = new Sequential([
      new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2] }),
      new MaxPooling2D({ poolSize: 2 }),
      new Conv2D({ filters: 4, kernelSize: [2, 2], strides: 2, padding: 'valid' }),
      new AveragePooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 2, activation: 'softmax' }),
    ]);
    await train(m, randomNormal([8, 8, 8, 2]), 2);
    const x = randomNormal([3, 8, 8, 2]);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(await toTfjs(m), x))).toBeLessThanOrEqual(1e-5);
  });

  it('BatchNormalization with trained moving statistics', async () => {
    const m = new Sequential([new Dense({ units: 6, inputShape: [4] }), new BatchNormalization({ momentum: 0.5 }), new Dense({ units: 1 })]);
    await train(m, randomNormal([16, 4], 2, 3), 1);
    const movingMean = m.getLayer(1).getWeights()[2]!.dataSync();
    expect(Array.from(movingMean).some((v) => Math.abs(v) > 0.1)).toBe(true);
    const x = randomNormal([5, 4], 2, 3);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(await toTfjs(m), x))).toBeLessThanOrEqual(1e-5);
  });

  it('LSTM', async () => {
    const m = new Sequential([new LSTM({ units: 5, inputShape: [6, 3] }), new Dense({ units: 2, activation: 'softmax' })]);
    await train(m, randomNormal([8, 6, 3]), 2);
    const x = randomNormal([4, 6, 3]);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(await toTfjs(m), x))).toBeLessThanOrEqual(1e-5);
  });

  it('model.json from toJSON() is what TF.js reads', async () => {
    const m = new Sequential([new Dense({ units: 3, activation: 'tanh', inputShape: [2] })]);
    const { modelJSON, weightData } = m.toJSON();
    const tm = await tf.loadLayersModel(
      tf.io.fromMemory(JSON.parse(JSON.stringify(modelJSON.modelTopology)) as object, modelJSON.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[], weightData),
    );
    const x = randomNormal([4, 2]);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
  });
});

/** Random weights so the comparison does not depend on either side's initializers. */
function randomizeWeights(model: tf.LayersModel): void {
  let seed = 1;
  model.setWeights(
    model.weights.map((w) =>
      w.name.includes('moving_variance') ? tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed++) : tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', seed++),
    ),
  );
}

describe('TF.js-built models load in Descent and predict the same', () => {
  const cases: [string, () => tf.Sequential, number[]][] = [
    ['Dense', () => tf.sequential({ layers: [tf.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }), tf.layers.dense({ units: 3, activation: 'softmax' })] }), [5, 4]],
    [
      'Conv2D + pooling',
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 2] }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.averagePooling2d({ poolSize: 3 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 2 }),
          ],
        }),
      [3, 6, 6, 2],
    ],
    [
      'BatchNormalization',
      () => tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.batchNormalization({ epsilon: 0.01 }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] }),
      [4, 3],
    ],
    // TF.js's LSTM/GRU default to the old hard sigmoid as recurrent activation.
    ['LSTM', () => tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [5, 3] }), tf.layers.dense({ units: 1 })] }), [3, 5, 3]],
    ['GRU', () => tf.sequential({ layers: [tf.layers.gru({ units: 4, inputShape: [5, 3], returnSequences: true }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] }), [3, 5, 3]],
  ];

  for (const [name, build, shape] of cases) {
    it(name, async () => {
      const tm = build();
      randomizeWeights(tm);
      const m = await fromTfjs<Sequential>(tm);
      const x = randomUniform(shape, -2, 2);
      expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
      // And back: saved again by Descent, it reloads in Descent and in TF.js with the same outputs.
      const { modelJSON, weightData } = m.toJSON();
      const again = fromJSON<Sequential>(modelJSON, weightData);
      expect(maxAbsDiff(again.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(tfPredict(await toTfjs(again), x), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('the other layers travel both ways with their configs', () => {
  // Keras 3's GRU default resetAfter: true is missing: TF.js's GRU only implements resetAfter: false.
  const cases: [string, () => Layer[], number[]][] = [
    ['Dropout, Activation', () => [new Dense({ units: 3, inputShape: [4] }), new Dropout({ rate: 0.3 }), new Activation({ activation: 'tanh' })], [2, 4]],
    ['ReLU, LeakyReLU, ELU, Softmax', () => [new Dense({ units: 3, inputShape: [4] }), new LeakyReLU({}), new ELU({}), new ReLU({}), new Softmax({})], [2, 4]],
    ['Embedding', () => [new Embedding({ inputDim: 10, outputDim: 3, inputShape: [5] }), new Flatten()], [2, 5]],
    ['Conv1D, 1-D pooling', () => [new Conv1D({ filters: 2, kernelSize: 3, inputShape: [8, 2] }), new MaxPooling1D({ poolSize: 2 }), new AveragePooling1D({ poolSize: 1 }), new GlobalAveragePooling1D({})], [2, 8, 2]],
    [
      'Conv2DTranspose, UpSampling2D, ZeroPadding2D, GlobalMaxPooling2D',
      () => [new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', inputShape: [4, 4, 1] }), new UpSampling2D({ size: 2 }), new ZeroPadding2D({ padding: 1 }), new GlobalMaxPooling2D({})],
      [2, 4, 4, 1],
    ],
    ['Reshape, Permute, RepeatVector', () => [new Reshape({ targetShape: [3, 2], inputShape: [6] }), new Permute({ dims: [2, 1] }), new Flatten(), new RepeatVector({ n: 2 })], [2, 6]],
    ['SimpleRNN', () => [new SimpleRNN({ units: 3, inputShape: [4, 2] })], [2, 4, 2]],
    ['Bidirectional(LSTM)', () => [new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }), inputShape: [4, 2] })], [2, 4, 2]],
    ['TimeDistributed(Dense)', () => [new TimeDistributed({ layer: new Dense({ units: 2 }), inputShape: [3, 4] })], [2, 3, 4]],
    ['LayerNormalization', () => [new Dense({ units: 4, inputShape: [3] }), new LayerNormalization({})], [2, 3]],
    ['GRU with resetAfter: false', () => [new GRU({ units: 3, inputShape: [4, 2], resetAfter: false })], [2, 4, 2]],
    ['DepthwiseConv2D, SeparableConv2D', () => [new DepthwiseConv2D({ kernelSize: 3, inputShape: [5, 5, 2] }), new SeparableConv2D({ filters: 3, kernelSize: 2 })], [2, 5, 5, 2]],
    ['SpatialDropout1D, GaussianNoise', () => [new SpatialDropout1D({ rate: 0.2, inputShape: [4, 2] }), new GaussianNoise({ stddev: 0.1 })], [2, 4, 2]],
  ];

  for (const [name, layers, shape] of cases) {
    it(name, async () => {
      const m = new Sequential(layers());
      const x = name === 'Embedding' ? tensor([[1, 2, 3, 4, 5], [0, 9, 8, 7, 6]]) : randomUniform(shape, -1, 1);
      const tm = await toTfjs(m);
      const ours = m.predict(x).dataSync();
      expect(maxAbsDiff(ours, tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
      randomizeWeights(tm);
      const back = await fromTfjs<Sequential>(tm);
      expect(maxAbsDiff(back.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
    });
  }
});
