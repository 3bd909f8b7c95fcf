import { Dense, resetLayerNames } from '@descent/layers';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../../sequential.js';
import { expectSameTensor as expectSame, smallTrainedModel } from '../../test-utils/trained.js';
import { loadModel } from '../load.js';
import { browserIndexedDB, listModels, removeModel } from './index.js';

const g = globalThis as { indexedDB?: unknown };

// fake-indexeddb types its exports with the DOM's IndexedDB types, which this package does not
// load; these are the few members the tests touch.
interface FakeRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
  addEventListener(type: 'success', fn: () => void): void;
}
interface FakeStore {
  get(key: string): FakeRequest<unknown>;
  put(value: unknown): FakeRequest<unknown>;
}
interface FakeTx {
  objectStore(name: string): FakeStore;
}
interface FakeDb {
  transaction(stores: string[], mode: 'readonly' | 'readwrite'): FakeTx;
  close(): void;
}
interface FakeFactory {
  open(name: string, version?: number): FakeRequest<FakeDb>;
}

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(13);
  // A fresh, empty in-memory IndexedDB for each test.
  g.indexedDB = new IDBFactory() as unknown;
});

afterEach(() => {
  delete g.indexedDB;
});

function trainedModel(): Promise<Sequential> {
  return smallTrainedModel('tanh', 'adam', ['accuracy'], 2);
}


const WEIGHT_BYTES = (12 + 4 + 8 + 2) * 4;

/** Read one record straight from the fake database, as another tab (or DevTools) would see it. */
function readRecord(store: string, key: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const open = (g.indexedDB as FakeFactory).open('descent');
    open.onerror = () => reject(new Error(String(open.error)));
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction([store], 'readonly').objectStore(store).get(key);
      req.onsuccess = () => {
        db.close();
        resolve(req.result);
      };
      req.onerror = () => reject(new Error(String(req.error)));
    };
  });
}

describe('indexeddb://', () => {
  it('round-trips a trained model with identical predictions and optimizer state', async () => {
    const m = await trainedModel();
    const x = randomNormal([6, 3]);
    const result = await m.save('indexeddb://nets/one', { includeOptimizer: true });
    expect(result.location).toBe('indexeddb://nets/one');
    expect(result.weightDataBytes).toBeGreaterThan(WEIGHT_BYTES); // plus Adam's slots and iterations
    const again = await loadModel<Sequential>('indexeddb://nets/one');
    expectSame(m.predict(x), again.predict(x));
    expect(again.optimizer?.iterations).toBe(4);
  });

  it('keeps model.json, the weight ArrayBuffer and the info in the descent database', async () => {
    const m = await trainedModel();
    const before = Date.now();
    await m.save('indexeddb://layout');
    const record = (await readRecord('models', 'layout')) as { path: string; modelJSON: { modelTopology: { class_name: string }; weightSpecs: { name: string }[] }; weightData: ArrayBuffer };
    expect(record.path).toBe('layout');
    expect(record.modelJSON.modelTopology.class_name).toBe('Sequential');
    expect(record.modelJSON.weightSpecs.map((s) => s.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
    expect(record.weightData).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(record.weightData)).toEqual(new Uint8Array(m.toJSON().weightData));

    const { info } = (await readRecord('model_info', 'layout')) as { info: { dateSaved: Date } };
    expect(info.dateSaved).toBeInstanceOf(Date);
    const list = await listModels();
    expect(Object.keys(list)).toEqual(['indexeddb://layout']);
    expect(list['indexeddb://layout']!.dateSaved.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(list['indexeddb://layout']).toMatchObject({
      modelTopologyType: 'JSON',
      weightDataBytes: WEIGHT_BYTES,
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(record.modelJSON.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(record.modelJSON.weightSpecs)),
    });
  });

  it('a second save under the same name replaces the first', async () => {
    const first = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
    const second = new Sequential([new Dense({ units: 3, inputShape: [2] })]);
    await first.save('indexeddb://same');
    await second.save('indexeddb://same');
    const x = tensor([[0.5, -2]]);
    expectSame(second.predict(x), (await loadModel<Sequential>('indexeddb://same')).predict(x));
    expect(Object.keys(await listModels())).toEqual(['indexeddb://same']);
  });

  it('writes the model and its info in one transaction: a failing write leaves neither', async () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
    const real = g.indexedDB as FakeFactory;
    // A factory whose model_info store refuses the value (as a full disk or a clone error would).
    const failing: FakeFactory = {
      open(name: string, version?: number) {
        const req = real.open(name, version);
        req.addEventListener('success', () => {
          const db = req.result;
          const transaction = db.transaction.bind(db);
          db.transaction = (stores: string[], mode: 'readonly' | 'readwrite') => {
            const tx = transaction(stores, mode);
            const objectStore = tx.objectStore.bind(tx);
            tx.objectStore = (storeName: string) => {
              const s = objectStore(storeName);
              if (storeName === 'model_info' && mode === 'readwrite') {
                s.put = () => {
                  throw new DOMException('the disk is full', 'QuotaExceededError');
                };
              }
              return s;
            };
            return tx;
          };
        });
        return req;
      },
    };
    g.indexedDB = failing;
    await expect(m.save('indexeddb://half')).rejects.toThrow("save: writing model 'half' (indexeddb://half, 24 bytes of weights) to IndexedDB failed: the browser's storage quota was exceeded; nothing was written");
    g.indexedDB = real;
    expect(await readRecord('models', 'half')).toBeUndefined();
    expect(await listModels()).toEqual({});
  });

  it('names a missing model and the saved ones; removeModel deletes model and info', async () => {
    await new Sequential([new Dense({ units: 1, inputShape: [2] })]).save('indexeddb://kept');
    await expect(loadModel('indexeddb://nope')).rejects.toThrow("loadModel: indexeddb://nope: there is no model named 'nope' in IndexedDB (saved: 'kept')");
    const info = await removeModel('indexeddb://kept');
    expect(info.weightDataBytes).toBe((2 + 1) * 4);
    expect(info.dateSaved).toBeInstanceOf(Date);
    expect(await readRecord('models', 'kept')).toBeUndefined();
    expect(await listModels()).toEqual({});
    await expect(removeModel('indexeddb://kept')).rejects.toThrow("removeModel: there is no model named 'kept' in IndexedDB (no models are saved there)");
  });

  it('lists both stores together', async () => {
    const ls = new Map<string, string>();
    const gl = globalThis as { localStorage?: unknown };
    gl.localStorage = {
      get length() {
        return ls.size;
      },
      key: (i: number) => [...ls.keys()][i] ?? null,
      getItem: (k: string) => ls.get(k) ?? null,
      setItem: (k: string, v: string) => void ls.set(k, v),
      removeItem: (k: string) => void ls.delete(k),
    };
    try {
      const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
      await m.save('indexeddb://m');
      await m.save('localstorage://m');
      expect(Object.keys(await listModels()).sort()).toEqual(['indexeddb://m', 'localstorage://m']);
    } finally {
      delete gl.localStorage;
    }
  });

  it('says what is missing where there is no IndexedDB (Node)', async () => {
    delete g.indexedDB;
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    const message = "indexeddb:// needs IndexedDB (window.indexedDB), which this environment lacks; in Node, save to a folder with file:// URLs after `import '@descent/models/node'`";
    await expect(m.save('indexeddb://x')).rejects.toThrow(message);
    await expect(loadModel('indexeddb://x')).rejects.toThrow(`loadModel: ${message}`);
    await expect(removeModel('indexeddb://x')).rejects.toThrow(message);
    await expect(browserIndexedDB('x').load!()).rejects.toThrow(message);
    expect(() => browserIndexedDB('')).toThrow("browserIndexedDB: expected a model name after 'indexeddb://', as in 'indexeddb://my-model'; got ''");
  });
});
