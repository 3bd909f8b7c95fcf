// TypeDoc configuration for the API reference of every published package (`pnpm docs`).
// Entry points are read from each package's `exports` map (the `@descent/source` condition), so a new
// subpath such as `./node` or `./browser`, or a new package, is documented without editing this file.
// The build fails on any exported symbol without a doc comment: the check lives in typedoc.plugin.mjs
// (TypeDoc's notDocumented rule, with inline object-type members covered by their owner's comment).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;

function sourceEntries(exportsValue) {
  if (typeof exportsValue === 'string') return [];
  if (exportsValue === null || typeof exportsValue !== 'object') return [];
  const source = exportsValue['@descent/source'];
  if (typeof source === 'string') return [source];
  // Nested conditions ({ node: { '@descent/source': ... }, browser: { ... } }).
  return Object.values(exportsValue).flatMap(sourceEntries);
}

const packages = [];
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const manifestPath = join(root, 'packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private === true || manifest.exports === undefined) continue;
  packages.push({ dir, manifest });
}

// Dependencies before their dependents (tensor … models, then the umbrella), so each symbol is
// documented in the package that declares it and re-exporting packages link to it.
const byName = new Map(packages.map((p) => [p.manifest.name, p]));
const ordered = [];
const visiting = new Set();
function visit(pkg) {
  if (ordered.includes(pkg) || visiting.has(pkg)) return;
  visiting.add(pkg);
  const deps = { ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies };
  for (const dep of Object.keys(deps).sort()) if (byName.has(dep)) visit(byName.get(dep));
  ordered.push(pkg);
}
for (const pkg of packages) visit(pkg);

const entryPoints = [];
const packageNames = [];
for (const { dir, manifest } of ordered) {
  packageNames.push(manifest.name);
  const exportsMap = typeof manifest.exports === 'string' ? { '.': manifest.exports } : manifest.exports;
  for (const [subpath, value] of Object.entries(exportsMap)) {
    if (subpath.endsWith('.json') || subpath.includes('*')) continue;
    for (const file of new Set(sourceEntries(value))) {
      const path = join('packages', dir, file);
      if (/\.tsx?$/.test(path) && existsSync(join(root, path)) && !entryPoints.includes(path)) entryPoints.push(path);
    }
  }
}
if (entryPoints.length === 0) throw new Error('typedoc.config.mjs: no package entry points found under packages/*/package.json exports');

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'Descent API reference',
  tsconfig: './tsconfig.typedoc.json',
  plugin: ['./typedoc.plugin.mjs'],
  entryPointStrategy: 'resolve',
  entryPoints,
  out: 'docs/api',
  readme: 'README.md',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  // Type errors are the job of `pnpm typecheck`; the docs build only reads declarations and comments.
  skipErrorChecking: true,
  disableSources: true,
  // TypeDoc only checks symbols declared in these packages (by default just the root package).
  packagesRequiringDocumentation: packageNames,
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, unusedMergeModuleWith: true, notDocumented: false },
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
};
