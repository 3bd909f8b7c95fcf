import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { Cropping1D, Cropping2D } from './cropping.js';
import { Identity } from './identity.js';
import { expectTensor, pseudo, pseudoTensor } from './test-utils/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => resetLayerNames());

describe('Cropping1D', () => {
  it('removes one step at each end by default, or [start, end]', () => {
    const x = tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 4, 2]);
    expectTensor(new Cropping1D().apply(x), [1, 2, 2], [2, 20, 3, 30]);
    expectTensor(new Cropping1D({ cropping: [0, 3] }).apply(x), [1, 1, 2], [1, 10]);
    expect(new Cropping1D({ cropping: [2, 1] }).computeOutputShape([null, 7, 3])).toEqual([null, 4, 3]);
    expect(new Cropping1D({ cropping: 2 }).getConfig()['cropping']).toEqual([2, 2]);
  });
  it('refuses crops that leave nothing and bad options; passes gradCheck', () => {
    expect(() => new Cropping1D({ cropping: [2, 2] }).apply(pseudoTensor([1, 4, 1]))).toThrow(/^Cropping1D: cropping \[2, 2\] leaves nothing of axis 1 \(size 4\) of input shape \[1,4,1\]$/);
    expect(() => new Cropping1D({ cropping: [1, -1] as unknown as [number, number] })).toThrow(/Cropping1D: cropping must be a non-negative integer or \[start, end\]/);
    gradCheck((t) => new Cropping1D({ cropping: [1, 2] }).apply(t), [pseudoTensor([2, 5, 2], 3)]);
  });
});

describe('Cropping2D', () => {
  it('matches TF.js cropping2D for every way of giving the crop', () => {
    const shape: [number, number, number, number] = [2, 5, 6, 3];
    const xv = pseudo(180, 7);
    for (const [ours, theirs] of [
      [1, 1],
      [[1, 2], [1, 2]],
      [[[0, 2], [3, 1]], [[0, 2], [3, 1]]],
    ] as const) {
      const y = new Cropping2D({ cropping: ours }).apply(tensor(xv, shape));
      const ref = tf.layers.cropping2D({ cropping: theirs as never }).apply(tf.tensor4d(xv, shape)) as tf.Tensor;
      expectTensor(y, ref.shape, Array.from(ref.dataSync()), 0);
    }
  });
  it('predicts its shape, keeps a config and checks its input', () => {
    const layer = new Cropping2D({ cropping: [[1, 0], [0, 2]] });
    expect(layer.computeOutputShape([null, 4, 5, 2])).toEqual([null, 3, 3, 2]);
    expect(layer.computeOutputShape([null, null, 5, 2])).toEqual([null, null, 3, 2]);
    expect(layer.getConfig()).toMatchObject({ cropping: [[1, 0], [0, 2]], dataFormat: 'channelsLast' });
    expect(new Cropping2D().getConfig()['cropping']).toEqual([[0, 0], [0, 0]]);
    expect(() => layer.apply(pseudoTensor([1, 4, 2, 1]))).toThrow(/Cropping2D: cropping \[0, 2\] leaves nothing of axis 2 \(size 2\)/);
    expect(() => new Cropping2D({ dataFormat: 'channelsFirst' })).toThrow(/Cropping2D: dataFormat must be 'channelsLast'/);
    gradCheck((t) => layer.apply(t), [pseudoTensor([1, 3, 4, 2], 4)]);
  });
});

describe('Identity', () => {
  it('returns its input and has no weights', () => {
    const layer = new Identity({ name: 'skip' });
    const x = pseudoTensor([2, 3]);
    expect(layer.apply(x)).toBe(x);
    expect(layer.weights).toHaveLength(0);
    expect(layer.computeOutputShape([null, 3])).toEqual([null, 3]);
    expect(() => new Identity({ units: 2 } as never)).toThrow(/Identity: unknown option 'units'/);
  });
});
