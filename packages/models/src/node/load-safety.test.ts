import { Dense, resetLayerNames } from '@descent/layers';
import { tensor } from '@descent/tensor';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadModel } from '../io/load.js';
import { Sequential } from '../sequential.js';
import './index.js';

// Record every path the loader opens or reads, to check that refused files are never touched.
const touched: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return {
    ...actual,
    open: (path: Parameters<typeof actual.open>[0], flags?: Parameters<typeof actual.open>[1], mode?: Parameters<typeof actual.open>[2]) => {
      touched.push(resolve(String(path)));
      return actual.open(path, flags, mode);
    },
    readFile: (path: Parameters<typeof actual.readFile>[0], options?: Parameters<typeof actual.readFile>[1]) => {
      if (typeof path === 'string') touched.push(resolve(path));
      return actual.readFile(path, options);
    },
  };
});

let dir: string;
let target: string;
let jsonPath: string;
let weightsName: string;
let bytes: number;
let outside: string;

beforeEach(async () => {
  resetLayerNames();
  dir = mkdtempSync(join(tmpdir(), 'descent-load-safety-'));
  // A model whose weights take 8 bytes (1×1 kernel + bias, float32), and outside its folder a
  // "secret" of exactly that size, which the old loader happily read as weights.
  target = join(dir, 'a', 'b', 'model');
  const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
  m.setWeights([tensor([[3]]), tensor([4])]);
  await m.save(`file://${target}`);
  jsonPath = join(target, 'model.json');
  weightsName = manifest().weightsManifest[0]!.paths[0]!;
  bytes = readFileSync(join(target, weightsName)).byteLength;
  expect(bytes).toBe(8);
  outside = join(dir, 'SECRET.bin');
  writeFileSync(outside, Buffer.alloc(bytes, 7));
  touched.length = 0;
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Manifest {
  weightsManifest: { paths: string[] }[];
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(jsonPath, 'utf8')) as Manifest;
}

function setPaths(paths: string[]): void {
  const json = manifest();
  json.weightsManifest[0]!.paths = paths;
  writeFileSync(jsonPath, JSON.stringify(json));
}

function notTouched(...paths: string[]): void {
  for (const p of paths) expect(touched).not.toContain(p);
}

describe('loadModel(file://) reads weights only from inside the model folder', () => {
  it('refuses a relative path that climbs out with ..', async () => {
    setPaths(['../../../SECRET.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(
      /loadModel: '.*model\.json' lists weight file "\.\.\/\.\.\/\.\.\/SECRET\.bin", which points outside the model folder; weight files must be inside the model folder/,
    );
    notTouched(outside);
    // Climbing out and back in is fine.
    setPaths([`../model/${weightsName}`]);
    expect((await loadModel(`file://${jsonPath}`)).getWeights()[0]!.dataSync()[0]).toBe(3);
  });

  it('refuses absolute paths, and says nothing about the file there', async () => {
    for (const p of [outside, '/etc/hostname', '/dev/zero', `file://${outside}`]) {
      setPaths([p]);
      const err = await loadModel(`file://${jsonPath}`).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/is an absolute path or URL; weight files must be inside the model folder/);
      expect(err?.message).toContain(JSON.stringify(p));
      expect(err?.message).not.toMatch(/holds|bytes/);
      notTouched(resolve(p.replace('file://', '')));
    }
  });

  it('refuses symbolic links that lead out of the folder', async () => {
    symlinkSync(outside, join(target, 'link.bin'));
    setPaths(['link.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/"link\.bin", which leads outside the model folder through a symbolic link/);
    symlinkSync(dir, join(target, 'sub'));
    setPaths(['sub/SECRET.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/"sub\/SECRET\.bin", which leads outside the model folder through a symbolic link/);
    // A missing file behind the link gets the same answer, so nothing is learned about what exists.
    setPaths(['sub/NOTHING.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/"sub\/NOTHING\.bin", which leads outside the model folder through a symbolic link/);
    symlinkSync('/dev/zero', join(target, 'zero.bin'));
    setPaths(['zero.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/"zero\.bin", which leads outside the model folder/);
    notTouched(outside, '/dev/zero');
  });

  it('follows symbolic links and subfolders that stay inside', async () => {
    mkdirSync(join(target, 'shards'));
    renameSync(join(target, weightsName), join(target, 'shards', 'w.bin'));
    symlinkSync(join(target, 'shards', 'w.bin'), join(target, 'alias.bin'));
    setPaths(['alias.bin']);
    expect((await loadModel(`file://${jsonPath}`)).getWeights()[1]!.dataSync()[0]).toBe(4);
    setPaths(['shards/w.bin']);
    expect((await loadModel(`file://${target}`)).getWeights()[1]!.dataSync()[0]).toBe(4);
  });
});

describe('loadModel(file://) reads no more than the manifest describes', () => {
  it('refuses a file that is larger than the manifest says, before reading it', async () => {
    const file = join(target, weightsName);
    // Sparse: 3 GiB on paper, nothing on disk. The old loader tried to read it all.
    truncateSync(file, 3 * 2 ** 30);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(
      new RegExp(`loadModel: weight file '${file}' holds ${3 * 2 ** 30} bytes, but '${jsonPath}' describes 8 bytes .*larger than the manifest says`),
    );
    notTouched(file);
  });

  it('refuses a file that is smaller than the manifest says', async () => {
    const file = join(target, weightsName);
    truncateSync(file, 5);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(new RegExp(`weight file '${file}' holds 5 bytes, but '${jsonPath}' describes 8 bytes .*truncated`));
  });

  it('refuses what is not a regular file: a folder or a FIFO (without blocking on it)', async () => {
    mkdirSync(join(target, 'folder.bin'));
    setPaths(['folder.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/lists weight file 'folder\.bin', which is not a regular file/);
    execFileSync('mkfifo', [join(target, 'pipe.bin')]);
    setPaths(['pipe.bin']);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(/lists weight file 'pipe\.bin', which is not a regular file/);
  });
});
