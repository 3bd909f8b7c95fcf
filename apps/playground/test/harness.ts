// The test's static server and browser: the built site served on 127.0.0.1 with the cross-origin
// isolation headers (as a static host configured for threads would), and headless Chromium.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_REASON = `no Chromium at ${CHROMIUM}; apt-get install -y chromium (or set CHROMIUM_PATH)`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  // Served as they are (no Content-Encoding): the MNIST loader checks the gzipped bytes' SHA-256.
  '.gz': 'application/gzip',
};

export interface StaticServer {
  origin: string;
  /** Paths that were asked for and not found. */
  missing: string[];
  close(): Promise<void>;
}

/** Serve `root` on 127.0.0.1 (a free port). Closes itself after `lifetimeMs` if the test has not. */
export function serveStatic(root: string, lifetimeMs = 300_000): Promise<StaticServer> {
  const missing: string[] = [];
  const srv = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    if (!file.startsWith(normalize(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      missing.push(path);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(body.length) }).end(body);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const timer = setTimeout(() => {
        srv.closeAllConnections();
        srv.close();
      }, lifetimeMs);
      timer.unref();
      resolve({
        origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        missing,
        close: () => {
          clearTimeout(timer);
          srv.closeAllConnections();
          return new Promise<void>((done) => srv.close(() => done()));
        },
      });
    });
  });
}

/** Headless Chromium. --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 20_000 });
}
