// The README's Functional API examples, run as written on small random data.
import { concatenate, Conv2D, Dense, GlobalAveragePooling2D, Input, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { oneHot, randomNormal, randomUniform, setSeed, tensor } from '@descent/tensor';
import { expect, it } from 'vitest';
import { Model } from './model.js';

it('README two-input, two-output example and the transfer-learning recipe', async () => {
  resetLayerNames();
  setSeed(1);
  const n = 6;
  const xImages = randomUniform([n, 28, 28, 1]);
  const xSizes = randomNormal([n, 1]);
  const yDigits = oneHot(tensor(Array.from({ length: n }, (_, i) => i % 10), [n], 'int32'), 10);
  const yWeights = randomNormal([n, 1]);

  const image = Input({ shape: [28, 28, 1], name: 'image' });
  const size = Input({ shape: [1], name: 'size' });
  const features = new GlobalAveragePooling2D().apply(new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' }).apply(image));
  const h = new Dense({ units: 32, activation: 'relu' }).apply(concatenate([features, size]));
  const digit = new Dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(h);
  const weight = new Dense({ units: 1, name: 'weight' }).apply(h);
  const model = new Model({ inputs: [image, size], outputs: [digit, weight] });
  model.compile({
    optimizer: 'adam',
    loss: { digit: 'categoricalCrossentropy', weight: 'mse' },
    lossWeights: { digit: 1, weight: 0.1 },
    metrics: { digit: ['accuracy'] },
  });
  const history = await model.fit({ image: xImages, size: xSizes }, { digit: yDigits, weight: yWeights }, { epochs: 1, validationSplit: 0.5, verbose: 0 });
  expect(Object.keys(history.history).sort()).toEqual(['digit_accuracy', 'digit_loss', 'loss', 'val_digit_accuracy', 'val_digit_loss', 'val_loss', 'val_weight_loss', 'weight_loss']);
  const [pDigit, pWeight] = model.predict([xImages, xSizes]) as Tensor[];
  expect(pDigit!.shape).toEqual([n, 10]);
  expect(pWeight!.shape).toEqual([n, 1]);
  const lines: string[] = [];
  model.summary({ printFn: (l) => lines.push(l) });
  expect(lines.some((l) => /^ concatenate \(Concatenate\)\s+\(None, 9\)\s+0\s+global_average_pooling2d\[0\]\[0\]$/.test(l))).toBe(true);

  // Transfer learning: the trained model's feature part as a frozen base.
  const base = new Model({ inputs: image, outputs: features });
  base.trainable = false;
  const x = Input({ shape: [28, 28, 1] });
  const transfer = new Model({ inputs: x, outputs: new Dense({ units: 5, activation: 'softmax' }).apply(base.apply(x)) });
  transfer.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const y5 = oneHot(tensor(Array.from({ length: n }, (_, i) => i % 5), [n], 'int32'), 5);
  const frozen = base.getWeights().map((w) => Array.from(w.dataSync()));
  await transfer.fit(xImages, y5, { epochs: 1, verbose: 0 });
  expect(base.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(frozen);
  base.trainable = true;
  transfer.compile({ optimizer: { className: 'Adam', config: { learningRate: 1e-5 } }, loss: 'categoricalCrossentropy' });
  await transfer.fit(xImages, y5, { epochs: 1, verbose: 0 });
  expect(base.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(frozen);
});
