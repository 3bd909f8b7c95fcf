import { describe, expect, it } from 'vitest';
import { namedPaths, resolves } from './paths.js';
import { codeFiles, read, sourceFiles, workspaces } from './walk.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './walk.js';

describe('repository conventions (issue 19)', () => {
  it('no hand-written source file is over 400 lines', () => {
    const long = sourceFiles()
      .map((f) => ({ f, lines: read(f).split('\n').length - (read(f).endsWith('\n') ? 1 : 0) }))
      .filter(({ lines }) => lines > 400)
      .map(({ f, lines }) => `${f} (${lines} lines)`);
    expect(long).toEqual([]);
  });

  it('code file names are kebab-case', () => {
    const bad = codeFiles().filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/.test(f.split('/').pop()!));
    expect(bad).toEqual([]);
  });

  it('the READMEs and CONTRIBUTING.md name only files that exist', () => {
    const docs = [
      { doc: 'README.md', ws: '' },
      { doc: 'CONTRIBUTING.md', ws: '' },
      ...workspaces()
        .filter((w) => existsSync(join(ROOT, w, 'README.md')))
        .map((w) => ({ doc: `${w}/README.md`, ws: w })),
    ];
    const missing = docs.flatMap(({ doc, ws }) =>
      namedPaths(read(doc))
        .filter((t) => !resolves(t, doc, ws))
        .map((t) => `${doc}: ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('source files cite only documents that are in the repository', () => {
    const missing = sourceFiles().flatMap((f) => {
      const ws = workspaces().find((w) => f.startsWith(`${w}/`)) ?? '';
      return namedPaths(read(f))
        .filter((t) => t.endsWith('.md') && t !== 'CHANGELOG.md' && !resolves(t, f, ws)) // changesets writes CHANGELOG.md
        .map((t) => `${f}: ${t}`);
    });
    expect(missing).toEqual([]);
  });

  it('finds paths in text the way the checks above rely on', () => {
    expect(namedPaths('see `packages/tensor/src/ops/conv.ts` and ops/pool.ts, not https://x.org/a.ts or dist/index.js')).toEqual([
      'packages/tensor/src/ops/conv.ts',
      'ops/pool.ts',
    ]);
    expect(resolves('packages/tensor/src/index.ts', 'README.md', '')).toBe(true);
    expect(resolves('ops/conv.ts', 'packages/tensor/README.md', 'packages/tensor')).toBe(true);
    expect(resolves('ops/no-such-file.ts', 'packages/tensor/README.md', 'packages/tensor')).toBe(false);
  });
});
