import { Dense, Dropout, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CSVLogger } from '../callbacks/csv-logger.js';
import { loadModel } from '../io/load.js';
import { resetSequentialNames, Sequential } from '../sequential.js';
import { fileSystem } from './index.js';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(9);
  dir = mkdtempSync(join(tmpdir(), 'descent-models-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The weights file model.json names. Each save writes a freshly named one (see file-system.ts). */
function weightsFile(target: string): string {
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  return json.weightsManifest[0]!.paths[0]!;
}

function expectSame(a: Tensor, b: Tensor): void {
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
}

async function trained(): Promise<Sequential> {
  const m = new Sequential([new Dense({ units: 4, activation: 'relu', inputShape: [2] }), new Dropout({ rate: 0.1 }), new Dense({ units: 1 })]);
  m.compile({ optimizer: 'rmsprop', loss: 'mse' });
  await m.fit(randomNormal([8, 2]), randomNormal([8, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
  return m;
}

describe('file:// save and load (Node entry)', () => {
  // The weights file is not called weights.bin: every save writes a new, uniquely named one and then
  // swaps model.json (which names it) in atomically. TF.js needs no fixed name: it fetches whatever
  // relative paths weightsManifest lists, relative to model.json.
  it('writes model.json + one weights file and loads from the file or the folder', async () => {
    const m = await trained();
    const target = join(dir, 'out', 'model');
    const result = await m.save(`file://${target}`);
    expect(result.location).toBe(target);
    const bin = weightsFile(target);
    expect(bin).toMatch(/^weights\.[\w-]+\.bin$/);
    expect(readdirSync(target).sort()).toEqual(['model.json', bin].sort());
    expect(readdirSync(join(dir, 'out'))).toEqual(['model']);
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual([bin]);
    expect(readFileSync(join(target, bin)).byteLength).toBe(result.weightDataBytes);
    const x = randomNormal([3, 2]);
    expectSame(m.predict(x), (await loadModel<Sequential>(`file://${target}/model.json`)).predict(x));
    expectSame(m.predict(x), (await loadModel<Sequential>(`file://${target}`)).predict(x));
    expectSame(m.predict(x), (await loadModel<Sequential>(fileSystem(target))).predict(x));
  });

  it('TF.js loads a saved folder as it loads one over HTTP: model.json, then the weights it names', async () => {
    const m = await trained();
    const target = join(dir, 'model');
    await m.save(`file://${target}`);
    await m.save(`file://${target}`);
    const served: string[] = [];
    // TF.js's own HTTP handler, with fetch answered from the folder: it resolves weightsManifest
    // paths relative to model.json's URL, so any file name there works.
    const fetchFunc = (input: string | URL | Request): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const name = new URL(url).pathname.replace(/^\/model\//, '');
      served.push(name);
      return Promise.resolve(new Response(readFileSync(join(target, name))));
    };
    const loaded = await tf.loadLayersModel(tf.io.http('http://localhost/model/model.json', { fetchFunc }));
    expect(served).toEqual(['model.json', weightsFile(target)]);
    const x = randomNormal([3, 2]);
    const expected = Array.from(m.predict(x).dataSync());
    const got = Array.from((loaded.predict(tf.tensor(x.dataSync() as Float32Array, [3, 2])) as tf.Tensor).dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('replaces an earlier save whole, and resumes training with includeOptimizer', async () => {
    const m = await trained();
    const target = join(dir, 'model');
    await m.save(`file://${target}`);
    const x = randomNormal([8, 2]);
    const y = randomNormal([8, 1]);
    await m.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    await m.save(`file://${target}`, { includeOptimizer: true });
    expect(readdirSync(dir)).toEqual(['model']);
    // The first save's weights file is gone; only the new one is left.
    expect(readdirSync(target).sort()).toEqual(['model.json', weightsFile(target)].sort());
    const again = await loadModel<Sequential>(`file://${target}`);
    expectSame(m.predict(x), again.predict(x));
    // Same seed for both, so their dropout masks agree.
    setSeed(1);
    await m.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    setSeed(1);
    await again.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
    expectSame(m.predict(x), again.predict(x));
  });

  it('refuses to replace a folder holding other files', async () => {
    const m = await trained();
    const target = join(dir, 'mine');
    await mkdir(target);
    writeFileSync(join(target, 'notes.txt'), 'keep me');
    await expect(m.save(`file://${target}`)).rejects.toThrow(/refusing to replace folder '.*mine' because it holds files that are not part of a saved model: notes\.txt/);
    expect(readdirSync(target)).toEqual(['notes.txt']);
  });

  it('names the file in errors for corrupt JSON, truncated or missing weights', async () => {
    const m = await trained();
    const target = join(dir, 'model');
    await m.save(`file://${target}`);
    const jsonPath = join(target, 'model.json');
    const text = readFileSync(jsonPath, 'utf8');
    const name = weightsFile(target);
    const binPath = join(target, name);
    const bin = readFileSync(binPath);

    writeFileSync(jsonPath, text.slice(0, 100));
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(new RegExp(`'${jsonPath}' is not valid JSON \\(corrupt or truncated\\?\\)`));
    writeFileSync(jsonPath, text);

    writeFileSync(binPath, bin.subarray(0, bin.byteLength - 4));
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(
      new RegExp(`weight file '${binPath}' holds ${bin.byteLength - 4} bytes, but '${jsonPath}' describes ${bin.byteLength} bytes .*the file is truncated`),
    );
    rmSync(binPath);
    await expect(loadModel(`file://${jsonPath}`)).rejects.toThrow(new RegExp(`lists weight file '${name.replace(/\./g, '\\.')}', which cannot be read`));
    await expect(loadModel(`file://${join(dir, 'nothing')}`)).rejects.toThrow(/cannot read '.*nothing'/);
  });

  it('reads weights split into several shard files', async () => {
    const m = await trained();
    const target = join(dir, 'model');
    await m.save(`file://${target}`);
    const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const bin = readFileSync(join(target, weightsFile(target)));
    const sharded = join(dir, 'sharded');
    await mkdir(sharded);
    await writeFile(join(sharded, 'group1-shard1of2.bin'), bin.subarray(0, 10));
    await writeFile(join(sharded, 'group1-shard2of2.bin'), bin.subarray(10));
    json.weightsManifest[0]!.paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    await writeFile(join(sharded, 'model.json'), JSON.stringify(json));
    const x = randomNormal([2, 2]);
    expectSame(m.predict(x), (await loadModel<Sequential>(`file://${sharded}/model.json`)).predict(x));
  });

  it('CSVLogger writes to a file name, appending without a second header', async () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1], kernelInitializer: 'ones' })]);
    m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'mse' });
    const file = join(dir, 'logs', 'train.csv');
    const x = tensor([[1], [3]]);
    const y = tensor([[0], [0]]);
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new CSVLogger(file)] });
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { append: true })] });
    // Loss (1 + 9) / 2 = 5 every epoch (learning rate 0).
    expect(readFileSync(file, 'utf8')).toBe('epoch,loss\n0,5\n1,5\n0,5\n');
  });
});
