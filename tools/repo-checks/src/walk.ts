/**
 * Reading the repository as files: which source files and documents there are, skipping what is built
 * or installed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (this package lives in `tools/repo-checks`). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SKIP = new Set(['node_modules', 'dist', 'build', 'docs', 'coverage', 'test-output', '.turbo', '.vitest', '.git', '__pycache__']);

/** Every file below `dir` (relative to the root, with `/` separators), skipping built and installed folders. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      if (SKIP.has(name) || (name.startsWith('.') && name !== '.ci')) continue;
      const path = join(abs, name);
      if (statSync(path).isDirectory()) visit(path);
      else out.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  visit(join(ROOT, dir));
  return out.sort();
}

/** The workspace folders that hold code: every package, app, tool and test workspace. */
export function workspaces(): string[] {
  return ['packages', 'apps', 'tools', 'tests'].flatMap((top) =>
    readdirSync(join(ROOT, top))
      .filter((name) => statSync(join(ROOT, top, name)).isDirectory())
      .map((name) => `${top}/${name}`),
  );
}

/** A file's text. */
export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const TEST = /(\.test\.|\.types\.test\.|\/test\/|\/test-utils\/|\.d\.ts$)/;

/** Source files written by hand that ship or run (not tests, test helpers or declaration files). */
export function sourceFiles(): string[] {
  const roots = [...workspaces().flatMap((w) => ['src', 'asm', 'scripts'].map((d) => `${w}/${d}`)), 'scripts'];
  return roots
    .filter((d) => {
      try {
        return statSync(join(ROOT, d)).isDirectory();
      } catch {
        return false;
      }
    })
    .flatMap(filesUnder)
    .filter((f) => CODE.test(f) && !TEST.test(f));
}

/** Every code file (tests included) in the workspaces and scripts. */
export function codeFiles(): string[] {
  return [...workspaces(), 'scripts'].flatMap(filesUnder).filter((f) => CODE.test(f) && !f.endsWith('.d.ts'));
}
