// Issue 12, requirement 2: hand-written training loops with no withScope/keep/dispose keep wasm
// memory flat in a real browser too, because the memory model uses no Node-only hook. The page
// (src/page/loops.ts) is bundled with esbuild from the packages' TypeScript sources, served with
// the cross-origin isolation headers the wasm backend needs, and run in headless Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from './harness.js';
import { bundle, hasChromium, indexHtml, launchChromium, SKIP_REASON, startServer } from './harness.js';
import type { LoopResult, PageResults } from './page/results.js';

if (!hasChromium) console.warn(`@descent/browser-tests: browser test skipped: ${SKIP_REASON}`);

const WARMUP = 100;
const STEPS = 2000;
// A loose tensor stays in wasm memory until it has gone unused for 64 kernel runs, checked every 16
// kernel runs (packages/tensor/src/engine.ts, eviction policy), so a few dozen recent results may
// legitimately sit in wasm at either snapshot, and how many depends on where in the sweep cycle the
// snapshot falls. A leak of one block per step would be 2,000 blocks here; 50 is well clear of both.
const BLOCK_SLACK = 50;

/** The wasm backend's package, through this package's dependency link (its build/ holds the kernels). */
const backendWasmDir = fileURLToPath(new URL('../node_modules/@descent/backend-wasm/', import.meta.url));
const wasmDir = `${backendWasmDir}build/`;
const entry = fileURLToPath(new URL('./page/loops.ts', import.meta.url));

const INDEX_HTML = indexHtml('descent browser loops', '/app/loops.js');

let server: LocalServer | null = null;
let browser: Browser | null = null;
let origin = '';
const served404: string[] = [];

function serve(files: Map<string, string>): Promise<LocalServer> {
  return startServer((_req, res, path) => {
    // Cross-origin isolation: SharedArrayBuffer and shared wasm memory need both headers.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    const wasm = /^\/build\/(kernels-(?:simd|relaxed)\.wasm)$/.exec(path);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(INDEX_HTML);
    } else if (files.has(path)) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(files.get(path));
    } else if (wasm !== null && existsSync(wasmDir + wasm[1])) {
      res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(readFileSync(wasmDir + wasm[1]));
    } else {
      served404.push(path);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
}

beforeAll(async () => {
  if (!hasChromium) return;
  // The kernels the page fetches: build them if missing or older than asm/ (as backend-wasm's own test script does).
  execFileSync(process.execPath, [`${backendWasmDir}scripts/build-wasm.mjs`, '--if-stale'], { stdio: 'pipe', timeout: 120_000 });
  server = await serve(await bundle(entry));
  origin = server.origin;
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
  server = null;
});

function table(loops: readonly LoopResult[]): string {
  const rows = loops.map(
    (l) =>
      `  ${l.name.padEnd(46)} blocks ${l.afterWarmup.blocksInUse} → ${l.end.blocksInUse} (peak ${l.peakBlocks}), ` +
      `bytes ${l.afterWarmup.bytesInUse} → ${l.end.bytesInUse}, evicted +${l.end.evicted - l.afterWarmup.evicted}, ` +
      `loss ${l.lossFirst.toPrecision(4)} → ${l.lossLast.toPrecision(4)}, ${l.msPerStep.toFixed(3)} ms/step`,
  );
  return rows.join('\n');
}

describe('in headless Chromium, on the wasm backend', () => {
  const name = hasChromium
    ? `training loops with no withScope/keep/dispose keep wasm memory flat (${STEPS} steps each)`
    : `training loops keep wasm memory flat (skipped: ${SKIP_REASON})`;
  it.skipIf(!hasChromium)(
    name,
    async () => {
      const page = await browser!.newPage();
      const log: string[] = [];
      page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      const started = Date.now();
      await page.goto(`${origin}/?warmup=${WARMUP}&steps=${STEPS}`, { timeout: 10_000 });
      try {
        await page.waitForFunction(() => window.__results !== undefined, undefined, { timeout: 40_000, polling: 100 });
      } catch (err) {
        throw new Error(`the page reported nothing: ${String(err)}\n${log.join('\n')}\n404: ${served404.join(', ')}`, { cause: err });
      }
      const results = (await page.evaluate(() => window.__results)) as PageResults;
      await page.close();

      if (!results.ok) {
        throw new Error(`the page failed (backend ${results.backend}, crossOriginIsolated ${results.crossOriginIsolated}):\n${results.error}\n${log.join('\n')}`);
      }
      expect(results.crossOriginIsolated).toBe(true);
      expect(results.backend).toBe('wasm');
      console.log(
        `Chromium (${results.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? results.userAgent}), wasm '${results.flavour}' kernels, ` +
          `${WARMUP} warm-up + ${STEPS} measured steps per loop, ${Date.now() - started} ms in the page:\n${table([...results.loops, results.control])}`,
      );

      expect(results.loops.map((l) => l.name)).toHaveLength(4);
      for (const l of results.loops) {
        const where = `${l.name}: ${JSON.stringify(l)}`;
        expect(l.end.blocksInUse, where).toBeLessThanOrEqual(l.afterWarmup.blocksInUse + BLOCK_SLACK);
        expect(l.end.bytesInUse, where).toBeLessThanOrEqual(l.afterWarmup.bytesInUse * 1.1);
        expect(l.end.bytesInUse, where).toBeGreaterThanOrEqual(l.afterWarmup.bytesInUse * 0.9);
        // No event-loop turn inside the loop, so no FinalizationRegistry callback freed anything there.
        expect(l.end.collectedByGc, where).toBe(l.afterWarmup.collectedByGc);
        // The loop computed: the loss went down.
        expect(Number.isFinite(l.lossLast), where).toBe(true);
        expect(l.lossLast, where).toBeLessThan(l.lossFirst);
      }
      // The control leaks one kept block per step, and the same measurement sees it.
      const c = results.control;
      expect(c.end.blocksInUse - c.afterWarmup.blocksInUse, JSON.stringify(c)).toBeGreaterThanOrEqual(STEPS);
      // Web Worker threads: min(cores, 4) of them, and they really ran part of a large product
      // (whose result equals the one-thread product exactly: threads split rows, not sums).
      expect(results.threads).toBe(Math.min(results.hardwareConcurrency, 4));
      if (results.hardwareConcurrency > 1) expect(results.workerChunks).toBeGreaterThan(0);
      expect(results.threadedMatchesSingle).toBe(true);
    },
    55_000,
  );
});
