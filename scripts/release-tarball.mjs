// Reading a packed tarball and checking what it holds (part of the release flow: scripts/release.mjs,
// which re-exports these).
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SOURCE_CONDITION, deepEqual, expectedPublishFields } from './release-manifest.mjs';

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
