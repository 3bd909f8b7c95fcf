import { grad } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { mul, softmax, sum, tensor } from '@descent/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logitsOf } from '../activations/logits.js';
import type { Layer } from '../engine/layer.js';
import { getMask } from '../engine/mask.js';
import { resetLayerNames } from '../engine/naming.js';
import { Activation } from './activation.js';
import { ELU, LeakyReLU, ReLU, Softmax } from './activation-layers.js';
import { BatchNormalization } from './batch-normalization.js';
import { Conv1D, Conv2D } from './conv.js';
import { Cropping1D, Cropping2D } from './cropping.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import { GaussianNoise } from './gaussian-noise.js';
import { GroupNormalization } from './group-normalization.js';
import { Identity } from './identity.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { AlphaDropout, GaussianDropout } from './noise-dropout.js';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from './pooling.js';
import { PReLU } from './prelu.js';
import { RMSNormalization } from './rms-normalization.js';
import { UpSampling2D, ZeroPadding2D } from './spatial-2d.js';
import { UnitNormalization } from './unit-normalization.js';
import { expectTensor, maskOf, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());
afterEach(() => {
  vi.restoreAllMocks();
});

/** `[2, 3, 4]` with step 1 of sample 0 and step 2 of sample 1 all zeros, masked by `Masking()`. */
function maskedInput(): Tensor {
  const x = tensor([
    [[0.5, -1, 2, 0.25], [0, 0, 0, 0], [-0.5, 1.5, -2, 1]],
    [[1, 2, -3, 0.5], [-1, 0.75, 0.5, -0.25], [0, 0, 0, 0]],
  ]);
  return new Masking().apply(x);
}
const MASK = [[true, false, true], [true, true, false]];

describe('layers that pass a mask through (Keras 3 supports_masking)', () => {
  const cases: [string, () => Layer][] = [
    ['GaussianNoise', () => new GaussianNoise({ stddev: 0.1, seed: 1 })],
    ['GaussianDropout', () => new GaussianDropout({ rate: 0.3, seed: 2 })],
    ['AlphaDropout', () => new AlphaDropout({ rate: 0.3, seed: 3 })],
    ['Identity', () => new Identity()],
    ['UnitNormalization', () => new UnitNormalization()],
    ['GroupNormalization', () => new GroupNormalization({ groups: 2 })],
    ['PReLU', () => new PReLU({ alphaInitializer: 'ones' })],
    ['ReLU', () => new ReLU()],
    ['LeakyReLU', () => new LeakyReLU()],
    ['ELU', () => new ELU()],
    ['Activation', () => new Activation({ activation: 'tanh' })],
    ['Softmax', () => new Softmax()],
    ['BatchNormalization', () => new BatchNormalization()],
  ];
  for (const [name, make] of cases) {
    it(`${name} keeps the input's mask, in training and inference, without a warning`, () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const layer = make();
      expect(layer.supportsMasking).toBe(true);
      const x = maskedInput();
      for (const training of [false, true]) {
        const y = layer.apply(x, { training });
        expect(y.shape).toEqual([2, 3, 4]);
        expect(maskOf(y)).toEqual(MASK);
      }
      // The input keeps its own mask (an identity call hands out the same tensor, mask and all).
      expect(maskOf(x)).toEqual(MASK);
      expect(warn).not.toHaveBeenCalled();
    });
  }
});

describe('layers that stop a mask (Keras 3 does not let it through)', () => {
  const seq: [string, () => Layer][] = [
    ['Conv1D', () => new Conv1D({ filters: 2, kernelSize: 2, padding: 'same' })],
    ['MaxPooling1D', () => new MaxPooling1D({ poolSize: 1 })],
    ['AveragePooling1D', () => new AveragePooling1D({ poolSize: 1 })],
    ['Cropping1D', () => new Cropping1D({ cropping: [0, 1] })],
    ['RMSNormalization', () => new RMSNormalization()],
  ];
  for (const [name, make] of seq) {
    it(`${name} drops the mask and warns once`, () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const layer = make();
      expect(layer.supportsMasking).toBe(false);
      const x = maskedInput();
      expect(getMask(layer.apply(x))).toBeNull();
      expect(getMask(layer.apply(x))).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`^${name} '[a-z0-9_]+' was given an input with a mask, but does not support masking`));
      expect(maskOf(x)).toEqual(MASK);
    });
  }

  const images: [string, () => Layer][] = [
    ['Conv2D', () => new Conv2D({ filters: 2, kernelSize: 1 })],
    ['MaxPooling2D', () => new MaxPooling2D({ poolSize: 1 })],
    ['AveragePooling2D', () => new AveragePooling2D({ poolSize: 1 })],
    ['Cropping2D', () => new Cropping2D({ cropping: [[0, 1], [0, 0]] })],
    ['ZeroPadding2D', () => new ZeroPadding2D({ padding: 1 })],
    ['UpSampling2D', () => new UpSampling2D({ size: 2 })],
  ];
  for (const [name, make] of images) {
    it(`${name} drops an explicit mask and warns once`, () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const layer = make();
      expect(layer.supportsMasking).toBe(false);
      const x = tensor([[[[1], [2]], [[3], [4]]]]);
      const mask = tensor([[[true, false], [true, true]]], undefined, 'bool');
      expect(getMask(layer.apply(x, { mask }))).toBeNull();
      expect(getMask(layer.apply(x, { mask }))).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`^${name} '`));
    });
  }
});

describe('BatchNormalization with a mask', () => {
  // Real steps: feature 0 takes 1, 3, 5 (mean 3, biased variance 8/3), feature 1 takes 10, 20, 30
  // (mean 20, variance 200/3). The padded entries (50, -7, 99) must not count.
  const padded = [
    [[1, 10], [3, 20], [50, -7]],
    [[5, 30], [99, 99], [99, 99]],
  ];
  const maskRows = [[true, true, false], [true, false, false]];
  const real = [[1, 10], [3, 20], [5, 30]];
  const eps = 1e-3;
  const mean = [3, 20];
  const variance = [8 / 3, 200 / 3];
  const normalize = (v: number, f: number): number => (v - mean[f]!) / Math.sqrt(variance[f]! + eps);

  it('training: the statistics are those of the unmasked steps alone; every entry is normalized with them', () => {
    const bn = new BatchNormalization({ momentum: 0.9 });
    const mask = tensor(maskRows, undefined, 'bool');
    const y = bn.apply(tensor(padded), { training: true, mask });
    expectTensor(y, [2, 3, 2], padded.map((row) => row.map(([a, b]) => [normalize(a!, 0), normalize(b!, 1)])), 1e-4);
    // moving = 0.9·moving + 0.1·batch, from 0 and 1.
    expectTensor(bn.movingMean!, [2], [0.3, 2], 1e-6);
    expectTensor(bn.movingVariance!, [2], [0.9 + 0.1 * variance[0]!, 0.9 + 0.1 * variance[1]!], 1e-5);
    expect(maskOf(y)).toEqual(maskRows);

    // The same as the real steps alone, unpadded.
    const alone = new BatchNormalization({ momentum: 0.9 });
    const yAlone = alone.apply(tensor(real), { training: true });
    const got = y.toArray() as number[][][];
    expectTensor(yAlone, [3, 2], [got[0]![0]!, got[0]![1]!, got[1]![0]!], 1e-5);
    expectTensor(alone.movingMean!, [2], bn.movingMean!.toArray(), 1e-6);
    expectTensor(alone.movingVariance!, [2], bn.movingVariance!.toArray(), 1e-5);
  });

  it('a mask carried from Masking is used the same way (a numeric mask counts as bool)', () => {
    const x = tensor([[[2, 4], [0, 0], [6, 8]]]); // step 1 is padding → mean [4, 6], variance [4, 4]
    const y = new BatchNormalization().apply(new Masking().apply(x), { training: true });
    const s = Math.sqrt(4 + eps);
    expectTensor(y, [1, 3, 2], [[[-2 / s, -2 / s], [-4 / s, -6 / s], [2 / s, 2 / s]]], 1e-5);
    const yNum = new BatchNormalization().apply(x, { training: true, mask: tensor([[1, 0, 1]]) });
    expectTensor(yNum, [1, 3, 2], y.toArray(), 1e-6);
  });

  it('the gradient reaches the real steps as without padding, and the masked ones get none', () => {
    const mask = tensor(maskRows, undefined, 'bool');
    const w = [[[0.5, -1], [2, 0.25]], [[-0.75, 1.5]]];
    // The loss weighs the real steps only.
    const wPadded = tensor([[[0.5, -1], [2, 0.25], [0, 0]], [[-0.75, 1.5], [0, 0], [0, 0]]]);
    const wReal = tensor([w[0]![0]!, w[0]![1]!, w[1]![0]!]);
    const bn = new BatchNormalization();
    const gPadded = grad((x) => sum(mul(bn.apply(x, { training: true, mask }), wPadded)))(tensor(padded)).toArray() as number[][][];
    const alone = new BatchNormalization();
    const gReal = grad((x) => sum(mul(alone.apply(x, { training: true }), wReal)))(tensor(real)).toArray() as number[][];
    const expected = [[gReal[0]!, gReal[1]!, [0, 0]], [gReal[2]!, [0, 0], [0, 0]]];
    expectTensor(tensor(gPadded), [2, 3, 2], expected, 1e-5);
    // Not a trivial gradient: the statistics depend on the input.
    expect(Math.abs(gReal[0]![0]!)).toBeGreaterThan(1e-3);
  });

  it('inference ignores the mask; a feature with no real entry gets mean 0 and variance 0, as in Keras', () => {
    const bn = new BatchNormalization({ center: false, scale: false });
    bn.apply(tensor(padded));
    bn.setWeights([tensor([1, -2]), tensor([4, 9])]);
    const mask = tensor(maskRows, undefined, 'bool');
    const y = bn.apply(tensor(padded), { mask });
    expectTensor(y, [2, 3, 2], padded.map((row) => row.map(([a, b]) => [(a! - 1) / Math.sqrt(4 + eps), (b! + 2) / Math.sqrt(9 + eps)])), 1e-5);
    // Every step masked: Keras's 1e-7 fuzz in the count gives mean 0, variance 0 (not NaN).
    const none = new BatchNormalization({ momentum: 0.5 });
    const z = none.apply(tensor([[[2, -3]]]), { training: true, mask: tensor([[false]], undefined, 'bool') });
    expectTensor(z, [1, 1, 2], [[[2 / Math.sqrt(eps), -3 / Math.sqrt(eps)]]], 1e-3);
    expectTensor(none.movingMean!, [2], [0, 0], 0);
    expectTensor(none.movingVariance!, [2], [0.5, 0.5], 1e-7);
  });

  it('a mask on images (rank one below the input) and a bad mask', () => {
    // [1, 2, 2, 1] with one masked pixel (value 100): the three real ones 1, 2, 3 → mean 2, variance 2/3.
    const x = tensor([[[[1], [100]], [[2], [3]]]]);
    const mask = tensor([[[true, false], [true, true]]], undefined, 'bool');
    const y = new BatchNormalization().apply(x, { training: true, mask });
    const s = Math.sqrt(2 / 3 + eps);
    expectTensor(y, [1, 2, 2, 1], [[[[-1 / s], [98 / s]], [[0], [1 / s]]]], 1e-4);
    const bn = new BatchNormalization();
    expect(() => bn.apply(tensor(padded), { training: true, mask: tensor([true, false], undefined, 'bool') })).toThrow(
      /^BatchNormalization 'batch_normalization(_\d+)?': the mask must have one axis less than the input, shape \[2,3\] \(an axis may be 1\), got mask shape \[2\] for input shape \[2,3,2\]$/,
    );
    expect(() => bn.apply(tensor(padded), { training: true, mask: tensor([[true, false]], undefined, 'bool') })).toThrow(/got mask shape \[1,2\]/);
    // Checked in inference too, as in Keras.
    expect(() => bn.apply(tensor(padded), { mask: tensor([true, false], undefined, 'bool') })).toThrow(/the mask must have one axis less than the input/);
  });

  it('in a model, the mask now reaches the LSTM after BatchNormalization: a padded batch gives what each sequence gives alone', () => {
    const emb = new Embedding({ inputDim: 5, outputDim: 3, maskZero: true });
    const bn = new BatchNormalization();
    const lstm = new LSTM({ units: 2 });
    const run = (ids: number[][]): Tensor => lstm.apply(bn.apply(emb.apply(tensor(ids, undefined, 'int32'))));
    run([[1]]);
    setPseudoWeights(emb, 3);
    setPseudoWeights(lstm, 5);
    bn.setWeights([tensor([1.5, 0.5, 1]), tensor([0.1, -0.2, 0.3]), tensor([0.2, -0.1, 0]), tensor([2, 0.5, 1])]);
    const batch = run([[3, 1, 0, 0], [2, 4, 1, 0]]).toArray() as number[][];
    expectTensor(run([[3, 1]]), [1, 2], [batch[0]!], 1e-6);
    expectTensor(run([[2, 4, 1]]), [1, 2], [batch[1]!], 1e-6);
  });
});

describe('Softmax with a mask', () => {
  const e = Math.exp;

  it('masked entries get no weight and output 0; a fully masked row outputs zeros (Keras 3)', () => {
    const x = tensor([[1, 2, 3, 4], [0, 5, 1, 2]]);
    const mask = tensor([[true, true, false, true], [false, false, false, false]], undefined, 'bool');
    const y = new Softmax().apply(x, { mask });
    const z = e(1) + e(2) + e(4);
    expectTensor(y, [2, 4], [[e(1) / z, e(2) / z, 0, e(4) / z], [0, 0, 0, 0]], 1e-6);
    expect(maskOf(y)).toEqual([[true, true, false, true], [false, false, false, false]]);
    // Without a mask the output remembers its logits for the cross-entropies; with one it does not,
    // as Keras's masked output is a fresh tensor.
    expect(logitsOf(new Softmax().apply(x), 'softmax')).not.toBeNull();
    expect(logitsOf(y, 'softmax')).toBeNull();
  });

  it('a numeric mask keeps the entries above 0.5; a smaller mask broadcasts from the right', () => {
    const x = tensor([[1, 2, 3], [3, 1, 1]]);
    const y = new Softmax().apply(x, { mask: tensor([[0.7, 0.3, 1], [1, 1, 0]]) });
    expectTensor(y, [2, 3], [[e(1) / (e(1) + e(3)), 0, e(3) / (e(1) + e(3))], [e(3) / (e(3) + e(1)), e(1) / (e(3) + e(1)), 0]], 1e-6);
    // A mask [3] (or [1, 3]) applies to every row.
    const row = tensor([false, true, true], undefined, 'bool');
    const want = [[0, e(2) / (e(2) + e(3)), e(3) / (e(2) + e(3))], [0, 0.5, 0.5]];
    expectTensor(new Softmax().apply(x, { mask: row }), [2, 3], want, 1e-6);
    expectTensor(new Softmax().apply(x, { mask: tensor([[false, true, true]], undefined, 'bool') }), [2, 3], want, 1e-6);
  });

  it('along another axis', () => {
    // Softmax over axis 0 (the columns); column 1 has its middle entry masked.
    const x = tensor([[1, 0], [2, 5], [3, 1]]);
    const mask = tensor([[true, true], [true, false], [true, true]], undefined, 'bool');
    const y = new Softmax({ axis: 0 }).apply(x, { mask });
    const z0 = e(1) + e(2) + e(3);
    const z1 = e(0) + e(1);
    expectTensor(y, [3, 2], [[e(1) / z0, e(0) / z1], [e(2) / z0, 0], [e(3) / z0, e(1) / z1]], 1e-6);
  });

  it('a per-step mask [batch, steps] (carried from Embedding) zeroes the masked steps; the others are untouched', () => {
    const emb = new Embedding({ inputDim: 4, outputDim: 2, maskZero: true });
    const dense = new Dense({ units: 3 });
    const ids = tensor([[2, 0, 1]], undefined, 'int32');
    dense.apply(emb.apply(ids));
    setPseudoWeights(emb, 2);
    setPseudoWeights(dense, 4);
    const logits = dense.apply(emb.apply(ids));
    expect(maskOf(logits)).toEqual([[true, false, true]]);
    const y = new Softmax().apply(logits);
    const plain = softmax(logits, -1).toArray() as number[][][];
    expectTensor(y, [1, 3, 3], [[plain[0]![0]!, [0, 0, 0], plain[0]![2]!]], 1e-6);
    expect(maskOf(y)).toEqual([[true, false, true]]);
  });

  it('the gradient skips the masked entries and equals that of the softmax of the others', () => {
    const mask = tensor([[true, false, true, true]], undefined, 'bool');
    const dy = tensor([[0.5, 3, -1, 2]]);
    const layer = new Softmax();
    const g = grad((x) => layer.apply(x, { mask }))(tensor([[0.2, 9, -0.4, 1.1]]), dy).toArray() as number[][];
    const gSub = grad((x) => softmax(x, -1))(tensor([[0.2, -0.4, 1.1]]), tensor([[0.5, -1, 2]])).toArray() as number[][];
    expectTensor(tensor(g), [1, 4], [[gSub[0]![0]!, 0, gSub[0]![1]!, gSub[0]![2]!]], 1e-6);
  });

  it('refuses a mask that does not broadcast', () => {
    const layer = new Softmax({ name: 'probs' });
    const x = tensor([[1, 2, 3, 4], [0, 5, 1, 2]]);
    expect(() => layer.apply(x, { mask: tensor([true, false, true], undefined, 'bool') })).toThrow(
      /^Softmax 'probs': the mask must broadcast to the input shape \[2,4\] \(each of its last axes 1 or the input's\), or be a per-step mask of shape \[2\]; got mask shape \[3\]$/,
    );
    expect(() => layer.apply(x, { mask: tensor([[[true]]], undefined, 'bool') })).toThrow(/got mask shape \[1,1,1\]$/);
  });
});
