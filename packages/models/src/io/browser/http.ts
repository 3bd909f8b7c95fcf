import { checkOptionKeys } from '../../training/options.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../artifacts.js';
import { artifactsToModelJSON, loadedArtifacts, validateModelJSON } from '../artifacts.js';
import { concatBuffers, specByteLength } from '../weights.js';
import { joinedWeights, message, utf8Length } from './stored.js';

/**
 * Options of `http(url, options)`: how requests are made and where weight files are fetched from
 * (`loadModel('https://…')` uses the defaults).
 */
export interface HTTPOptions {
  /**
   * `fetch` options for every request (headers, credentials, mode, cache …). Loading uses them for
   * model.json and each weight file; saving sends one request with `method` (default `'POST'`).
   * It must have no `body`: a save builds its own.
   */
  requestInit?: RequestInit;
  /** A `fetch` to use instead of the global one (a polyfill, or one that adds auth). */
  fetchFunc?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Load weight files from `weightPathPrefix + path` instead of beside model.json (e.g. a CDN folder ending in '/'). */
  weightPathPrefix?: string;
  /** Map each weight file name in the manifest to the URL to fetch it from. */
  weightUrlConverter?: (weightFileName: string) => string | Promise<string>;
  /** Called with the fraction of files fetched (0 … 1) while loading. */
  onProgress?: (fraction: number) => void;
}

const HTTP_OPTIONS = ['requestInit', 'fetchFunc', 'weightPathPrefix', 'weightUrlConverter', 'onProgress'] as const;

/** The form fields and file names a save posts are TF.js's (`model_json`/model.json, `model_weights_bin`/model.weights.bin), so servers written for TF.js accept them. */
const WEIGHTS_FILE = 'model.weights.bin';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

function checkOptions(options: HTTPOptions): void {
  checkOptionKeys('http', options, HTTP_OPTIONS);
  const { requestInit, fetchFunc, weightPathPrefix, weightUrlConverter, onProgress } = options;
  if (requestInit !== undefined && (typeof requestInit !== 'object' || requestInit === null)) {
    throw new Error(`http: option 'requestInit' must be a fetch RequestInit object such as { headers: {...} }, got ${requestInit === null ? 'null' : typeof requestInit}`);
  }
  if (requestInit?.body !== undefined && requestInit.body !== null) {
    throw new Error("http: option 'requestInit' must have no 'body': loading sends none, and saving sends the model as multipart form data");
  }
  for (const [name, value] of [['fetchFunc', fetchFunc], ['weightUrlConverter', weightUrlConverter], ['onProgress', onProgress]] as const) {
    if (value !== undefined && typeof value !== 'function') throw new Error(`http: option '${name}' must be a function, got ${value === null ? 'null' : typeof value}`);
  }
  if (weightPathPrefix !== undefined && (typeof weightPathPrefix !== 'string' || weightPathPrefix === '')) {
    throw new Error(`http: option 'weightPathPrefix' must be a non-empty string such as 'https://cdn.example.com/models/', got ${JSON.stringify(weightPathPrefix)}`);
  }
}

/** The model URL made absolute: relative URLs resolve against the page (`location.href`) when there is one. */
function absoluteURL(url: string): URL {
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  const expected = "expected an absolute http:// or https:// URL such as 'https://example.com/model/model.json'";
  let parsed: URL;
  try {
    parsed = typeof page === 'string' ? new URL(url, page) : new URL(url);
  } catch {
    throw new Error(`http: '${url}' is not a valid URL; ${expected}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`http: '${url}' is a ${parsed.protocol} URL; ${expected}`);
  return parsed;
}

function getFetch(options: HTTPOptions): Fetch {
  if (options.fetchFunc) return options.fetchFunc;
  const f = (globalThis as { fetch?: Fetch }).fetch;
  if (typeof f !== 'function') throw new Error("http:// needs fetch, which this environment lacks; pass { fetchFunc } to http(url, options)");
  return f.bind(globalThis);
}

function status(res: Response): string {
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
}

async function request(f: Fetch, url: string, init: RequestInit, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await f(url, init);
  } catch (err) {
    throw new Error(`${what}: the request to ${url} failed: ${message(err)}`, { cause: err });
  }
  if (!res.ok) throw new Error(`${what}: ${init.method ?? 'GET'} ${url} answered ${status(res)}`);
  return res;
}

/**
 * Where a manifest path is fetched from. By default it resolves relative to model.json and keeps
 * model.json's query string (signed URLs, `?v=3`), and it must stay on model.json's origin: a
 * model.json cannot send requests elsewhere unless the caller asked for that with
 * `weightPathPrefix` or `weightUrlConverter`.
 */
async function weightURL(path: string, modelURL: URL, options: HTTPOptions): Promise<string> {
  if (options.weightUrlConverter) {
    const converted: unknown = await options.weightUrlConverter(path);
    if (typeof converted !== 'string' || converted === '') throw new Error(`loadModel: weightUrlConverter('${path}') returned ${JSON.stringify(converted)}, expected a URL string`);
    return new URL(converted, modelURL).href;
  }
  if (options.weightPathPrefix !== undefined) return new URL(options.weightPathPrefix + path, modelURL).href;
  const resolved = new URL(path, modelURL);
  if (resolved.origin !== modelURL.origin) {
    throw new Error(
      `loadModel: ${modelURL.href} lists weight file '${path}', which resolves to ${resolved.href} on another origin; ` +
        'weight files must be on the same server as model.json (pass weightPathPrefix or weightUrlConverter to http() to load them from elsewhere)',
    );
  }
  if (resolved.search === '' && modelURL.search !== '') resolved.search = modelURL.search;
  return resolved.href;
}

async function load(modelURL: URL, options: HTTPOptions): Promise<ModelArtifacts> {
  const f = getFetch(options);
  const init = options.requestInit ?? {};
  const progress = options.onProgress;
  const res = await request(f, modelURL.href, init, 'loadModel');
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const type = res.headers.get('content-type');
    throw new Error(`loadModel: ${modelURL.href} is not valid JSON (${message(err)}${type ? `; the server sent ${type}` : ''}); expected the model.json of a saved model`, { cause: err });
  }
  const json = validateModelJSON(parsed, modelURL.href, 'loadModel');

  const groups = await Promise.all(
    json.weightsManifest.map(async (group) => ({
      urls: await Promise.all(group.paths.map((p) => weightURL(p, modelURL, options))),
      needed: group.weights.reduce((n, w) => n + specByteLength(w), 0),
      group,
    })),
  );
  const totalFiles = groups.reduce((n, g) => n + g.urls.length, 0);
  let done = 0;
  progress?.(1 / (totalFiles + 1));
  // All files at once, as browsers pipeline them; each result lands in its own slot, in manifest order.
  const buffers = await Promise.all(
    groups.map((g) =>
      Promise.all(
        g.urls.map(async (wurl, i) => {
          const wres = await request(f, wurl, init, `loadModel: weight file '${g.group.paths[i]!}' of ${modelURL.href}`);
          const data = await wres.arrayBuffer();
          done++;
          progress?.((done + 1) / (totalFiles + 1));
          return data;
        }),
      ),
    ),
  );
  groups.forEach((g, gi) => {
    const got = buffers[gi]!.reduce((n, b) => n + b.byteLength, 0);
    if (got !== g.needed) {
      throw new Error(
        `loadModel: weight file${g.urls.length > 1 ? 's' : ''} ${g.urls.join(', ')} hold${g.urls.length > 1 ? '' : 's'} ${got} bytes, but ${modelURL.href} describes ` +
          `${g.needed} bytes (${g.group.weights.map((w) => w.name).join(', ')}): ${got < g.needed ? 'the download is truncated' : 'the file does not belong to this model.json'}`,
      );
    }
  });
  return loadedArtifacts(json, json.weightsManifest.flatMap((g) => g.weights), concatBuffers(buffers.flat(), modelURL.href), modelURL.href);
}

async function save(url: URL, options: HTTPOptions, artifacts: ModelArtifacts): Promise<SaveResult> {
  const f = getFetch(options);
  const target = url.href;
  const weights = joinedWeights(artifacts);
  const jsonText = JSON.stringify(artifactsToModelJSON(artifacts, `./${WEIGHTS_FILE}`));
  const form = new FormData();
  form.append('model_json', new Blob([jsonText], { type: 'application/json' }), 'model.json');
  form.append('model_weights_bin', new Blob([weights], { type: 'application/octet-stream' }), WEIGHTS_FILE);
  const init: RequestInit = { method: 'POST', ...options.requestInit, body: form };
  await request(f, target, init, 'save');
  return { location: target, modelJSONBytes: utf8Length(jsonText), weightDataBytes: weights.byteLength };
}

/**
 * A handler for a model on a web server. `loadModel(http(url, options))` fetches model.json and the
 * weight files its manifest lists, resolved relative to it; `model.save(http(url))` POSTs model.json
 * and `model.weights.bin` as multipart form data (as TF.js does). `http://` and `https://` URLs
 * route here with default options; call `http()` for request options.
 */
export function http(url: string, options: HTTPOptions = {}): IOHandler {
  if (typeof url !== 'string' || url === '') throw new Error(`http: expected the URL of a model.json (or of a save endpoint), got ${url === '' ? "''" : typeof url}`);
  checkOptions(options);
  const absolute = absoluteURL(url);
  return {
    load: () => Promise.resolve().then(() => load(absolute, options)),
    save: (artifacts) => Promise.resolve().then(() => save(absolute, options, artifacts)),
  };
}
