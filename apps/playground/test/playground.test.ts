// Issue 15, "How it is checked": the built site, served on 127.0.0.1, in headless Chromium.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Adagrad, Adam, RMSprop, SGD } from '@descent/optimizers';
import type { Optimizer } from '@descent/optimizers';
import { variable } from '@descent/autograd';
import { randomUniform, scalar, tensor, unstack } from '@descent/tensor';
import type { Browser, Download, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAssets } from '../scripts/prepare-assets.js';
import type { StaticServer } from './harness.js';
import { hasChromium, launchChromium, serveStatic, SKIP_REASON } from './harness.js';

if (!hasChromium) console.warn(`playground: browser test skipped: ${SKIP_REASON}`);

const appDir = fileURLToPath(new URL('../', import.meta.url));
const outDir = `${appDir}test-output/`;
const siteDir = `${outDir}site/`;

let server: StaticServer | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  if (!hasChromium) return;
  await prepareAssets();
  await build({ root: appDir, configFile: `${appDir}vite.config.ts`, logLevel: 'error', build: { outDir: siteDir, emptyOutDir: true } });
  server = await serveStatic(siteDir);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page that records console errors, page errors, failed requests and HTTP errors. */
async function open(path: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: string[]; streamedAborts: string[] }> {
  const context = await browser!.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  const streamedAborts: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Chromium reports some fetches from a worker whose body was read to the end through
    // getReader() as net::ERR_ABORTED (reproduced with a bare fetch + reader loop in the worker, no
    // AbortSignal; arrayBuffer() never shows it). Those are the MNIST manifest and files: the loader
    // parses the manifest and checks each file's SHA-256 and size before training starts, so every
    // byte did arrive; they are kept apart and the tests check that training ran on them. Any other
    // failed request is a problem.
    const what = `requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`;
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && /\/mnist-subset\/(mnist\.json|[\w-]+\.gz)$/.test(r.url())) streamedAborts.push(what);
    else problems.push(what);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${server!.origin}${path}`);
  return { page, problems, streamedAborts };
}

// The race's Rosenbrock as written here (not imported from the app): (a − x)² + b·(y − x²)².
function rosenbrockNode(p: ReturnType<typeof variable>, a: number, b: number) {
  const [x, y] = unstack(p);
  return scalar(a).sub(x!).square().add(y!.sub(x!.square()).square().mul(b));
}

const SEED_FIVE: [string, () => Optimizer][] = [
  ['sgd', () => new SGD({ learningRate: 0.01 })],
  ['momentum', () => new SGD({ learningRate: 0.01, momentum: 0.9 })],
  ['adagrad', () => new Adagrad({ learningRate: 0.01, initialAccumulatorValue: 0.1 })],
  ['rmsprop', () => new RMSprop({ learningRate: 0.001, rho: 0.9 })],
  ['adam', () => new Adam({ learningRate: 0.001, beta1: 0.9, beta2: 0.999 })],
];

const RACE_QUERY =
  '?fn=rosenbrock&p=a:1,b:10&start=-1.5,2&steps=500&r=sgd~learningRate:0.01&r=momentum~learningRate:0.01~momentum:0.9' +
  '&r=adagrad~learningRate:0.01~initialAccumulatorValue:0.1&r=rmsprop~learningRate:0.001~rho:0.9&r=adam~learningRate:0.001~beta1:0.9~beta2:0.999';

/** A "1": one stroke down the middle of the pad, as synthesised mouse events. */
async function drawOne(page: Page): Promise<void> {
  const pad = page.locator('canvas.pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (fx: number, fy: number): [number, number] => [box.x + fx * box.width, box.y + fy * box.height];
  await page.locator('button', { hasText: 'Clear' }).click();
  await page.mouse.move(...at(0.53, 0.15));
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(...at(0.53 - 0.04 * (i / 20), 0.15 + 0.7 * (i / 20)));
  await page.mouse.up();
}

describe.skipIf(!hasChromium)('the playground in headless Chromium', () => {
  it('loads with no console errors or failed requests, says which backend trains, and races the seed five to the points Node reaches', async () => {
    const { page, problems } = await open(`/${RACE_QUERY}`);
    // The results table is filled as soon as the race is computed (the animation plays on after).
    await page.waitForFunction(() => window.__playground?.train.backend !== null && window.__playground?.race.state.trajectories.length === 5, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('table.results tbody tr').length === 5, undefined, { timeout: 5_000 });
    const backend = await page.evaluate(() => window.__playground!.train.backend!);
    expect(backend.backend).toBe('wasm');
    expect(backend.crossOriginIsolated).toBe(true);
    const line = (await page.locator('.backend').textContent())!;
    expect(line).toContain('WebAssembly');
    console.log(line);

    const rows = await page.locator('table.results tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        label: tr.querySelector('td')!.textContent,
        x: Number(tr.querySelector<HTMLElement>('[data-x]')!.dataset.x),
        y: Number(tr.querySelector<HTMLElement>('[data-y]')!.dataset.y),
      })),
    );
    expect(rows.map((r) => r.label?.split(' ')[0])).toEqual(SEED_FIVE.map(([n]) => n));
    const diffs: string[] = [];
    for (const [i, [name, make]] of SEED_FIVE.entries()) {
      const p = variable(tensor([-1.5, 2]));
      const opt = make();
      for (let s = 0; s < 500; s++) opt.minimize(() => rosenbrockNode(p, 1, 10), [p]);
      const [x, y] = p.dataSync();
      diffs.push(`${name} (${x!.toFixed(5)}, ${y!.toFixed(5)}) Δ ${Math.max(Math.abs(rows[i]!.x - x!), Math.abs(rows[i]!.y - y!)).toExponential(1)}`);
      expect(Math.abs(rows[i]!.x - x!), `${name}: page x ${rows[i]!.x}, Node x ${x}`).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(rows[i]!.y - y!), `${name}: page y ${rows[i]!.y}, Node y ${y}`).toBeLessThanOrEqual(1e-5);
    }
    console.log(`Rosenbrock (b = 10) from (-1.5, 2), 500 steps, page vs Node: ${diffs.join('; ')}`);
    expect(problems, problems.join('\n')).toEqual([]);
    expect(server!.missing).toEqual([]);
    await page.context().close();
  });

  it('trains the MLP for 2 epochs in the page to ≥ 90% test accuracy, predicts a drawn 1, and gets the same predictions back from IndexedDB after a reload, from the downloaded files and from a URL', async () => {
    const { page, problems } = await open('/');
    await page.waitForFunction(() => window.__playground?.train.backend !== null, undefined, { timeout: 30_000 });
    await page.selectOption('select[name=model]', 'mlp');
    await page.fill('input[name=epochs]', '2');
    await page.fill('input[name=batchSize]', '32');
    const checked = await page.locator('input[name=optimizer]:checked').evaluateAll((bs) => bs.map((b) => (b as HTMLInputElement).value));
    expect(checked).toEqual(['adam']);
    const started = Date.now();
    await page.locator('button[type=submit]', { hasText: 'Train' }).click();
    await page.waitForFunction(() => window.__playground!.train.running === false && window.__playground!.train.model !== null, undefined, { timeout: 90_000, polling: 200 });
    const trainMs = Date.now() - started;
    const train = await page.evaluate(() => {
      const t = window.__playground!.train;
      return { error: t.error, runs: t.runs.map((r) => ({ label: r.label, batches: r.x.length, valAcc: r.valAcc, loss: r.loss })) };
    });
    expect(train.error).toBeNull();
    expect(train.runs).toHaveLength(1);
    const run = train.runs[0]!;
    console.log(`MLP, adam, 2 epochs in the page: ${trainMs} ms, test accuracy per epoch ${run.valAcc.map((a) => a.toFixed(4)).join(', ')}`);
    // Live per-batch progress: one point per batch of both epochs (8,000 digits, batches of 32).
    expect(run.batches).toBe(2 * 250);
    expect(run.valAcc).toHaveLength(2);
    expect(run.valAcc[1]!).toBeGreaterThanOrEqual(0.9);
    expect(run.loss[run.loss.length - 1]!).toBeLessThan(run.loss[0]!);

    await drawOne(page);
    await page.waitForFunction(() => window.__playground!.train.drawn !== null, undefined, { timeout: 5_000 });
    const drawn = (await page.evaluate(() => window.__playground!.train.drawn))!;
    expect(drawn.indexOf(Math.max(...drawn)), `probabilities ${drawn.map((p) => p.toFixed(3)).join(' ')}`).toBe(1);
    expect(await page.locator('.verdict').getAttribute('data-digit')).toBe('1');
    // Fixed inputs, to compare the weights themselves after the round trip.
    const rows = randomUniform([4, 784], 0, 1, 'float32', 7).toArray() as number[][];
    const before = await page.evaluate((r) => window.__playground!.train.predict(r), rows);

    mkdirSync(outDir, { recursive: true });
    await page.waitForFunction(() => window.__playground!.race.state.done, undefined, { timeout: 20_000 });
    await page.screenshot({ path: `${outDir}desktop-1280x800.png` });
    await page.screenshot({ path: `${outDir}desktop-1280-full.png`, fullPage: true });
    // The README's picture: refreshed on request only, so a test run leaves the checkout unchanged.
    if (process.env.PLAYGROUND_UPDATE_DOCS === '1') copyFileSync(`${outDir}desktop-1280-full.png`, `${appDir}docs/playground-desktop.png`);

    await page.fill('input[name=modelName]', 'test-mnist');
    await page.locator('button', { hasText: 'Save to IndexedDB' }).click();
    await page.waitForFunction(() => document.querySelector('.io .status')?.textContent?.startsWith('Saved') === true, undefined, { timeout: 10_000 });

    await page.reload();
    await page.waitForFunction(() => window.__playground?.train.backend !== null, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => window.__playground!.train.model)).toBeNull();
    await page.fill('input[name=modelName]', 'test-mnist');
    await page.locator('button', { hasText: 'Load from IndexedDB' }).click();
    await page.waitForFunction(() => window.__playground!.train.model === 'indexeddb://test-mnist', undefined, { timeout: 10_000 });
    const after = await page.evaluate((r) => window.__playground!.train.predict(r), rows);
    expect(after).toEqual(before);
    await drawOne(page);
    await page.waitForFunction(() => window.__playground!.train.drawn !== null, undefined, { timeout: 5_000 });
    expect(await page.evaluate(() => window.__playground!.train.drawn)).toEqual(drawn);

    // Download (the two TF.js files), then load them back through the file picker and from a URL.
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.locator('button', { hasText: 'Download' }).click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    const modelDir = `${siteDir}models/`;
    mkdirSync(modelDir, { recursive: true });
    for (const d of downloads) await d.saveAs(`${modelDir}${d.suggestedFilename()}`);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(['test-mnist.json', 'test-mnist.weights.bin']);
    const modelJson = JSON.parse(readFileSync(`${modelDir}test-mnist.json`, 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['./test-mnist.weights.bin']);
    await page.setInputFiles('input[name=modelFiles]', [`${modelDir}test-mnist.json`, `${modelDir}test-mnist.weights.bin`]);
    await page.waitForFunction(() => window.__playground!.train.model === 'test-mnist.json', undefined, { timeout: 10_000 });
    expect(await page.evaluate((r) => window.__playground!.train.predict(r), rows)).toEqual(before);
    await page.fill('input[name=modelUrl]', 'models/test-mnist.json');
    await page.locator('button', { hasText: 'Load model.json URL' }).click();
    await page.waitForFunction(() => window.__playground!.train.model?.endsWith('/models/test-mnist.json') === true, undefined, { timeout: 10_000 });
    expect(await page.evaluate((r) => window.__playground!.train.predict(r), rows)).toEqual(before);

    expect(problems, problems.join('\n')).toEqual([]);
    await page.context().close();
  });

  it('compares two optimizers one after another, stops mid-epoch and resumes with the next epoch', async () => {
    const { page, problems } = await open('/');
    await page.waitForFunction(() => window.__playground?.train.backend !== null, undefined, { timeout: 30_000 });
    await page.check('input[name=optimizer][value=sgd]');
    await page.fill('input[name=epochs]', '2');
    await page.fill('input[name=batchSize]', '32');
    await page.locator('button[type=submit]', { hasText: 'Train' }).click();
    // Press Stop from inside the page as soon as 10 batches are in: a click from the test process
    // arrives some 100 ms later, by when a fast machine has finished the epoch.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const poll = (): void => {
            if ((window.__playground!.train.runs[0]?.x.length ?? 0) >= 10) {
              [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop')!.click();
              resolve();
            } else setTimeout(poll, 0);
          };
          poll();
        }),
    );
    await page.waitForFunction(() => window.__playground!.train.running === false, undefined, { timeout: 30_000 });
    const stopped = await page.evaluate(() => ({ canResume: window.__playground!.train.canResume, runs: window.__playground!.train.runs.map((r) => r.x.length) }));
    expect(stopped.canResume).toBe(true);
    expect(stopped.runs).toHaveLength(1);
    // Stopped inside the first epoch (250 batches of 32).
    const done = stopped.runs[0]!;
    expect(done).toBeLessThan(250);
    console.log(`stopped after ${done} of 250 batches`);
    await page.locator('button', { hasText: 'Resume' }).click();
    await page.waitForFunction(() => window.__playground!.train.running === false && window.__playground!.train.runs.length === 2, undefined, { timeout: 60_000, polling: 100 });
    const runs = await page.evaluate(() => window.__playground!.train.runs.map((r) => ({ label: r.label, batches: r.x.length, valAcc: r.valAcc })));
    // The registry's order: sgd, then adam. As Keras's stop_training does, a stop ends the epoch early
    // (it is still evaluated); resuming starts the next epoch, then the remaining runs follow.
    expect(runs.map((r) => r.label.split(' ')[0])).toEqual(['sgd', 'adam']);
    expect(runs[0]!.batches).toBe(done + 250);
    expect(runs[1]!.batches).toBe(500);
    for (const r of runs) expect(r.valAcc).toHaveLength(2);
    // Both runs' curves overlay in the loss chart: its legend (uPlot's, x series hidden) names them.
    const legend = await page.locator('.charts .chart').first().locator('.u-legend .u-series').allTextContents();
    expect(legend.map((t) => t.trim().split(' ')[0])).toEqual(['sgd', 'adam']);
    expect(problems, problems.join('\n')).toEqual([]);
    await page.context().close();
  });

  it('trains the CNN (stopped after a few batches) and predicts a drawing with it', async () => {
    const { page, problems } = await open('/');
    await page.waitForFunction(() => window.__playground?.train.backend !== null, undefined, { timeout: 30_000 });
    await page.selectOption('select[name=model]', 'cnn');
    await page.fill('input[name=epochs]', '1');
    await page.locator('button[type=submit]', { hasText: 'Train' }).click();
    await page.waitForFunction(() => (window.__playground!.train.runs[0]?.x.length ?? 0) >= 5, undefined, { timeout: 30_000, polling: 20 });
    await page.locator('button', { hasText: 'Stop' }).click();
    await page.waitForFunction(() => window.__playground!.train.running === false && window.__playground!.train.model !== null, undefined, { timeout: 30_000 });
    const run = await page.evaluate(() => ({ error: window.__playground!.train.error, batches: window.__playground!.train.runs[0]!.x.length, valAcc: window.__playground!.train.runs[0]!.valAcc }));
    expect(run.error).toBeNull();
    expect(run.batches).toBeLessThan(250);
    // The shortened epoch was evaluated on the test digits.
    expect(run.valAcc).toHaveLength(1);
    expect(await page.locator('.model-line').textContent()).toContain('parameters');
    await drawOne(page);
    await page.waitForFunction(() => window.__playground!.train.drawn !== null, undefined, { timeout: 5_000 });
    const p = (await page.evaluate(() => window.__playground!.train.drawn))!;
    expect(p).toHaveLength(10);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(problems, problems.join('\n')).toEqual([]);
    await page.context().close();
  });

  it('fits a phone-sized viewport', async () => {
    const { page, problems } = await open('/', { width: 390, height: 844 });
    await page.waitForFunction(() => window.__playground?.race.state.done === true, undefined, { timeout: 30_000 });
    // Nothing wider than the screen: no sideways scrolling.
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: `${outDir}phone-390x844.png` });
    await page.screenshot({ path: `${outDir}phone-390-full.png`, fullPage: true });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.context().close();
  });
});
