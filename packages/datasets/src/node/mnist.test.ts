import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './download.js';
import { encodeIdx } from '../idx.js';
import { load, MNIST_FILES } from './mnist.js';

describe('mnist bundled', () => {
  it('serves 10,000 real digits split 8,000 / 2,000, stratified and mixed', async () => {
    const data = await load();
    expect(data.train.xs.shape).toEqual([8000, 784]);
    expect(data.train.ys.shape).toEqual([8000, 10]);
    expect(data.test.xs.shape).toEqual([2000, 784]);
    const counts = new Array<number>(10).fill(0);
    for (const l of data.test.labels) counts[l]!++;
    // About 1,000 samples per digit in the package, a fifth of each held out.
    for (const c of counts) expect(c).toBeGreaterThan(150);
    // The first 100 training labels are mixed, not one digit.
    expect(new Set(data.train.labels.subarray(0, 100)).size).toBeGreaterThan(5);
    const px = data.train.xs.dataSync();
    let min = Infinity;
    let max = -Infinity;
    for (const v of px) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    // one-hot rows sum to 1 and agree with the integer labels
    const ys = data.train.ys.dataSync();
    for (let i = 0; i < 20; i++) expect(ys[i * 10 + data.train.labels[i]!]).toBe(1);
  });

  it('gives int labels and image-shaped inputs on request', async () => {
    const data = await load({ labels: 'int', flatten: false, testFraction: 0.5 });
    expect(data.train.xs.shape[1]).toBe(28);
    expect(data.train.xs.shape.slice(1)).toEqual([28, 28, 1]);
    expect(data.train.ys.dtype).toBe('int32');
    expect(data.train.ys.rank).toBe(1);
    expect(Math.abs(data.train.size - data.test.size)).toBeLessThan(20);
  });

  it('rejects bad options by name', async () => {
    await expect(load({ source: 'web' as 'bundled' })).rejects.toThrow("mnist.load: source must be 'bundled' or 'download', got \"web\"");
    await expect(load({ testFraction: 1 })).rejects.toThrow('testFraction must be in (0, 1), got 1');
  });
});

describe('mnist download', () => {
  // Small generated IDX files served from a local HTTP server: 3 training and 2 test images.
  const trainImages = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256);
  const testImages = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 7) % 256);
  const files: Record<string, Uint8Array> = {
    [MNIST_FILES.trainImages.name]: gzipSync(encodeIdx([3, 28, 28], trainImages)),
    [MNIST_FILES.trainLabels.name]: gzipSync(encodeIdx([3], Uint8Array.from([5, 0, 9]))),
    [MNIST_FILES.testImages.name]: gzipSync(encodeIdx([2, 28, 28], testImages)),
    [MNIST_FILES.testLabels.name]: gzipSync(encodeIdx([2], Uint8Array.from([1, 7]))),
  };
  const checksums = {
    trainImages: sha256(files[MNIST_FILES.trainImages.name]!),
    trainLabels: sha256(files[MNIST_FILES.trainLabels.name]!),
    testImages: sha256(files[MNIST_FILES.testImages.name]!),
    testLabels: sha256(files[MNIST_FILES.testLabels.name]!),
  };
  let requests: string[] = [];
  let url = '';
  const server = createServer((req, res) => {
    const name = (req.url ?? '').split('/').pop() ?? '';
    requests.push(name);
    const body = req.url?.startsWith('/mnist/') ? files[name] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  let cacheDir = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist/`;
    cacheDir = await mkdtemp(join(tmpdir(), 'descent-mnist-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads, verifies, parses and caches the IDX files', async () => {
    requests = [];
    const data = await load({ source: 'download', url, cacheDir, checksums, labels: 'int' });
    expect(data.train.xs.shape).toEqual([3, 784]);
    expect([...data.train.labels]).toEqual([5, 0, 9]);
    expect([...data.test.labels]).toEqual([1, 7]);
    const px = data.train.xs.dataSync();
    expect(px[1]).toBeCloseTo(1 / 255, 7);
    expect(px[255]).toBeCloseTo(1, 7);
    expect(requests.sort()).toEqual(Object.keys(files).sort());
    expect((await readdir(cacheDir)).sort()).toEqual(Object.keys(files).sort());

    requests = [];
    await load({ source: 'download', url, cacheDir, checksums });
    expect(requests).toEqual([]);
  });

  it('fails on a checksum mismatch and caches nothing', async () => {
    const emptyCache = await mkdtemp(join(tmpdir(), 'descent-mnist-bad-'));
    try {
      await expect(load({ source: 'download', url, cacheDir: emptyCache, checksums: { ...checksums, trainLabels: '0'.repeat(64) } })).rejects.toThrow(
        /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/mnist\/train-labels-idx1-ubyte\.gz: expected SHA-256 0{64}, got [0-9a-f]{64}/,
      );
      expect(await readdir(emptyCache)).not.toContain(MNIST_FILES.trainLabels.name);
      expect((await readdir(emptyCache)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await rm(emptyCache, { recursive: true, force: true });
    }
  });

  it('uses the published checksums by default, so foreign bytes are refused', async () => {
    const other = await mkdtemp(join(tmpdir(), 'descent-mnist-def-'));
    try {
      await expect(load({ source: 'download', url, cacheDir: other })).rejects.toThrow(/checksum mismatch/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('reports HTTP errors with the URL', async () => {
    const elsewhere = url.replace('/mnist/', '/nowhere/');
    await expect(load({ source: 'download', url: elsewhere, cacheDir: join(cacheDir, 'other'), checksums })).rejects.toThrow(
      `download: ${elsewhere}train-images-idx3-ubyte.gz answered HTTP 404`,
    );
  });
});
