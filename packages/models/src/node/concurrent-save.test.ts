import { Dense, resetLayerNames } from '@descent/layers';
import { tensor } from '@descent/tensor';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../io/load.js';
import { Sequential } from '../sequential.js';
import './index.js';

let dir: string;

beforeEach(() => {
  resetLayerNames();
  dir = mkdtempSync(join(tmpdir(), 'descent-concurrent-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function model(k: number): Sequential {
  const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
  m.setWeights([tensor([[k]]), tensor([-k])]);
  return m;
}

/** The one weights file model.json names, after checking the folder holds nothing else. */
function onlyFiles(target: string): string {
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const bin = json.weightsManifest[0]!.paths[0]!;
  expect(readdirSync(target).sort()).toEqual(['model.json', bin].sort());
  return bin;
}

/** A pid no process has now: that of a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('saves to one path', () => {
  it('run one after another when started at once (3 at a time, 50 times), leaving no leftovers', async () => {
    const target = join(dir, 'model');
    const models = [model(1), model(2), model(3)];
    for (let round = 0; round < 50; round++) {
      const results = await Promise.allSettled(models.map((m) => m.save(`file://${target}`)));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(readdirSync(dir)).toEqual(['model']);
      onlyFiles(target);
      // They ran in the order they were asked for, so the last one is what stays.
      const loaded = await loadModel(`file://${target}`);
      expect(loaded.getWeights()[0]!.dataSync()[0]).toBe(3);
    }
  });

  it('run in order even when the first of them fails', async () => {
    const target = join(dir, 'model');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const first = model(1).save(`file://${target}`);
    const clear = first.catch(() => rmSync(join(target, 'notes.txt')));
    const second = clear.then(() => model(2).save(`file://${target}`));
    await expect(first).rejects.toThrow(/save: refusing to replace folder/);
    await second;
    onlyFiles(target);
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(2);
  });

  it('clean up what interrupted saves left behind', async () => {
    const target = join(dir, 'model');
    await model(1).save(`file://${target}`);
    const pid = deadPid();
    // What a save killed at various points leaves: a weights file model.json never came to name,
    // a model.json temp file, a half-built first-save folder, and the old design's .old folder.
    writeFileSync(join(target, `weights.${pid}-0123abcd.bin`), 'partial');
    writeFileSync(join(target, `.model.json.${pid}-0123abcd.tmp`), '{"partial');
    mkdirSync(join(dir, `.model.tmp-${pid}-89abcdef`));
    writeFileSync(join(dir, `.model.tmp-${pid}-89abcdef`, 'weights.bin'), 'x');
    mkdirSync(join(dir, `.model.old-${pid}-89abcdef`));
    // Something else in the parent folder stays.
    writeFileSync(join(dir, 'unrelated.txt'), 'keep');
    // It still loads as the complete model meanwhile.
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(1);
    await model(2).save(`file://${target}`);
    expect(readdirSync(dir).sort()).toEqual(['model', 'unrelated.txt']);
    onlyFiles(target);
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(2);
  });

  it('load folders in the older layout (weights.bin) and replace them cleanly', async () => {
    const target = join(dir, 'model');
    await model(4).save(`file://${target}`);
    const bin = onlyFiles(target);
    // Rewrite as an older save: same model.json, weights in weights.bin.
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['weights.bin'];
    writeFileSync(join(target, 'weights.bin'), readFileSync(join(target, bin)));
    rmSync(join(target, bin));
    writeFileSync(join(target, 'model.json'), JSON.stringify(json));
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(4);
    await model(5).save(`file://${target}`);
    expect(onlyFiles(target)).not.toBe('weights.bin');
    expect((await loadModel(`file://${target}`)).getWeights()[0]!.dataSync()[0]).toBe(5);
  });
});
