import type { IOHandler } from '../io/artifacts.js';
import { loadFromPath } from './load-folder.js';
import { serializedSave } from './save-folder.js';

function stripScheme(url: string): string {
  return url.replace(/^file:\/\//i, '');
}

/**
 * A handler for a folder on disk: `model.save(fileSystem('./out/model'))` writes model.json and a
 * weights file there; `loadModel(fileSystem('./out/model/model.json'))` (or the folder) reads them.
 * `file://` URLs resolve to this handler once `@descent/models/node` is imported.
 */
export function fileSystem(path: string): IOHandler {
  if (typeof path !== 'string' || path === '') throw new Error('fileSystem: expected a folder or model.json path');
  const p = stripScheme(path);
  return {
    save: (artifacts) => serializedSave(p, artifacts),
    load: () => loadFromPath(p),
  };
}
