import { add, BatchNormalization, Concatenate, concatenate, Dense, Input, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { oneHot, randomNormal, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Sequential } from '../sequential.js';
import { fromTfjs, maxAbsDiff, toTfjs } from '../test-utils/tfjs.js';
import { Model } from './model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  setSeed(17);
});

function asList<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

function tfPredict(model: tf.LayersModel, xs: readonly Tensor[]): Float32Array[] {
  const inputs = xs.map((x) => tf.tensor(x.dataSync() as Float32Array, [...x.shape]));
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
  return asList(out).map((t) => t.dataSync() as Float32Array);
}

function ourPredict(model: Model, xs: readonly Tensor[]): Float32Array[] {
  return asList(model.predict(xs.length === 1 ? xs[0]! : [...xs])).map((t) => t.dataSync() as Float32Array);
}

function expectSame(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(maxAbsDiff(x, b[i]!)).toBeLessThanOrEqual(1e-5));
}

describe('Descent graph models load in TF.js 4.22 and predict the same', () => {
  it('multi-input, multi-output with a shared layer, trained', async () => {
    const a = Input({ shape: [3], name: 'a' });
    const b = Input({ shape: [3], name: 'b' });
    const shared = new Dense({ units: 4, activation: 'tanh', name: 'shared' });
    const merged = concatenate([shared.apply(a), shared.apply(b)]);
    const cls = new Dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(merged);
    const reg = new Dense({ units: 1, name: 'reg' }).apply(add([shared.apply(a), shared.apply(b)]));
    const model = new Model({ inputs: [a, b], outputs: [cls, reg] });
    model.compile({ optimizer: 'adam', loss: ['categoricalCrossentropy', 'mse'] });
    const n = 12;
    await model.fit([randomNormal([n, 3]), randomNormal([n, 3])], [oneHot(tensor(Array.from({ length: n }, (_, i) => i % 2), [n], 'int32'), 2), randomNormal([n, 1])], { epochs: 2, batchSize: 4, verbose: 0 });
    const tm = await toTfjs(model);
    expect(tm.inputNames).toEqual(['a', 'b']);
    expect(tm.outputNames).toEqual(['cls', 'reg']);
    const xs = [randomNormal([5, 3]), randomNormal([5, 3])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
  });

  it('a nested graph model with BatchNormalization', async () => {
    const inner = Input({ shape: [4] });
    const base = new Model({ inputs: inner, outputs: new BatchNormalization({ name: 'bn' }).apply(new Dense({ units: 5, name: 'base_dense' }).apply(inner)), name: 'base' });
    const x = Input({ shape: [4] });
    const model = new Model({ inputs: x, outputs: new Dense({ units: 2, name: 'head' }).apply(base.apply(x)) });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(randomNormal([16, 4], 1, 2), randomNormal([16, 2]), { epochs: 2, batchSize: 4, verbose: 0 });
    const tm = await toTfjs(model);
    const xs = [randomNormal([3, 4])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
  });
});

describe('a nested model with two outputs', () => {
  it('saves for TF.js and loads back, predicting the same both ways', async () => {
    const innerIn = Input({ shape: [3] });
    const inner = new Model({ inputs: innerIn, outputs: [new Dense({ units: 2, name: 'ip' }).apply(innerIn), new Dense({ units: 1, name: 'iq' }).apply(innerIn)], name: 'pair' });
    const x = Input({ shape: [3] });
    const [p, q] = inner.applyOutputs(x);
    const model = new Model({ inputs: x, outputs: [new Dense({ units: 1, name: 'from_p' }).apply(p!), q!] });
    const tm = await toTfjs(model);
    const xs = [randomNormal([4, 3])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
    const back = await fromTfjs(tm);
    expectSame(ourPredict(back, xs), tfPredict(tm, xs));
  });
});

describe('nested Sequential models', () => {
  it('a Sequential used twice inside a graph model loads in TF.js and predicts the same', async () => {
    const tower = new Sequential([new Dense({ units: 4, activation: 'relu', inputShape: [3], name: 'tower_hidden' }), new Dense({ units: 2, name: 'tower_out' })], { name: 'tower' });
    const a = Input({ shape: [3] });
    const b = Input({ shape: [3] });
    const model = new Model({ inputs: [a, b], outputs: new Dense({ units: 1, name: 'joined' }).apply(add([tower.apply(a), tower.apply(b)])) });
    expect(model.weights).toHaveLength(6);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit([randomNormal([8, 3]), randomNormal([8, 3])], randomNormal([8, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
    const tm = await toTfjs(model);
    const xs = [randomNormal([4, 3]), randomNormal([4, 3])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
    const back = await fromTfjs(tm);
    expect(back.getLayer('tower').className).toBe('Sequential');
    expectSame(ourPredict(back, xs), tfPredict(tm, xs));
  });

  it('a TF.js graph model with a nested tf.sequential loads in Descent', async () => {
    const seq = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'tanh', inputShape: [2], name: 's1' }), tf.layers.dense({ units: 2, name: 's2' })], name: 'tseq' });
    const x = tf.input({ shape: [2] });
    const tm = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1, name: 'top' }).apply(seq.apply(x)) as tf.SymbolicTensor });
    const model = await fromTfjs(tm);
    const xs = [randomNormal([5, 2])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
  });
});

describe('TF.js graph models load in Descent and predict the same', () => {
  it('multi-input, multi-output, shared layer and a nested model', async () => {
    const innerIn = tf.input({ shape: [4] });
    const innerModel = tf.model({ inputs: innerIn, outputs: tf.layers.dense({ units: 4, activation: 'relu', name: 'inner_dense' }).apply(innerIn) as tf.SymbolicTensor, name: 'inner' });
    const a = tf.input({ shape: [3], name: 'ta' });
    const b = tf.input({ shape: [3], name: 'tb' });
    const shared = tf.layers.dense({ units: 4, name: 'tshared' });
    const sa = shared.apply(a) as tf.SymbolicTensor;
    const sb = shared.apply(b) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'tjoin' }).apply([sa, sb]) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 2, activation: 'softmax', name: 'tcls' }).apply(joined) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 1, name: 'treg' }).apply(innerModel.apply(tf.layers.add({ name: 'tsum' }).apply([sa, sb]))) as tf.SymbolicTensor;
    const tm = tf.model({ inputs: [a, b], outputs: [o1, o2] });
    const model = await fromTfjs(tm);
    expect(model).toBeInstanceOf(Model);
    expect(model.inputNames).toEqual(['ta', 'tb']);
    expect(model.getLayer('tjoin')).toBeInstanceOf(Concatenate);
    const xs = [randomNormal([4, 3]), randomNormal([4, 3])];
    expectSame(ourPredict(model, xs), tfPredict(tm, xs));
  });
});
