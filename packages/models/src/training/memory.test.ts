import { BatchNormalization, Dense, Dropout, resetLayerNames } from '@descent/layers';
import { oneHot, randomNormal, registerBackend, removeBackend, setBackend, setSeed, tensor } from '@descent/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaCallback } from '../callbacks/lambda-callback.js';
import { Sequential } from '../sequential.js';
import { CountingBackend } from '../test-utils/counting-backend.js';


afterEach(() => {
  setBackend('cpu');
  removeBackend('counting');
});

describe('memory across epochs', () => {
  it('holds the same number of storages after every epoch: each step is released by its scope', async () => {
    const backend = new CountingBackend();
    registerBackend('counting', () => backend, 0);
    setBackend('counting');
    resetLayerNames();
    setSeed(4);
    const x = randomNormal([48, 4]);
    const y = oneHot(tensor(Array.from({ length: 48 }, (_, i) => i % 3), [48], 'int32'), 3);
    const m = new Sequential([new Dense({ units: 8, activation: 'relu', inputShape: [4] }), new Dropout({ rate: 0.2 }), new BatchNormalization(), new Dense({ units: 3, activation: 'softmax' })]);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const live: number[] = [];
    await m.fit(x, y, {
      epochs: 5,
      batchSize: 8,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [new LambdaCallback({ onEpochEnd: () => void live.push(backend.live) })],
    });
    expect(live).toHaveLength(5);
    expect(new Set(live).size).toBe(1);
    // Steps did run on this backend: far more storages were made than are held.
    expect(live[0]!).toBeLessThan(200);
  });
});
