// What the Chromium tests share: finding Chromium (or a message saying why a test is skipped),
// bundling a page script from the packages' TypeScript sources, serving it on 127.0.0.1, and
// launching headless Chromium through playwright-core.
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_REASON = `no Chromium at ${CHROMIUM}; apt-get install -y chromium (or set CHROMIUM_PATH)`;

/**
 * Bundle `entry` for the browser as one ES module under `/app/` (path → source text). A plain
 * browser bundle: no package in the graph may import a `node:` module (esbuild fails the build if
 * one does), and no top-level await is needed.
 */
export async function bundle(entry: string): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    outdir: '/app',
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@descent/source'],
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((f) => [`/app/${basename(f.path)}`, f.text]));
}

/** A page that loads one bundled module. */
export function indexHtml(title: string, script: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><script type="module" src="${script}"></script></body></html>
`;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (a free port) answering with `route`; a throwing route answers 500. */
export function startServer(route: (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void>): Promise<LocalServer> {
  const srv: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    Promise.resolve()
      .then(() => route(req, res, path))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        close: () => {
          srv.closeAllConnections();
          return new Promise<void>((done) => srv.close(() => done()));
        },
      }),
    );
  });
}

/** Headless Chromium. --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 20_000 });
}
