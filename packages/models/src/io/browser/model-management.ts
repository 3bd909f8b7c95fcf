import { indexedDBOrThrow, listIndexedDBModels, removeIndexedDBModel } from './indexed-db.js';
import { listLocalStorageModels, localStorageOrThrow, removeLocalStorageModel } from './local-storage.js';
import type { ModelArtifactsInfo } from './stored.js';

function available(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * Every model saved in this browser's IndexedDB and localStorage, by URL
 * (`{ 'indexeddb://my-model': { dateSaved, modelTopologyBytes, weightDataBytes, … } }`), like
 * `tf.io.listModels()`. A store this environment lacks (both, in Node) contributes nothing.
 */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const out: Record<string, ModelArtifactsInfo> = {};
  if (available(indexedDBOrThrow)) {
    for (const [path, info] of Object.entries(await listIndexedDBModels())) out[`indexeddb://${path}`] = info;
  }
  if (available(localStorageOrThrow)) {
    for (const [path, info] of Object.entries(listLocalStorageModels())) out[`localstorage://${path}`] = info;
  }
  return out;
}

/** Delete a model saved with `indexeddb://name` or `localstorage://name` and return what it was. */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  if (typeof url !== 'string') throw new Error(`removeModel: expected a URL such as 'indexeddb://my-model', got ${url === null ? 'null' : typeof url}`);
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(url);
  if (match === null) throw new Error(`removeModel: '${url}' has no scheme; expected 'indexeddb://${url}' or 'localstorage://${url}'`);
  const scheme = match[1]!.toLowerCase();
  const path = match[2]!;
  if (scheme !== 'indexeddb' && scheme !== 'localstorage') {
    throw new Error(`removeModel: '${scheme}://' is not a model store; removeModel works on indexeddb:// and localstorage:// URLs`);
  }
  if (path === '') throw new Error(`removeModel: expected a model name after '${scheme}://', as in '${scheme}://my-model'`);
  if (scheme === 'indexeddb') {
    indexedDBOrThrow();
    return removeIndexedDBModel(path);
  }
  localStorageOrThrow();
  return removeLocalStorageModel(path);
}
