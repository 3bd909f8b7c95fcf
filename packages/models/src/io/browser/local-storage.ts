import type { IOHandler, ModelArtifacts, SaveResult } from '../artifacts.js';
import type { ModelArtifactsInfo } from './stored.js';
import { artifactsFromStored, artifactsInfo, fromBase64, joinedWeights, message, modelPath, pageGlobal, reviveInfo, saveResult, storedModelJSON, storeHandler, toBase64, utf8Length } from './stored.js';

/** The part of the Web Storage API this module uses (`window.localStorage`). */
export interface StorageLike {
  /** How many keys are stored. */
  readonly length: number;
  /** The key at `index`, or null past the end. */
  key(index: number): string | null;
  /** The value under `key`, or null. */
  getItem(key: string): string | null;
  /** Store `value` under `key`; throws a `QuotaExceededError` when the storage is full. */
  setItem(key: string, value: string): void;
  /** Delete `key` (no error when it is absent). */
  removeItem(key: string): void;
}

const SCHEME = 'localstorage';
// Each model is three keys: `descent_models/<name>/info|model_json|weight_data`. No suffix ends
// with another, so two names never share a key even when names contain '/'.
const PREFIX = 'descent_models/';

interface Keys {
  info: string;
  modelJSON: string;
  weightData: string;
}

function keysOf(path: string): Keys {
  return { info: `${PREFIX}${path}/info`, modelJSON: `${PREFIX}${path}/model_json`, weightData: `${PREFIX}${path}/weight_data` };
}

function allKeys(keys: Keys): string[] {
  return [keys.weightData, keys.modelJSON, keys.info];
}

/** `globalThis.localStorage`, looked up at use so importing this module works anywhere. */
export function localStorageOrThrow(): StorageLike {
  return pageGlobal<StorageLike>(SCHEME, 'localStorage', 'localStorage');
}

function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** Names of the models saved in localStorage, for "not found" messages. */
function savedNames(ls: StorageLike): string {
  const names = Object.keys(listLocalStorageModels(ls));
  if (names.length === 0) return 'no models are saved there';
  const shown = names.slice(0, 10).map((n) => `'${n}'`).join(', ');
  return `saved: ${shown}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`;
}

function save(path: string, artifacts: ModelArtifacts): SaveResult {
  const ls = localStorageOrThrow();
  const json = storedModelJSON(artifacts);
  const weights = joinedWeights(artifacts);
  const jsonText = JSON.stringify(json);
  const base64 = toBase64(weights);
  const infoText = JSON.stringify(artifactsInfo(json, weights.byteLength));
  const keys = keysOf(path);
  const entries: [string, string][] = [
    [keys.weightData, base64],
    [keys.modelJSON, jsonText],
    // The info key last: an entry is listed only once all of it is there.
    [keys.info, infoText],
  ];
  const previous = entries.map(([key]) => [key, ls.getItem(key)] as const);
  try {
    for (const [key, value] of entries) ls.setItem(key, value);
  } catch (err) {
    // All or nothing: drop what was written (freeing the space), then put the earlier save back.
    let restored = true;
    for (const [key] of entries) ls.removeItem(key);
    for (const [key, value] of previous) {
      if (value === null) continue;
      try {
        ls.setItem(key, value);
      } catch {
        restored = false;
      }
    }
    if (!restored) for (const [key] of entries) ls.removeItem(key);
    const hadOne = previous.some(([, v]) => v !== null);
    const kept = !hadOne ? 'nothing was written' : restored ? `nothing was written and the model saved earlier as '${path}' is unchanged` : `the model saved earlier as '${path}' could not be put back and was removed`;
    const chars = base64.length + jsonText.length + infoText.length;
    if (isQuotaError(err)) {
      throw new Error(
        `save: model '${path}' does not fit in localStorage (${SCHEME}://${path}): the browser's storage quota was exceeded. ` +
          `It needs ${chars} characters: ${weights.byteLength} bytes of weights as ${base64.length} base64 characters, ` +
          `plus ${jsonText.length} characters of model.json (${utf8Length(jsonText)} bytes). ${kept[0]!.toUpperCase()}${kept.slice(1)}. ` +
          `Browsers give localStorage a few MB per origin; save larger models to indexeddb://${path}.`,
        { cause: err },
      );
    }
    throw new Error(`save: writing model '${path}' (${weights.byteLength} bytes of weights) to localStorage failed: ${message(err)}; ${kept}`, { cause: err });
  }
  return saveResult(`${SCHEME}://${path}`, utf8Length(jsonText), weights.byteLength);
}

function load(path: string): ModelArtifacts {
  const ls = localStorageOrThrow();
  const where = `${SCHEME}://${path}`;
  const keys = keysOf(path);
  const infoText = ls.getItem(keys.info);
  if (infoText === null) throw new Error(`loadModel: ${where}: there is no model named '${path}' in localStorage (${savedNames(ls)})`);
  const jsonText = ls.getItem(keys.modelJSON);
  const base64 = ls.getItem(keys.weightData);
  if (jsonText === null || base64 === null) {
    throw new Error(`loadModel: ${where}: the entry is damaged: its ${jsonText === null ? 'model.json' : 'weight data'} key '${jsonText === null ? keys.modelJSON : keys.weightData}' is missing`);
  }
  let json: unknown;
  let info: ModelArtifactsInfo;
  try {
    json = JSON.parse(jsonText);
    info = reviveInfo(JSON.parse(infoText));
  } catch (err) {
    throw new Error(`loadModel: ${where}: the stored model.json or info is not valid JSON (${message(err)}); the entry is damaged`, { cause: err });
  }
  const weights = fromBase64(base64, `loadModel: ${where}`);
  if (weights.byteLength !== info.weightDataBytes) {
    throw new Error(`loadModel: ${where}: the stored weight data holds ${weights.byteLength} bytes but the entry's info says ${info.weightDataBytes}; the entry is damaged`);
  }
  return artifactsFromStored(json, weights, `loadModel: ${where}`);
}

/**
 * A handler that saves to and loads from the page's localStorage (`localstorage://name` URLs):
 * model.json and the base64 weights as three keys under `descent_models/<name>/`. A save that does
 * not fit the quota fails naming the model and its size and leaves the earlier save as it was.
 */
export function browserLocalStorage(name: string): IOHandler {
  return storeHandler(modelPath(name, SCHEME, 'browserLocalStorage'), save, load);
}

/** Models saved in `ls`, by name (without the scheme). */
export function listLocalStorageModels(ls: StorageLike = localStorageOrThrow()): Record<string, ModelArtifactsInfo> {
  const out: Record<string, ModelArtifactsInfo> = {};
  const suffix = '/info';
  for (let i = 0; i < ls.length; i++) {
    const key = ls.key(i);
    if (key === null || !key.startsWith(PREFIX) || !key.endsWith(suffix) || key.length <= PREFIX.length + suffix.length) continue;
    const text = ls.getItem(key);
    if (text === null) continue;
    try {
      out[key.slice(PREFIX.length, -suffix.length)] = reviveInfo(JSON.parse(text));
    } catch {
      // A key of ours that is not JSON is not a model we saved; skip it rather than fail the listing.
    }
  }
  return out;
}

export function removeLocalStorageModel(path: string): ModelArtifactsInfo {
  const ls = localStorageOrThrow();
  const keys = keysOf(path);
  const infoText = ls.getItem(keys.info);
  if (infoText === null) throw new Error(`removeModel: there is no model named '${path}' in localStorage (${savedNames(ls)})`);
  let info: ModelArtifactsInfo;
  try {
    info = reviveInfo(JSON.parse(infoText));
  } catch {
    info = { dateSaved: new Date(NaN), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: 0 };
  }
  for (const key of allKeys(keys)) ls.removeItem(key);
  return info;
}
