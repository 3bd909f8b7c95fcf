import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchCached, sha256 } from './download.js';
import { load } from './mnist.js';

// Every case below reproduces a bad server on 127.0.0.1. Timeouts are 200 ms and each test is
// limited to a few seconds, so a download that hangs fails the test instead of the run.
const FAST = { connectTimeoutMs: 200, idleTimeoutMs: 200 };
const TEST_MS = 5_000;

const good = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) % 251);
const goodSha = sha256(good);
/** How many bytes the endless routes wrote before the client went away. */
const sent: Record<string, number> = {};
/** Responses left hanging on purpose, ended in afterAll. */
const hanging = new Set<ServerResponse>();

/** Write 64 KiB chunks (with backpressure) until `limit` bytes or the client closes the connection. */
function stream(res: ServerResponse, key: string, limit: number): void {
  const chunk = Buffer.alloc(64 * 1024, 7);
  sent[key] = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  const pump = (): void => {
    while (!closed && sent[key]! < limit) {
      sent[key]! += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!closed) res.end();
  };
  pump();
}

const server = createServer((req, res) => {
  // The first path segment picks the behaviour: /stall, /mnist-stall/<file>, …
  const route = `/${(req.url ?? '').split('/')[1] ?? ''}`;
  switch (route) {
    case '/good':
      res.writeHead(200, { 'content-length': good.length }).end(Buffer.from(good));
      return;
    case '/never':
    case '/mnist-never':
      // Accept the connection, never answer.
      hanging.add(res);
      return;
    case '/stall':
    case '/mnist-stall':
      // Headers and the first 100 bytes, then silence.
      hanging.add(res);
      res.writeHead(200, { 'content-length': good.length });
      res.write(Buffer.from(good.subarray(0, 100)));
      return;
    case '/drop':
      // 4,000 of the announced 10,000 bytes, then (once the client has read them) the connection goes away.
      res.writeHead(200, { 'content-length': good.length });
      res.write(Buffer.from(good.subarray(0, 4000)), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    case '/huge':
    case '/mnist-huge':
      // A body that never stops (up to 256 MiB), with no Content-Length to warn about it.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      stream(res, route, 256 * 1024 * 1024);
      return;
    case '/huge-announced':
      // 600 MB announced up front.
      res.writeHead(200, { 'content-length': 600_000_000 });
      stream(res, route, 256 * 1024 * 1024);
      return;
    default:
      res.writeHead(404).end();
  }
});
let base = '';
let cacheDir = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'descent-download-'));
  return async () => {
    await rm(cacheDir, { recursive: true, force: true });
  };
});

/** The cache folder holds nothing: no file, no temporary file. */
async function expectEmptyCache(): Promise<void> {
  expect(await readdir(cacheDir)).toEqual([]);
}

describe('fetchCached', () => {
  it('downloads, verifies and caches; then serves the cache', { timeout: TEST_MS }, async () => {
    const path = join(cacheDir, 'good.bin');
    const bytes = await fetchCached({ url: `${base}/good`, sha256: goodSha, size: good.length, path, ...FAST });
    expect(bytes).toEqual(good);
    expect(new Uint8Array(await readFile(path))).toEqual(good);
    expect(await readdir(cacheDir)).toEqual(['good.bin']);
    // The cache answers now: a URL that would fail is never asked.
    expect(await fetchCached({ url: `${base}/never`, sha256: goodSha, path, ...FAST })).toEqual(good);
  });

  it('times out on a server that never answers, naming the URL', { timeout: TEST_MS }, async () => {
    const start = Date.now();
    await expect(fetchCached({ url: `${base}/never`, sha256: goodSha, path: join(cacheDir, 'f'), ...FAST })).rejects.toThrow(
      `download: ${base}/never did not answer within 200 ms (connectTimeoutMs); nothing was cached`,
    );
    expect(Date.now() - start).toBeLessThan(2_000);
    await expectEmptyCache();
  });

  it('times out on a server that stalls after the headers, saying how far it got', { timeout: TEST_MS }, async () => {
    await expect(fetchCached({ url: `${base}/stall`, sha256: goodSha, path: join(cacheDir, 'f'), ...FAST })).rejects.toThrow(
      `download: ${base}/stall stalled: no data for 200 ms (idleTimeoutMs) after 100 of 10000 bytes; nothing was cached`,
    );
    await expectEmptyCache();
  });

  it('names the URL and the bytes received when the connection drops mid-body', { timeout: TEST_MS }, async () => {
    const err = await fetchCached({ url: `${base}/drop`, sha256: goodSha, path: join(cacheDir, 'f'), ...FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      new RegExp(`^download: the connection to ${base.replace(/\./g, '\\.')}/drop was dropped after 4000 of 10000 bytes: .*nothing was cached$`),
    );
    await expectEmptyCache();
  });

  it('cuts off a body longer than the expected size instead of buffering it', { timeout: TEST_MS }, async () => {
    await expect(fetchCached({ url: `${base}/huge`, sha256: goodSha, size: 1_000_000, path: join(cacheDir, 'f'), ...FAST })).rejects.toThrow(
      /^download: http:\/\/127\.0\.0\.1:\d+\/huge sent more than 1000000 bytes, the expected size of f; cut off after \d+ bytes, nothing was cached$/,
    );
    await expectEmptyCache();
    // The server was stopped long before its 256 MiB.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent['/huge']).toBeLessThan(32 * 1024 * 1024);
  });

  it('caps a body of unknown size at maxBytes and says so', { timeout: TEST_MS }, async () => {
    await expect(fetchCached({ url: `${base}/huge`, sha256: goodSha, maxBytes: 2_000_000, path: join(cacheDir, 'f'), ...FAST })).rejects.toThrow(
      /sent more than 2000000 bytes, the declared maximum for f, whose exact size is not known; cut off after \d+ bytes, nothing was cached$/,
    );
    await expectEmptyCache();
  });

  it('refuses a Content-Length beyond the cap before reading the body', { timeout: TEST_MS }, async () => {
    await expect(
      fetchCached({ url: `${base}/huge-announced`, sha256: goodSha, size: good.length, path: join(cacheDir, 'f'), ...FAST }),
    ).rejects.toThrow(
      `download: ${base}/huge-announced announces 600000000 bytes (Content-Length), more than 10000 bytes, the expected size of f; not downloaded, nothing was cached`,
    );
    await expectEmptyCache();
  });

  it('caches nothing on a checksum mismatch', { timeout: TEST_MS }, async () => {
    const wrong = '0'.repeat(64);
    await expect(fetchCached({ url: `${base}/good`, sha256: wrong, size: good.length, path: join(cacheDir, 'f'), ...FAST })).rejects.toThrow(
      `download: checksum mismatch for ${base}/good: expected SHA-256 ${wrong} (10000 bytes), got ${goodSha} (10000 bytes); nothing was cached`,
    );
    await expectEmptyCache();
  });

  it('replaces a poisoned cache entry', { timeout: TEST_MS }, async () => {
    const path = join(cacheDir, 'good.bin');
    // Wrong bytes of the right size, then wrong bytes of the wrong size.
    for (const poison of [new Uint8Array(good.length).fill(1), new Uint8Array(123)]) {
      await writeFile(path, poison);
      expect(await fetchCached({ url: `${base}/good`, sha256: goodSha, size: good.length, path, ...FAST })).toEqual(good);
      expect(new Uint8Array(await readFile(path))).toEqual(good);
      expect(await readdir(cacheDir)).toEqual(['good.bin']);
    }
  });

  it('leaves a poisoned entry for the next try when the download fails, and leaves no partial file', { timeout: TEST_MS }, async () => {
    const path = join(cacheDir, 'good.bin');
    await writeFile(path, 'poison');
    await expect(fetchCached({ url: `${base}/drop`, sha256: goodSha, path, ...FAST })).rejects.toThrow(/was dropped after 4000 of 10000 bytes/);
    expect(await readdir(cacheDir)).toEqual(['good.bin']);
    expect(await fetchCached({ url: `${base}/good`, sha256: goodSha, path, ...FAST })).toEqual(good);
  });

  it('rejects nonsensical limits', async () => {
    await expect(fetchCached({ url: `${base}/good`, sha256: goodSha, path: join(cacheDir, 'f'), idleTimeoutMs: 0 })).rejects.toThrow(
      'download: idleTimeoutMs must be a positive number, got 0',
    );
  });
});

describe('mnist.load download limits', () => {
  it('passes connectTimeoutMs through and names the URL', { timeout: TEST_MS }, async () => {
    await expect(load({ source: 'download', url: `${base}/mnist-never/`, cacheDir, ...FAST })).rejects.toThrow(
      /^download: http:\/\/127\.0\.0\.1:\d+\/mnist-never\/[a-z0-9-]+\.gz did not answer within 200 ms/,
    );
    await expectEmptyCache();
  });

  it('passes idleTimeoutMs through', { timeout: TEST_MS }, async () => {
    await expect(load({ source: 'download', url: `${base}/mnist-stall/`, cacheDir, ...FAST })).rejects.toThrow(
      /\/mnist-stall\/[a-z0-9-]+\.gz stalled: no data for 200 ms \(idleTimeoutMs\) after 100 of 10000 bytes/,
    );
    await expectEmptyCache();
  });

  it('caps each file at its published size, or at maxBytes under a custom checksum', { timeout: TEST_MS }, async () => {
    await expect(load({ source: 'download', url: `${base}/mnist-huge/`, cacheDir, ...FAST })).rejects.toThrow(
      /sent more than \d+ bytes, the expected size of [a-z0-9-]+\.gz; cut off/,
    );
    const checksums = { trainImages: goodSha, trainLabels: goodSha, testImages: goodSha, testLabels: goodSha };
    await expect(load({ source: 'download', url: `${base}/mnist-huge/`, cacheDir, checksums, maxBytes: 3_000_000, ...FAST })).rejects.toThrow(
      /sent more than 3000000 bytes, the declared maximum for [a-z0-9-]+\.gz, whose exact size is not known; cut off/,
    );
    await expect(
      load({ source: 'download', url: `${base}/mnist-huge/`, cacheDir, checksums, sizes: { trainImages: 500_000, trainLabels: 500_000, testImages: 500_000, testLabels: 500_000 }, ...FAST }),
    ).rejects.toThrow(/sent more than 500000 bytes, the expected size of [a-z0-9-]+\.gz; cut off/);
    await expectEmptyCache();
  });
});
