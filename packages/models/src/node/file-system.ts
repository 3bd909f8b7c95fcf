import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { IOHandler, ModelArtifacts, SaveResult } from '../io/artifacts.js';
import { artifactsToModelJSON, validateModelJSON } from '../io/artifacts.js';
import { concatBuffers, specByteLength } from '../io/weights.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** Files a saved model folder may hold; anything else means the folder is not ours to replace. */
function isModelFile(name: string): boolean {
  return name === MODEL_JSON || name.endsWith('.bin');
}

function stripScheme(url: string): string {
  return url.replace(/^file:\/\//i, '');
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, 'w');
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh?.close();
  }
}

function suffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Save `artifacts` into folder `dir` as model.json + weights.bin. The files are written into a
 * temporary sibling folder which then replaces `dir` by rename, so `dir` is never half-written:
 * a crash leaves either the previous save or the new one (plus, at worst, a `.tmp-…` folder).
 */
async function saveToDir(dir: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  if (await exists(target)) {
    const info = await stat(target);
    if (!info.isDirectory()) throw new Error(`save: '${target}' exists and is not a folder`);
    const foreign = (await readdir(target)).filter((name) => !isModelFile(name));
    if (foreign.length > 0) {
      throw new Error(`save: refusing to replace folder '${target}' because it holds files that are not part of a saved model: ${foreign.join(', ')}`);
    }
  }
  const tmp = join(parent, `.${basename(target)}.tmp-${suffix()}`);
  const weightData = Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData;
  const modelJSON = JSON.stringify(artifactsToModelJSON(artifacts, WEIGHTS_BIN));
  try {
    await mkdir(tmp);
    await writeFileSynced(join(tmp, WEIGHTS_BIN), new Uint8Array(weightData));
    await writeFileSynced(join(tmp, MODEL_JSON), modelJSON);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`save: writing the model to '${target}' failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (await exists(target)) {
    const old = join(parent, `.${basename(target)}.old-${suffix()}`);
    await rename(target, old);
    try {
      await rename(tmp, target);
    } catch (err) {
      await rename(old, target);
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, target);
  }
  return { location: target, modelJSONBytes: Buffer.byteLength(modelJSON), weightDataBytes: weightData.byteLength };
}

async function modelJsonPath(p: string): Promise<string> {
  const full = resolve(p);
  try {
    if ((await stat(full)).isDirectory()) return join(full, MODEL_JSON);
  } catch {
    // Reported below, with the path the user gave.
  }
  return full;
}

async function loadFromPath(p: string): Promise<ModelArtifacts> {
  const jsonPath = await modelJsonPath(p);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new Error(`loadModel: cannot read '${jsonPath}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`loadModel: '${jsonPath}' is not valid JSON (corrupt or truncated?): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const json = validateModelJSON(parsed, jsonPath);
  const base = dirname(jsonPath);
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    const files: string[] = [];
    let bytes = 0;
    for (const rel of group.paths) {
      const file = join(base, rel);
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (err) {
        throw new Error(`loadModel: '${jsonPath}' lists weight file '${rel}', which cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
      files.push(file);
      bytes += buf.byteLength;
    }
    const needed = group.weights.reduce((n, w) => n + specByteLength(w), 0);
    if (bytes !== needed) {
      throw new Error(
        `loadModel: weight file${files.length > 1 ? 's' : ''} ${files.map((f) => `'${f}'`).join(', ')} hold${files.length > 1 ? '' : 's'} ${bytes} bytes, ` +
          `but '${jsonPath}' describes ${needed} bytes (${group.weights.map((w) => w.name).join(', ')}): the file is ${bytes < needed ? 'truncated' : 'not the one this model.json was saved with'}`,
      );
    }
  }
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: concatBuffers(buffers.length > 0 ? buffers : [new ArrayBuffer(0)]),
    source: jsonPath,
  };
  if (json.format !== undefined) artifacts.format = json.format;
  if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
  if (json.trainingConfig !== undefined) artifacts.trainingConfig = json.trainingConfig;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  return artifacts;
}

/**
 * A handler for a folder on disk: `model.save(fileSystem('./out/model'))` writes model.json +
 * weights.bin there; `loadModel(fileSystem('./out/model/model.json'))` (or the folder) reads them.
 * `file://` URLs resolve to this handler once `@descent/models/node` is imported.
 */
export function fileSystem(path: string): IOHandler {
  if (typeof path !== 'string' || path === '') throw new Error('fileSystem: expected a folder or model.json path');
  const p = stripScheme(path);
  return {
    save: (artifacts) => saveToDir(p, artifacts),
    load: () => loadFromPath(p),
  };
}
