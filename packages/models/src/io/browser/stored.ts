import type { IOHandler, ModelArtifacts, ModelJSON, SaveResult } from '../artifacts.js';
import { loadedArtifacts } from '../artifacts.js';
import type { WeightSpec } from '../weights.js';
import { concatBuffers } from '../weights.js';

/** What `listModels()` and `removeModel()` report about a stored model (TF.js's `ModelArtifactsInfo`). */
export interface ModelArtifactsInfo {
  /** When the model was saved. */
  dateSaved: Date;
  /** How the topology is stored: always JSON. */
  modelTopologyType: 'JSON';
  /** UTF-8 bytes of the topology as JSON. */
  modelTopologyBytes: number;
  /** UTF-8 bytes of the weight specs as JSON. */
  weightSpecsBytes: number;
  /** Bytes of weight data (as saved, before any base64 encoding). */
  weightDataBytes: number;
}

/**
 * A saved model as the browser stores keep it: everything in model.json except that the weights
 * manifest is one flat list of specs (the weights live in one buffer beside it, not in files).
 */
type StoredModelJSON = Omit<ModelJSON, 'weightsManifest'> & { weightSpecs: WeightSpec[] };

const utf8 = new TextEncoder();

export function utf8Length(text: string): number {
  return utf8.encode(text).byteLength;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The weight data of a save as one buffer. */
export function joinedWeights(artifacts: ModelArtifacts): ArrayBuffer {
  const w = artifacts.weightData;
  return Array.isArray(w) ? concatBuffers(w) : concatBuffers([w]);
}

export function storedModelJSON(artifacts: ModelArtifacts): StoredModelJSON {
  const out: StoredModelJSON = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'Descent',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
  };
  if (artifacts.trainingConfig !== undefined) out.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) out.userDefinedMetadata = artifacts.userDefinedMetadata;
  return out;
}

export function artifactsInfo(json: StoredModelJSON, weightDataBytes: number): ModelArtifactsInfo {
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: utf8Length(JSON.stringify(json.modelTopology)),
    weightSpecsBytes: utf8Length(JSON.stringify(json.weightSpecs)),
    weightDataBytes,
  };
}

/**
 * Artifacts from a stored record, after checking the parts that were not written by this code
 * (another tab, an older version, a hand edit): `where` names the store and the model.
 */
export function artifactsFromStored(json: unknown, weightData: unknown, where: string): ModelArtifacts {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${where}: the stored model.json is ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}, expected an object; the entry is damaged`);
  }
  const j = json as Partial<StoredModelJSON>;
  if (j.modelTopology === undefined) throw new Error(`${where}: the stored model has no 'modelTopology'; the entry is damaged`);
  if (!Array.isArray(j.weightSpecs)) throw new Error(`${where}: the stored model has no 'weightSpecs' list; the entry is damaged`);
  if (!(weightData instanceof ArrayBuffer)) throw new Error(`${where}: the stored weight data is ${weightData === null ? 'null' : typeof weightData}, expected an ArrayBuffer; the entry is damaged`);
  return loadedArtifacts(j as StoredModelJSON, j.weightSpecs, weightData, where);
}

/** `dateSaved` comes back from JSON (localStorage) as a string. */
export function reviveInfo(value: unknown): ModelArtifactsInfo {
  const info = { ...(value as ModelArtifactsInfo) };
  if (!(info.dateSaved instanceof Date)) info.dateSaved = new Date(info.dateSaved);
  return info;
}

export function saveResult(location: string, modelJSONBytes: number, weightDataBytes: number): SaveResult {
  return { location, modelJSONBytes, weightDataBytes };
}

/** The model name after `scheme://`; `op` starts the message when it is empty. */
export function modelPath(url: string, scheme: string, op: string): string {
  if (typeof url !== 'string') throw new Error(`${op}: expected a model name such as 'my-model' (or '${scheme}://my-model'), got ${url === null ? 'null' : typeof url}`);
  const re = new RegExp(`^${scheme}://`, 'i');
  const path = url.replace(re, '');
  if (path === '') throw new Error(`${op}: expected a model name after '${scheme}://', as in '${scheme}://my-model'; got '${url}'`);
  return path;
}

/** Where in Node each browser-only scheme's users should look instead. */
const NODE_HINT = "; in Node, save to a folder with file:// URLs after `import '@descent/models/node'`";

export function missingGlobal(scheme: string, what: string): Error {
  return new Error(`${scheme}:// needs ${what}, which this environment lacks${NODE_HINT}`);
}

/**
 * The page's `globalThis[name]` (`indexedDB`, `localStorage`), looked up at use so importing a module
 * works anywhere; `label` names it in the errors for a page that refuses access or has none.
 */
export function pageGlobal<T>(scheme: string, name: 'indexedDB' | 'localStorage', label: string): T {
  let value: T | undefined;
  try {
    value = (globalThis as Record<string, unknown>)[name] as T | undefined;
  } catch (err) {
    // Opaque origins and some privacy modes throw a SecurityError on access.
    throw new Error(`${scheme}:// cannot use ${label} on this page: ${message(err)}`, { cause: err });
  }
  if (value === undefined || value === null) throw missingGlobal(scheme, `${label} (window.${name})`);
  return value;
}

// Base64 in chunks: String.fromCharCode(...bytes) on a whole model would overflow the argument limit.
const CHUNK = 0x8000;

export function toBase64(data: ArrayBuffer): string {
  const bytes = new Uint8Array(data);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return btoa(parts.join(''));
}

export function fromBase64(text: string, where: string): ArrayBuffer {
  let binary: string;
  try {
    binary = atob(text);
  } catch (err) {
    throw new Error(`${where}: the stored weight data is not valid base64 (${message(err)}); the entry is damaged`, { cause: err });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out.buffer;
}

/** The IOHandler of a browser store: `save`/`load` of the entry at `path`, run asynchronously (a throw becomes a rejection). */
export function storeHandler(path: string, save: (path: string, artifacts: ModelArtifacts) => Promise<SaveResult> | SaveResult, load: (path: string) => Promise<ModelArtifacts> | ModelArtifacts): IOHandler {
  return {
    save: (artifacts) => Promise.resolve().then(() => save(path, artifacts)),
    load: () => Promise.resolve().then(() => load(path)),
  };
}
