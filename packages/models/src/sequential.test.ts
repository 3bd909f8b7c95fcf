import { BatchNormalization, Dense, Dropout, Input, resetLayerNames } from '@descent/layers';
import { Model } from './functional/model.js';
import { fromJSON } from './io/load.js';
import { variableGrads } from '@descent/autograd';
import { setSeed, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from './sequential.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(7);
});

describe('Sequential structure', () => {
  it('names models, builds from the first layer inputShape, and lists layers', () => {
    const a = new Sequential();
    const b = new Sequential([], { name: 'mine' });
    const c = new Sequential({ name: 'cfg', layers: [new Dense({ units: 2, inputShape: [3] })] });
    expect([a.name, b.name, c.name]).toEqual(['sequential', 'mine', 'cfg']);
    expect(c.built).toBe(true);
    expect(c.inputShape).toEqual([null, 3]);
    expect(c.outputShape).toEqual([null, 2]);
    expect(c.layers.map((l) => l.name)).toEqual(['dense']);
  });

  it('add builds new layers once the shape is known; pop removes the last', () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] })]);
    m.add(new Dense({ units: 2 }));
    expect(m.outputShape).toEqual([null, 2]);
    expect(m.getLayer(1).built).toBe(true);
    // 4·3 + 3 and 3·2 + 2 parameters.
    expect(m.countParams()).toBe(15 + 8);
    const popped = m.pop();
    expect(popped.name).toBe('dense_1');
    expect(m.outputShape).toEqual([null, 3]);
    expect(m.countParams()).toBe(15);
  });

  it('rejects duplicate names, non-layers and unknown lookups clearly', () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [2], name: 'd' })]);
    expect(() => m.add(new Dense({ units: 1, name: 'd' }))).toThrow(/a layer named 'd' is already in model 'sequential'/);
    expect(() => m.add({} as never)).toThrow(/Sequential.add: expected a Layer, got object/);
    expect(() => m.getLayer('nope')).toThrow(/no layer named 'nope' in model 'sequential' \(layers: d\)/);
    expect(() => m.getLayer(3)).toThrow(/index 3 is out of range; model 'sequential' has 1 layers/);
    expect(m.getLayer(-1).name).toBe('d');
    expect(() => new Sequential().pop()).toThrow(/has no layers/);
  });

  it('build(inputShape) builds a model without declared input shape', () => {
    const m = new Sequential([new Dense({ units: 2 })]);
    expect(m.built).toBe(false);
    expect(() => m.summary()).toThrow(/not built yet/);
    expect(() => m.build()).toThrow(/does not know its input shape/);
    m.build([null, 5]);
    expect(m.countParams()).toBe(5 * 2 + 2);
  });

  it('prints the Keras summary table with trainable and non-trainable totals', () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] }), new BatchNormalization(), new Dropout({ rate: 0.5 }), new Dense({ units: 2 })], { name: 'net' });
    const lines: string[] = [];
    m.summary({ printFn: (l) => lines.push(l) });
    // Dense 4·3+3 = 15, BN gamma+beta 2·3 = 6 trainable and moving mean/var 2·3 = 6 not, Dense 3·2+2 = 8.
    expect(lines).toEqual([
      'Model: "net"',
      '_'.repeat(65),
      ' Layer (type)                Output Shape              Param #',
      '='.repeat(65),
      ' dense (Dense)               (None, 3)                 15',
      '',
      ' batch_normalization (BatchN (None, 3)                 12',
      '',
      ' dropout (Dropout)           (None, 3)                 0',
      '',
      ' dense_1 (Dense)             (None, 2)                 8',
      '='.repeat(65),
      'Total params: 35 (140 B)',
      'Trainable params: 29 (116 B)',
      'Non-trainable params: 6 (24 B)',
      '_'.repeat(65),
    ]);
  });

  it('getWeights returns copies; setWeights checks count and shapes', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [1] })]);
    const before = m.getWeights();
    m.setWeights([tensor([[1, 2]]), tensor([3, 4])]);
    expect(before[0]!.toArray()).not.toEqual([[1, 2]]);
    expect(m.getWeights().map((w) => w.toArray())).toEqual([[[1, 2]], [3, 4]]);
    expect(m.predict(tensor([[2]])).toArray()).toEqual([[5, 8]]);
    expect(() => m.setWeights([tensor([1])])).toThrow(/model 'sequential' has 2 weights, got 1 tensors/);
    expect(() => m.setWeights([tensor([[1, 2, 3]]), tensor([3, 4])])).toThrow(/weight 'dense\/kernel' of layer 'dense' has shape \[1,2\], got \[1,3\]/);
  });

  it('compile resolves names now, so a typo fails at compile', () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    expect(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(/adam/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredEror' })).toThrow(/meanSquaredError/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy'] })).toThrow(/accuracy/);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.5 } }, loss: 'mse', metrics: ['mae'] });
    expect(m.optimizer!.currentLearningRate()).toBe(0.5);
    expect(m.metrics.map((x) => x.name)).toEqual(['mae']);
    expect(() => new Sequential([new Dense({ units: 1, inputShape: [1] })]).evaluate([[1]], [[1]])).toThrow(/must be compiled first/);
  });

  it('predict batches the input and matches predictOnBatch; checks the input shape', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [3], activation: 'tanh' })]);
    const x = tensor([[1, 2, 3], [0, -1, 2], [4, 0, 1], [1, 1, 1], [0, 0, 0]]);
    const all = m.predictOnBatch(x).dataSync();
    const batched = m.predict(x, { batchSize: 2 });
    expect(batched.shape).toEqual([5, 2]);
    const b = batched.dataSync();
    for (let i = 0; i < all.length; i++) expect(b[i]).toBeCloseTo(all[i]!, 6);
    expect(() => m.predict(tensor([[1, 2]]))).toThrow(/predict: input shape mismatch: model 'sequential' expects \[null,3\], got x of shape \[1,2\]/);
  });
});

describe('Sequential.apply', () => {
  it('runs the model as a function and differentiates through it in a custom loop', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', biasInitializer: 'zeros' })]);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    // y = x·W + b with W all ones: each row sums its inputs.
    expect(m.apply(x).toArray()).toEqual([[6, 6], [15, 15]]);
    expect(m.apply([[1, 1, 1]]).toArray()).toEqual([[3, 3]]);
    // loss = Σ y: dL/dW[i][j] = Σ_rows x[row][i], dL/db[j] = number of rows.
    const { value, grads } = variableGrads(() => sum(m.apply(x, { training: true })));
    expect(value.item()).toBe(42);
    const [gw, gb] = m.trainableWeights.map((w) => grads.get(w)!.toArray());
    expect(gw).toEqual([[5, 5], [7, 7], [9, 9]]);
    expect(gb).toEqual([2, 2]);
  });

  it('checks its input and options', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    expect(() => m.apply(tensor([[1, 2]]))).toThrow(/apply: input shape mismatch: model 'sequential' expects \[null,3\], got x of shape \[1,2\]/);
    expect(() => m.apply(tensor([[1, 2, 3]]), { training: 'yes' as never })).toThrow(/apply: training must be true or false, got yes/);
  });
});

describe('Sequential is a Model (a chain is a graph)', () => {
  it('is a Model whose graph follows build, add and pop', () => {
    const m = new Sequential([new Dense({ units: 3 })]);
    expect(m).toBeInstanceOf(Model);
    expect(m.built).toBe(false);
    expect(m.inputs).toEqual([]);
    expect(() => m.inputShape).toThrow(/inputShape: model 'sequential' does not know its input shape yet/);
    m.build([null, 4]);
    expect(m.inputs.map((t) => t.shape)).toEqual([[null, 4]]);
    expect(m.outputs.map((t) => t.shape)).toEqual([[null, 3]]);
    expect(m.outputNames).toEqual(['dense']);
    m.add(new Dense({ units: 2 }));
    expect(m.outputs[0]!.shape).toEqual([null, 2]);
    expect(m.outputs[0]!.sourceLayer).toBe(m.getLayer(1));
    m.pop();
    expect(m.outputs[0]!.sourceLayer).toBe(m.getLayer(0));
    m.pop();
    expect(m.built).toBe(false);
    expect(m.inputs).toEqual([]);
  });

  it('gives intermediate activations through a graph Model on its layers (feature extraction)', () => {
    const first = new Dense({ units: 2, kernelInitializer: 'ones', useBias: false, inputShape: [3] });
    const m = new Sequential([first, new Dense({ units: 1, activation: 'sigmoid' })]);
    const features = new Model({ inputs: m.inputs, outputs: first.output });
    // ones(3x2) kernel: each feature is the row sum, 1 + 2 + 3 = 6.
    expect(Array.from((features.predict(tensor([[1, 2, 3]])) as ReturnType<typeof tensor>).dataSync())).toEqual([6, 6]);
  });

  it('loads as a Sequential from a Sequential file and as a plain Model from a graph file', () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    const { modelJSON, weightData } = m.toJSON();
    const back = fromJSON(modelJSON, weightData);
    expect(back).toBeInstanceOf(Sequential);
    expect(back).toBeInstanceOf(Model);
    const x = Input({ shape: [3] });
    const graph = new Model({ inputs: x, outputs: new Dense({ units: 2 }).apply(x) });
    const saved = graph.toJSON();
    const graphBack = fromJSON(saved.modelJSON, saved.weightData);
    expect(graphBack).toBeInstanceOf(Model);
    expect(graphBack).not.toBeInstanceOf(Sequential);
  });

  it('trains through the graph model trainer with the same numbers as a hand-written step', () => {
    const m = new Sequential([new Dense({ units: 1, kernelInitializer: 'zeros', biasInitializer: 'zeros', inputShape: [2] })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.5 } }, loss: 'meanSquaredError' });
    // Zero weights: prediction 0, loss mean((0 − y)²) = (1 + 9) / 2 = 5. Gradient of the bias: mean(2(0 − y)) = −4,
    // so one SGD step moves the bias to 0 + 0.5·4 = 2.
    const logs = m.trainOnBatch(tensor([[1, 0], [0, 1]]), tensor([[1], [3]]));
    expect(logs.loss).toBeCloseTo(5, 6);
    expect(m.getLayer(0).getWeights()[1]!.dataSync()[0]).toBeCloseTo(2, 6);
  });
});
