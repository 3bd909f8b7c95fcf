// Loading a model from a folder on disk: model.json, then its weight files, each checked (inside the
// folder, a regular file, the size the manifest says) before any is read.
import { constants } from 'node:fs';
import { lstat, open, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ModelArtifacts } from '../io/artifacts.js';
import { loadedArtifacts, validateModelJSON } from '../io/artifacts.js';
import type { WeightSpec } from '../io/weights.js';
import { specByteLength } from '../io/weights.js';
import { MODEL_JSON, message } from './save-folder.js';

async function modelJsonPath(p: string): Promise<string> {
  const full = resolve(p);
  try {
    if ((await stat(full)).isDirectory()) return join(full, MODEL_JSON);
  } catch {
    // Reported below, with the path the user gave.
  }
  return full;
}

function isInside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/**
 * Bytes a manifest group describes. Its entries were validated with the rest of model.json
 * (`validateModelJSON`: shapes, dtypes, at most MAX_WEIGHT_BYTES each); only the sum is checked here.
 */
function groupBytes(weights: readonly WeightSpec[], jsonPath: string): number {
  let total = 0;
  for (const w of weights) {
    total += specByteLength(w);
    if (!Number.isSafeInteger(total)) throw new Error(`loadModel: '${jsonPath}' describes more weight bytes than can be read (${w.name} ${JSON.stringify(w.shape)})`);
  }
  return total;
}

interface WeightFile {
  rel: string;
  real: string;
  size: number;
}

/**
 * Resolve a weights-manifest path inside the model folder `realBase` (already a realpath). Paths
 * that are absolute, climb out with `..`, or lead out through a symlink are refused before any
 * read, and without saying anything about the file outside.
 */
async function resolveWeightFile(realBase: string, rel: unknown, jsonPath: string): Promise<WeightFile> {
  const refuse = (why: string): Error =>
    new Error(`loadModel: '${jsonPath}' lists weight file ${JSON.stringify(rel)}, which ${why}; weight files must be inside the model folder '${realBase}'`);
  if (typeof rel !== 'string' || rel === '') throw refuse('is not a file name');
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('\\') || rel.includes('\0') || /^[a-z][a-z0-9+.-]*:/i.test(rel)) {
    throw refuse('is an absolute path or URL');
  }
  const lexical = resolve(realBase, rel);
  if (!isInside(realBase, lexical)) throw refuse('points outside the model folder');
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    // Say "outside" rather than "missing" when the path leads out (or into a dangling link), so
    // nothing is learned about what exists outside the folder.
    let below = lexical;
    let ancestor = dirname(lexical);
    for (;;) {
      let r: string | null = null;
      try {
        r = await realpath(ancestor);
      } catch {
        // Keep climbing.
      }
      if (r !== null) {
        if (r !== realBase && !isInside(realBase, r)) throw refuse('leads outside the model folder through a symbolic link');
        if ((await lstat(below).catch(() => null))?.isSymbolicLink() === true) throw refuse('is reached through a symbolic link that cannot be followed');
        break;
      }
      if (ancestor === realBase || dirname(ancestor) === ancestor) break;
      below = ancestor;
      ancestor = dirname(ancestor);
    }
    throw new Error(`loadModel: '${jsonPath}' lists weight file '${rel}', which cannot be read: ${message(err)}`, { cause: err });
  }
  if (!isInside(realBase, real)) throw refuse('leads outside the model folder through a symbolic link');
  const info = await stat(real);
  if (!info.isFile()) throw new Error(`loadModel: '${jsonPath}' lists weight file '${rel}', which is not a regular file`);
  return { rel, real, size: info.size };
}

/** Read exactly `size` bytes of `file` into `into` at `offset`; fail if the file is not that size now. */
async function readExactly(file: WeightFile, into: Uint8Array, offset: number, jsonPath: string): Promise<void> {
  const fh = await open(file.real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await fh.stat();
    if (!info.isFile()) throw new Error(`loadModel: '${jsonPath}' lists weight file '${file.rel}', which is not a regular file`);
    let done = 0;
    while (done < file.size) {
      const { bytesRead } = await fh.read(into, offset + done, file.size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    const extra = await fh.read(new Uint8Array(1), 0, 1, file.size);
    if (done !== file.size || extra.bytesRead !== 0) {
      throw new Error(`loadModel: weight file '${file.real}' changed size while it was read (expected ${file.size} bytes)`);
    }
  } finally {
    await fh.close();
  }
}

/** The artifacts of the model saved at `p` (its folder or its model.json). */
export async function loadFromPath(p: string): Promise<ModelArtifacts> {
  const jsonPath = await modelJsonPath(p);
  let text: string;
  try {
    const info = await stat(jsonPath);
    if (!info.isFile()) throw new Error('not a regular file');
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new Error(`loadModel: cannot read '${jsonPath}': ${message(err)}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`loadModel: '${jsonPath}' is not valid JSON (corrupt or truncated?): ${message(err)}`, { cause: err });
  }
  const json = validateModelJSON(parsed, jsonPath);
  const realBase = await realpath(dirname(jsonPath));

  // Check every file (place, type, size) before reading any of them.
  const groups: { files: WeightFile[]; needed: number }[] = [];
  let total = 0;
  for (const group of json.weightsManifest) {
    const needed = groupBytes(group.weights, jsonPath);
    const files: WeightFile[] = [];
    for (const rel of group.paths as unknown[]) files.push(await resolveWeightFile(realBase, rel, jsonPath));
    const bytes = files.reduce((n, f) => n + f.size, 0);
    if (bytes !== needed) {
      const names = files.map((f) => (files.length > 1 ? `'${f.real}' (${f.size} bytes)` : `'${f.real}'`)).join(', ');
      throw new Error(
        `loadModel: weight file${files.length > 1 ? 's' : ''} ${names} hold${files.length > 1 ? '' : 's'} ${bytes} bytes, ` +
          `but '${jsonPath}' describes ${needed} bytes (${group.weights.map((w) => w.name).join(', ')}): ` +
          `the file is ${bytes < needed ? 'truncated' : 'larger than the manifest says, so not the one this model.json was saved with'}`,
      );
    }
    groups.push({ files, needed });
    total += needed;
  }

  const data = new Uint8Array(total);
  let offset = 0;
  for (const group of groups) {
    for (const file of group.files) {
      try {
        await readExactly(file, data, offset, jsonPath);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('loadModel:')) throw err;
        throw new Error(`loadModel: '${jsonPath}' lists weight file '${file.rel}', which cannot be read: ${message(err)}`, { cause: err });
      }
      offset += file.size;
    }
  }
  return loadedArtifacts(json, json.weightsManifest.flatMap((g) => g.weights), data.buffer, jsonPath);
}
