import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx.js';
import type { MnistFile, MnistManifest, MnistProgress } from './index.js';
import { loadFromUrl, MNIST_FILES } from './index.js';

// The platform-neutral loader against generated IDX files on 127.0.0.1: 3 training and 2 test images.
const hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const trainImages = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256);
const testImages = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 7) % 256);
const idx: Record<MnistFile, Uint8Array> = {
  trainImages: encodeIdx([3, 28, 28], trainImages),
  trainLabels: encodeIdx([3], Uint8Array.from([5, 0, 9])),
  testImages: encodeIdx([2, 28, 28], testImages),
  testLabels: encodeIdx([2], Uint8Array.from([1, 7])),
};
const keys = Object.keys(idx) as MnistFile[];
/** Served at /gz/<MNIST name>: gzipped, as the originals are. */
const gz = Object.fromEntries(keys.map((k) => [k, new Uint8Array(gzipSync(idx[k]))])) as Record<MnistFile, Uint8Array>;
const checksums = Object.fromEntries(keys.map((k) => [k, hex(gz[k])])) as Record<MnistFile, string>;
/** Served at /plain/: uncompressed files under other names, described by a manifest. */
const manifest: MnistManifest = {
  format: 'descent-mnist',
  version: 1,
  files: Object.fromEntries(keys.map((k) => [k, { name: `data/${k}.idx`, sha256: hex(idx[k]), size: idx[k].length }])) as MnistManifest['files'],
};

const routes = new Map<string, Uint8Array | string>();
for (const k of keys) {
  routes.set(`/gz/${MNIST_FILES[k].name}`, gz[k]);
  routes.set(`/plain/data/${k}.idx`, idx[k]);
}
routes.set('/plain/mnist.json', JSON.stringify(manifest));
routes.set('/bad/not-json.json', '{ "format": ');
routes.set('/bad/other.json', JSON.stringify({ format: 'something-else' }));
routes.set('/bad/no-sha.json', JSON.stringify({ ...manifest, files: { ...manifest.files, testLabels: { name: 'x', size: 3 } } }));

const server = createServer((req, res) => {
  const body = routes.get(req.url ?? '');
  if (body === undefined) {
    res.writeHead(404, 'Not Found').end();
    return;
  }
  res.writeHead(200, { 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length }).end(typeof body === 'string' ? body : Buffer.from(body));
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('mnist.loadFromUrl', () => {
  it('loads the four gzipped files from a folder, verified, with progress per file', async () => {
    const seen: MnistProgress[] = [];
    const data = await loadFromUrl(`${base}/gz`, { checksums, labels: 'int', onProgress: (p) => seen.push(p) });
    expect(data.train.xs.shape).toEqual([3, 784]);
    expect([...data.train.labels]).toEqual([5, 0, 9]);
    expect([...data.test.labels]).toEqual([1, 7]);
    expect(data.train.ys.dtype).toBe('int32');
    const px = data.train.xs.dataSync();
    expect(px[1]).toBeCloseTo(1 / 255, 7);
    expect(px[255]).toBeCloseTo(1, 7);
    // Every file reports from 0 to its full size.
    for (const k of keys) {
      const mine = seen.filter((p) => p.file === k);
      expect(mine[0]).toEqual({ file: k, url: `${base}/gz/${MNIST_FILES[k].name}`, received: 0, total: gz[k].length });
      expect(mine.at(-1)).toEqual({ file: k, url: `${base}/gz/${MNIST_FILES[k].name}`, received: gz[k].length, total: gz[k].length });
    }
  });

  it('loads plain IDX files named by a manifest, relative to it, in the layout asked for', async () => {
    const data = await loadFromUrl(`${base}/plain/mnist.json`, { flatten: false });
    expect(data.train.xs.shape).toEqual([3, 28, 28, 1]);
    expect(data.test.ys.shape).toEqual([2, 10]);
    expect([...data.test.ys.dataSync()]).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    // Second test image, second pixel: byte (785 · 7) mod 256 = 119.
    expect(data.test.xs.dataSync()[784 + 1]).toBeCloseTo(119 / 255, 7);
  });

  it('fails on a checksum mismatch naming the URL', async () => {
    await expect(loadFromUrl(`${base}/gz/`, { checksums: { ...checksums, trainLabels: '0'.repeat(64) } })).rejects.toThrow(
      `download: checksum mismatch for ${base}/gz/train-labels-idx1-ubyte.gz: expected SHA-256 ${'0'.repeat(64)}, got ${checksums.trainLabels} (${gz.trainLabels.length} bytes)`,
    );
  });

  it('checks against the published SHA-256s unless told otherwise', async () => {
    // The served files are not MNIST's, and their sizes are not the published ones either.
    await expect(loadFromUrl(`${base}/gz/`)).rejects.toThrow(/^download: (checksum mismatch for|the connection to) http:\/\/127\.0\.0\.1:\d+\/gz\//);
  });

  it('reports HTTP errors with the URL', async () => {
    await expect(loadFromUrl(`${base}/nowhere/`, { checksums })).rejects.toThrow(new RegExp(`download: ${base.replace(/\./g, '\\.')}/nowhere/[a-z0-9-]+\\.gz answered HTTP 404 Not Found`));
  });

  it('says what is wrong with a manifest', async () => {
    await expect(loadFromUrl(`${base}/bad/not-json.json`)).rejects.toThrow(`mnist.loadFromUrl: the manifest ${base}/bad/not-json.json is not valid JSON`);
    await expect(loadFromUrl(`${base}/bad/other.json`)).rejects.toThrow(
      `mnist.loadFromUrl: the manifest ${base}/bad/other.json is not an MNIST manifest (expected "format": "descent-mnist", as writeMnistSubset writes)`,
    );
    await expect(loadFromUrl(`${base}/bad/no-sha.json`)).rejects.toThrow(`the manifest ${base}/bad/no-sha.json gives testLabels a sha256 that is not 64 hex digits: undefined`);
  });

  it('rejects bad options and relative URLs outside a page by name', async () => {
    await expect(loadFromUrl('/data/mnist/')).rejects.toThrow(
      'mnist.loadFromUrl: "/data/mnist/" is a relative URL and there is no page to resolve it against; give an absolute URL (http://…)',
    );
    await expect(loadFromUrl(`${base}/gz/`, { labels: 'onehots' as 'int' })).rejects.toThrow(`mnist.loadFromUrl: labels must be 'onehot' or 'int', got "onehots"`);
    await expect(loadFromUrl(`${base}/gz/`, { checksums: { trainImage: 'a' } as Record<string, string> })).rejects.toThrow(
      'mnist.loadFromUrl: checksums has an unknown file "trainImage"; expected one of trainImages, trainLabels, testImages, testLabels',
    );
    await expect(loadFromUrl(`${base}/gz/`, { sizes: { testLabels: 0 } })).rejects.toThrow('mnist.loadFromUrl: sizes.testLabels must be a positive number, got 0');
  });

  it('resolves a relative URL against the page where there is one', async () => {
    const g = globalThis as { location?: { href: string } };
    g.location = { href: `${base}/some/page.html` };
    try {
      const data = await loadFromUrl('../plain/mnist.json');
      expect(data.train.size).toBe(3);
    } finally {
      delete g.location;
    }
  });
});
