import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { UpSampling2D } from './spatial-2d.js';
import { expectTensor, pseudo, pseudoTensor } from './test-utils/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('UpSampling2D bilinear (Keras 3: TF resize with half-pixel centers)', () => {
  it('matches a hand calculation on a 1×2 row', () => {
    // Width 2 → 4: output centers map to input x = (j + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25,
    // clamped at the borders: [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
    const y = new UpSampling2D({ size: [1, 2], interpolation: 'bilinear' }).apply(tensor([1, 5], [1, 1, 2, 1]));
    expectTensor(y, [1, 1, 4, 1], [1, 2, 4, 5]);
  });

  it('matches tf.image.resizeBilinear(halfPixelCenters: true) for several factors and channels', () => {
    const cases: [[number, number, number, number], [number, number]][] = [
      [[2, 3, 4, 2], [2, 2]],
      [[1, 2, 5, 3], [3, 2]],
      [[1, 4, 1, 1], [1, 4]],
    ];
    for (const [shape, size] of cases) {
      const values = pseudo(shape.reduce((a, b) => a * b, 1), 11);
      const ours = new UpSampling2D({ size, interpolation: 'bilinear' }).apply(tensor(values, shape));
      const ref = tf.image.resizeBilinear(tf.tensor4d(values, shape), [shape[1] * size[0], shape[2] * size[1]], false, true);
      expectTensor(ours, ref.shape, Array.from(ref.dataSync()), 1e-5);
    }
  });

  it('keeps the shape rule, serializes the mode and has exact gradients', () => {
    const layer = new UpSampling2D({ size: [2, 3], interpolation: 'bilinear' });
    expect(layer.computeOutputShape([null, 4, 5, 2])).toEqual([null, 8, 15, 2]);
    const copy = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(layer))) as { className: string; config: Record<string, unknown> });
    expect(copy.getConfig()['interpolation']).toBe('bilinear');
    gradCheck((t) => layer.apply(t), [pseudoTensor([1, 2, 3, 2], 5)]);
  });
});
