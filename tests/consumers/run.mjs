#!/usr/bin/env node
// @ts-check
// Consumer fixtures outside the workspace (issue 14, "How it is checked"): the packages are built and
// packed with `pnpm pack` (through scripts/release.mjs --dry-run where it exists), then installed with npm from the tarballs into projects under os.tmpdir(),
// where no workspace link can help them, and used as a new user would:
//  (a) Node ESM + `tsc --strict`, under moduleResolution `bundler` and `nodenext`;
//  (b) CommonJS: `require('descent')` in a plain .cjs file, and a TypeScript project compiled to CommonJS;
//  (c) a Vite build and (d) an esbuild build of the same program, each served from 127.0.0.1 and run in
//      headless Chromium: backend 'wasm', the Node loss to 1e-5, an IndexedDB save that a fresh page load
//      predicts identically from, 2 threads under COOP/COEP, a CPU fallback with one warning when the
//      .wasm URL 404s, and setWasmPaths serving the kernels from another prefix;
//  and the install size of `descent` (du -sh node_modules; goal < 15 MB).
// Every check prints one line (PASS / FAIL / SKIP); a failure prints the command output below it.
// The fixture projects are kept between runs (npm install --prefer-offline), so a rerun takes about
// a minute. Usage: node run.mjs [--no-build] [--only node|vite|esbuild|size ...]
// Env: DESCENT_CONSUMERS_DIR (fixtures root, default $TMPDIR/descent-consumers), CHROMIUM_PATH.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const FIXTURES = join(HERE, 'fixtures');
const ROOT = process.env.DESCENT_CONSUMERS_DIR ?? join(tmpdir(), 'descent-consumers');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PNPM = ['-y', 'pnpm@12.4.2'];
const TOLERANCE = 1e-5;
const SIZE_GOAL_MB = 15;

const argv = process.argv.slice(2);
const noBuild = argv.includes('--no-build') || process.env.TURBO_HASH !== undefined; // under turbo, ^build ran
const onlyIndex = argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set(argv.slice(onlyIndex + 1)) : null;
const GROUPS = ['node', 'size', 'vite', 'esbuild'];
const unknown = only === null ? [] : [...only].filter((g) => !GROUPS.includes(g));
if (unknown.length > 0 || (only !== null && only.size === 0)) {
  console.error(`run.mjs: --only takes one or more of ${GROUPS.join(', ')}; got ${unknown.length > 0 ? unknown.join(', ') : 'nothing'}`);
  process.exit(2);
}
// The page checks compare with the Node run's loss, so asking for vite or esbuild runs node too.
if (only !== null && (only.has('vite') || only.has('esbuild'))) only.add('node');
const wanted = (/** @type {string} */ group) => only === null || only.has(group);

// ---------------------------------------------------------------------------------------------
// Reporting

/** @typedef {{ name: string, status: 'PASS' | 'FAIL' | 'SKIP', detail: string }} CheckResult */
/** @type {CheckResult[]} */
const results = [];

class CheckFailure extends Error {
  /** @param {string} message @param {string} [output] */
  constructor(message, output = '') {
    super(message);
    this.output = output;
  }
}

/** @param {string} text */
function indent(text) {
  const lines = text.trimEnd().split('\n');
  const kept = lines.length > 60 ? ['…', ...lines.slice(-60)] : lines;
  return kept.map((l) => `    | ${l}`).join('\n');
}

/**
 * Runs one check and prints its line. `fn` returns the detail for the PASS line, or
 * `{ skip: reason }`; it throws (CheckFailure with the command output, or any error) to fail.
 * @param {string} name
 * @param {() => Promise<string | { skip: string }>} fn
 * @returns {Promise<boolean>} whether it passed
 */
async function check(name, fn) {
  const started = Date.now();
  try {
    const out = await fn();
    const secs = `${((Date.now() - started) / 1000).toFixed(1)}s`;
    if (typeof out === 'object') {
      results.push({ name, status: 'SKIP', detail: out.skip });
      console.log(`SKIP  ${name}: skipped: ${out.skip}`);
      return false;
    }
    results.push({ name, status: 'PASS', detail: out });
    console.log(`PASS  ${name}: ${out} (${secs})`);
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.push({ name, status: 'FAIL', detail: message });
    console.log(`FAIL  ${name}: ${message}`);
    const output = err instanceof CheckFailure ? err.output : err instanceof Error ? (err.stack ?? '') : '';
    if (output.trim() !== '') console.log(indent(output));
    return false;
  }
}

/** @param {string} name @param {string} reason */
function skip(name, reason) {
  results.push({ name, status: 'SKIP', detail: reason });
  console.log(`SKIP  ${name}: skipped: ${reason}`);
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * @param {string} cmd @param {readonly string[]} args
 * @param {{ cwd?: string, timeout?: number, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
function sh(cmd, args, options = {}) {
  const cwd = options.cwd ?? REPO;
  const shown = `$ (cd ${cwd} && ${cmd} ${args.join(' ')})`;
  return new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: options.timeout ?? 300_000, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env },
      (err, stdout, stderr) => {
        if (err === null) resolvePromise({ stdout, stderr });
        else {
          const why = err.killed ? `timed out after ${(options.timeout ?? 300_000) / 1000}s` : `exit code ${String(err.code)}`;
          reject(new CheckFailure(`\`${cmd} ${args.join(' ')}\` failed (${why})`, `${shown}\n${stdout}${stderr}`));
        }
      },
    );
  });
}

/** @param {string} stdout @param {string} what */
function parseResult(stdout, what) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new CheckFailure(`${what} printed no RESULT line`, stdout);
  return /** @type {Outcome} */ (JSON.parse(line.slice('RESULT '.length)));
}

/**
 * @typedef {{ backend: string, flavour: string | null, threads: number, losses: number[], loss: number,
 *   prediction: number[], fileRoundTrip?: boolean }} Outcome
 */

/** @param {readonly number[]} a @param {readonly number[]} b */
function maxDiff(a, b) {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Number.POSITIVE_INFINITY : m;
}

// ---------------------------------------------------------------------------------------------
// Build, pack, install

/** The versions of the tools the fixtures install: the ones this package pins (devDependencies). */
function toolVersion(/** @type {string} */ name) {
  const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
  const v = pkg.devDependencies?.[name];
  if (typeof v !== 'string') throw new Error(`tests/consumers/package.json has no devDependency ${name}`);
  return v;
}

/** @returns {string[]} the publishable package folders under packages/ */
function publishable() {
  return readdirSync(join(REPO, 'packages'))
    .map((n) => join(REPO, 'packages', n))
    .filter((dir) => existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);
}

/** @type {Map<string, string>} package name → tarball path */
const tarballs = new Map();
let packProblems = '';

/**
 * Builds and packs every publishable package into `staging`. With scripts/release.mjs (the release
 * flow) that is `release.mjs --dry-run --out`, which also checks the tarballs; without it, `pnpm -r
 * build` and `pnpm pack` per package. Returns a note on problems release.mjs reported while still
 * packing every tarball (the consumer checks then use them anyway), or ''.
 * @param {string} staging
 */
async function packInto(staging) {
  const release = join(REPO, 'scripts/release.mjs');
  if (existsSync(release)) {
    const args = [release, '--dry-run', '--out', staging, ...(noBuild ? ['--skip-build'] : [])];
    try {
      await sh(process.execPath, args, { timeout: 600_000 });
      return '';
    } catch (err) {
      const packed = readdirSync(staging).filter((f) => f.endsWith('.tgz')).length;
      const output = err instanceof CheckFailure ? err.output : String(err);
      if (packed >= publishable().length) return `scripts/release.mjs --dry-run reported problems, though it packed all ${packed} tarballs:\n${output}`;
      // It stopped before packing everything: pack without it, and report its failure on its own line.
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      await packWithPnpm(staging);
      return `scripts/release.mjs --dry-run failed before packing every package (packed with pnpm pack instead):\n${output}`;
    }
  }
  await packWithPnpm(staging);
  return '';
}

/** @param {string} staging */
async function packWithPnpm(staging) {
  if (!noBuild) {
    await sh('npx', [...PNPM, '-r', '--filter', './packages/*', '--workspace-concurrency=2', 'build'], { timeout: 600_000 });
  }
  for (const dir of publishable()) {
    await sh('npx', [...PNPM, 'pack', '--pack-destination', staging], { cwd: dir, timeout: 120_000 });
  }
}

async function buildAndPack() {
  const staging = join(ROOT, 'pack-staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const releaseProblems = await packInto(staging);
  // A folder named by the tarballs' content: a new build gets a new path, so npm reinstalls exactly
  // the packages that changed and keeps everything else it cached.
  const files = readdirSync(staging).filter((f) => f.endsWith('.tgz')).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(join(staging, f)));
  const dest = join(ROOT, 'tarballs', hash.digest('hex').slice(0, 12));
  if (!existsSync(dest)) cpSync(staging, dest, { recursive: true });
  for (const old of readdirSync(join(ROOT, 'tarballs'))) {
    if (join(ROOT, 'tarballs', old) !== dest) rmSync(join(ROOT, 'tarballs', old), { recursive: true, force: true });
  }
  for (const f of files) {
    const manifest = await sh('tar', ['-xzOf', join(dest, f), 'package/package.json']);
    const pkg = JSON.parse(manifest.stdout);
    tarballs.set(pkg.name, join(dest, f));
    const raw = JSON.stringify({ ...pkg.dependencies, ...pkg.peerDependencies });
    if (raw.includes('workspace:')) throw new Error(`${f}: package.json still has a workspace: range: ${raw}`);
  }
  const sizes = files.map((f) => `${f} ${(statSync(join(dest, f)).size / 1024).toFixed(0)} kB`);
  if (!tarballs.has('descent')) throw new Error(`no tarball of the umbrella package 'descent' among: ${sizes.join(', ')}`);
  const line = `${files.length} tarballs (${sizes.join(', ')})`;
  // Reported as its own failing line; the consumer checks still run on these tarballs.
  if (releaseProblems !== '') packProblems = releaseProblems;
  return line;
}

/**
 * Writes a fixture project's package.json (the tarballs as file: dependencies, plus `devDependencies`)
 * and copies its sources, then runs npm install in it. Sources and our packages in node_modules are
 * replaced every run; the rest of node_modules and package-lock.json stay.
 * @param {string} name @param {Record<string, string>} devDependencies
 * @param {Array<[string, string]>} copies [from (under fixtures/), to (under the project)]
 * @param {{ type?: 'module' | 'commonjs', packages?: readonly string[] }} [options]
 */
async function setUpFixture(name, devDependencies, copies, options = {}) {
  const dir = join(ROOT, name);
  mkdirSync(dir, { recursive: true });
  for (const sub of ['src', 'esm', 'cjs', 'out', 'dist']) rmSync(join(dir, sub), { recursive: true, force: true });
  // Every packed package except those a consumer would not install for this program, so that each
  // dependency between them resolves to its tarball, never to the registry.
  const names = options.packages ?? [...tarballs.keys()].filter((n) => n !== '@descent/datasets');
  /** @type {Record<string, string>} */
  const dependencies = {};
  for (const n of names) {
    const tgz = tarballs.get(n);
    if (tgz === undefined) throw new Error(`no tarball for ${n}`);
    dependencies[n] = `file:${relative(dir, tgz)}`;
  }
  const pkg = { name: `descent-consumer-${name}`, private: true, type: options.type ?? 'module', dependencies, devDependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [from, to] of copies) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    cpSync(join(FIXTURES, from), join(dir, to), { recursive: true });
  }
  // Our packages are always unpacked afresh from the tarballs (they are small); the tools stay cached.
  for (const n of ['descent', '@descent']) rmSync(join(dir, 'node_modules', n), { recursive: true, force: true });
  const { stdout, stderr } = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    timeout: 300_000,
  });
  // npm must not have fetched a package of ours from the registry (an unrelated `descent` exists there).
  for (const n of names) {
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', n, 'package.json'), 'utf8'));
    const packed = JSON.parse((await sh('tar', ['-xzOf', tarballs.get(n) ?? '', 'package/package.json'])).stdout);
    if (installed.version !== packed.version) {
      throw new CheckFailure(`${name}: node_modules/${n} is ${installed.version}, not the packed ${packed.version}`, stdout + stderr);
    }
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Node fixture: (a) ESM + TypeScript strict, bundler and nodenext; (b) CommonJS

/** @type {Outcome | null} */
let nodeReference = null;

/** @param {Outcome} o @param {string} what */
function checkNodeOutcome(o, what) {
  if (o.backend !== 'wasm') throw new Error(`${what}: backend '${o.backend}', expected 'wasm' (Node has wasm SIMD)`);
  if (!Number.isFinite(o.loss)) throw new Error(`${what}: final loss ${o.loss} is not finite`);
  const first = o.losses[0] ?? NaN;
  if (!(o.loss < first)) throw new Error(`${what}: loss did not go down: ${o.losses.join(', ')}`);
  if (nodeReference !== null) {
    const d = Math.abs(o.loss - nodeReference.loss);
    const p = maxDiff(o.prediction, nodeReference.prediction);
    if (!(d <= TOLERANCE && p <= TOLERANCE)) {
      throw new Error(`${what}: loss ${o.loss} / predictions differ from the ESM run (${nodeReference.loss}) by ${d} / ${p} (> ${TOLERANCE.toExponential(0)})`);
    }
  }
  return `final loss ${o.loss.toPrecision(8)}, backend ${o.backend} (${o.flavour ?? 'no flavour'}), ${o.threads} thread(s)`;
}

async function nodeChecks() {
  let dir = '';
  const installed = await check('install node fixture (typescript, @types/node + tarballs)', async () => {
    dir = await setUpFixture(
      'node',
      { typescript: toolVersion('typescript'), '@types/node': toolVersion('@types/node') },
      [
        ['shared/program.ts', 'src/program.ts'],
        ['node/esm', 'esm'],
        ['node/tsconfig.bundler.json', 'tsconfig.bundler.json'],
        ['node/tsconfig.nodenext.json', 'tsconfig.nodenext.json'],
        ['node/cjs', 'cjs'],
        ['shared/program.ts', 'cjs/program.ts'],
      ],
    );
    return dir;
  });
  const names = [
    '(a) Node ESM, tsc --strict, moduleResolution bundler',
    '(a) Node ESM, tsc --strict, moduleResolution nodenext',
    "(b) CommonJS, require('descent') in a .cjs file",
    '(b) CommonJS, a TypeScript project compiled to CommonJS (module nodenext, "type": "commonjs")',
  ];
  if (!installed) {
    for (const n of names) skip(n, 'the node fixture did not install');
    return;
  }
  const tsc = join(dir, 'node_modules/typescript/bin/tsc');
  for (const [i, config] of /** @type {const} */ ([[0, 'bundler'], [1, 'nodenext']])) {
    await check(names[i] ?? '', async () => {
      await sh(process.execPath, [tsc, '-p', `tsconfig.${config}.json`], { cwd: dir });
      const { stdout } = await sh(process.execPath, [`out/${config}/esm/main.js`], { cwd: dir });
      const o = parseResult(stdout, `node out/${config}/esm/main.js`);
      const line = checkNodeOutcome(o, config);
      if (o.fileRoundTrip !== true) throw new CheckFailure("model.save('file://…') then loadModel predicts differently", stdout);
      nodeReference ??= o;
      return `typechecks; ${line}; file:// save → loadModel predicts identically`;
    });
  }
  await check(names[2] ?? '', async () => {
    const { stdout } = await sh(process.execPath, ['cjs/require.cjs'], { cwd: dir });
    return checkNodeOutcome(parseResult(stdout, 'node cjs/require.cjs'), 'require');
  });
  await check(names[3] ?? '', async () => {
    await sh(process.execPath, [tsc, '-p', 'cjs/tsconfig.json'], { cwd: dir });
    const emitted = readFileSync(join(dir, 'cjs/out/program.js'), 'utf8');
    if (!/require\("descent"\)/.test(emitted)) throw new CheckFailure('the emitted cjs/out/program.js does not require("descent")', emitted);
    const { stdout } = await sh(process.execPath, ['cjs/out/main.js'], { cwd: dir });
    return `typechecks, emits require("descent"); ${checkNodeOutcome(parseResult(stdout, 'node cjs/out/main.js'), 'TS→CJS')}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Install size

async function sizeCheck() {
  await check(`install size: npm install of descent's tarballs alone (goal < ${SIZE_GOAL_MB} MB)`, async () => {
    const descent = JSON.parse((await sh('tar', ['-xzOf', tarballs.get('descent') ?? '', 'package/package.json'])).stdout);
    const ours = [...tarballs.keys()].filter((n) => n === 'descent' || n in (descent.dependencies ?? {}));
    const dir = await setUpFixture('size', {}, [], { packages: ours });
    const du = (await sh('du', ['-sh', 'node_modules'], { cwd: dir })).stdout.trim();
    const kb = Number((await sh('du', ['-sk', 'node_modules'], { cwd: dir })).stdout.split(/\s/)[0]);
    const list = (await sh('du', ['-sh', ...readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'))], { cwd: join(dir, 'node_modules') })).stdout;
    const mb = kb / 1024;
    const line = `du -sh node_modules: ${du.split(/\s/)[0]} (${mb.toFixed(1)} MB) for ${ours.join(', ')}`;
    if (mb >= SIZE_GOAL_MB) throw new CheckFailure(`${line}: over the ${SIZE_GOAL_MB} MB goal`, list);
    return `${line}; goal < ${SIZE_GOAL_MB} MB met`;
  });
}

// ---------------------------------------------------------------------------------------------
// Browser fixtures: (c) Vite, (d) esbuild

const TYPES = /** @type {Record<string, string>} */ ({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
});

/**
 * A static server on 127.0.0.1 for a built site.
 * @param {string} root the built site
 * @param {{ isolated?: boolean, wasm404?: boolean, cdn?: Map<string, string> }} mode
 *   isolated: COOP/COEP headers; wasm404: every .wasm under the site answers 404; cdn: /cdn/<name> → file
 * @returns {Promise<{ origin: string, requests: string[], close: () => Promise<void> }>}
 */
function serve(root, mode) {
  /** @type {string[]} */
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(path);
    if (mode.isolated === true) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    res.setHeader('Cache-Control', 'no-store');
    const cdn = path.startsWith('/cdn/') ? mode.cdn?.get(path.slice('/cdn/'.length)) : undefined;
    const file = cdn ?? resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const inside = cdn !== undefined || file.startsWith(`${root}/`);
    const blocked = mode.wasm404 === true && cdn === undefined && extname(file) === '.wasm';
    if (!inside || blocked || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolvePromise({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** @param {string} dir @returns {string[]} every kernels-*.wasm under dir */
function findWasm(dir) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.wasm$/.test(e.name)) found.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/**
 * @typedef {{ ok: boolean, error?: string, backend?: string, flavour?: string | null, threads?: number,
 *   losses?: number[], loss?: number, prediction?: number[], crossOriginIsolated?: boolean,
 *   hardwareConcurrency?: number, saveError?: string }} PageResult
 */

/**
 * Opens a page and waits for `window.__result`.
 * @param {import('playwright-core').BrowserContext} context @param {string} url
 * @returns {Promise<{ result: PageResult, log: string[], warnings: string[] }>}
 */
async function openPage(context, url) {
  const page = await context.newPage();
  /** @type {string[]} */
  const log = [];
  /** @type {string[]} */
  const warnings = [];
  page.on('console', (m) => {
    log.push(`console.${m.type()}: ${m.text()}`);
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    await page.goto(url, { timeout: 15_000 });
    try {
      await page.waitForFunction(() => /** @type {any} */ (window).__result !== undefined, undefined, { timeout: 60_000, polling: 100 });
    } catch (err) {
      throw new CheckFailure(`${url}: the page reported nothing within 60 s (${String(err).split('\n')[0]})`, log.join('\n'));
    }
    const result = /** @type {PageResult} */ (await page.evaluate(() => /** @type {any} */ (window).__result));
    if (!result.ok) throw new CheckFailure(`${url}: the page failed: ${(result.error ?? '').split('\n')[0]}`, `${result.error}\n${log.join('\n')}`);
    return { result, log, warnings };
  } finally {
    await page.close();
  }
}

/** @param {PageResult} r @param {string[]} log */
function compareWithNode(r, log) {
  if (nodeReference === null) throw new CheckFailure('no Node reference loss (the Node ESM check failed)', log.join('\n'));
  const d = Math.abs((r.loss ?? NaN) - nodeReference.loss);
  const p = maxDiff(r.prediction ?? [], nodeReference.prediction);
  if (!(d <= TOLERANCE)) {
    throw new CheckFailure(`final loss ${r.loss} differs from Node's ${nodeReference.loss} by ${d} (> ${TOLERANCE.toExponential(0)})`, `page losses ${JSON.stringify(r.losses)}\nNode losses ${JSON.stringify(nodeReference.losses)}\n${log.join('\n')}`);
  }
  if (!(p <= TOLERANCE)) {
    throw new CheckFailure(`predictions differ from Node's by ${p} (> ${TOLERANCE.toExponential(0)})`, `page ${JSON.stringify(r.prediction)}\nNode ${JSON.stringify(nodeReference.prediction)}`);
  }
  return `loss ${(r.loss ?? NaN).toPrecision(8)} = Node's to ${d.toExponential(1)}`;
}

/**
 * The page checks of one built site.
 * @param {string} label '(c) Vite' | '(d) esbuild'
 * @param {string} site the built folder (index.html at its root)
 * @param {string} fixture the fixture project (its node_modules holds the packed wasm files)
 * @param {import('playwright-core').Browser | null} browser
 */
async function pageChecks(label, site, fixture, browser) {
  const names = {
    page: `${label} page: backend wasm, Node's loss to ${TOLERANCE.toExponential(0)}, IndexedDB save → fresh page load predicts identically`,
    isolated: `${label} page served with COOP/COEP: crossOriginIsolated, 2 threads, same loss`,
    fallback: `${label} page whose .wasm URLs answer 404: one console warning, backend cpu, still trains`,
    cdn: `${label} page with setWasmPaths('/cdn/'): kernels fetched from the prefix, backend wasm`,
  };
  if (browser === null) {
    for (const n of Object.values(names)) skip(n, `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    return;
  }
  /** @param {Parameters<typeof serve>[1]} mode @param {(origin: string, context: import('playwright-core').BrowserContext, requests: string[]) => Promise<string>} body */
  const withSite = async (mode, body) => {
    const server = await serve(site, mode);
    const context = await browser.newContext();
    try {
      return await body(server.origin, context, server.requests);
    } finally {
      await context.close();
      await server.close();
    }
  };

  await check(names.page, () =>
    withSite({}, async (origin, context) => {
      const { result: r, log, warnings } = await openPage(context, `${origin}/?save=1`);
      if (r.backend !== 'wasm') throw new CheckFailure(`backend '${r.backend}', expected 'wasm'`, log.join('\n'));
      if (r.flavour === null || r.flavour === undefined) throw new CheckFailure(`backend wasm but wasmFlavour() is ${r.flavour}`, log.join('\n'));
      if (warnings.length > 0) throw new CheckFailure(`unexpected console warnings: ${warnings.join(' | ')}`, log.join('\n'));
      if (r.crossOriginIsolated !== false || r.threads !== 1) {
        throw new CheckFailure(`without COOP/COEP expected crossOriginIsolated false and 1 thread, got ${r.crossOriginIsolated} / ${r.threads}`, log.join('\n'));
      }
      const vsNode = compareWithNode(r, log);
      if (r.saveError !== undefined) {
        throw new CheckFailure(`trained (backend wasm, ${vsNode}) but model.save('indexeddb://…') failed: ${r.saveError.split('\n')[0]}`, `${r.saveError}\n${log.join('\n')}`);
      }
      const again = await openPage(context, `${origin}/?phase=load`);
      const reloaded = again.result.prediction ?? [];
      const diff = maxDiff(reloaded, r.prediction ?? []);
      if (diff !== 0) {
        throw new CheckFailure(`after a fresh page load the IndexedDB model predicts differently (max diff ${diff})`, `before ${JSON.stringify(r.prediction)}\nafter ${JSON.stringify(reloaded)}\n${again.log.join('\n')}`);
      }
      return `backend wasm (${r.flavour}), 1 thread, ${vsNode}; reloaded from indexeddb:// on ${again.result.backend}, ${reloaded.length} predictions identical`;
    }),
  );

  await check(names.isolated, () =>
    withSite({ isolated: true }, async (origin, context) => {
      const { result: r, log } = await openPage(context, `${origin}/`);
      if (r.crossOriginIsolated !== true) throw new CheckFailure(`crossOriginIsolated is ${r.crossOriginIsolated} despite COOP/COEP`, log.join('\n'));
      if (r.backend !== 'wasm') throw new CheckFailure(`backend '${r.backend}', expected 'wasm'`, log.join('\n'));
      const cores = r.hardwareConcurrency ?? 0;
      // The interface: 2 threads on a page with COOP/COEP on a 2-core machine; more cores may give more.
      const ok = cores === 2 ? r.threads === 2 : (r.threads ?? 0) >= 2;
      if (!ok) throw new CheckFailure(`getThreadsCount() is ${r.threads} with hardwareConcurrency ${cores}, expected ${cores === 2 ? '2' : '≥ 2'}`, log.join('\n'));
      return `crossOriginIsolated, ${r.threads} threads (hardwareConcurrency ${cores}), ${compareWithNode(r, log)}`;
    }),
  );

  await check(names.fallback, () =>
    withSite({ wasm404: true }, async (origin, context, requests) => {
      const { result: r, log, warnings } = await openPage(context, `${origin}/`);
      const wasmRequests = requests.filter((p) => p.endsWith('.wasm'));
      if (wasmRequests.length === 0) throw new CheckFailure('the page requested no .wasm file at all', log.join('\n'));
      if (r.backend !== 'cpu') throw new CheckFailure(`backend '${r.backend}', expected 'cpu' after the 404`, log.join('\n'));
      if (warnings.length !== 1) throw new CheckFailure(`expected exactly one console warning, got ${warnings.length}: ${warnings.join(' | ')}`, log.join('\n'));
      const losses = r.losses ?? [];
      const first = losses[0] ?? NaN;
      if (!(Number.isFinite(r.loss) && (r.loss ?? NaN) < first)) throw new CheckFailure(`did not train on cpu: losses ${JSON.stringify(losses)}`, log.join('\n'));
      const vsNode = nodeReference === null ? '' : `, ${Math.abs((r.loss ?? NaN) - nodeReference.loss).toExponential(1)} from Node's wasm loss`;
      return `404 for ${wasmRequests.join(', ')}; warned once ("${(warnings[0] ?? '').slice(0, 100)}"); backend cpu, loss ${losses.length > 0 ? first.toPrecision(4) : '?'} → ${(r.loss ?? NaN).toPrecision(8)}${vsNode}`;
    }),
  );

  await check(names.cdn, async () => {
    const files = findWasm(join(fixture, 'node_modules'));
    if (files.length === 0) throw new Error(`no .wasm file in ${fixture}/node_modules`);
    const cdn = new Map(files.map((f) => [basename(f), f]));
    return withSite({ wasm404: true, cdn }, async (origin, context, requests) => {
      const { result: r, log, warnings } = await openPage(context, `${origin}/?wasmPaths=${encodeURIComponent(`${origin}/cdn/`)}`);
      const fromCdn = requests.filter((p) => p.startsWith('/cdn/'));
      if (r.backend !== 'wasm') throw new CheckFailure(`backend '${r.backend}', expected 'wasm' (requests: ${requests.join(', ')})`, log.join('\n'));
      if (fromCdn.length === 0) throw new CheckFailure(`nothing was fetched from /cdn/ (requests: ${requests.join(', ')})`, log.join('\n'));
      if (warnings.length > 0) throw new CheckFailure(`unexpected console warnings: ${warnings.join(' | ')}`, log.join('\n'));
      return `fetched ${fromCdn.join(', ')}; ${compareWithNode(r, log)}`;
    });
  });
}

async function browserChecks() {
  let browser = /** @type {import('playwright-core').Browser | null} */ (null);
  if (existsSync(CHROMIUM)) {
    const { chromium } = await import('playwright-core');
    // --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
  }
  try {
    if (wanted('vite')) {
      let dir = '';
      const built = await check('(c) Vite: install, vite build', async () => {
        dir = await setUpFixture('vite', { vite: toolVersion('vite'), typescript: toolVersion('typescript') }, [
          ['browser/index.html', 'index.html'],
          ['browser/tsconfig.json', 'tsconfig.json'],
          ['browser/main.ts', 'src/main.ts'],
          ['shared/program.ts', 'src/program.ts'],
        ]);
        const { stdout, stderr } = await sh(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { cwd: dir });
        const wasm = findWasm(join(dir, 'dist')).map((f) => relative(join(dir, 'dist'), f));
        if (wasm.length === 0) throw new CheckFailure('vite build emitted no .wasm file into dist/', stdout + stderr);
        return `dist/ has ${wasm.join(', ')}${stderr.trim() === '' ? '' : `; vite warned: ${stderr.trim().split('\n')[0]}`}`;
      });
      if (built) {
        // A browser project typechecks against the packed types with DOM and no Node types at all.
        await check('(c) Vite project typechecks: tsc --strict --noEmit, lib DOM, types [] (no @types/node)', async () => {
          await sh(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
          return 'no errors (skipLibCheck: false)';
        });
        await pageChecks('(c) Vite', join(dir, 'dist'), dir, browser);
      }
      else skip('(c) Vite pages', 'the Vite build failed');
    }
    if (wanted('esbuild')) {
      let dir = '';
      const built = await check('(d) esbuild: install, esbuild --bundle --format=esm --loader:.wasm=file', async () => {
        dir = await setUpFixture('esbuild', { esbuild: toolVersion('esbuild') }, [
          ['browser/main.ts', 'src/main.ts'],
          ['shared/program.ts', 'src/program.ts'],
        ]);
        const args = ['src/main.ts', '--bundle', '--format=esm', '--platform=browser', '--target=es2022', '--outdir=dist', '--loader:.wasm=file', '--log-level=warning'];
        const { stdout, stderr } = await sh(join(dir, 'node_modules/.bin/esbuild'), args, { cwd: dir });
        writeFileSync(
          join(dir, 'dist/index.html'),
          '<!doctype html>\n<html><head><meta charset="utf-8"><title>descent consumer</title></head>\n<body><script type="module" src="./main.js"></script></body></html>\n',
        );
        // esbuild leaves `new URL('…wasm', import.meta.url)` as it is, now relative to the bundle, so
        // each .wasm file goes where that URL points from dist/main.js (the copy step esbuild users
        // need); files esbuild emitted itself (an `import … from './x.wasm'` under the file loader) stay.
        const bundle = readFileSync(join(dir, 'dist/main.js'), 'utf8');
        const emitted = findWasm(join(dir, 'dist')).map((f) => relative(join(dir, 'dist'), f));
        const installed = findWasm(join(dir, 'node_modules'));
        const copied = [];
        for (const m of bundle.matchAll(/new URL\(\s*["'`]([^"'`]+\.wasm)["'`]\s*,\s*import\.meta\.url\s*\)/g)) {
          const spec = m[1] ?? '';
          const target = new URL(spec, 'http://site/main.js').pathname.slice(1);
          const source = installed.find((f) => basename(f) === basename(spec));
          if (source === undefined) throw new CheckFailure(`the bundle asks for ${spec} but no such file is installed`, installed.join('\n'));
          if (!emitted.includes(target)) {
            mkdirSync(dirname(join(dir, 'dist', target)), { recursive: true });
            cpSync(source, join(dir, 'dist', target));
            copied.push(`${relative(dir, source)} → dist/${target}`);
          }
        }
        if (emitted.length + copied.length === 0) throw new CheckFailure('the bundle names no .wasm file of the installed packages and esbuild emitted none', stdout + stderr);
        const how = [emitted.length > 0 ? `esbuild emitted ${emitted.join(', ')}` : '', copied.length > 0 ? `copied ${copied.join(', ')}` : ''].filter(Boolean);
        return `${how.join('; ')}${stderr.trim() === '' ? '' : `; esbuild warned: ${stderr.trim().split('\n')[0]}`}`;
      });
      if (built) await pageChecks('(d) esbuild', join(dir, 'dist'), dir, browser);
      else skip('(d) esbuild pages', 'the esbuild build failed');
    }
  } finally {
    await browser?.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  console.log(`consumer fixtures under ${ROOT} (outside the workspace)`);
  mkdirSync(ROOT, { recursive: true });
  const how = existsSync(join(REPO, 'scripts/release.mjs')) ? 'scripts/release.mjs --dry-run --out' : 'pnpm -r build, pnpm pack';
  const packed = await check(`build${noBuild ? ' (skipped: turbo built already)' : ''} and pack every package (${how})`, buildAndPack);
  if (packed && packProblems !== '') {
    const what = packProblems.split('\n')[0] ?? '';
    await check('scripts/release.mjs --dry-run', () => Promise.reject(new CheckFailure(`${what.replace(/:$/, '')} (the consumer checks below use these tarballs anyway)`, packProblems.slice(what.length + 1))));
  }
  if (!packed) {
    console.log('FAIL  nothing else can run without the tarballs');
  } else {
    if (wanted('node')) await nodeChecks();
    if (wanted('size')) await sizeCheck();
    if (wanted('vite') || wanted('esbuild')) {
      if (!existsSync(CHROMIUM)) console.log(`note: no Chromium at ${CHROMIUM}: the page checks are skipped, the builds still run`);
      await browserChecks();
    }
  }
  const count = (/** @type {string} */ s) => results.filter((r) => r.status === s).length;
  console.log(`consumer checks: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (count('FAIL') > 0 || !packed) process.exitCode = 1;
}

await main();
