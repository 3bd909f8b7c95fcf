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
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const SOURCE_CONDITION = '@descent/source';
export const REPO_URL = 'https://github.com/descent-js/descent';
const PNPM_VERSION = '12.4.2';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files a tarball may hold besides dist/ output: per package name, extra allowed paths. */
export const EXTRA_FILES = {
  '@descent/backend-wasm': [/^build\/[^/]+\.wasm$/, /^dist\/.+\.wasm$/],
};
const ALWAYS_ALLOWED = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/;
const DIST_FILE = /^dist\/.+\.(?:[mc]?js|d\.[mc]?ts)(?:\.map)?$/;
const TEST_FILE = /(?:^|\/)(?:test-utils|test-helpers?|__tests__|fixtures?)(?:\/|\.|$)|\.(?:test|spec)\.[^/]*$/;
/** Tools that build or test the packages: never a runtime dependency of a published package. */
export const BUILD_TOOLS = ['assemblyscript', 'binaryen', 'typescript', 'tsx', 'vitest', 'eslint', 'turbo',
  '@changesets/cli', '@tensorflow/tfjs', 'publint', 'typedoc', 'esbuild', 'vite', 'fast-check'];
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

// ---------------------------------------------------------------------------------------------
// Manifest helpers

/** A copy of an exports/imports value without the source condition (at any depth). */
export function stripSourceCondition(value) {
  if (Array.isArray(value)) return value.map(stripSourceCondition);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== SOURCE_CONDITION) out[key] = stripSourceCondition(inner);
  }
  return out;
}

function containsKey(value, wanted) {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key === wanted || containsKey(inner, wanted));
}

/** The fields pnpm must substitute at pack time: `{ exports?, imports? }` stripped of the condition. */
export function expectedPublishFields(manifest) {
  const fields = {};
  for (const field of ['exports', 'imports']) {
    if (containsKey(manifest[field], SOURCE_CONDITION)) fields[field] = stripSourceCondition(manifest[field]);
  }
  return fields;
}

export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  // Key order matters in exports (conditions are tried in order), so compare it too.
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && deepEqual(a[k], b[k]));
}

/** Problems with a workspace package.json before anything is packed. */
export function checkWorkspaceManifest(manifest, dir) {
  const problems = [];
  const expected = expectedPublishFields(manifest);
  for (const field of ['exports', 'imports']) {
    const published = manifest.publishConfig?.[field];
    if (field in expected) {
      if (!deepEqual(published, expected[field])) {
        problems.push(`publishConfig.${field} is not "${field}" without the "${SOURCE_CONDITION}" condition ` +
          `(run \`node scripts/release.mjs --sync-publish-config\` after editing "${field}")`);
      }
    } else if (published !== undefined && !deepEqual(published, manifest[field])) {
      problems.push(`publishConfig.${field} differs from "${field}", which has no "${SOURCE_CONDITION}" condition ` +
        `to strip (run \`node scripts/release.mjs --sync-publish-config\`)`);
    }
  }
  for (const field of ['description', 'license', 'homepage']) {
    if (typeof manifest[field] !== 'string' || manifest[field].trim() === '') problems.push(`"${field}" is empty`);
  }
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push('"keywords" is empty');
  const repo = manifest.repository;
  const wantDir = `packages/${basename(dir)}`;
  if (typeof repo !== 'object' || repo === null || typeof repo.url !== 'string' || repo.directory !== wantDir) {
    problems.push(`"repository" must be { type, url, directory: "${wantDir}" }, got ${JSON.stringify(repo)}`);
  }
  if (typeof manifest.bugs?.url !== 'string' && typeof manifest.bugs !== 'string') problems.push('"bugs" is missing');
  if (!Array.isArray(manifest.files)) problems.push('"files" is missing: npm would pack the whole folder');
  return problems;
}

/** checkWorkspaceManifest, plus the LICENSE copy and the README's links. */
export function checkPackageDir(dir, manifest, rootLicense) {
  const problems = checkWorkspaceManifest(manifest, dir);
  const license = join(dir, 'LICENSE');
  if (!existsSync(license)) problems.push('no LICENSE file (copy the root LICENSE)');
  else if (readFileSync(license, 'utf8') !== rootLicense) problems.push('LICENSE differs from the root LICENSE');
  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) problems.push('no README.md');
  else {
    for (const link of relativeLinks(readFileSync(readme, 'utf8'))) {
      problems.push(`README.md links to "${link}", which is broken on npm: use ${REPO_URL}/… instead`);
    }
  }
  return problems;
}

/** Relative links in a README: on npm they resolve against nothing, so every link must be absolute. */
export function relativeLinks(markdown) {
  const links = [];
  // Code is not a link: `xs[0](y)` in an example must not count.
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const patterns = [/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm,
    /\b(?:src|href)\s*=\s*["']([^"']+)["']/g];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const target = match[1];
      if (!/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target)) links.push(target);
    }
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Tarballs

/** The files of a .tgz as a Map from path (without the leading `package/`) to bytes. */
export function readTarball(gz) {
  const tar = gunzipSync(gz);
  const files = new Map();
  let offset = 0;
  let longName = null;
  let paxPath = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from, len) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = body.toString('utf8').replace(/\0.*$/s, ''); continue; }
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = match ? match[1] : null;
      continue;
    }
    const prefix = text(345, 155);
    let name = longName ?? paxPath ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    longName = null;
    paxPath = null;
    if (type !== '0' && type !== '7') continue;
    name = name.replace(/^[^/]+\//, '');
    files.set(name, Buffer.from(body));
  }
  return files;
}

/** Every relative path an exports/imports/browser value can resolve to, with where it came from. */
function collectTargets(value, where, out) {
  if (typeof value === 'string') out.push({ target: value, where });
  else if (Array.isArray(value)) value.forEach((v, i) => collectTargets(v, `${where}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) collectTargets(inner, `${where}["${key}"]`, out);
  }
  return out;
}

function targetExists(files, target) {
  const path = target.replace(/^\.\//, '');
  if (!path.includes('*')) return files.has(path);
  const source = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  const pattern = new RegExp(`^${source}$`);
  return [...files.keys()].some((file) => pattern.test(file));
}

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const BUILTINS = new Set(builtinModules);

/** Static, dynamic and `new URL(…, import.meta.url)` references of a built JS file, comments removed. */
export function referencesOf(js) {
  const code = js.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const refs = [];
  const patterns = [
    /\b(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*[,)]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) refs.push(match[1]);
  return refs;
}

/**
 * Problems with one packed tarball. `files` is readTarball's map, `workspace` the package.json in the
 * repository (the tarball's manifest is checked against it), `release` true for a real publish.
 */
export function checkTarball(files, workspace, { release = false, extraFiles = EXTRA_FILES } = {}) {
  const problems = [];
  const warnings = [];
  const raw = files.get('package.json');
  if (!raw) return { problems: ['the tarball has no package.json'], warnings };
  const text = raw.toString('utf8');
  const manifest = JSON.parse(text);

  for (const field of DEP_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(?:workspace|catalog|link|file):/.test(String(range))) {
        problems.push(`${field}["${dep}"] is "${range}": pnpm did not replace it with a version range`);
      }
      if (field !== 'devDependencies' && BUILD_TOOLS.includes(dep)) {
        problems.push(`${field}["${dep}"]: a build/test tool must be a devDependency, not installed with the package`);
      }
    }
  }
  if (text.includes(SOURCE_CONDITION)) {
    problems.push(`the published package.json still mentions the "${SOURCE_CONDITION}" condition (its target, src/, is not published)`);
  }
  const expected = expectedPublishFields(workspace);
  for (const field of ['exports', 'imports']) {
    const want = field in expected ? expected[field] : workspace[field];
    if (!deepEqual(manifest[field], want)) {
      problems.push(`the published "${field}" is not the workspace "${field}" without "${SOURCE_CONDITION}": ` +
        `got ${JSON.stringify(manifest[field])}, expected ${JSON.stringify(want)}`);
    }
  }

  const extra = extraFiles[manifest.name] ?? [];
  for (const file of files.keys()) {
    if (TEST_FILE.test(file)) {
      problems.push(`ships a test file or test helper: ${file}` +
        (file.startsWith('dist/') ? ' (exclude it in tsconfig.build.json; if it is, dist/ or the turbo cache holds an old build: delete dist/ and run `turbo run build --force`)' : ''));
    }
    else if (!ALWAYS_ALLOWED.test(file) && !DIST_FILE.test(file) && !extra.some((re) => re.test(file))) {
      problems.push(`ships a file outside dist/README/LICENSE/CHANGELOG: ${file}`);
    }
  }
  for (const required of ['README.md', 'LICENSE', ...(release ? ['CHANGELOG.md'] : [])]) {
    if (!files.has(required)) problems.push(`the tarball has no ${required}`);
  }

  // Every entry point and every file a built module refers to must be in the tarball.
  const targets = [];
  collectTargets(manifest.exports, 'exports', targets);
  collectTargets(manifest.imports, 'imports', targets);
  for (const field of ['main', 'module', 'types', 'typings']) collectTargets(manifest[field], field, targets);
  collectTargets(manifest.browser, 'browser', targets);
  collectTargets(manifest.bin, 'bin', targets);
  for (const { target, where } of targets) {
    // exports/imports/browser may also name packages or conditions; the plain fields always name files.
    const isPath = target.startsWith('./') || /^(?:main|module|types|typings|bin)\b/.test(where);
    if (isPath && !targetExists(files, target)) problems.push(`${where} points to ${target}, which is not in the tarball`);
  }
  const types = manifest.types ?? manifest.typings;
  if (typeof types !== 'string') problems.push('no "types" field');
  for (const { target, where } of targets) {
    if (!where.startsWith('exports') || !/\.[mc]?js$/.test(target) || target.includes('*')) continue;
    const declaration = target.replace(/^\.\//, '').replace(/\.([mc]?)js$/, '.d.$1ts');
    if (!files.has(declaration)) problems.push(`${where} (${target}) has no declaration file ${declaration}`);
  }

  const declared = new Set([manifest.name, ...DEP_FIELDS.filter((f) => f !== 'devDependencies')
    .flatMap((field) => Object.keys(manifest[field] ?? {}))]);
  for (const [file, bytes] of files) {
    if (!/\.[mc]?js$/.test(file)) continue;
    for (const ref of referencesOf(bytes.toString('utf8'))) {
      if (ref.startsWith('.')) {
        const target = posix.join(posix.dirname(file), ref);
        // A folder reference ('../') only needs something published below it.
        const found = ref.endsWith('/')
          ? target.startsWith('..') ? false : [...files.keys()].some((f) => target === './' || f.startsWith(target))
          : files.has(target);
        if (!found) problems.push(`${file} refers to ${ref}, which is not in the tarball`);
      } else if (ref.startsWith('#')) {
        if (!manifest.imports || !Object.keys(manifest.imports).some((key) => key === ref || (key.includes('*') && ref.startsWith(key.split('*')[0])))) {
          problems.push(`${file} imports ${ref}, which "imports" does not map`);
        }
      } else if (!ref.startsWith('node:') && !BUILTINS.has(ref) && !/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
        const dep = packageNameOf(ref);
        if (!declared.has(dep)) problems.push(`${file} imports "${ref}" but "${dep}" is not a dependency (a consumer's install lacks it)`);
      }
    }
  }

  // Entries under src/ serve bundles of the workspace (source condition); a dist/ entry that names no
  // published file is a typo that lets bundlers drop a module with side effects.
  if (Array.isArray(manifest.sideEffects)) {
    for (const entry of manifest.sideEffects) {
      if (entry.includes('*') || /^(?:\.\/)?src\//.test(entry) || targetExists(files, entry)) continue;
      if (/^(?:\.\/)?dist\//.test(entry)) problems.push(`sideEffects lists ${entry}, which is not in the tarball`);
      else warnings.push(`sideEffects lists ${entry}, which is not in the tarball`);
    }
  }
  return { problems, warnings, manifest };
}

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
