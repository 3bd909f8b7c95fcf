/**
 * Finding the file paths a document names, and whether each names a file that exists.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ROOT, filesUnder } from './walk.js';

const PATH = /(?<![\w@:/.-])((?:\.{1,2}\/)?[A-Za-z0-9_@][\w@.-]*(?:\/[\w@.-]+)*\.(?:ts|mts|mjs|js|py|md))(?![\w/-])/g;

/** The path-like tokens in a text: names ending in a code or Markdown extension, not URLs, globs or templates. */
export function namedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(PATH)) {
      const token = m[1]!;
      const before = line.slice(Math.max(0, m.index - 8), m.index);
      if (/https?:\/\/\S*$|www\.\S*$/.test(before)) continue;
      if (/(^|\/)(dist|build|node_modules)\//.test(token)) continue;
      // Product names such as TF.js or Node.js, not files (file names are lower-case kebab-case).
      if (/\.js$/.test(token) && /[A-Z]/.test(token.split('/').pop()!)) continue;
      found.add(token);
    }
  }
  return [...found];
}

/** The folders a bare or partial path is looked up in. */
const REPO_SCOPES = ['packages', 'apps', 'tools', 'tests', 'scripts', '.ci'];

const byBasename = new Map<string, Set<string>>();
function basenamesIn(workspace: string): Set<string> {
  let names = byBasename.get(workspace);
  if (names === undefined) {
    names = new Set(filesUnder(workspace).map((f) => basename(f)));
    byBasename.set(workspace, names);
  }
  return names;
}

/**
 * Whether `token`, named in the file `from` (relative to the root) of workspace `workspace` ('' for the
 * root), is a file: relative to the document, the root, the workspace or its `src`; a bare file name
 * counts when some file of that name is in the workspace (the whole repository for root documents).
 */
export function resolves(token: string, from: string, workspace: string): boolean {
  // An ESM import specifier names the compiled `.js` of a `.ts` source.
  if (token.endsWith('.js') && resolves(`${token.slice(0, -3)}.ts`, from, workspace)) return true;
  const bases = [dirname(from), '', workspace, workspace === '' ? '' : `${workspace}/src`];
  if (bases.some((b) => existsSync(join(ROOT, b, token)))) return true;
  if (!token.includes('/')) {
    return REPO_SCOPES.some((s) => basenamesIn(s).has(token));
  }
  // A path written from inside some package (`ops/conv.ts`, `tensor/src/cpu/conv.ts`).
  return REPO_SCOPES.some((s) => filesUnder(s).some((f) => f.endsWith(`/${token}`)));
}
