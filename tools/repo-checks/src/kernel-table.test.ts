import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, read } from './walk.js';

// CONTRIBUTING.md's "Kernel families and their files" table against the code: every kernel of
// @descent/tensor's KERNEL_NAMES in exactly one row, every file the table names present in its folder.

const FOLDERS: Record<string, string> = {
  ops: 'packages/tensor/src/ops',
  CPU: 'packages/tensor/src/cpu',
  'wasm glue': 'packages/backend-wasm/src/kernels',
  asm: 'packages/backend-wasm/asm',
  rules: 'packages/autograd/src',
};

function kernelNames(): string[] {
  const source = read('packages/tensor/src/kernels.ts');
  const list = /KERNEL_NAMES\s*=\s*\[([\s\S]*?)\]/.exec(source);
  if (list === null) throw new Error('KERNEL_NAMES not found in packages/tensor/src/kernels.ts');
  return [...list[1]!.matchAll(/'(\w+)'/g)].map((m) => m[1]!);
}

function table(): { header: string[]; rows: string[][] } {
  const text = read('CONTRIBUTING.md');
  const start = text.indexOf('### Kernel families and their files');
  if (start < 0) throw new Error('CONTRIBUTING.md has no "Kernel families and their files" section');
  const lines = text.slice(start).split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) => l.slice(1, -1).split('|').map((c) => c.trim());
  return { header: cells(lines[0]!), rows: lines.slice(2).map(cells) };
}

describe('CONTRIBUTING.md kernel table', () => {
  it('lists every kernel exactly once', () => {
    const listed = table().rows.flatMap((r) => r[1]!.split(',').map((k) => k.trim()));
    const names = kernelNames();
    expect(names.length).toBeGreaterThan(90);
    expect(listed.filter((k) => !names.includes(k))).toEqual([]);
    expect(names.filter((k) => listed.filter((l) => l === k).length !== 1)).toEqual([]);
  });

  it('names only files that exist in each column\'s folder', () => {
    const { header, rows } = table();
    const missing: string[] = [];
    for (const row of rows) {
      header.forEach((column, i) => {
        const folder = FOLDERS[column];
        if (folder === undefined) return;
        for (const file of row[i]!.matchAll(/[\w-]+\.ts/g)) {
          if (!existsSync(join(ROOT, folder, file[0]))) missing.push(`${row[0]}: ${folder}/${file[0]}`);
        }
      });
    }
    expect(missing).toEqual([]);
  });
});
