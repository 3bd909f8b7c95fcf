// Checks of a workspace package's manifest and folder before anything is packed (part of the release
// flow: scripts/release.mjs, which re-exports these).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const SOURCE_CONDITION = '@descent/source';
export const REPO_URL = 'https://github.com/descent-js/descent';

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
