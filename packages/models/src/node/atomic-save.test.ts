import { Dense, resetLayerNames } from '@descent/layers';
import { tensor } from '@descent/tensor';
import * as fsp from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadModel } from '../io/load.js';
import { Sequential } from '../sequential.js';
import './index.js';

// Make writing model.json (or its temp file) fail on demand, to simulate a crash or a full disk in
// the middle of a save (after the weights file was written); or make the rename that swaps the new
// model.json in fail, the last step of a save.
let failModelJson = false;
let failRename = false;
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return {
    ...actual,
    open: (path: Parameters<typeof actual.open>[0], flags?: Parameters<typeof actual.open>[1], mode?: Parameters<typeof actual.open>[2]) => {
      if (failModelJson && basename(String(path)).includes('model.json') && (flags === 'w' || flags === 'wx')) return Promise.reject(new Error('ENOSPC: no space left on device'));
      return actual.open(path, flags, mode);
    },
    rename: (from: string, to: string) => {
      if (failRename) return Promise.reject(new Error('EIO: i/o error, rename'));
      return actual.rename(from, to);
    },
  };
});

let dir: string;

beforeEach(() => {
  resetLayerNames();
  failModelJson = false;
  failRename = false;
  dir = mkdtempSync(join(tmpdir(), 'descent-atomic-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function model(k: number): Sequential {
  const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
  m.setWeights([tensor([[k]]), tensor([0])]);
  return m;
}

describe('atomic save', () => {
  it('leaves no folder at all when the first save fails midway', async () => {
    expect(typeof fsp.open).toBe('function');
    failModelJson = true;
    await expect(model(1).save(`file://${join(dir, 'model')}`)).rejects.toThrow(/save: writing the model to '.*model' failed: ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the previous save intact when a new save fails midway', async () => {
    const target = join(dir, 'model');
    await model(2).save(`file://${target}`);
    failModelJson = true;
    await expect(model(5).save(`file://${target}`)).rejects.toThrow(/ENOSPC/);
    failModelJson = false;
    expect(readdirSync(dir)).toEqual(['model']);
    const loaded = await loadModel(`file://${target}`);
    expect(loaded.getWeights()[0]!.dataSync()[0]).toBe(2);
  });

  it('keeps the previous save, and no stray files, when the final rename fails', async () => {
    const target = join(dir, 'model');
    await model(2).save(`file://${target}`);
    const before = readdirSync(target).sort();
    failRename = true;
    await expect(model(5).save(`file://${target}`)).rejects.toThrow(/save: writing the model to '.*model' failed: EIO/);
    failRename = false;
    expect(readdirSync(dir)).toEqual(['model']);
    expect(readdirSync(target).sort()).toEqual(before);
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(2);
  });
});
