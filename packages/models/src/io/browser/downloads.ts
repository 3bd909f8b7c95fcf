import type { IOHandler, ModelArtifacts, SaveResult } from '../artifacts.js';
import { artifactsToModelJSON } from '../artifacts.js';
import { joinedWeights, missingGlobal, utf8Length } from './stored.js';

const SCHEME = 'downloads';

interface AnchorLike {
  download: string;
  href: string;
  click(): void;
}
interface DocumentLike {
  createElement(tag: 'a'): AnchorLike;
}
interface URLStatics {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
}

/** Blob URLs stay valid this long after their click, so a slow download still finds its data. */
const REVOKE_AFTER_MS = 60_000;

function pageOrThrow(): { document: DocumentLike; urls: URLStatics } {
  const doc = (globalThis as { document?: DocumentLike }).document;
  const urls = URL as unknown as Partial<URLStatics>;
  if (doc === undefined || typeof doc.createElement !== 'function' || typeof urls.createObjectURL !== 'function') {
    throw missingGlobal(SCHEME, 'a browser page (document and URL.createObjectURL) to start downloads');
  }
  return { document: doc, urls: urls as URLStatics };
}

/** The next macrotask: browsers (Firefox notably) keep only the last of several downloads started in one task. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function download(page: { document: DocumentLike; urls: URLStatics }, blob: Blob, fileName: string): Promise<void> {
  await nextTask();
  const href = page.urls.createObjectURL(blob);
  // A detached anchor: nothing is added to the page, and `download` fixes the file name.
  const a = page.document.createElement('a');
  a.download = fileName;
  a.href = href;
  a.click();
  setTimeout(() => page.urls.revokeObjectURL(href), REVOKE_AFTER_MS);
}

async function save(prefix: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const page = pageOrThrow();
  const weightsFile = `${prefix}.weights.bin`;
  const weights = joinedWeights(artifacts);
  const jsonText = JSON.stringify(artifactsToModelJSON(artifacts, `./${weightsFile}`));
  await download(page, new Blob([jsonText], { type: 'application/json' }), `${prefix}.json`);
  await download(page, new Blob([weights], { type: 'application/octet-stream' }), weightsFile);
  return { location: `${SCHEME}://${prefix}`, modelJSONBytes: utf8Length(jsonText), weightDataBytes: weights.byteLength };
}

/**
 * A save-only handler that makes the browser download `<name>.json` and `<name>.weights.bin`
 * (`downloads://name` URLs; `name` defaults to `model`). The model.json's manifest names
 * `./<name>.weights.bin`, so the two files load again side by side, with `browserFiles` or from a server.
 */
export function browserDownloads(fileNamePrefix = 'model'): IOHandler {
  if (typeof fileNamePrefix !== 'string') throw new Error(`browserDownloads: expected a file name prefix such as 'my-model', got ${fileNamePrefix === null ? 'null' : typeof fileNamePrefix}`);
  const prefix = fileNamePrefix.replace(/^downloads:\/\//i, '') || 'model';
  if (/[/\\]/.test(prefix)) {
    throw new Error(`browserDownloads: '${prefix}' names a folder, but downloads go to the browser's download folder; use a plain file name prefix such as 'my-model'`);
  }
  return { save: (artifacts) => Promise.resolve().then(() => save(prefix, artifacts)) };
}
