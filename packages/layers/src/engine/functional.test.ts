import { variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { matMul, setSeed, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { Add, add, BatchNormalization, Concatenate, concatenate, Dense, Embedding, Input, input, InputLayer } from '../layers/index.js';
import { expectTensor } from '../layers/test-utils/helpers.js';
import { Functional } from './container.js';
import { resetLayerNames } from './naming.js';
import { SymbolicTensor } from './symbolic.js';

beforeEach(() => {
  resetLayerNames();
  setSeed(7);
});

describe('Input and symbolic calls', () => {
  it('Input gives a symbolic tensor with a free batch axis, its dtype and name', () => {
    const x = Input({ shape: [28, 28, 1], name: 'image' });
    expect(x).toBeInstanceOf(SymbolicTensor);
    expect(x.shape).toEqual([null, 28, 28, 1]);
    expect(x.dtype).toBe('float32');
    expect(x.name).toBe('image');
    expect(x.sourceLayer).toBeInstanceOf(InputLayer);
    expect(x.sourceLayer.input).toBe(x);
    expect(x.sourceLayer.output).toBe(x);
    expect(x.sourceLayer.inputShape).toEqual([null, 28, 28, 1]);
    const ids = input({ shape: [5], batchSize: 8, dtype: 'int32' });
    expect(ids.shape).toEqual([8, 5]);
    expect(ids.dtype).toBe('int32');
    expect(Input({ batchShape: [null, 3] }).shape).toEqual([null, 3]);
  });

  it('apply is typed by its input: SymbolicTensor in, SymbolicTensor out; Tensor in, Tensor out', () => {
    const dense = new Dense({ units: 2 });
    expectTypeOf(dense.apply(Input({ shape: [3] }))).toEqualTypeOf<SymbolicTensor>();
    expectTypeOf(dense.apply(tensor([[1, 2, 3]]))).toEqualTypeOf<Tensor>();
    expectTypeOf(add([Input({ shape: [2] }), Input({ shape: [2] })])).toEqualTypeOf<SymbolicTensor>();
    expectTypeOf(add([tensor([1]), tensor([2])])).toEqualTypeOf<Tensor>();
    expect(dense.inboundNodes).toHaveLength(1);
  });

  it('Input rejects unknown options and a missing shape, naming them', () => {
    expect(() => Input({ shape: [3], shpe: [3] } as never)).toThrow("Input: unknown option 'shpe'");
    expect(() => Input({})).toThrow('Input: give exactly one of shape');
  });

  it('a layer called on a symbolic tensor is built then and returns the inferred shape and dtype', () => {
    const x = Input({ shape: [3] });
    const dense = new Dense({ units: 4 });
    const y = dense.apply(x);
    expect(y).toBeInstanceOf(SymbolicTensor);
    expect(y.shape).toEqual([null, 4]);
    expect(dense.built).toBe(true);
    expect(dense.weights.map((w) => w.shape)).toEqual([[3, 4], [4]]);
    expect(dense.input).toBe(x);
    expect(dense.output).toBe(y);
    expect(dense.inputShape).toEqual([null, 3]);
    expect(dense.outputShape).toEqual([null, 4]);
    expect(dense.inboundNodes).toHaveLength(1);
    expect(dense.inboundNodes[0]!.inboundLayers).toEqual([x.sourceLayer]);
    const ids = Input({ shape: [6], dtype: 'int32' });
    const emb = new Embedding({ inputDim: 10, outputDim: 2 }).apply(ids);
    expect(emb.shape).toEqual([null, 6, 2]);
    expect(emb.dtype).toBe('float32');
  });

  it('shape errors at graph construction name the layer and both shapes', () => {
    const dense = new Dense({ units: 2, name: 'head' });
    dense.apply(Input({ shape: [4] }));
    expect(() => dense.apply(Input({ shape: [3] }))).toThrow(/Dense 'head'.*\[null,4\].*\[null,3\]/);
    expect(() => add([Input({ shape: [3] }), Input({ shape: [4] })])).toThrow(/Add 'add'.*\[null,3\].*\[null,4\]/);
    expect(() => new Dense({ units: 2 }).apply([Input({ shape: [3] }), Input({ shape: [3] })])).toThrow('expects a single input tensor, got a list of 2');
  });

  it('a layer called twice has two nodes and ambiguous input/output', () => {
    const shared = new Dense({ units: 2, name: 'shared' });
    const a = shared.apply(Input({ shape: [3] }));
    const b = shared.apply(Input({ shape: [3] }));
    expect(shared.inboundNodes).toHaveLength(2);
    expect(shared.getOutputAt(0)).toBe(a);
    expect(shared.getOutputAt(1)).toBe(b);
    expect(() => shared.output).toThrow("Dense 'shared': the layer was called 2 times on symbolic tensors, so output is ambiguous; use getOutputAt(nodeIndex)");
    expect(() => new Dense({ units: 1 }).output).toThrow('never was');
  });
});

describe('Functional', () => {
  it('runs its layers on real tensors like the same calls by hand', () => {
    const x = Input({ shape: [3] });
    const d1 = new Dense({ units: 4, activation: 'relu' });
    const d2 = new Dense({ units: 2 });
    const model = new Functional({ inputs: x, outputs: d2.apply(d1.apply(x)) });
    const data = tensor([[1, 2, 3], [-1, 0.5, 2]]);
    const expected = d2.apply(d1.apply(data));
    expectTensor(model.apply(data), [2, 2], Array.from(expected.dataSync()));
    expect(model.layers.map((l) => l.name)).toEqual(['input_layer', 'dense', 'dense_1']);
    expect(model.getLayer(1)).toBe(d1);
    expect(model.getLayer('dense_1')).toBe(d2);
    expect(() => model.getLayer('nope')).toThrow("getLayer: no layer named 'nope' in model 'functional'");
    expect(model.weights).toHaveLength(4);
    expect(model.countParams()).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect(() => model.apply(tensor([[1, 2]]))).toThrow("Functional 'functional': expected input shape [null,3], got [1,2]");
  });

  it('takes several inputs (array or object) and concatenates them', () => {
    const a = Input({ shape: [2], name: 'a' });
    const b = Input({ shape: [1], name: 'b' });
    const y = new Concatenate().apply([a, b]);
    const model = new Functional({ inputs: { left: a, right: b }, outputs: y });
    expect(model.inputNames).toEqual(['left', 'right']);
    expect(model.outputNames).toEqual(['concatenate']);
    expectTensor(model.apply([tensor([[1, 2]]), tensor([[3]])]), [1, 3], [1, 2, 3]);
    expect(() => model.apply(tensor([[1, 2]]))).toThrow("expects 2 input tensors (left, right), got 1");
  });

  it('a shared layer has one set of weights, and its gradient is the sum over its uses (finite differences)', () => {
    const shared = new Dense({ units: 2, useBias: false, name: 'shared' });
    const x1 = Input({ shape: [3] });
    const x2 = Input({ shape: [3] });
    const y = new Dense({ units: 1, useBias: false, activation: 'tanh', name: 'out' }).apply(new Add().apply([shared.apply(x1), new Dense({ units: 2, activation: 'tanh' }).apply(shared.apply(x2))]));
    const model = new Functional({ inputs: [x1, x2], outputs: y });
    expect(model.layers.filter((l) => l === shared)).toHaveLength(1);
    expect(model.weights.filter((w) => w.name === 'shared/kernel')).toHaveLength(1);
    const a = tensor([[0.5, -1, 2], [1, 1, -0.5]]);
    const b = tensor([[-0.3, 0.2, 0.7], [2, -1, 0.1]]);
    const kernel = shared.weights[0]!;
    const loss = (): number => sum(model.apply([a, b])).item();
    const { grads } = variableGrads(() => sum(model.apply([a, b])), [kernel]);
    const g = grads.get(kernel)!.dataSync();
    const base = kernel.dataSync();
    const eps = 1e-2;
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      plus[i]! += eps;
      kernel.assign(tensor(plus, [3, 2]));
      const up = loss();
      const minus = Float32Array.from(base);
      minus[i]! -= eps;
      kernel.assign(tensor(minus, [3, 2]));
      const down = loss();
      kernel.assign(tensor(base, [3, 2]));
      expect(g[i]!).toBeCloseTo((up - down) / (2 * eps), 2);
    }
  });

  it('feature extraction: a model from the inputs to an intermediate output', () => {
    const x = Input({ shape: [2] });
    const hidden = new Dense({ units: 3, activation: 'relu', name: 'hidden' });
    const base = new Functional({ inputs: x, outputs: new Dense({ units: 1 }).apply(hidden.apply(x)) });
    const features = new Functional({ inputs: base.inputs, outputs: base.getLayer('hidden').output });
    const data = tensor([[1, -2], [0.5, 0.5]]);
    expectTensor(features.apply(data), [2, 3], Array.from(hidden.apply(data).dataSync()));
    expect(features.layers.map((l) => l.name)).toEqual(['input_layer', 'hidden']);
  });

  it('nests: a model called on symbolic tensors inside another; trainable = false freezes it and its BatchNormalization', () => {
    const innerIn = Input({ shape: [2] });
    const bn = new BatchNormalization();
    const inner = new Functional({ inputs: innerIn, outputs: bn.apply(new Dense({ units: 3, name: 'inner_dense' }).apply(innerIn)), name: 'inner' });
    const x = Input({ shape: [2] });
    const head = new Dense({ units: 1, name: 'head' });
    const outer = new Functional({ inputs: x, outputs: head.apply(inner.apply(x)) });
    expect(outer.layers.map((l) => l.name)).toEqual(['input_layer_1', 'inner', 'head']);
    expect(outer.weights).toHaveLength(2 + 4 + 2);
    const data = tensor([[1, 2], [3, -1]]);
    expectTensor(outer.apply(data), [2, 1], Array.from(head.apply(inner.apply(data)).dataSync()));
    inner.trainable = false;
    expect(outer.trainableWeights.map((w) => w.name)).toEqual(['head/kernel', 'head/bias']);
    const before = Array.from(bn.weights[2]!.dataSync());
    outer.apply(data, { training: true });
    // A frozen BatchNormalization runs in inference mode: its moving mean does not move.
    expect(Array.from(bn.weights[2]!.dataSync())).toEqual(before);
    inner.trainable = true;
    outer.apply(data, { training: true });
    expect(Array.from(bn.weights[2]!.dataSync())).not.toEqual(before);
  });

  it('rejects graphs whose outputs need an input that was not given, and duplicate layer names', () => {
    const a = Input({ shape: [2], name: 'a' });
    const b = Input({ shape: [2], name: 'b' });
    const y = add([a, b]);
    expect(() => new Functional({ inputs: a, outputs: y })).toThrow("depends on input 'b', which is not among the model's inputs ('a')");
    const x = Input({ shape: [2] });
    const h = new Dense({ units: 2, name: 'same' }).apply(x);
    expect(() => new Functional({ inputs: x, outputs: new Dense({ units: 2, name: 'same' }).apply(h) })).toThrow("two different layers are named 'same'");
    expect(() => new Functional({ inputs: tensor([1]) as never, outputs: h })).toThrow('inputs must be a symbolic tensor');
    expect(() => new Functional({ inputs: h, outputs: h })).toThrow("inputs[0] is the output of layer 'same'");
  });

  it('a model with several outputs nests with applyOutputs, symbolic and real', () => {
    const innerIn = Input({ shape: [2] });
    const p = new Dense({ units: 3, name: 'p' });
    const q = new Dense({ units: 1, name: 'q' });
    const inner = new Functional({ inputs: innerIn, outputs: [p.apply(innerIn), q.apply(innerIn)], name: 'two_out' });
    const x = Input({ shape: [2] });
    expect(() => inner.apply(x)).toThrow("Functional 'two_out': apply gives one tensor, but the model has 2 outputs (p, q); use applyOutputs()");
    const [a, b] = inner.applyOutputs(x);
    expect([a!.shape, b!.shape, a!.index, b!.index]).toEqual([[null, 3], [null, 1], 0, 1]);
    const outer = new Functional({ inputs: x, outputs: new Concatenate().apply([a!, b!]) });
    expect(outer.tensorKey(b!)).toEqual(['two_out', 1, 1]);
    const data = tensor([[1, -1], [0.5, 2]]);
    const [pa, qb] = inner.applyOutputs(data);
    expectTensor(outer.apply(data), [2, 4], [0, 1].flatMap((r) => [...Array.from(pa!.dataSync()).slice(r * 3, r * 3 + 3), qb!.dataSync()[r]!]));
  });

  it('a multi-output graph runs with runGraph and refuses a one-tensor apply', () => {
    const x = Input({ shape: [2] });
    const y1 = new Dense({ units: 1, name: 'y1' }).apply(x);
    const y2 = new Dense({ units: 3, name: 'y2' }).apply(x);
    const model = new Functional({ inputs: x, outputs: [y1, y2] });
    const [o1, o2] = model.runGraph([tensor([[1, 1]])]);
    expect(o1!.shape).toEqual([1, 1]);
    expect(o2!.shape).toEqual([1, 3]);
    expect(() => model.apply(tensor([[1, 1]]))).toThrow('the model has 2 outputs (y1, y2)');
    const w = model.getLayer('y1').weights[0]!;
    expectTensor(o1!, [1, 1], Array.from(matMul(tensor([[1, 1]]), w).add(model.getLayer('y1').weights[1]!).dataSync()));
  });
});

it('README example (Functional API section), run as written', () => {
  const a = Input({ shape: [3], name: 'a' });
  const b = Input({ shape: [3], name: 'b' });
  const shared = new Dense({ units: 4, activation: 'relu' });
  const h = concatenate([shared.apply(a), shared.apply(b)]);
  expect(h.shape).toEqual([null, 8]);
  const y = new Dense({ units: 1 }).apply(add([h, h]));
  const graph = new Functional({ inputs: [a, b], outputs: y });
  expect(graph.apply([tensor([[1, 2, 3]]), tensor([[0, 1, 0]])]).shape).toEqual([1, 1]);
  expect(shared.inboundNodes.length).toBe(2);
  expect(graph.getLayer('dense').weights.length).toBe(2);
});
