import type { IOHandler, ModelArtifacts } from '../artifacts.js';
import { loadedArtifacts, validateModelJSON } from '../artifacts.js';
import { concatBuffers, specByteLength } from '../weights.js';
import { message } from './stored.js';

/** What `browserFiles` reads from a file: a DOM `File` (from `<input type="file">` or drag and drop) fits. */
export interface FileLike {
  /** The file name, without folders; weight files are matched to the manifest by it. */
  readonly name: string;
  /** Size in bytes, checked against the manifest before any weights are read. */
  readonly size: number;
  /** The content as UTF-8 text (for model.json). */
  text(): Promise<string>;
  /** The content as bytes (for weight files). */
  arrayBuffer(): Promise<ArrayBuffer>;
}

function isFileLike(f: unknown): f is FileLike {
  if (typeof f !== 'object' || f === null) return false;
  const o = f as Partial<FileLike>;
  return typeof o.name === 'string' && typeof o.text === 'function' && typeof o.arrayBuffer === 'function';
}

/** The last part of a manifest path or file name: browsers give File names without folders. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

async function load(jsonFile: FileLike, weightFiles: readonly FileLike[]): Promise<ModelArtifacts> {
  const source = jsonFile.name;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await jsonFile.text());
  } catch (err) {
    throw new Error(`loadModel: browserFiles: '${source}' (the first file) is not valid JSON (${message(err)}); the first file must be the model.json`, { cause: err });
  }
  const json = validateModelJSON(parsed, source, 'loadModel: browserFiles');

  // Match each manifest path to a given file by its base name, and use every file exactly once.
  const byName = new Map<string, FileLike>();
  for (const f of weightFiles) {
    if (byName.has(f.name)) throw new Error(`loadModel: browserFiles: two weight files are named '${f.name}'`);
    byName.set(f.name, f);
  }
  const used = new Set<string>();
  const ordered: FileLike[][] = json.weightsManifest.map((group) =>
    group.paths.map((p) => {
      const base = baseName(p);
      if (used.has(base)) throw new Error(`loadModel: browserFiles: '${source}' lists weight file '${base}' twice`);
      used.add(base);
      const file = byName.get(base);
      if (file === undefined) {
        const given = weightFiles.length === 0 ? 'only the model.json was given' : `given: ${weightFiles.map((f) => `'${f.name}'`).join(', ')}`;
        throw new Error(`loadModel: browserFiles: '${source}' lists weight file '${base}', which is not among the files (${given}); select it too`);
      }
      return file;
    }),
  );
  const extra = weightFiles.filter((f) => !used.has(f.name));
  if (extra.length > 0) {
    throw new Error(`loadModel: browserFiles: ${extra.map((f) => `'${f.name}'`).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not listed in the weights manifest of '${source}' (it lists ${used.size === 0 ? 'no files' : [...used].map((n) => `'${n}'`).join(', ')})`);
  }
  // Sizes first, from the File objects, before reading any weights.
  json.weightsManifest.forEach((group, gi) => {
    const files = ordered[gi]!;
    const needed = group.weights.reduce((n, w) => n + specByteLength(w), 0);
    const have = files.reduce((n, f) => n + f.size, 0);
    if (have !== needed) {
      throw new Error(
        `loadModel: browserFiles: ${files.map((f) => `'${f.name}' (${f.size} bytes)`).join(', ')} ${files.length > 1 ? 'hold' : 'holds'} ${have} bytes, ` +
          `but '${source}' describes ${needed} bytes (${group.weights.map((w) => w.name).join(', ')}): ${have < needed ? 'the file is truncated' : 'the file does not belong to this model.json'}`,
      );
    }
  });
  const buffers = await Promise.all(ordered.flat().map((f) => f.arrayBuffer()));
  return loadedArtifacts(json, json.weightsManifest.flatMap((g) => g.weights), concatBuffers(buffers, source), source);
}

/**
 * A load handler for files the user picked (`<input type="file" multiple>`, drag and drop): the
 * model.json first, then its weight files in any order, matched to the manifest by file name.
 * `loadModel(browserFiles([jsonFile, weightsFile]))`.
 */
export function browserFiles(files: readonly FileLike[]): IOHandler {
  if (!Array.isArray(files) && !(typeof files === 'object' && files !== null && typeof (files as { length?: unknown }).length === 'number')) {
    throw new Error(`browserFiles: expected an array of File objects (the model.json first, then its weight files), got ${files === null ? 'null' : typeof files}`);
  }
  const list = Array.from(files as ArrayLike<unknown>);
  if (list.length === 0) throw new Error('browserFiles: expected at least one File (the model.json, then its weight files), got an empty list');
  list.forEach((f, i) => {
    if (!isFileLike(f)) throw new Error(`browserFiles: item ${i} is not a File (expected an object with name, text() and arrayBuffer(), such as an <input type="file"> gives), got ${f === null ? 'null' : typeof f}`);
  });
  const [jsonFile, ...weightFiles] = list as FileLike[];
  return { load: () => Promise.resolve().then(() => load(jsonFile!, weightFiles)) };
}
