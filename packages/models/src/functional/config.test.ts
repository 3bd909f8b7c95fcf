import { concatenate, Dense, Input, LSTM, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelArtifacts, ModelJSON } from '../io/artifacts.js';
import { fromJSON } from '../io/load.js';
import { withSaveHandler } from '../io/router.js';
import { Sequential } from '../sequential.js';
import { fromTfjs } from '../test-utils/tfjs.js';
import { Model } from './model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  setSeed(23);
});

function maxAbsDiff(a: Tensor | Float32Array, b: Tensor | Float32Array): number {
  const x = a instanceof Float32Array ? a : (a.dataSync() as Float32Array);
  const y = b instanceof Float32Array ? b : (b.dataSync() as Float32Array);
  expect(x.length).toBe(y.length);
  expect(x.length).toBeGreaterThan(0);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

function predictAll(model: Model, xs: Tensor | Tensor[]): Tensor[] {
  const out = model.predict(xs);
  return Array.isArray(out) ? out : [out];
}

/** An encoder LSTM whose output and both states feed a head: outputs [head, c]. */
function stateModel(): Model {
  const x = Input({ shape: [5, 3], name: 'seq' });
  const [, h, c] = new LSTM({ units: 4, returnState: true, name: 'enc' }).applyWithState(x);
  const head = new Dense({ units: 2, activation: 'tanh', name: 'head' }).apply(concatenate([h!, c!], { name: 'states' }));
  return new Model({ inputs: x, outputs: [head, c!], name: 'encoder' });
}

describe('an LSTM with returnState inside a graph model', () => {
  it("trains, saves the states' tensor indices in inbound_nodes and loads back predicting the same", async () => {
    const model = stateModel();
    model.compile({ optimizer: 'adam', loss: ['mse', 'mse'] });
    await model.fit(randomNormal([8, 5, 3]), [randomNormal([8, 2]), randomNormal([8, 4])], { epochs: 1, batchSize: 4, verbose: 0 });
    const { modelJSON, weightData } = model.toJSON();
    const layers = (modelJSON.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[] }[]; output_layers: unknown } }).config;
    const states = layers.layers.find((l) => l.name === 'states')!;
    expect(states.inbound_nodes).toEqual([[['enc', 0, 1, {}], ['enc', 0, 2, {}]]]);
    expect(layers.output_layers).toEqual([['head', 0, 0], ['enc', 0, 2]]);
    const back = fromJSON<Model>(modelJSON, weightData);
    const xs = randomNormal([3, 5, 3]);
    const want = predictAll(model, xs);
    const got = predictAll(back, xs);
    expect(got).toHaveLength(2);
    got.forEach((t, i) => expect(maxAbsDiff(t, want[i]!)).toBeLessThan(1e-6));
  });

  it('TF.js 4.22 loads it and predicts the same, and Descent loads TF.js\'s [output, h, c] graph', async () => {
    const model = stateModel();
    let artifacts: ModelArtifacts | null = null;
    await model.save(withSaveHandler((a) => void (artifacts = a)));
    const a = artifacts!;
    const tm = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(a.modelTopology)) as never, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData as ArrayBuffer }),
    );
    const xs = randomNormal([2, 5, 3]);
    const tfOut = tm.predict(tf.tensor(xs.dataSync(), [2, 5, 3])) as tf.Tensor[];
    const ours = predictAll(model, xs);
    tfOut.forEach((t, i) => expect(maxAbsDiff(ours[i]!, t.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5));

    // The other way: a TF.js graph built with lstm({ returnState: true }).
    const tx = tf.input({ shape: [5, 3] });
    const [, th, tc] = tf.layers.lstm({ units: 3, returnState: true, name: 'tlstm' }).apply(tx) as tf.SymbolicTensor[];
    const tout = tf.layers.dense({ units: 1, name: 'tout' }).apply(tf.layers.add().apply([th!, tc!])) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: tx, outputs: [tout, th!] });
    const loaded = await fromTfjs(tfModel);
    const want = tfModel.predict(tf.tensor(xs.dataSync(), [2, 5, 3])) as tf.Tensor[];
    const got = predictAll(loaded, xs);
    expect(got).toHaveLength(2);
    want.forEach((t, i) => expect(maxAbsDiff(got[i]!, t.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5));
  });
});

describe("an encoder's states as a decoder's initialState", () => {
  it('save with the states as node inputs, load back, load in TF.js 4.22 and load TF.js\'s, predicting the same', async () => {
    const enc = Input({ shape: [4, 3], name: 'enc_in' });
    const [, h, c] = new LSTM({ units: 3, returnState: true, name: 'encoder' }).applyWithState(enc);
    const dec = Input({ shape: [2, 3], name: 'dec_in' });
    const seq = new LSTM({ units: 3, returnSequences: true, name: 'decoder' }).apply(dec, { initialState: [h!, c!] });
    const model = new Model({ inputs: [enc, dec], outputs: new Dense({ units: 2, name: 'proj' }).apply(seq) });
    const { modelJSON, weightData } = model.toJSON();
    const decoderEntry = (modelJSON.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[] }[] } }).config.layers.find((l) => l.name === 'decoder')!;
    expect(decoderEntry.inbound_nodes).toEqual([[['dec_in', 0, 0, {}], ['encoder', 0, 1, {}], ['encoder', 0, 2, {}]]]);
    const xs = [randomNormal([2, 4, 3]), randomNormal([2, 2, 3])];
    const want = predictAll(model, xs)[0]!;
    expect(maxAbsDiff(predictAll(fromJSON<Model>(modelJSON, weightData), xs)[0]!, want)).toBeLessThan(1e-6);
    const rebuilt = Model.fromConfig(model.getConfig());
    rebuilt.setWeights(model.getWeights());
    expect(maxAbsDiff(predictAll(rebuilt, xs)[0]!, want)).toBeLessThan(1e-6);

    let artifacts: ModelArtifacts | null = null;
    await model.save(withSaveHandler((a) => void (artifacts = a)));
    const a = artifacts!;
    const tm = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(a.modelTopology)) as never, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData as ArrayBuffer }),
    );
    const tfXs = xs.map((x) => tf.tensor(x.dataSync() as Float32Array, [...x.shape]));
    expect(maxAbsDiff(want, (tm.predict(tfXs) as tf.Tensor).dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);

    // TF.js's own encoder-decoder.
    const te = tf.input({ shape: [4, 3] });
    const [, th, tc] = tf.layers.lstm({ units: 2, returnState: true }).apply(te) as tf.SymbolicTensor[];
    const td = tf.input({ shape: [2, 3] });
    const tout = tf.layers.lstm({ units: 2, returnSequences: true }).apply(td, { initialState: [th!, tc!] }) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: [te, td], outputs: tout });
    const loaded = await fromTfjs(tfModel);
    expect(maxAbsDiff(predictAll(loaded, xs)[0]!, (tfModel.predict(tfXs) as tf.Tensor).dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
  });
});

describe('Model.getConfig / Model.fromConfig', () => {
  it('round-trips a graph with two inputs, a shared layer, a nested Sequential and LSTM states', () => {
    const a = Input({ shape: [3], name: 'a' });
    const b = Input({ shape: [3], name: 'b' });
    const shared = new Dense({ units: 4, name: 'shared' });
    const tower = new Sequential([new Dense({ units: 3, activation: 'relu', inputShape: [4], name: 'tower_in' })], { name: 'tower' });
    const joined = concatenate([tower.apply(shared.apply(a)), tower.apply(shared.apply(b))]);
    const seq = Input({ shape: [2, 3], name: 'seq' });
    const [, h] = new LSTM({ units: 2, returnState: true, name: 'enc' }).applyWithState(seq);
    const out = new Dense({ units: 1, name: 'out' }).apply(concatenate([joined, h!]));
    const model = new Model({ inputs: [a, b, seq], outputs: out, name: 'net' });

    const config = model.getConfig();
    expect(config.name).toBe('net');
    expect(config.inputLayers).toEqual([['a', 0, 0], ['b', 0, 0], ['seq', 0, 0]]);
    expect(config.outputLayers).toEqual([['out', 0, 0]]);
    const entries = config.layers as { className: string; name: string; inboundNodes: unknown[]; config: Record<string, unknown> }[];
    const sharedEntry = entries.find((e) => e.name === 'shared')!;
    expect(sharedEntry.className).toBe('Dense');
    expect(sharedEntry.config.units).toBe(4);
    expect(sharedEntry.inboundNodes).toEqual([[['a', 0, 0, {}]], [['b', 0, 0, {}]]]);
    // The nested Sequential's calls count from 1 (its own inputs→outputs call is node 0).
    expect(entries.find((e) => e.name === 'tower')!.inboundNodes).toEqual([[['shared', 0, 0, {}]], [['shared', 1, 0, {}]]]);
    expect(entries.find((e) => e.name === 'out')!.inboundNodes).toEqual([[['concatenate_1', 0, 0, {}]]]);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);

    const rebuilt = Model.fromConfig(config);
    expect(rebuilt).toBeInstanceOf(Model);
    expect(rebuilt.name).toBe('net');
    expect(rebuilt.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(rebuilt.getConfig()).toEqual(config);
    expect(rebuilt.weights.map((w) => w.shape)).toEqual(model.weights.map((w) => w.shape));
    rebuilt.setWeights(model.getWeights());
    const xs = [randomNormal([4, 3]), randomNormal([4, 3]), randomNormal([4, 2, 3])];
    expect(maxAbsDiff(predictAll(rebuilt, xs)[0]!, predictAll(model, xs)[0]!)).toBeLessThan(1e-6);
  });

  it('takes the snake_case config of a model.json too, and refuses what is not a graph config', () => {
    const model = stateModel();
    const { modelJSON } = model.toJSON();
    const snake = (modelJSON.modelTopology as { config: Record<string, unknown> }).config;
    const rebuilt = Model.fromConfig(snake);
    expect(rebuilt.getConfig()).toEqual(model.getConfig());
    expect(() => Model.fromConfig(null as never)).toThrow(/^Model\.fromConfig: expected \{ name, layers, inputLayers, outputLayers \} \(what Model\.getConfig\(\) returns\), got null/);
    expect(() => Model.fromConfig({ name: 'x' })).toThrow(/^Model\.fromConfig: expected \{ name, layers, inputLayers, outputLayers \}.*got object/);
    expect(() => Model.fromConfig({ name: 'x', layers: [], inputLayers: [] })).toThrow(/^Model\.fromConfig: input_layers must be a non-empty list/);
  });
});

describe('a Keras 3 file whose nodes use the { args, kwargs } form', () => {
  // Written by hand after Keras 3's Functional.get_config(): each inbound node is { args, kwargs },
  // its tensors serialized as __keras_tensor__ with keras_history [layer, node, tensor]; a layer
  // given a list (Concatenate) has that list as args[0]; a single input's input_layers is one triple.
  const tensorRef = (layer: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] } });
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: cls === 'GlorotUniform' ? { seed: null } : {}, registered_name: null });
  const dense = (name: string, units: number, activation: string, inShape: (number | null)[], inbound: unknown[]) => ({
    module: 'keras.layers',
    class_name: 'Dense',
    config: { name, trainable: true, dtype: policy, units, activation, use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null },
    registered_name: null,
    build_config: { input_shape: inShape },
    name,
    inbound_nodes: inbound,
  });
  const modelJSON: ModelJSON = {
    format: 'layers-model',
    generatedBy: 'keras v3.6.0',
    convertedBy: null,
    modelTopology: {
      class_name: 'Functional',
      config: {
        name: 'functional',
        trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null, name: 'input_layer', inbound_nodes: [] },
          dense('dense', 4, 'relu', [null, 3], [{ args: [tensorRef('input_layer', [null, 3])], kwargs: {} }]),
          dense('dense_1', 2, 'linear', [null, 3], [{ args: [tensorRef('input_layer', [null, 3])], kwargs: {} }]),
          {
            module: 'keras.layers',
            class_name: 'Concatenate',
            config: { name: 'concatenate', trainable: true, dtype: policy, axis: -1 },
            registered_name: null,
            build_config: { input_shape: [[null, 4], [null, 2]] },
            name: 'concatenate',
            inbound_nodes: [{ args: [[tensorRef('dense', [null, 4]), tensorRef('dense_1', [null, 2])]], kwargs: {} }],
          },
          dense('dense_2', 1, 'sigmoid', [null, 6], [{ args: [tensorRef('concatenate', [null, 6])], kwargs: {} }]),
        ],
        input_layers: ['input_layer', 0, 0],
        output_layers: ['dense_2', 0, 0],
      },
      keras_version: '3.6.0',
      backend: 'tensorflow',
    },
  } as unknown as ModelJSON;

  it('loads and predicts as the same graph built by hand', () => {
    const x = Input({ shape: [3] });
    const byHand = new Model({
      inputs: x,
      outputs: new Dense({ units: 1, activation: 'sigmoid' }).apply(concatenate([new Dense({ units: 4, activation: 'relu' }).apply(x), new Dense({ units: 2 }).apply(x)])),
    });
    const weights = [
      tensor([[0.5, -1, 0.25, 2], [1, 0.5, -0.5, 0], [-1, 1, 1, 0.5]]),
      tensor([0.1, 0, -0.1, 0.2]),
      tensor([[1, -1], [0.5, 0.5], [-2, 1]]),
      tensor([0, 0.3]),
      tensor([[0.5], [-0.5], [1], [0.25], [-1], [2]]),
      tensor([-0.2]),
    ];
    const names = ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias'];
    const data = new Float32Array(weights.flatMap((w) => Array.from(w.dataSync())));
    const file = { ...modelJSON, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map((w, i) => ({ name: names[i]!, shape: [...w.shape], dtype: 'float32' })) }] };
    const loaded = fromJSON<Model>(JSON.stringify(file), data.buffer);
    expect(loaded.layers.map((l) => l.className)).toEqual(['InputLayer', 'Dense', 'Dense', 'Concatenate', 'Dense']);
    expect(loaded.getLayer('concatenate').inboundNodes[0]!.inputs.map((t) => t.sourceLayer.name)).toEqual(['dense', 'dense_1']);
    byHand.setWeights(weights);
    const xs = tensor([[1, 2, 3], [-1, 0.5, 0], [0, 0, 0]]);
    const got = loaded.predict(xs) as Tensor;
    expect(got.shape).toEqual([3, 1]);
    expect(maxAbsDiff(got, byHand.predict(xs) as Tensor)).toBeLessThan(1e-6);
    // x = [0, 0, 0]: relu(bias) = [0.1, 0, 0, 0.2], linear = [0, 0.3]; z = 0.05 + 0.05 + 2 · 0.3 - 0.2 = 0.5.
    expect((got.toArray() as number[][])[2]![0]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 6);
  });

  it("loads an encoder-decoder whose decoder gets the encoder's states in kwargs.initial_state", () => {
    const enc = Input({ shape: [3, 2], name: 'enc_in' });
    const [, h, c] = new LSTM({ units: 2, returnState: true, name: 'encoder' }).applyWithState(enc);
    const dec = Input({ shape: [2, 2], name: 'dec_in' });
    const byHand = new Model({ inputs: [enc, dec], outputs: new LSTM({ units: 2, name: 'decoder' }).apply(dec, { initialState: [h!, c!] }) });
    const lstm = (name: string, returnState: boolean, inbound: unknown[]) => ({
      module: 'keras.layers',
      class_name: 'LSTM',
      config: { name, trainable: true, dtype: policy, return_sequences: false, return_state: returnState, go_backwards: false, stateful: false, unroll: false, units: 2, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, unit_forget_bias: true, dropout: 0, recurrent_dropout: 0, seed: null },
      registered_name: null,
      build_config: { input_shape: [null, 3, 2] },
      name,
      inbound_nodes: inbound,
    });
    const input = (name: string, shape: number[]) => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, ...shape], dtype: 'float32', sparse: false, name }, registered_name: null, name, inbound_nodes: [] });
    const state = (i: number) => ({ class_name: '__keras_tensor__', config: { shape: [null, 2], dtype: 'float32', keras_history: ['encoder', 0, i] } });
    const file = {
      modelTopology: {
        class_name: 'Functional',
        config: {
          name: 'seq2seq',
          trainable: true,
          layers: [
            input('enc_in', [3, 2]),
            lstm('encoder', true, [{ args: [tensorRef('enc_in', [null, 3, 2])], kwargs: {} }]),
            input('dec_in', [2, 2]),
            lstm('decoder', false, [{ args: [tensorRef('dec_in', [null, 2, 2])], kwargs: { training: false, initial_state: [state(1), state(2)] } }]),
          ],
          input_layers: [['enc_in', 0, 0], ['dec_in', 0, 0]],
          output_layers: [['decoder', 0, 0]],
        },
      },
      weightsManifest: [{ paths: ['w.bin'], weights: byHand.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })) }],
    };
    const data = new Float32Array(byHand.getWeights().flatMap((w) => Array.from(w.dataSync())));
    const loaded = fromJSON<Model>(JSON.stringify(file), data.buffer);
    expect(loaded.getLayer('decoder').inboundNodes[0]!.inputs.map((t) => `${t.sourceLayer.name}:${t.index}`)).toEqual(['dec_in:0', 'encoder:1', 'encoder:2']);
    const xs = [randomNormal([2, 3, 2]), randomNormal([2, 2, 2])];
    expect(maxAbsDiff(predictAll(loaded, xs)[0]!, predictAll(byHand, xs)[0]!)).toBeLessThan(1e-6);
  });
});
