import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadProgress } from './fetch.js';
import { digestSha256, fetchVerified, gunzip, isGzip } from './fetch.js';

// The platform-neutral downloader against a server on 127.0.0.1 (closed in afterAll).
const FAST = { connectTimeoutMs: 500, idleTimeoutMs: 500 };
const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 17 + 3) % 256);
const bodySha = createHash('sha256').update(body).digest('hex');

const server = createServer((req, res) => {
  switch (req.url) {
    case '/file.bin':
      res.writeHead(200, { 'content-length': body.length });
      // Several writes, so the client sees several chunks.
      for (let at = 0; at < body.length; at += 50_000) res.write(Buffer.from(body.subarray(at, at + 50_000)));
      res.end();
      return;
    case '/no-length.bin':
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from(body));
      return;
    case '/encoded.gz':
      // A server that marks a .gz file as Content-Encoding: gzip, so fetch hands over the decoded bytes.
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
      return;
    default:
      res.writeHead(404, 'Not Found').end();
  }
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

describe('digestSha256', () => {
  it('matches the FIPS 180-2 test vector and node:crypto', async () => {
    expect(await digestSha256(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await digestSha256(body)).toBe(bodySha);
  });
});

describe('fetchVerified', () => {
  it('returns the verified bytes and reports progress per chunk up to the total', async () => {
    const seen: DownloadProgress[] = [];
    const bytes = await fetchVerified({ url: `${base}/file.bin`, sha256: bodySha, size: body.length, onProgress: (p) => seen.push(p), ...FAST });
    expect(bytes).toEqual(body);
    expect(seen[0]).toEqual({ url: `${base}/file.bin`, received: 0, total: body.length });
    expect(seen.at(-1)).toEqual({ url: `${base}/file.bin`, received: body.length, total: body.length });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.received).toBeGreaterThan(seen[i - 1]!.received);
  });

  it('reports an unknown total as undefined when neither Content-Length nor size is known', async () => {
    const seen: DownloadProgress[] = [];
    await fetchVerified({ url: `${base}/no-length.bin`, sha256: bodySha, onProgress: (p) => seen.push(p), ...FAST });
    expect(seen[0]!.total).toBeUndefined();
    expect(seen.at(-1)!.received).toBe(body.length);
  });

  it('fails on a checksum mismatch, naming the URL and both digests', async () => {
    const wrong = 'ab'.repeat(32);
    await expect(fetchVerified({ url: `${base}/file.bin`, sha256: wrong, size: body.length, ...FAST })).rejects.toThrow(
      `download: checksum mismatch for ${base}/file.bin: expected SHA-256 ${wrong} (${body.length} bytes), got ${bodySha} (${body.length} bytes)`,
    );
  });

  it('explains a mismatch caused by a Content-Encoding the fetch decoded', async () => {
    const gzSha = createHash('sha256').update(gzipSync(body)).digest('hex');
    await expect(fetchVerified({ url: `${base}/encoded.gz`, sha256: gzSha, ...FAST })).rejects.toThrow(
      /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/encoded\.gz: .*the server sent it with Content-Encoding: gzip/,
    );
  });

  it('cuts off a body longer than the expected size', async () => {
    await expect(fetchVerified({ url: `${base}/no-length.bin`, sha256: bodySha, size: 1000, ...FAST })).rejects.toThrow(
      /^download: http:\/\/127\.0\.0\.1:\d+\/no-length\.bin sent more than 1000 bytes, the expected size of no-length\.bin; cut off after \d+ bytes$/,
    );
  });

  it('names the URL on HTTP errors and bad options', async () => {
    await expect(fetchVerified({ url: `${base}/missing`, sha256: bodySha, ...FAST })).rejects.toThrow(`download: ${base}/missing answered HTTP 404 Not Found`);
    await expect(fetchVerified({ url: `${base}/file.bin`, sha256: 'xyz' })).rejects.toThrow(`download: sha256 for ${base}/file.bin must be 64 hex digits, got "xyz"`);
    await expect(fetchVerified({ url: `${base}/file.bin`, sha256: bodySha, maxBytes: -1 })).rejects.toThrow('download: maxBytes must be a positive number, got -1');
  });

  it('stops when the caller aborts through requestInit.signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user gave up'));
    await expect(fetchVerified({ url: `${base}/file.bin`, sha256: bodySha, requestInit: { signal: controller.signal }, ...FAST })).rejects.toThrow(
      `download: could not fetch ${base}/file.bin: user gave up`,
    );
  });
});

describe('gunzip', () => {
  it('decompresses with DecompressionStream', async () => {
    const gz = new Uint8Array(gzipSync(body));
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(body)).toBe(false);
    expect(await gunzip(gz)).toEqual(body);
  });

  it('names the data when it is not gzip, and refuses output beyond the cap', async () => {
    const broken = new Uint8Array(gzipSync(body)).slice(0, 100);
    await expect(gunzip(broken, 'x.gz')).rejects.toThrow(/^gunzip: x\.gz is not valid gzip data: /);
    await expect(gunzip(new Uint8Array(gzipSync(body)), 'y.gz', 1000)).rejects.toThrow('gunzip: y.gz decompresses to more than 1000 bytes; refused');
  });
});
