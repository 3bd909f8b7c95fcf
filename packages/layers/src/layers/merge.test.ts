import { gradCheck, variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add as addOp, mul, sum, tensor, zeros } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallKwargs, InputSpec, LayerInputs, LayerInputShapes } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer } from '../engine/registry.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { Dense, Dropout, LSTM } from './index.js';
import { Add, add, Average, average, Concatenate, concatenate, Dot, dot, Maximum, maximum, Minimum, minimum, Multiply, multiply, Subtract, subtract } from './merge.js';
import { expectTensor } from './test-utils/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
});

const a = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]]);
const b = (): Tensor => tensor([[10, 20, 30], [40, 50, 60]]);
const c = (): Tensor => tensor([[-1, 0, 2], [3, -2, 1]]);
const d = (): Tensor => tensor([[2, 1, 3.5], [0, 6, -1]]);

describe('element-wise merges (hand-computed)', () => {
  it('Add, Subtract, Multiply, Average, Maximum, Minimum on equal shapes', () => {
    expectTensor(new Add().apply([a(), b(), c()]), [2, 3], [[10, 22, 35], [47, 53, 67]]);
    expectTensor(new Subtract().apply([a(), b()]), [2, 3], [[-9, -18, -27], [-36, -45, -54]]);
    expectTensor(new Multiply().apply([a(), b(), c()]), [2, 3], [[-10, 0, 180], [480, -500, 360]]);
    expectTensor(new Average().apply([a(), b(), c()]), [2, 3], [[10 / 3, 22 / 3, 35 / 3], [47 / 3, 53 / 3, 67 / 3]]);
    expectTensor(new Maximum().apply([a(), c(), d()]), [2, 3], [[2, 2, 3.5], [4, 6, 6]]);
    expectTensor(new Minimum().apply([a(), c(), d()]), [2, 3], [[-1, 0, 2], [0, -2, -1]]);
  });

  it('the functional helpers apply a fresh layer', () => {
    expectTensor(add([a(), b()]), [2, 3], [[11, 22, 33], [44, 55, 66]]);
    expectTensor(subtract([b(), a()]), [2, 3], [[9, 18, 27], [36, 45, 54]]);
    expectTensor(multiply([a(), a()]), [2, 3], [[1, 4, 9], [16, 25, 36]]);
    expectTensor(average([a(), b()]), [2, 3], [[5.5, 11, 16.5], [22, 27.5, 33]]);
    expectTensor(maximum([a(), d()]), [2, 3], [[2, 2, 3.5], [4, 6, 6]]);
    expectTensor(minimum([a(), d()]), [2, 3], [[1, 1, 3], [0, 5, -1]]);
    expectTensor(concatenate([a(), b()], { axis: 0 }), [4, 3], [[1, 2, 3], [4, 5, 6], [10, 20, 30], [40, 50, 60]]);
    expectTensor(dot([a(), b()]), [2, 1], [[140], [770]]);
  });

  it('a lower-rank input gets its size-1 axes after the batch axis (Keras), not before it', () => {
    const y = tensor([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]]);
    // Sample 0 adds [1,2,3] to both rows of y[0]; plain broadcasting would add a[1] to the second row.
    expectTensor(new Add().apply([a(), y]), [2, 2, 3], [[[2, 3, 4], [3, 4, 5]], [[7, 8, 9], [8, 9, 10]]]);
    expectTensor(new Subtract().apply([y, a()]), [2, 2, 3], [[[0, -1, -2], [1, 0, -1]], [[-1, -2, -3], [0, -1, -2]]]);
  });

  it('size-1 axes broadcast', () => {
    const p = tensor([[10], [20]]);
    expectTensor(new Add().apply([p, a()]), [2, 3], [[11, 12, 13], [24, 25, 26]]);
    expectTensor(new Multiply().apply([a(), p]), [2, 3], [[10, 20, 30], [80, 100, 120]]);
    expectTensor(new Maximum().apply([tensor([[2.5], [4.5]]), a()]), [2, 3], [[2.5, 2.5, 3], [4.5, 5, 6]]);
  });

  it('dtypes: int32 stays int32, float32 wins, Average is float32', () => {
    const i = tensor([[1, 2], [3, 4]], undefined, 'int32');
    expect(new Add().apply([i, i]).dtype).toBe('int32');
    expect(new Maximum().apply([i, i]).dtype).toBe('int32');
    const mixed = new Add().apply([i, tensor([[0.5, 0.5], [0.5, 0.5]])]);
    expectTensor(mixed, [2, 2], [[1.5, 2.5], [3.5, 4.5]]);
    expect(mixed.dtype).toBe('float32');
    const avg = new Average().apply([i, tensor([[2, 2], [2, 2]], undefined, 'int32')]);
    expect(avg.dtype).toBe('float32');
    expectTensor(avg, [2, 2], [[1.5, 2], [2.5, 3]]);
    const cat = new Concatenate().apply([i, tensor([[0.5], [1.5]])]);
    expect(cat.dtype).toBe('float32');
    expectTensor(cat, [2, 3], [[1, 2, 0.5], [3, 4, 1.5]]);
  });
});

describe('Concatenate (hand-computed)', () => {
  it('axis -1 (default) and axis 1', () => {
    expectTensor(new Concatenate().apply([a(), tensor([[7, 8], [9, 10]])]), [2, 5], [[1, 2, 3, 7, 8], [4, 5, 6, 9, 10]]);
    const u = tensor([[[1, 2]], [[3, 4]]]);
    const v = tensor([[[5, 6], [7, 8]], [[9, 10], [11, 12]]]);
    expectTensor(new Concatenate({ axis: 1 }).apply([u, v]), [2, 3, 2], [[[1, 2], [5, 6], [7, 8]], [[3, 4], [9, 10], [11, 12]]]);
    expectTensor(new Concatenate({ axis: -1 }).apply([u, tensor([[[0]], [[-1]]])]), [2, 1, 3], [[[1, 2, 0]], [[3, 4, -1]]]);
  });
});

describe('Dot (hand-computed)', () => {
  it('axes 1 on [b, n] inputs gives [b, 1]', () => {
    expectTensor(new Dot({ axes: 1 }).apply([a(), b()]), [2, 1], [[140], [770]]);
    expectTensor(new Dot({ axes: -1 }).apply([a(), c()]), [2, 1], [[5], [8]]);
  });

  it('axes [1, 2] contracts axis 1 of the first input with axis 2 of the second', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    const y = tensor([[[1, 0], [0, 1], [1, 1]]]);
    expectTensor(new Dot({ axes: [1, 2] }).apply([x, y]), [1, 3, 3], [[[1, 4, 5], [2, 5, 7], [3, 6, 9]]]);
    // Keras's documented example: arange(10) as [1,5,2] with arange(10,20) as [1,2,5].
    const k1 = tensor(Array.from({ length: 10 }, (_, i) => i), [1, 5, 2]);
    const k2 = tensor(Array.from({ length: 10 }, (_, i) => 10 + i), [1, 2, 5]);
    expectTensor(new Dot({ axes: [1, 2] }).apply([k1, k2]), [1, 2, 2], [[[260, 360], [320, 445]]]);
  });

  it('axes -1 on rank-3 inputs: per-sample x·yᵀ', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    const y = tensor([[[1, 0, 1], [0, 1, 0]]]);
    expectTensor(new Dot({ axes: -1 }).apply([x, y]), [1, 2, 2], [[[4, 2], [10, 5]]]);
  });

  it('normalize: true gives the cosine similarity; an all-zero sample gives 0, not NaN', () => {
    const x = tensor([[3, 4], [1, 0], [0, 0]]);
    const y = tensor([[4, 3], [0, 2], [1, 1]]);
    expectTensor(new Dot({ axes: 1, normalize: true }).apply([x, y]), [3, 1], [[0.96], [0], [0]], 1e-6);
  });
});

it('a batch of 0 samples gives an empty output of the right shape', () => {
  expect(new Add().apply([zeros([0, 3]), zeros([0, 2, 3])]).shape).toEqual([0, 2, 3]);
  expect(new Concatenate().apply([zeros([0, 3]), zeros([0, 2])]).shape).toEqual([0, 5]);
  expect(new Dot({ axes: 1 }).apply([zeros([0, 3]), zeros([0, 3])]).shape).toEqual([0, 1]);
  expect(new Dot({ axes: [1, 2], normalize: true }).apply([zeros([0, 2, 3]), zeros([0, 4, 2])]).shape).toEqual([0, 3, 4]);
});

describe('gradients through every merge layer (gradCheck)', () => {
  const x1 = tensor([[0.3, -1.2, 0.8], [1.5, 0.4, -0.7]]);
  const x2 = tensor([[-0.5, 0.9, 1.1], [0.2, -1.4, 0.6]]);
  const x3 = tensor([[1.7, 0.1, -0.2], [-0.9, 1.0, 2.0]]);
  const col = tensor([[0.7], [-1.3]]);
  const deep = tensor([[[0.5, -0.4, 1.2], [0.9, 0.3, -1.1]], [[-0.6, 1.4, 0.2], [0.8, -0.3, 0.4]]]);
  const on = (layer: Layer) => (...xs: Tensor[]): Tensor => layer.apply(xs);

  it('Add, Subtract, Multiply, Average (with broadcasting)', () => {
    gradCheck(on(new Add()), [x1, x2, x3]);
    gradCheck(on(new Add()), [x1, deep]);
    gradCheck(on(new Subtract()), [deep, x2]);
    gradCheck(on(new Multiply()), [x1, col, x3]);
    gradCheck(on(new Average()), [x1, deep, col]);
  });

  it('Maximum and Minimum (values kept apart, away from ties)', () => {
    gradCheck(on(new Maximum()), [x1, x2, x3]);
    gradCheck(on(new Minimum()), [x1, x2, x3]);
    gradCheck(on(new Maximum()), [x1, col]);
  });

  it('Concatenate on axis -1 and 1', () => {
    gradCheck(on(new Concatenate()), [x1, col, x2]);
    gradCheck(on(new Concatenate({ axis: 1 })), [deep, tensor([[[0.1, 0.2, 0.3]], [[-0.4, 0.5, -0.6]]])]);
  });

  it('Dot with axes 1, [1, 2], -1 and normalize', () => {
    gradCheck(on(new Dot({ axes: 1 })), [x1, x2]);
    gradCheck(on(new Dot({ axes: [1, 2] })), [deep, tensor([[[0.2, -0.5], [1.1, 0.3], [-0.7, 0.9]], [[0.4, 0.6], [-1.2, 0.8], [0.5, -0.1]]])]);
    gradCheck(on(new Dot({ axes: -1 })), [deep, deep.mul(0.5)]);
    gradCheck(on(new Dot({ axes: 1, normalize: true })), [x1, x2]);
    gradCheck(on(new Dot({ axes: [2, 1], normalize: true })), [deep, tensor([[[0.2, -0.5], [1.1, 0.3], [-0.7, 0.9]], [[0.4, 0.6], [-1.2, 0.8], [0.5, -0.1]]])]);
  });
});

describe('shapes: computeOutputShape and build-time errors (Keras rules)', () => {
  it('infers output shapes from symbolic input shapes', () => {
    expect(new Add().computeOutputShape([[null, 3], [null, 2, 3]])).toEqual([null, 2, 3]);
    expect(new Add().computeOutputShape([[null, 3], [4, 3]])).toEqual([4, 3]);
    expect(new Multiply().computeOutputShape([[null, null], [null, 3]])).toEqual([null, 3]);
    expect(new Maximum().computeOutputShape([[null, 1], [null, null]])).toEqual([null, null]);
    expect(new Subtract().computeOutputShape([[null, 1, 5], [null, 4, 1]])).toEqual([null, 4, 5]);
    expect(new Concatenate().computeOutputShape([[null, 3], [null, 2]])).toEqual([null, 5]);
    expect(new Concatenate().computeOutputShape([[null, 3], [null, null]])).toEqual([null, null]);
    expect(new Concatenate({ axis: 1 }).computeOutputShape([[null, 2, null], [null, 3, 4]])).toEqual([null, 5, 4]);
    expect(new Dot({ axes: 1 }).computeOutputShape([[null, 3], [null, 3]])).toEqual([null, 1]);
    expect(new Dot({ axes: [1, 2] }).computeOutputShape([[null, 2, 3], [null, 5, 2]])).toEqual([null, 3, 5]);
    expect(new Dot({ axes: -1 }).computeOutputShape([[null, 2, 3], [8, 4, 3]])).toEqual([8, 2, 4]);
  });

  it('build receives one shape per input and checks them, naming the layer and every shape', () => {
    const layer = new Add({ name: 'sum' });
    expect(() => layer.build([[null, 3], [null, 4]])).toThrow(
      "Add 'sum': inputs cannot be broadcast together (sizes 3 and 4 on axis -1 counted from the end): got input shapes [null,3], [null,4]",
    );
    expect(layer.built).toBe(false);
    layer.build([[null, 3], [null, 3]]);
    expect(layer.builtInputShape).toEqual([[null, 3], [null, 3]]);
    expect(() => new Add({ name: 'sum' }).apply([a(), tensor([[1, 2, 3]])])).toThrow("Add 'sum': inputs have different batch sizes: got input shapes [2,3], [1,3]");
    expect(() => new Multiply({ name: 'm' }).apply([a(), tensor([[[1, 2]], [[3, 4]]])])).toThrow(
      "Multiply 'm': inputs cannot be broadcast together (sizes 3 and 2 on axis -1 counted from the end): got input shapes [2,3], [2,1,2]",
    );
    expect(() => new Add({ name: 's' }).apply([tensor(1), tensor(2)])).toThrow("Add 's': every input needs a batch axis (rank ≥ 1): got input shapes [], []");
  });

  it('a built layer checks the shapes of every call too', () => {
    const layer = new Add({ name: 'sum' });
    layer.apply([a(), b()]);
    expect(() => layer.apply([a(), tensor([[1, 2], [3, 4]])])).toThrow("Add 'sum': inputs cannot be broadcast together (sizes 3 and 2 on axis -1 counted from the end): got input shapes [2,3], [2,2]");
  });

  it('Concatenate errors', () => {
    expect(() => new Concatenate({ name: 'cat' }).apply([a(), tensor([[1, 2], [3, 4], [5, 6]])])).toThrow(
      "Concatenate 'cat': inputs must have the same size on every axis but the concatenation axis -1 (sizes 2 and 3 on axis 0): got input shapes [2,3], [3,2]",
    );
    expect(() => new Concatenate({ name: 'cat' }).computeOutputShape([[null, 3], [null, 2, 3]])).toThrow("Concatenate 'cat': inputs must all have the same rank: got input shapes [null,3], [null,2,3]");
    expect(() => new Concatenate({ name: 'cat', axis: 2 }).apply([a(), b()])).toThrow("Concatenate 'cat': axis 2 is out of range for inputs of rank 2: got input shapes [2,3], [2,3]");
    expect(() => new Concatenate({ axis: 1.5 })).toThrow('Concatenate: axis must be an integer, got 1.5');
    expect(() => new Concatenate({ axes: 1 } as never)).toThrow(/^Concatenate: unknown option 'axes'\. Did you mean 'axis'\?/);
  });

  it('Dot errors', () => {
    expect(() => new Dot({ name: 'dot', axes: 1 }).apply([a(), tensor([[1, 2], [3, 4]])])).toThrow(
      "Dot 'dot': axes 1 contract sizes 3 (axis 1 of the first input) and 2 (axis 1 of the second), which differ: got input shapes [2,3], [2,2]",
    );
    expect(() => new Dot({ name: 'dot', axes: [1, 2] }).computeOutputShape([[null, 3], [null, 3]])).toThrow("Dot 'dot': axes [1,2] are out of range for inputs of ranks 2 and 2: got input shapes [null,3], [null,3]");
    expect(() => new Dot({ name: 'dot', axes: 0 }).apply([a(), b()])).toThrow("Dot 'dot': axes 0 cannot contract the batch axis 0: got input shapes [2,3], [2,3]");
    expect(() => new Dot({ name: 'dot', axes: 0 }).apply([tensor([1, 2]), tensor([3, 4])])).toThrow("Dot 'dot': both inputs need rank ≥ 2 (a batch axis and an axis to contract): got input shapes [2], [2]");
    expect(() => new Dot({ name: 'dot', axes: 1 }).apply([a(), tensor([[1, 2, 3]])])).toThrow("Dot 'dot': inputs have different batch sizes: got input shapes [2,3], [1,3]");
    const bool = tensor([[1, 0, 1], [0, 1, 1]], undefined, 'bool');
    expect(() => new Dot({ name: 'dot', axes: 1 }).apply([a(), bool])).toThrow("Dot 'dot': inputs must be float32 or int32, got bool (input 1); cast it first");
    expect(() => new Dot({ axes: [1, 2, 3] as never })).toThrow('Dot: axes must be an integer or a list of 2 integers (one axis per input), got [1,2,3]');
    expect(() => new Dot({} as never)).toThrow('Dot: axes must be an integer or a list of 2 integers (one axis per input), got undefined');
    expect(() => new Dot({ axes: 1, normalize: 'yes' as never })).toThrow('Dot: normalize must be true or false, got "yes"');
  });

  it('the number of inputs: at least 2, exactly 2 for Subtract and Dot, and a list at all', () => {
    expect(() => new Add({ name: 'sum' }).apply(a())).toThrow("Add 'sum': expects a list of at least 2 input tensors, got a single input of shape [2,3]");
    expect(() => new Add({ name: 'sum' }).apply([a()])).toThrow("Add 'sum': expects a list of at least 2 input tensors, got 1");
    expect(() => new Concatenate({ name: 'cat' }).apply([])).toThrow("Concatenate 'cat': expects a list of at least 2 input tensors, got 0");
    expect(() => new Subtract({ name: 'sub' }).apply([a(), b(), c()])).toThrow("Subtract 'sub': expects a list of exactly 2 input tensors, got 3");
    expect(() => new Dot({ name: 'dot', axes: 1 }).computeOutputShape([[null, 3], [null, 3], [null, 3]])).toThrow("Dot 'dot': expects a list of exactly 2 input tensors, got 3");
    expect(() => new Average({ name: 'avg' }).computeOutputShape([null, 3])).toThrow("Average 'avg': expects a list of at least 2 input tensors, got a single input of shape [null,3]");
    const built = new Maximum({ name: 'max' });
    built.apply([a(), b()]);
    expect(() => built.apply(a())).toThrow("Maximum 'max': expects a list of at least 2 input tensors, got a single input of shape [2,3]");
    expect(() => new Add({ name: 'sum' }).apply([a(), [[1, 2, 3]]] as never)).toThrow("Add 'sum': inputs[1] must be a Tensor, got [[1,2,3]]");
  });
});

describe('the Layer base with a list of inputs', () => {
  /** out = w₀·x₀ + w₁·x₁ with one trainable scalar per input; a per-input spec fixes x₁'s features. */
  class Weighted extends Layer {
    static override className = 'Weighted';
    seenShapes: LayerInputShapes | null = null;
    w: ReturnType<Layer['addWeight']> | null = null;
    override get acceptsInputList(): boolean {
      return true;
    }
    override build(inputShape: LayerInputShapes): void {
      this.seenShapes = inputShape;
      this.w = this.addWeight('w', [2], { initializer: { apply: () => tensor([2, -1]) } });
      super.build(inputShape);
    }
    protected override inputSpec(): readonly (InputSpec | null)[] {
      const second = (this.builtInputShape as SymbolicShape[])[1]!;
      return [null, { ndim: 2, axes: { [-1]: second[1]! } }];
    }
    call(inputs: LayerInputs, _kwargs: CallKwargs): Tensor {
      const [x0, x1] = inputs as Tensor[];
      const w = this.w!;
      return addOp(mul(x0!, w.slice([0], [1])), mul(x1!, w.slice([1], [1])));
    }
    override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
      return [...(inputShape as SymbolicShape[])[0]!];
    }
  }

  it('builds lazily from the list of shapes, then runs call with the list', () => {
    const layer = new Weighted({ name: 'wsum' });
    const y = layer.apply([a(), b()]);
    expect(layer.seenShapes).toEqual([[2, 3], [2, 3]]);
    expect(layer.builtInputShape).toEqual([[2, 3], [2, 3]]);
    expectTensor(y, [2, 3], [[-8, -16, -24], [-32, -40, -48]]);
  });

  it('checks a list of input specs, one per input, naming the input', () => {
    const layer = new Weighted({ name: 'wsum' });
    layer.apply([a(), b()]);
    expect(() => layer.apply([a(), tensor([[1, 2], [3, 4]])])).toThrow(
      "Weighted 'wsum': input 1: expected input with rank 2 and 3 features on the last axis (it was built for input shapes [2,3], [2,3]), got input shape [2,2]",
    );
    expect(() => layer.apply([a(), b(), c()])).toThrow("Weighted 'wsum': expects a list of 2 input tensors, got 3 tensors");
    // The first input's spec is null: any shape passes that check.
    expectTensor(layer.apply([tensor([[1], [2]]), b()]), [2, 3], [[-8, -18, -28], [-36, -46, -56]]);
  });

  it('records the activity penalty of the output and differentiates through the weights', () => {
    const layer = new Weighted({ name: 'wsum', activityRegularizer: { className: 'L2', config: { l2: 0.5 } } });
    const x0 = tensor([[1, 2]]);
    const x1 = tensor([[3, 1]]);
    layer.apply([x0, x1]); // [[2·1 − 3, 2·2 − 1]] = [[-1, 3]]
    expect(layer.regularizationLosses().map((t) => t.item())).toEqual([0.5 * (1 + 9)]);
    const { value, grads } = variableGrads(() => sum(layer.apply([x0, x1])), layer.trainableWeights);
    expect(value.item()).toBeCloseTo(2, 6);
    expectTensor(grads.get(layer.w!)!, [2], [3, 4]);
  });

  it('layers that take one tensor refuse a list, naming the layer', () => {
    expect(() => new Dense({ units: 2, name: 'd' }).apply([a(), b()])).toThrow(
      "Dense 'd': expects a single input tensor, got a list of 2 (only layers that combine inputs, such as Add or Concatenate, take a list)",
    );
    expect(() => new LSTM({ units: 2, name: 'rnn' }).apply([tensor([[[1]]]), tensor([[[2]]])] as never)).toThrow(/^LSTM 'rnn': expects a single input tensor, got a list of 2/);
    // The base computeOutputShape (kept by layers that do not change the shape) refuses a list too.
    expect(() => new Dropout({ rate: 0.5, name: 'drop' }).computeOutputShape([[null, 3], [null, 3]])).toThrow(/^Dropout 'drop': expects a single input tensor, got a list of 2/);
    expect(() => new Dense({ units: 2, name: 'd' }).apply([[1, 2]] as never)).toThrow("Dense 'd': expected a Tensor as input, got [[1,2]] (make tensors with tensor(...))");
  });
});

describe('config round trip', () => {
  it('Concatenate and Dot write TF.js/Keras keys and rebuild from them', () => {
    const cat = new Concatenate({ axis: 1, name: 'cat' });
    expect(cat.getConfig()).toEqual({ name: 'cat', trainable: true, dtype: 'float32', axis: 1 });
    const dt = new Dot({ axes: [1, 2], normalize: true, name: 'dt' });
    expect(dt.getConfig()).toEqual({ name: 'dt', trainable: true, dtype: 'float32', axes: [1, 2], normalize: true });
    const again = deserializeLayer({ className: 'Dot', config: JSON.parse(JSON.stringify(dt.getConfig())) as Record<string, unknown> });
    expect(again).toBeInstanceOf(Dot);
    expect(again.getConfig()).toEqual(dt.getConfig());
    expect(new Add({ name: 'plus' }).getConfig()).toEqual({ name: 'plus', trainable: true, dtype: 'float32' });
  });

  it('reads the configs TF.js 4.22 writes for its merge layers', () => {
    const made: [tf.layers.Layer, string][] = [
      [tf.layers.add({ name: 'tf_add' }), 'Add'],
      [tf.layers.multiply({}), 'Multiply'],
      [tf.layers.average({}), 'Average'],
      [tf.layers.maximum({}), 'Maximum'],
      [tf.layers.minimum({}), 'Minimum'],
      [tf.layers.concatenate({ axis: 1 }), 'Concatenate'],
      [tf.layers.dot({ axes: [1, 2], normalize: true }), 'Dot'],
    ];
    for (const [layer, className] of made) {
      const config = layer.getConfig() as Record<string, unknown>;
      const ours = deserializeLayer({ className: layer.getClassName(), config });
      expect(ours.className).toBe(className);
      expect(ours.name).toBe(layer.name);
    }
    expect((deserializeLayer({ className: 'Dot', config: tf.layers.dot({ axes: [1, 2], normalize: true }).getConfig() }) as Dot).axes).toEqual([1, 2]);
  });
});

describe('TF.js 4.22 oracle: the same merge on the same inputs', () => {
  const toTf = (t: Tensor): tf.Tensor => tf.tensor(Array.from(t.dataSync()), [...t.shape]);
  const compare = (ours: Layer, theirs: tf.layers.Layer, inputs: Tensor[]): void => {
    const want = theirs.apply(inputs.map(toTf)) as tf.Tensor;
    const got = ours.apply(inputs);
    expectTensor(got, want.shape, Array.from(want.dataSync()), 1e-5);
  };
  const r = (shape: number[], seed: number): Tensor => {
    let s = seed;
    const n = shape.reduce((x, y) => x * y, 1);
    return tensor(Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 4 - 2), shape);
  };

  it('Add, Multiply, Average, Maximum, Minimum (equal shapes, size-1 axes, lower-rank inputs)', () => {
    const cases: [Tensor[]][] = [[[r([3, 4], 1), r([3, 4], 2), r([3, 4], 3)]], [[r([3, 1], 4), r([3, 4], 5)]], [[r([3, 4], 6), r([3, 2, 4], 7)]]];
    for (const [inputs] of cases) {
      compare(new Add(), tf.layers.add({}), inputs);
      compare(new Multiply(), tf.layers.multiply({}), inputs);
      compare(new Average(), tf.layers.average({}), inputs);
      compare(new Maximum(), tf.layers.maximum({}), inputs);
      compare(new Minimum(), tf.layers.minimum({}), inputs);
    }
  });

  it('Concatenate on axes 1 and -1', () => {
    compare(new Concatenate({ axis: 1 }), tf.layers.concatenate({ axis: 1 }), [r([2, 3, 4], 8), r([2, 1, 4], 9)]);
    compare(new Concatenate(), tf.layers.concatenate({}), [r([2, 3, 4], 10), r([2, 3, 2], 11), r([2, 3, 1], 12)]);
  });

  it('Dot with axes 1, [1, 2], [2, 1], -1 and normalize', () => {
    compare(new Dot({ axes: 1 }), tf.layers.dot({ axes: 1 }), [r([4, 5], 13), r([4, 5], 14)]);
    compare(new Dot({ axes: [1, 2] }), tf.layers.dot({ axes: [1, 2] }), [r([2, 3, 4], 15), r([2, 5, 3], 16)]);
    compare(new Dot({ axes: [2, 1] }), tf.layers.dot({ axes: [2, 1] }), [r([2, 3, 4], 17), r([2, 4, 5], 18)]);
    compare(new Dot({ axes: -1 }), tf.layers.dot({ axes: -1 }), [r([2, 3, 4], 19), r([2, 5, 4], 20)]);
    compare(new Dot({ axes: 1, normalize: true }), tf.layers.dot({ axes: 1, normalize: true }), [r([4, 5], 21), r([4, 5], 22)]);
    compare(new Dot({ axes: [1, 2], normalize: true }), tf.layers.dot({ axes: [1, 2], normalize: true }), [r([2, 3, 4], 23), r([2, 5, 3], 24)]);
  });
});

it('the README "Merge layers" example, as written', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([[10, 20, 30], [40, 50, 60]]);
  expect(new Add().apply([a, b]).toArray()).toEqual([[11, 22, 33], [44, 55, 66]]);
  expect(add([a, tensor([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]])]).shape).toEqual([2, 2, 3]);
  expect(concatenate([a, tensor([[7], [8]])]).toArray()).toEqual([[1, 2, 3, 7], [4, 5, 6, 8]]);
  expect(new Concatenate({ axis: 0 }).computeOutputShape([[null, 3], [null, 3]])).toEqual([null, 3]);
  expect(dot([a, b], { axes: 1 }).toArray()).toEqual([[140], [770]]);
  expectTensor(new Dot({ axes: 1, normalize: true }).apply([tensor([[3, 4]]), tensor([[4, 3]])]), [1, 1], [[0.96]], 1e-6);
});
