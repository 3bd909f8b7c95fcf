#!/usr/bin/env node
// Builds, packs and checks every publishable package (packages/*, not private), then publishes the
// very tarballs it checked.
//
//   node scripts/release.mjs --dry-run            build, pack, check; publish nothing (CI runs this)
//   node scripts/release.mjs                      the same, then publish what is not on the registry yet
//   node scripts/release.mjs --sync-publish-config  rewrite each publishConfig.exports/imports from
//                                                 exports/imports minus the source condition
// Options: --skip-build (use the dist/ already there), --out <dir> (keep the tarballs there).
//
// Why publishConfig: tests and apps resolve the `@descent/source` condition to src/*.ts, but src is not
// published, so the published manifest must not carry that condition. pnpm replaces `exports` and
// `imports` by `publishConfig.exports`/`.imports` when it packs; this script checks that those copies
// equal the workspace fields minus the condition, so an edit to "exports" that forgets them fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkPackageDir, deepEqual, expectedPublishFields } from './release-manifest.mjs';
import { checkTarball, readTarball } from './release-tarball.mjs';

// The checks live in release-manifest.mjs and release-tarball.mjs; this module re-exports them.
export {
  REPO_URL, SOURCE_CONDITION, checkPackageDir, checkWorkspaceManifest, deepEqual, expectedPublishFields, relativeLinks,
  stripSourceCondition,
} from './release-manifest.mjs';
export { BUILD_TOOLS, EXTRA_FILES, checkTarball, readTarball, referencesOf } from './release-tarball.mjs';

const PNPM_VERSION = '12.4.2';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Publishing

/** Publishes tarballs in dependency order, skipping versions the registry already has. */
export function publishTarballs(packed, run, log = console.log) {
  const published = [];
  for (const { name, version, tarball } of packed) {
    const seen = run('npm', ['view', `${name}@${version}`, 'version'], { allowFailure: true });
    if (seen.status === 0 && seen.stdout.trim() === version) {
      log(`  ${name}@${version} is already on the registry: skipped`);
      continue;
    }
    run('npm', ['publish', tarball, '--access', 'public']);
    published.push(`${name}@${version}`);
    log(`  published ${name}@${version}`);
  }
  return published;
}

// ---------------------------------------------------------------------------------------------
// The command

export function publishablePackages(root = ROOT) {
  const dirs = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'packages', d.name, 'package.json')))
    .map((d) => join(root, 'packages', d.name));
  const pkgs = dirs.map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true);
  // Dependencies first, so a real publish never leaves a package whose dependency is not out yet.
  const names = new Set(pkgs.map((p) => p.manifest.name));
  const ordered = [];
  const visit = (pkg, path) => {
    if (ordered.includes(pkg)) return;
    if (path.includes(pkg)) throw new Error(`release: dependency cycle ${[...path, pkg].map((p) => p.manifest.name).join(' -> ')}`);
    for (const dep of Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies })) {
      if (names.has(dep)) visit(pkgs.find((p) => p.manifest.name === dep), [...path, pkg]);
    }
    ordered.push(pkg);
  };
  for (const pkg of [...pkgs].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) visit(pkg, []);
  return ordered;
}

function pnpmCommand() {
  const version = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (version.status === 0 && version.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['-y', `pnpm@${PNPM_VERSION}`]];
}

function run(cmd, args, { cwd = ROOT, allowFailure = false, quiet = true } = {}) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit', maxBuffer: 64 << 20 });
  if (result.error) throw new Error(`release: could not run ${cmd}: ${result.error.message}`);
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`release: \`${cmd} ${args.join(' ')}\` failed in ${cwd} (exit ${result.status})\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return result;
}

function parseArgs(argv) {
  const opts = { dryRun: false, skipBuild: false, out: null, sync: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') opts.dryRun = true;
    else if (arg === '--skip-build') opts.skipBuild = true;
    else if (arg === '--sync-publish-config') opts.sync = true;
    else if (arg === '--out' && argv[i + 1]) opts.out = resolve(argv[++i]);
    else if (arg === '--help' || arg === '-h') opts.help = true;
    else throw new Error(`release: unknown option ${arg} (expected --dry-run, --skip-build, --out <dir>, --sync-publish-config)`);
  }
  return opts;
}

function syncPublishConfig(pkgs) {
  for (const { dir, manifest } of pkgs) {
    const expected = expectedPublishFields(manifest);
    const next = { ...manifest.publishConfig };
    for (const field of ['exports', 'imports']) {
      if (field in expected) next[field] = expected[field];
      else delete next[field];
    }
    if (deepEqual(next, manifest.publishConfig ?? {})) continue;
    manifest.publishConfig = next;
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`updated publishConfig of ${manifest.name}`);
  }
}

async function publintTarball(bytes) {
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, level: 'warning', strict: true });
  return messages.map((m) => `publint: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
}

async function main(argv) {
  const started = Date.now();
  const opts = parseArgs(argv);
  if (opts.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n').replace(/^\/\/ ?/gm, ''));
    return 0;
  }
  const pkgs = publishablePackages();
  if (opts.sync) { syncPublishConfig(pkgs); return 0; }

  const release = !opts.dryRun;
  const failures = [];
  const rootLicense = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  if (release) {
    const pending = readdirSync(join(ROOT, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    if (pending.length > 0) {
      throw new Error(`release: ${pending.length} changesets are pending (${pending.slice(0, 3).join(', ')}…): ` +
        'run `pnpm run version` (changeset version), review and commit, then release');
    }
    const whoami = run('npm', ['whoami'], { allowFailure: true });
    if (whoami.status !== 0) {
      throw new Error(`release: \`npm whoami\` failed, so publishing would fail: log in (npm login) or provide a token in .npmrc\n${whoami.stderr}`);
    }
  }
  for (const { dir, manifest } of pkgs) {
    for (const p of checkPackageDir(dir, manifest, rootLicense)) failures.push(`${manifest.name}: ${p}`);
  }

  const [pnpm, pnpmArgs] = pnpmCommand();
  if (!opts.skipBuild) {
    // tsc never deletes outputs, so dist/ may hold files of renamed sources; a real release builds from
    // empty dist/ folders without turbo's cache (a dry run keeps both: other tools may be using dist/).
    if (release) for (const { dir } of pkgs) rmSync(join(dir, 'dist'), { recursive: true, force: true });
    console.log('building packages/* (turbo)…');
    run(pnpm, [...pnpmArgs, 'exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only',
      ...(release ? ['--force'] : [])], { quiet: false });
  }
  const out = opts.out ?? mkdtempSync(join(tmpdir(), 'descent-release-'));
  mkdirSync(out, { recursive: true });
  const packed = [];
  try {
    for (const { dir, manifest } of pkgs) {
      const result = run(pnpm, [...pnpmArgs, 'pack', '--pack-destination', out, '--json'], { cwd: dir });
      const json = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
      const tarball = resolve(out, json.filename ?? `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`);
      const bytes = readFileSync(tarball);
      const files = readTarball(bytes);
      const { problems, warnings } = checkTarball(files, manifest, { release });
      problems.push(...await publintTarball(bytes));
      const kb = (bytes.length / 1024).toFixed(0);
      console.log(`${problems.length ? 'FAIL' : 'ok  '} ${manifest.name}@${manifest.version}: ${files.size} files, ${kb} KiB packed`);
      for (const w of warnings) console.log(`     warning: ${w}`);
      for (const p of problems) failures.push(`${manifest.name}: ${p}`);
      packed.push({ name: manifest.name, version: manifest.version, tarball });
    }
    if (failures.length > 0) {
      console.error(`\n${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
      return 1;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (opts.dryRun) {
      console.log(`dry run: ${packed.length} tarballs checked in ${seconds} s, nothing published${opts.out ? ` (tarballs in ${out})` : ''}`);
      return 0;
    }
    const published = publishTarballs(packed, (cmd, args, o) => run(cmd, args, o));
    console.log(`published ${published.length} package(s). Tag the release: npx changeset tag && git push --follow-tags`);
    return 0;
  } finally {
    if (!opts.out) rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
