// Issue 14, item 3: the browser IO of @descent/models in headless Chromium. A model trained in the
// page is saved to indexeddb://, localstorage://, downloads:// and an http:// endpoint (multipart
// POST) served by this test on 127.0.0.1; the page is reloaded and each copy loads back (the
// downloads through browserFiles from an <input type="file">) and predicts exactly as before.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from './harness.js';
import { bundle, hasChromium, indexHtml, launchChromium, SKIP_REASON, startServer } from './harness.js';
import type { IOPage, Outcome } from './page/io.js';

if (!hasChromium) console.warn(`@descent/browser-tests: browser IO test skipped: ${SKIP_REASON}`);

const entry = fileURLToPath(new URL('./page/io.ts', import.meta.url));
const INDEX_HTML = indexHtml('descent browser IO', '/app/io.js').replace('<body>', '<body><input type="file" id="files" multiple>');

let server: LocalServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page | null = null;
let downloadDir = '';
const log: string[] = [];
/** Files the page uploaded (POST /upload/<name>), served back under /models/<name>/. */
const uploaded = new Map<string, { body: Buffer; type: string }>();
const requests: string[] = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  if (!hasChromium) return;
  const files = await bundle(entry);
  server = await startServer(async (req, res, path) => {
    requests.push(`${req.method ?? ''} ${path}`);
    res.setHeader('Cache-Control', 'no-store');
    const upload = /^\/upload\/([\w-]+)$/.exec(path);
    if (req.method === 'POST' && upload !== null) {
      // What a TF.js-style upload server does: take the two form parts, store them as files.
      const form = await new Response(new Uint8Array(await readBody(req)), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      for (const [field, name] of [['model_json', 'model.json'], ['model_weights_bin', 'model.weights.bin']]) {
        const part = form.get(field!);
        if (!(part instanceof File) || part.name !== name) {
          res.writeHead(400).end(`expected form field ${field} with file ${name}`);
          return;
        }
        uploaded.set(`/models/${upload[1]!}/${name}`, { body: Buffer.from(await part.arrayBuffer()), type: part.type });
      }
      res.writeHead(201).end();
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(INDEX_HTML);
    } else if (files.has(path)) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(files.get(path));
    } else if (uploaded.has(path)) {
      const f = uploaded.get(path)!;
      res.writeHead(200, { 'Content-Type': f.type }).end(f.body);
    } else {
      res.writeHead(404, 'Not Found', { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  downloadDir = mkdtempSync(join(tmpdir(), 'descent-downloads-'));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  browser = null;
  await server?.close();
  server = null;
  if (downloadDir) rmSync(downloadDir, { recursive: true, force: true });
});

async function open(): Promise<Page> {
  const p = page!;
  await p.goto(`${server!.origin}/`, { timeout: 10_000 });
  try {
    await p.waitForFunction(() => window.__io !== undefined, undefined, { timeout: 10_000 });
  } catch (err) {
    throw new Error(`the IO page did not start: ${String(err)}\n${log.join('\n')}`, { cause: err });
  }
  return p;
}

function value<T>(o: Outcome<T>, what: string): T {
  if (!o.ok) throw new Error(`${what} failed in the page: ${o.error}\n${log.join('\n')}`);
  return o.value;
}

const io = <K extends keyof IOPage>(p: Page, name: K, ...args: Parameters<IOPage[K]>): Promise<Awaited<ReturnType<IOPage[K]>>> =>
  p.evaluate(([n, a]) => (window.__io![n] as (...xs: unknown[]) => unknown)(...a), [name, args] as const) as Promise<Awaited<ReturnType<IOPage[K]>>>;

const name = (what: string) => (hasChromium ? what : `${what} (skipped: ${SKIP_REASON})`);

describe('browser IO in headless Chromium', () => {
  it.skipIf(!hasChromium)(
    name('indexeddb://, localstorage://, downloads:// and http:// round trips predict exactly as the saved model'),
    async () => {
      let p = await open();
      const expected = await io(p, 'makeModel');
      expect(expected).toHaveLength(12);

      const idb = value(await io(p, 'save', 'indexeddb://browser-model'), 'save indexeddb://');
      expect(idb.location).toBe('indexeddb://browser-model');
      const ls = value(await io(p, 'save', 'localstorage://browser-model'), 'save localstorage://');
      expect(ls.weightDataBytes).toBe(idb.weightDataBytes);
      value(await io(p, 'save', `${server!.origin}/upload/browser-model`), 'save http://');
      expect(requests).toContain('POST /upload/browser-model');
      const json = JSON.parse(uploaded.get('/models/browser-model/model.json')!.body.toString('utf8')) as { weightsManifest: { paths: string[] }[] };
      expect(json.weightsManifest[0]!.paths).toEqual(['./model.weights.bin']);

      // downloads://: two real downloads, captured by playwright.
      const downloads: Download[] = [];
      p.on('download', (d) => downloads.push(d));
      value(await io(p, 'save', 'downloads://dl-model'), 'save downloads://');
      await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
      expect(downloads.map((d) => d.suggestedFilename())).toEqual(['dl-model.json', 'dl-model.weights.bin']);
      const saved = await Promise.all(
        downloads.map(async (d) => {
          const target = join(downloadDir, d.suggestedFilename());
          await d.saveAs(target);
          return target;
        }),
      );
      const downloadedJSON = JSON.parse(readFileSync(saved[0]!, 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
      expect(downloadedJSON.format).toBe('layers-model');
      expect(downloadedJSON.weightsManifest[0]!.paths).toEqual(['./dl-model.weights.bin']);
      expect(readFileSync(saved[1]!).byteLength).toBe(idb.weightDataBytes);

      // A fresh page: nothing of the model is left in memory.
      p = await open();
      expect(value(await io(p, 'loadAndPredict', 'indexeddb://browser-model'), 'load indexeddb://')).toEqual(expected);
      expect(value(await io(p, 'loadAndPredict', 'localstorage://browser-model'), 'load localstorage://')).toEqual(expected);
      expect(value(await io(p, 'loadAndPredict', `${server!.origin}/models/browser-model/model.json`), 'load http://')).toEqual(expected);
      // http() with a URL relative to the page, as a web app would write it.
      expect(value(await io(p, 'loadAndPredict', '/models/browser-model/model.json', true), 'load http(relative)')).toEqual(expected);
      expect(requests).toContain('GET /models/browser-model/model.weights.bin');
      await p.setInputFiles('#files', saved);
      expect(value(await io(p, 'loadFilesAndPredict'), 'load browserFiles')).toEqual(expected);

      const missing = await io(p, 'loadAndPredict', `${server!.origin}/models/nope/model.json`);
      expect(missing).toEqual({ ok: false, error: `loadModel: GET ${server!.origin}/models/nope/model.json answered HTTP 404 Not Found` });
    },
    60_000,
  );

  it.skipIf(!hasChromium)(
    name('listModels/removeModel cover both stores, and a model over the localStorage quota fails cleanly'),
    async () => {
      const p = await open();
      const list = value(await io(p, 'list'), 'listModels');
      expect(Object.keys(list).sort()).toEqual(['indexeddb://browser-model', 'localstorage://browser-model']);
      // Weights of Dense 8→16 and 16→3 plus Adam's two slots per weight and its step counter.
      const modelBytes = (8 * 16 + 16 + 16 * 3 + 3) * 4;
      for (const info of Object.values(list)) {
        expect(info.dateSaved).toBeInstanceOf(Date);
        expect(info.modelTopologyType).toBe('JSON');
        expect(info.weightDataBytes).toBe(modelBytes * 3 + 4);
      }

      // An earlier small save under the name must survive a failed big one.
      await io(p, 'makeModel');
      value(await io(p, 'save', 'localstorage://big'), 'save small');
      const keysBefore = await io(p, 'storageKeys');
      expect(value(await io(p, 'makeBigModel'), 'make the big model')).toBe(2_001_000);
      const big = await io(p, 'save', 'localstorage://big');
      expect(big.ok).toBe(false);
      const error = (big as { error: string }).error;
      expect(error).toMatch(/^save: model 'big' does not fit in localStorage \(localstorage:\/\/big\): the browser's storage quota was exceeded/);
      expect(error).toContain('8004000 bytes of weights as 10672000 base64 characters');
      expect(error).toContain("Nothing was written and the model saved earlier as 'big' is unchanged");
      expect(await io(p, 'storageKeys')).toEqual(keysBefore);
      expect(value(await io(p, 'loadAndPredict', 'localstorage://big'), 'load small')).toEqual(value(await io(p, 'loadAndPredict', 'indexeddb://browser-model'), 'load idb'));
      // IndexedDB takes it.
      expect(value(await io(p, 'save', 'indexeddb://big'), 'save big to indexeddb://').weightDataBytes).toBe(8_004_000);

      for (const url of ['indexeddb://browser-model', 'localstorage://browser-model', 'indexeddb://big', 'localstorage://big']) {
        expect(value(await io(p, 'remove', url), `removeModel ${url}`).modelTopologyType).toBe('JSON');
      }
      expect(value(await io(p, 'list'), 'listModels')).toEqual({});
      expect(await io(p, 'storageKeys')).toEqual([]);
      expect(await io(p, 'remove', 'indexeddb://browser-model')).toEqual({ ok: false, error: "removeModel: there is no model named 'browser-model' in IndexedDB (no models are saved there)" });
    },
    60_000,
  );
});
