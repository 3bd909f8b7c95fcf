import { BatchNormalization, CategoricalCrossentropy, Dense, Dropout, LSTM, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';
import type { ModelArtifacts, ModelJSON } from './artifacts.js';
import type { JsonObject } from './case.js';
import { fromMemory, withSaveHandler } from './router.js';
import { fromJSON, loadModel } from './load.js';
import { encodeWeights } from './weights.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(5);
});

function expectSame(a: Tensor, b: Tensor): void {
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
}

async function trainedModel(): Promise<Sequential> {
  const m = new Sequential([
    new Dense({ units: 4, activation: 'relu', inputShape: [3] }),
    new BatchNormalization(),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 2, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await m.fit(randomNormal([16, 3]), tensor(Array.from({ length: 16 }, (_, i) => (i % 2 ? [0, 1] : [1, 0]))), { epochs: 2, batchSize: 8, verbose: 0 });
  return m;
}

describe('toJSON / fromJSON', () => {
  it('writes the TF.js layers-model topology in snake_case with the weights manifest', async () => {
    const m = await trainedModel();
    const { modelJSON, weightData } = m.toJSON();
    expect(modelJSON.format).toBe('layers-model');
    const topo = modelJSON.modelTopology!;
    expect(topo.class_name).toBe('Sequential');
    const config = topo.config as { name: string; layers: { class_name: string; config: Record<string, unknown> }[] };
    expect(config.name).toBe('sequential');
    expect(config.layers.map((l) => l.class_name)).toEqual(['Dense', 'BatchNormalization', 'Dropout', 'Dense']);
    const first = config.layers[0]!.config;
    expect(first.batch_input_shape).toEqual([null, 3]);
    expect(first.use_bias).toBe(true);
    expect(first.kernel_initializer).toEqual({ class_name: 'GlorotUniform', config: { seed: null } });
    expect(Object.keys(first).every((k) => k === k.toLowerCase())).toBe(true);
    const names = modelJSON.weightsManifest[0]!.weights.map((w) => w.name);
    expect(names).toEqual([
      'dense/kernel', 'dense/bias',
      'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance',
      'dense_1/kernel', 'dense_1/bias',
    ]);
    expect(modelJSON.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    // 3·4 + 4 + 4·4 + 4·2 + 2 float32 values.
    expect(weightData.byteLength).toBe((12 + 4 + 16 + 8 + 2) * 4);
    expect(modelJSON.trainingConfig).toBeUndefined();
  });

  it('round-trips a trained model exactly, also through JSON text', async () => {
    const m = await trainedModel();
    const { modelJSON, weightData } = m.toJSON();
    const x = randomNormal([5, 3]);
    for (const again of [fromJSON<Sequential>(modelJSON, weightData), fromJSON<Sequential>(JSON.stringify(modelJSON), weightData)]) {
      expect(again.name).toBe(m.name);
      expect(again.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      expectSame(m.predict(x), again.predict(x));
    }
    // Shards in manifest order concatenate to the same weights.
    const parts = [weightData.slice(0, 10), weightData.slice(10)];
    expectSame(m.predict(x), fromJSON<Sequential>(modelJSON, parts).predict(x));
  });

  it('reads the older form whose config is the layer list, Keras 3 batch_shape, and HDF5 model_config wrappers', async () => {
    const m = await trainedModel();
    const { modelJSON, weightData } = m.toJSON();
    const topo = modelJSON.modelTopology!;
    const layers = (topo.config as JsonObject).layers as JsonObject[];
    const x = randomNormal([2, 3]);
    const older: ModelJSON = { ...modelJSON, modelTopology: { ...topo, config: layers } };
    expectSame(m.predict(x), fromJSON<Sequential>(older, weightData).predict(x));

    const keras3Layers = layers.map((l, i): JsonObject => {
      if (i !== 0) return l;
      const { batch_input_shape: shape, ...rest } = l.config as JsonObject;
      return { ...l, config: { ...rest, batch_shape: shape ?? null } };
    });
    const keras3: ModelJSON = { ...modelJSON, modelTopology: { ...topo, keras_version: '3.4.1', config: { name: 'k3', layers: keras3Layers } } };
    const k3 = fromJSON<Sequential>(keras3, weightData);
    expect(k3.inputShape).toEqual([null, 3]);
    expectSame(m.predict(x), k3.predict(x));

    const wrapped: ModelJSON = { ...modelJSON, modelTopology: { model_config: topo, training_config: null } };
    expectSame(m.predict(x), fromJSON<Sequential>(wrapped, weightData).predict(x));
  });

  it('gives clear errors for unknown classes, non-Sequential models, bad JSON and mismatched weights', async () => {
    const m = await trainedModel();
    const { modelJSON, weightData } = m.toJSON();
    const topo = modelJSON.modelTopology!;
    const layers = (topo.config as JsonObject).layers as JsonObject[];

    const unknown: ModelJSON = { ...modelJSON, modelTopology: { ...topo, config: { name: 's', layers: [layers[0]!, { class_name: 'Frobnicate', config: { name: 'frob' } }] } } };
    expect(() => fromJSON(unknown, weightData)).toThrow(/^fromJSON: layer 1 'frob' \(class 'Frobnicate'\): .*Frobnicate/);
    expect(() => fromJSON({ ...modelJSON, modelTopology: { class_name: 'Functional', config: {} } }, weightData)).toThrow(
      /^fromJSON: a Functional config must be \{ name, layers, input_layers, output_layers \}/,
    );
    expect(() => fromJSON({ ...modelJSON, modelTopology: { class_name: 'Subclassed', config: {} } }, weightData)).toThrow(
      /only Sequential and Functional \(graph\) models can be loaded, but modelTopology.class_name is "Subclassed"/,
    );
    expect(() => fromJSON('{"modelTopology": ', weightData)).toThrow(/fromJSON: model.json text is not valid JSON/);
    expect(() => fromJSON({ ...modelJSON, format: 'graph-model' }, weightData)).toThrow(/format 'graph-model' is not supported/);

    const specs = modelJSON.weightsManifest[0]!.weights;
    expect(() => fromJSON(modelJSON, weightData.slice(0, weightData.byteLength - 4))).toThrow(/fromJSON: weight data is truncated: .*'dense_1\/bias' \[2\] float32/);

    const renamed: ModelJSON = { ...modelJSON, weightsManifest: [{ paths: ['weights.bin'], weights: specs.map((s) => (s.name === 'dense/bias' ? { ...s, name: 'dense/offset' } : s)) }] };
    expect(() => fromJSON(renamed, weightData)).toThrow(/layer 'dense' \(Dense\) needs weight 'dense\/bias' \[4\], but the weights manifest has no such weight \(unused entries: dense\/offset/);

    // Same byte count, different shape: the layer's shape wins, and the error says both.
    const reshaped: ModelJSON = { ...modelJSON, weightsManifest: [{ paths: ['weights.bin'], weights: specs.map((s) => (s.name === 'dense/kernel' ? { ...s, shape: [4, 3] } : s)) }] };
    expect(() => fromJSON(reshaped, weightData)).toThrow(/weight 'dense\/kernel' has shape \[4,3\] in the weight file, but layer 'dense' \(Dense\) expects \[3,4\]/);

    const extra = encodeWeights([{ name: 'ghost/w', tensor: tensor([1]) }]);
    const withExtra: ModelJSON = { ...modelJSON, weightsManifest: [{ paths: ['weights.bin'], weights: [...specs, ...extra.specs] }] };
    expect(() => fromJSON(withExtra, [weightData, extra.data])).toThrow(/the weight file has weights that no layer of model 'sequential' uses: ghost\/w/);
  });

  it('matches TF 2.x names with a cell scope (lstm/lstm_cell/kernel)', () => {
    const m = new Sequential([new LSTM({ units: 2, inputShape: [3, 2] })]);
    const { modelJSON, weightData } = m.toJSON();
    const specs = modelJSON.weightsManifest[0]!.weights.map((s) => ({ ...s, name: s.name.replace('lstm/', 'lstm/lstm_cell/') }));
    expect(specs.map((s) => s.name)).toEqual(['lstm/lstm_cell/kernel', 'lstm/lstm_cell/recurrent_kernel', 'lstm/lstm_cell/bias']);
    const x = randomNormal([2, 3, 2]);
    expectSame(m.predict(x), fromJSON<Sequential>({ ...modelJSON, weightsManifest: [{ paths: ['w'], weights: specs }] }, weightData).predict(x));
  });
});

describe('optimizer state and training config', () => {
  it('includeOptimizer saves the training config and state so fit resumes exactly', async () => {
    const x = randomNormal([12, 3]);
    const y = tensor(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? [1, 0] : [0, 1])));
    const a = new Sequential([new Dense({ units: 3, activation: 'tanh', inputShape: [3] }), new Dense({ units: 2, activation: 'softmax' })]);
    a.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.05 } }, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await a.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    const { modelJSON, weightData } = a.toJSON({ includeOptimizer: true });
    const tc = modelJSON.trainingConfig!;
    expect(tc.optimizer_config.class_name).toBe('Adam');
    expect(tc.optimizer_config.config.learning_rate).toBe(0.05);
    expect(tc.loss).toBe('categorical_crossentropy');
    expect(tc.metrics).toEqual(['accuracy']);
    expect(modelJSON.weightsManifest[0]!.weights.filter((w) => w.group === 'optimizer').length).toBeGreaterThan(0);

    const b = fromJSON(modelJSON, weightData);
    expect(b.optimizer!.iterations).toBe(a.optimizer!.iterations);
    const ha = await a.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(hb.history).toEqual(ha.history);
    const wa = a.getWeights();
    b.getWeights().forEach((w, i) => expectSame(wa[i]!, w));

    // { compile: false } skips it.
    expect(fromJSON(modelJSON, weightData, { compile: false }).optimizer).toBeNull();
  });

  it('restores a Loss object with its options', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
    const { modelJSON, weightData } = m.toJSON({ includeOptimizer: true });
    expect(modelJSON.trainingConfig!.loss).toEqual({
      class_name: 'CategoricalCrossentropy',
      config: expect.objectContaining({ from_logits: true, label_smoothing: 0.1 }),
    });
    const again = fromJSON(modelJSON, weightData);
    expect(again.lossFunction!.getConfig()).toEqual(m.lossFunction!.getConfig());
  });
});

describe('hard_sigmoid in TF.js and Keras 2 files', () => {
  function hardSigmoidModel(kerasVersion: string): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1], activation: 'hard_sigmoid' })]);
    m.setWeights([tensor([[1]]), tensor([0])]);
    const { modelJSON, weightData } = m.toJSON();
    return { modelJSON: { ...modelJSON, modelTopology: { ...modelJSON.modelTopology!, keras_version: kerasVersion } }, weightData };
  }

  it('means clip(0.2x + 0.5) in TF.js files and clip(x/6 + 0.5) in Descent and Keras 3 files', () => {
    const x = tensor([[-1], [0.5], [2]]);
    const tfjs = hardSigmoidModel('tfjs-layers 4.22.0');
    const legacy = fromJSON<Sequential>(tfjs.modelJSON, tfjs.weightData);
    const want = [0.3, 0.6, 0.9];
    legacy.predict(x).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    for (const version of ['descent 0.1.0', '3.4.1']) {
      const own = hardSigmoidModel(version);
      const keras3 = [-1 / 6 + 0.5, 0.5 / 6 + 0.5, 2 / 6 + 0.5];
      fromJSON<Sequential>(own.modelJSON, own.weightData).predict(x).dataSync().forEach((v, i) => expect(v).toBeCloseTo(keras3[i]!, 6));
    }
    // Saved again by Descent, it keeps TF.js's name (so TF.js reads it) and its meaning for Descent.
    const resaved = legacy.toJSON();
    const layer = (resaved.modelJSON.modelTopology!.config as { layers: { config: { activation: string } }[] }).layers[0]!;
    expect(layer.config.activation).toBe('hard_sigmoid');
    expect(resaved.modelJSON.modelTopology!.keras_version).toBe('descent 0.1.0 (hard_sigmoid: tfjs)');
    fromJSON<Sequential>(resaved.modelJSON, resaved.weightData).predict(x).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    // Mixed with the Keras 3 function in one model, the old one keeps a name of its own.
    const mixed = fromJSON<Sequential>(tfjs.modelJSON, tfjs.weightData);
    mixed.add(new Dense({ units: 1, activation: 'hard_sigmoid' }));
    const mixedJson = mixed.toJSON().modelJSON;
    const acts = (mixedJson.modelTopology!.config as { layers: { config: { activation: string } }[] }).layers.map((l) => l.config.activation);
    expect(acts).toEqual(['hard_sigmoid_tfjs', 'hard_sigmoid']);
    expect(mixedJson.modelTopology!.keras_version).toBe('descent 0.1.0');
  });
});

describe('save / load through handlers', () => {
  it('saves to any IOHandler and loads back; saveWeights/loadWeights move only weights', async () => {
    const m = await trainedModel();
    let captured: ModelArtifacts | null = null;
    const result = await m.save(withSaveHandler((a) => void (captured = a)));
    expect(result.weightDataBytes).toBe(42 * 4);
    const again = await loadModel<Sequential>(fromMemory(captured!));
    const x = randomNormal([3, 3]);
    expectSame(m.predict(x), again.predict(x));

    let weightsOnly: ModelArtifacts | null = null;
    await m.saveWeights(withSaveHandler((a) => void (weightsOnly = a)));
    expect(weightsOnly!.modelTopology).toBeNull();
    const blank = new Sequential([
      new Dense({ units: 4, activation: 'relu', inputShape: [3] }),
      new BatchNormalization(),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 2, activation: 'softmax' }),
    ], { name: 'blank' });
    // Weights are matched by name: a model whose layers are named differently (dense_2, …) fails clearly.
    await expect(blank.loadWeights(fromMemory(weightsOnly!))).rejects.toThrow(/needs weight 'dense_2\/kernel'/);
    await m.loadWeights(fromMemory(weightsOnly!));
    await expect(loadModel(fromMemory(weightsOnly!))).rejects.toThrow(/there is no model topology \(a weights-only save\?\)/);
  });

  it('explains URLs it cannot route', async () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    await expect(m.save('./out/model')).rejects.toThrow(/'\.\/out\/model' has no scheme; use a URL such as 'file:\/\/\.\/out\/model'/);
    await expect(m.save('nosuch://x')).rejects.toThrow(/no handler for 'nosuch:\/\/' URLs/);
    await expect(loadModel({})).rejects.toThrow(/this IOHandler cannot load/);
  });
});
