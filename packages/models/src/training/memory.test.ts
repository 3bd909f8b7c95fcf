import { BatchNormalization, Dense, Dropout, resetLayerNames } from '@descent/layers';
import { CpuBackend, oneHot, randomNormal, registerBackend, removeBackend, setBackend, setSeed, tensor } from '@descent/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaCallback } from '../callbacks/lambda-callback.js';
import { Sequential } from '../sequential.js';

/**
 * The CPU backend plus the holder counting a manual-memory backend does: `live` is how many
 * storages still have a holder, i.e. what a WASM backend could not free.
 */
class CountingBackend extends CpuBackend {
  readonly counts = new Map<object, number>();
  retainData(dataId: object): void {
    this.counts.set(dataId, (this.counts.get(dataId) ?? 0) + 1);
  }
  disposeData(dataId: object): void {
    const c = (this.counts.get(dataId) ?? 0) - 1;
    if (c <= 0) this.counts.delete(dataId);
    else this.counts.set(dataId, c);
  }
  get live(): number {
    return this.counts.size;
  }
}

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
