import type { IOHandler, ModelArtifacts, SaveResult } from '../artifacts.js';
import type { ModelArtifactsInfo } from './stored.js';
import { artifactsFromStored, artifactsInfo, joinedWeights, message, modelPath, pageGlobal, reviveInfo, saveResult, storedModelJSON, storeHandler, utf8Length } from './stored.js';

// The parts of the IndexedDB API used here, typed structurally so the package needs no DOM types.
interface Req<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenReq extends Req<Db> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface Store {
  put(value: unknown): Req<unknown>;
  get(key: string): Req<unknown>;
  delete(key: string): Req<unknown>;
  getAll(): Req<unknown[]>;
}
interface Tx {
  objectStore(name: string): Store;
  readonly error: unknown;
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
  onerror: (() => void) | null;
  abort(): void;
}
interface Db {
  transaction(stores: string[], mode: 'readonly' | 'readwrite'): Tx;
  createObjectStore(name: string, options: { keyPath: string }): unknown;
  readonly objectStoreNames: { contains(name: string): boolean };
  close(): void;
  onversionchange: (() => void) | null;
}
/** The part of `window.indexedDB` this module uses. */
interface IDBFactoryLike {
  open(name: string, version: number): OpenReq;
}

const SCHEME = 'indexeddb';
/**
 * One database, two stores keyed by the model name: `models` holds { path, modelJSON, weightData }
 * (model.json less its file manifest, plus the weights as one ArrayBuffer) and `model_info` holds
 * { path, info } (dates and sizes), so listing models never reads their weights. A save writes both
 * in one transaction: it lands whole or not at all.
 */
const DATABASE_NAME = 'descent';
const DATABASE_VERSION = 1;
const MODELS = 'models';
const INFO = 'model_info';

interface ModelRecord {
  path: string;
  modelJSON: unknown;
  weightData: unknown;
}
interface InfoRecord {
  path: string;
  info: ModelArtifactsInfo;
}

/** `globalThis.indexedDB`, looked up at use so importing this module works anywhere. */
export function indexedDBOrThrow(): IDBFactoryLike {
  return pageGlobal<IDBFactoryLike>(SCHEME, 'indexedDB', 'IndexedDB');
}

function describe(err: unknown): string {
  if (err instanceof Error && err.name === 'Error') return err.message;
  if (typeof err === 'object' && err !== null && 'name' in err) {
    const { name, message: text } = err as { name: unknown; message?: unknown };
    return typeof text === 'string' && text !== '' ? `${String(name)}: ${text}` : String(name);
  }
  return err === null || err === undefined ? 'unknown error' : message(err);
}

function openDatabase(factory: IDBFactoryLike): Promise<Db> {
  return new Promise((resolve, reject) => {
    let req: OpenReq;
    try {
      req = factory.open(DATABASE_NAME, DATABASE_VERSION);
    } catch (err) {
      reject(new Error(`cannot open IndexedDB database '${DATABASE_NAME}': ${describe(err)}`, { cause: err }));
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'path' });
      if (!db.objectStoreNames.contains(INFO)) db.createObjectStore(INFO, { keyPath: 'path' });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Let another tab that opens a newer version upgrade instead of blocking on us.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(new Error(`cannot open IndexedDB database '${DATABASE_NAME}': ${describe(req.error)}`, { cause: req.error }));
    req.onblocked = () => reject(new Error(`cannot open IndexedDB database '${DATABASE_NAME}': another tab holds an older version open; close it and try again`));
  });
}

/**
 * Run `body` in one transaction over `stores` and resolve with what it returns once the
 * transaction has committed (so a write is durable when the promise resolves); an abort rejects.
 */
async function inTransaction<T>(stores: string[], mode: 'readonly' | 'readwrite', body: (tx: Tx) => () => T): Promise<T> {
  const db = await openDatabase(indexedDBOrThrow());
  try {
    return await new Promise<T>((resolve, reject) => {
      let tx: Tx | null = null;
      let result: () => T;
      try {
        tx = db.transaction(stores, mode);
        result = body(tx);
      } catch (err) {
        // A request that could not even be queued (a value that cannot be cloned …): undo the
        // requests queued before it, so a save never lands half.
        try {
          tx?.abort();
        } catch {
          // Already finished or aborted.
        }
        reject(err instanceof Error ? err : new Error(describe(err)));
        return;
      }
      tx.oncomplete = () => {
        try {
          resolve(result());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(describe(err)));
        }
      };
      tx.onabort = () => reject(tx.error instanceof Error ? tx.error : new Error(describe(tx.error ?? 'the transaction was aborted')));
    });
  } finally {
    db.close();
  }
}

async function save(path: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const json = storedModelJSON(artifacts);
  const weightData = joinedWeights(artifacts);
  const info = artifactsInfo(json, weightData.byteLength);
  const where = `${SCHEME}://${path}`;
  indexedDBOrThrow();
  try {
    await inTransaction([MODELS, INFO], 'readwrite', (tx) => {
      tx.objectStore(MODELS).put({ path, modelJSON: json, weightData } satisfies ModelRecord);
      tx.objectStore(INFO).put({ path, info } satisfies InfoRecord);
      return () => undefined;
    });
  } catch (err) {
    const quota = typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
    const why = quota ? "the browser's storage quota was exceeded" : describe(err);
    throw new Error(`save: writing model '${path}' (${where}, ${weightData.byteLength} bytes of weights) to IndexedDB failed: ${why}; nothing was written`, { cause: err });
  }
  return saveResult(where, utf8Length(JSON.stringify(json)), weightData.byteLength);
}

async function savedNames(): Promise<string> {
  const names = Object.keys(await listIndexedDBModels());
  if (names.length === 0) return 'no models are saved there';
  return `saved: ${names.slice(0, 10).map((n) => `'${n}'`).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`;
}

async function load(path: string): Promise<ModelArtifacts> {
  const where = `${SCHEME}://${path}`;
  indexedDBOrThrow();
  let record: unknown;
  try {
    record = await inTransaction([MODELS], 'readonly', (tx) => {
      const req = tx.objectStore(MODELS).get(path);
      return () => req.result;
    });
  } catch (err) {
    throw new Error(`loadModel: ${where}: reading IndexedDB failed: ${describe(err)}`, { cause: err });
  }
  if (record === undefined) throw new Error(`loadModel: ${where}: there is no model named '${path}' in IndexedDB (${await savedNames()})`);
  const { modelJSON, weightData } = record as Partial<ModelRecord>;
  return artifactsFromStored(modelJSON, weightData, `loadModel: ${where}`);
}

/**
 * A handler that saves to and loads from the browser's IndexedDB (`indexeddb://name` URLs):
 * database `descent`, stores `models` and `model_info`, both keyed by `name`.
 */
export function browserIndexedDB(name: string): IOHandler {
  return storeHandler(modelPath(name, SCHEME, 'browserIndexedDB'), save, load);
}

/** Models saved in IndexedDB, by name (without the scheme). */
export async function listIndexedDBModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const records = await inTransaction([INFO], 'readonly', (tx) => {
    const req = tx.objectStore(INFO).getAll();
    return () => req.result;
  });
  const out: Record<string, ModelArtifactsInfo> = {};
  for (const r of records as Partial<InfoRecord>[]) if (typeof r.path === 'string') out[r.path] = reviveInfo(r.info);
  return out;
}

export async function removeIndexedDBModel(path: string): Promise<ModelArtifactsInfo> {
  const record = await inTransaction([MODELS, INFO], 'readwrite', (tx) => {
    const info = tx.objectStore(INFO);
    const req = info.get(path);
    req.onsuccess = () => {
      if (req.result === undefined) return;
      info.delete(path);
      tx.objectStore(MODELS).delete(path);
    };
    return () => req.result;
  });
  if (record === undefined) throw new Error(`removeModel: there is no model named '${path}' in IndexedDB (${await savedNames()})`);
  return reviveInfo((record as InfoRecord).info);
}
