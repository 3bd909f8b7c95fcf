// Saving a model into a folder on disk so that the folder always holds a complete model: weights
// under a fresh name, model.json swapped in by an atomic rename, leftovers of crashed saves removed.
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ModelArtifacts, SaveResult } from '../io/artifacts.js';
import { artifactsToModelJSON } from '../io/artifacts.js';
import { concatBuffers } from '../io/weights.js';

/** The model file's name in a saved model folder. */
export const MODEL_JSON = 'model.json';

// File names a save writes. Every save writes its weights under a new name (so the weights the
// current model.json refers to are never touched), then swaps model.json by an atomic rename. The
// pid in each name tells a later save whether the writer may still be running (see `isStale`).
const WEIGHTS_RE = /^weights\.(\d+)-[0-9a-f]{8}\.bin$/;
const JSON_TMP_RE = /^\.model\.json\.(\d+)-[0-9a-f]{8}\.tmp$/;

/** An error's message, for errors that wrap it. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function uniqueId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Sibling folder a first save builds in before renaming it into place. */
function tmpDirRe(base: string): RegExp {
  return new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:tmp|old)-(\\d+)-[0-9a-f]{8}$`);
}

/** Files a saved model folder may hold; anything else means the folder is not ours to write into. */
function isModelFile(name: string): boolean {
  return name === MODEL_JSON || name.endsWith('.bin') || JSON_TMP_RE.test(name);
}

/** Paths of files an unfinished save in this process is writing; cleanup leaves them alone. */
const inFlight = new Set<string>();

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

/** A leftover of a save by `pid` that can no longer be running (crashed, or an earlier save of ours). */
function isStale(path: string, pid: number): boolean {
  if (pid === process.pid) return !inFlight.has(path);
  return !pidAlive(pid);
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, 'wx');
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh?.close();
  }
}

/** Make a rename in `dir` durable. Folders cannot be opened for fsync on every platform; skip there. */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes(code(err) ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

async function referencedFiles(jsonPath: string): Promise<Set<string> | null> {
  try {
    const json = JSON.parse(await readFile(jsonPath, 'utf8')) as { weightsManifest?: { paths?: unknown }[] };
    const names = new Set<string>();
    for (const group of json.weightsManifest ?? []) {
      for (const p of Array.isArray(group.paths) ? group.paths : []) if (typeof p === 'string') names.add(resolve(dirname(jsonPath), p));
    }
    return names;
  } catch {
    return null;
  }
}

/**
 * Remove what earlier (possibly crashed) saves left behind: weight files model.json no longer
 * refers to, model.json temp files, and sibling build folders. Files a live save is writing stay.
 */
async function cleanUp(target: string): Promise<void> {
  const jsonPath = join(target, MODEL_JSON);
  const referenced = await referencedFiles(jsonPath);
  if (referenced !== null) {
    for (const entry of await readdir(target, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = join(target, entry.name);
      const ours = WEIGHTS_RE.exec(entry.name) ?? JSON_TMP_RE.exec(entry.name);
      if (ours !== null) {
        if (!referenced.has(full) && isStale(full, Number(ours[1]))) await rm(full, { force: true });
      } else if (entry.name.endsWith('.bin') && !referenced.has(full)) {
        // weights.bin of an older save, or shards of a model this save replaced.
        await rm(full, { force: true });
      }
    }
  }
  const parent = dirname(target);
  const re = tmpDirRe(basename(target));
  for (const entry of await readdir(parent, { withFileTypes: true })) {
    const m = re.exec(entry.name);
    if (m === null || !entry.isDirectory()) continue;
    const full = join(parent, entry.name);
    if (isStale(full, Number(m[1]))) await rm(full, { recursive: true, force: true });
  }
}

/** Write weights under a new name, then swap model.json in by rename. `dir` must exist. */
async function writeInto(dir: string, weightData: Uint8Array, artifacts: ModelArtifacts): Promise<number> {
  const id = uniqueId();
  const weightsName = `weights.${id}.bin`;
  const weightsPath = join(dir, weightsName);
  const tmpJson = join(dir, `.model.json.${id}.tmp`);
  const modelJSON = JSON.stringify(artifactsToModelJSON(artifacts, weightsName));
  inFlight.add(weightsPath);
  inFlight.add(tmpJson);
  try {
    await writeFileSynced(weightsPath, weightData);
    await writeFileSynced(tmpJson, modelJSON);
    await rename(tmpJson, join(dir, MODEL_JSON));
    await syncDir(dir);
  } catch (err) {
    await rm(tmpJson, { force: true });
    await rm(weightsPath, { force: true });
    throw err;
  } finally {
    inFlight.delete(weightsPath);
    inFlight.delete(tmpJson);
  }
  return Buffer.byteLength(modelJSON);
}

/**
 * Save `artifacts` into folder `dir` as model.json + one weights file. The path always holds a
 * complete model, the previous one or the new one: weights go to a file with a fresh name, and
 * model.json, which names that file, replaces the old model.json by an atomic rename. A first
 * save builds the folder as a hidden sibling and renames it into place. Leftovers of crashed
 * saves are removed by the next save.
 */
async function saveToDir(dir: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const target = resolve(dir);
  const parent = dirname(target);
  const weightData = new Uint8Array(Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData);
  let modelJSONBytes: number;
  try {
    await mkdir(parent, { recursive: true });
    let inPlace = await exists(target);
    if (!inPlace) {
      const tmp = join(parent, `.${basename(target)}.tmp-${uniqueId()}`);
      inFlight.add(tmp);
      try {
        await mkdir(tmp);
        modelJSONBytes = await writeInto(tmp, weightData, artifacts);
        await rename(tmp, target);
        await syncDir(parent);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        // Someone else created the folder meanwhile: save into it like into any earlier save.
        if (!['ENOTEMPTY', 'EEXIST', 'EISDIR', 'ENOTDIR'].includes(code(err) ?? '') || !(await exists(target))) throw err;
        inPlace = true;
      } finally {
        inFlight.delete(tmp);
      }
    }
    if (inPlace) {
      const info = await stat(target);
      if (!info.isDirectory()) throw new Error(`save: '${target}' exists and is not a folder`);
      const foreign = (await readdir(target)).filter((name) => !isModelFile(name));
      if (foreign.length > 0) {
        throw new Error(`save: refusing to replace folder '${target}' because it holds files that are not part of a saved model: ${foreign.join(', ')}`);
      }
      modelJSONBytes = await writeInto(target, weightData, artifacts);
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('save:')) throw err;
    throw new Error(`save: writing the model to '${target}' failed: ${message(err)}`, { cause: err });
  }
  try {
    await cleanUp(target);
  } catch {
    // The model is saved; what could not be removed now is tried again by the next save.
  }
  return { location: target, modelJSONBytes: modelJSONBytes!, weightDataBytes: weightData.byteLength };
}

/** Saves to one path run one after another, in the order they were asked for. */
const saveChains = new Map<string, Promise<unknown>>();

/** `saveToDir`, run after every earlier save to the same folder has settled. */
export function serializedSave(dir: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const key = resolve(dir);
  const previous = saveChains.get(key) ?? Promise.resolve();
  const run = previous.then(
    () => saveToDir(dir, artifacts),
    () => saveToDir(dir, artifacts),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  saveChains.set(key, settled);
  void settled.then(() => {
    if (saveChains.get(key) === settled) saveChains.delete(key);
  });
  return run;
}
