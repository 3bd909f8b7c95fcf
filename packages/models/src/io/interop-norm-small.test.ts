// Issue 17's small layers that TF.js 4.22 also has: saved by Descent they load in TF.js, and back,
// predicting the same. (UpSampling2D 'bilinear' is left out: TF.js's layer resizes with corner
// alignment, Keras 3 and Descent with half-pixel centers.)
import type { Layer } from '@descent/layers';
import { AlphaDropout, Conv2DTranspose, Cropping2D, Dense, Flatten, GaussianDropout, PReLU, resetLayerNames } from '@descent/layers';
import { randomUniform, setSeed } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';
import { fromTfjs, maxAbsDiff, tfPredict, toTfjs } from '../test-utils/tfjs.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(3);
});

const cases: [string, () => Layer[], number[]][] = [
  ['PReLU, GaussianDropout, AlphaDropout', () => [new Dense({ units: 4, inputShape: [3] }), new PReLU({ alphaInitializer: 'ones' }), new GaussianDropout({ rate: 0.2 }), new AlphaDropout({ rate: 0.1 })], [2, 3]],
  ['Conv2DTranspose, PReLU shared, Cropping2D', () => [new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, inputShape: [4, 4, 1] }), new PReLU({ sharedAxes: [1, 2], alphaInitializer: { className: 'Constant', config: { value: 0.3 } } }), new Cropping2D({ cropping: [[1, 0], [2, 1]] }), new Flatten()], [2, 4, 4, 1]],
];

for (const [name, layers, shape] of cases) {
  it(name, async () => {
    const m = new Sequential(layers());
    const x = randomUniform(shape, -1, 1);
    const tm = await toTfjs(m);
    expect(maxAbsDiff(m.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
    const back = await fromTfjs<Sequential>(tm);
    expect(maxAbsDiff(back.predict(x).dataSync(), tfPredict(tm, x))).toBeLessThanOrEqual(1e-5);
  });
}
