import { Dense, resetLayerNames } from '@descent/layers';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../../sequential.js';
import { expectSameTensor as expectSame, smallTrainedModel } from '../../test-utils/trained.js';
import { loadModel } from '../load.js';
import { browserLocalStorage, listModels, removeModel } from './index.js';
import type { StorageLike } from './local-storage.js';

/**
 * An in-memory Web Storage with a quota counted as browsers do: UTF-16 code units of every key
 * and value. A write that would pass the quota throws a DOMException named QuotaExceededError and
 * leaves the old value in place.
 */
class MemoryStorage implements StorageLike {
  readonly map = new Map<string, string>();
  constructor(public quota = Infinity) {}
  get length(): number {
    return this.map.size;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    const used = [...this.map].reduce((n, [key, value]) => n + key.length + value.length, 0);
    const old = this.map.get(k);
    const next = used - (old === undefined ? 0 : k.length + old.length) + k.length + v.length;
    if (next > this.quota) throw new DOMException(`Setting the value of '${k}' exceeded the quota.`, 'QuotaExceededError');
    this.map.set(k, String(v));
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

let storage: MemoryStorage;
const g = globalThis as { localStorage?: StorageLike };

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(11);
  storage = new MemoryStorage();
  g.localStorage = storage;
});

afterEach(() => {
  delete g.localStorage;
});

function trainedModel(): Promise<Sequential> {
  return smallTrainedModel('relu', 'adam', ['accuracy'], 2);
}


/** The error `p` rejects with; fails the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

// Dense 3→4 (12 + 4) and Dense 4→2 (8 + 2) float32 values.
const WEIGHT_BYTES = (12 + 4 + 8 + 2) * 4;

describe('localstorage://', () => {
  it('round-trips a trained model: same predictions, training config and optimizer state', async () => {
    const m = await trainedModel();
    const x = randomNormal([5, 3]);
    const result = await m.save('localstorage://demo/model-1', { includeOptimizer: true });
    expect(result).toMatchObject({ location: 'localstorage://demo/model-1', weightDataBytes: expect.any(Number) as number });
    expect([...storage.map.keys()].sort()).toEqual(['descent_models/demo/model-1/info', 'descent_models/demo/model-1/model_json', 'descent_models/demo/model-1/weight_data']);

    const again = await loadModel<Sequential>('localstorage://demo/model-1');
    expectSame(m.predict(x), again.predict(x));
    // The handler factory reads the same entry.
    expectSame(m.predict(x), (await loadModel<Sequential>(browserLocalStorage('demo/model-1'))).predict(x));
    // 2 epochs of 2 batches.
    expect(m.optimizer?.iterations).toBe(4);
    expect(again.optimizer?.iterations).toBe(4);
    // Resuming gives the same next step on both.
    const y = tensor([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]]);
    await m.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0, shuffle: false });
    await again.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0, shuffle: false });
    expectSame(m.predict(x), again.predict(x));
  });

  it('stores the weights as base64 and lists the model with its sizes and date', async () => {
    const m = await trainedModel();
    const before = Date.now();
    await m.save('localstorage://sized');
    const weights = storage.getItem('descent_models/sized/weight_data')!;
    expect(Buffer.from(weights, 'base64').byteLength).toBe(WEIGHT_BYTES);
    expect(new Uint8Array(Buffer.from(weights, 'base64'))).toEqual(new Uint8Array(m.toJSON().weightData));

    const list = await listModels();
    expect(Object.keys(list)).toEqual(['localstorage://sized']);
    const info = list['localstorage://sized']!;
    expect(info.dateSaved).toBeInstanceOf(Date);
    expect(info.dateSaved.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(info.dateSaved.getTime()).toBeLessThanOrEqual(Date.now());
    const stored = JSON.parse(storage.getItem('descent_models/sized/model_json')!) as { modelTopology: unknown; weightSpecs: unknown };
    expect(info).toMatchObject({
      modelTopologyType: 'JSON',
      weightDataBytes: WEIGHT_BYTES,
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(stored.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(stored.weightSpecs)),
    });
  });

  it('fails with the model name and sizes when the quota is exceeded, writes nothing, and keeps an earlier save', async () => {
    const m = await trainedModel();
    storage.quota = 500;
    const err = await failure(m.save('localstorage://big'));
    expect(err.message).toMatch(/^save: model 'big' does not fit in localStorage \(localstorage:\/\/big\): the browser's storage quota was exceeded/);
    expect(err.message).toContain(`${WEIGHT_BYTES} bytes of weights as ${Math.ceil(WEIGHT_BYTES / 3) * 4} base64 characters`);
    expect(err.message).toContain('Nothing was written');
    expect(storage.length).toBe(0);

    // An earlier, smaller save under the same name survives a failed bigger one, byte for byte.
    storage.quota = Infinity;
    const small = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    await small.save('localstorage://big');
    const snapshot = new Map(storage.map);
    storage.quota = [...snapshot].reduce((n, [k, v]) => n + k.length + v.length, 0) + 200;
    const err2 = await failure(m.save('localstorage://big'));
    expect(err2.message).toContain("the model saved earlier as 'big' is unchanged");
    expect(storage.map).toEqual(snapshot);
    const x = tensor([[1, 2]]);
    expectSame(small.predict(x), (await loadModel<Sequential>('localstorage://big')).predict(x));
  });

  it('names the missing model and the saved ones, and reports damaged entries', async () => {
    await (await trainedModel()).save('localstorage://a');
    await expect(loadModel('localstorage://b')).rejects.toThrow("loadModel: localstorage://b: there is no model named 'b' in localStorage (saved: 'a')");
    storage.setItem('descent_models/a/weight_data', storage.getItem('descent_models/a/weight_data')!.slice(0, 40));
    await expect(loadModel('localstorage://a')).rejects.toThrow(`loadModel: localstorage://a: the stored weight data holds 30 bytes but the entry's info says ${WEIGHT_BYTES}; the entry is damaged`);
    storage.removeItem('descent_models/a/model_json');
    await expect(loadModel('localstorage://a')).rejects.toThrow("loadModel: localstorage://a: the entry is damaged: its model.json key 'descent_models/a/model_json' is missing");
    await expect(loadModel('localstorage://')).rejects.toThrow("browserLocalStorage: expected a model name after 'localstorage://', as in 'localstorage://my-model'");
  });

  it('removeModel deletes every key of the model and returns its info', async () => {
    await (await trainedModel()).save('localstorage://gone');
    storage.setItem('unrelated', 'kept');
    const info = await removeModel('localstorage://gone');
    expect(info.weightDataBytes).toBe(WEIGHT_BYTES);
    expect([...storage.map.keys()]).toEqual(['unrelated']);
    expect(await listModels()).toEqual({});
    await expect(removeModel('localstorage://gone')).rejects.toThrow("removeModel: there is no model named 'gone' in localStorage (no models are saved there)");
    await expect(removeModel('gone')).rejects.toThrow("removeModel: 'gone' has no scheme; expected 'indexeddb://gone' or 'localstorage://gone'");
    await expect(removeModel('file://gone')).rejects.toThrow("removeModel: 'file://' is not a model store");
  });

  it('says what is missing where there is no localStorage (Node)', async () => {
    delete g.localStorage;
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    await expect(m.save('localstorage://x')).rejects.toThrow("localstorage:// needs localStorage (window.localStorage), which this environment lacks; in Node, save to a folder with file:// URLs after `import '@descent/models/node'`");
    await expect(loadModel('localstorage://x')).rejects.toThrow('localstorage:// needs localStorage');
    await expect(removeModel('localstorage://x')).rejects.toThrow('localstorage:// needs localStorage');
    expect(await listModels()).toEqual({});
  });
});
