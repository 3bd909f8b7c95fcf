import { Dense, Dropout, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { oneHot, randomNormal, setSeed, tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { fromJSON, loadModel } from '../io/load.js';
import '../node/index.js';
import { resetSequentialNames, Sequential } from '../sequential.js';

// Issue 13 item 9: ModelCheckpoint + loadModel + fit(…, { initialEpoch }) continues bit-identically
// with the default fit arguments (shuffle: true), Dropout included.

let dir = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  dir = mkdtempSync(join(tmpdir(), 'descent-resume-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function data(): { x: Tensor; y: Tensor } {
  setSeed(1);
  // 37 samples: batches of 32 and 5, so both a full and a partial batch are shuffled each epoch.
  const x = randomNormal([37, 5]);
  const y = oneHot(tensor(Array.from({ length: 37 }, (_, i) => (i * 7) % 3), [37], 'int32'), 3);
  return { x, y };
}

function model(optimizer: string): Sequential {
  const m = new Sequential([new Dense({ units: 8, activation: 'relu', inputShape: [5] }), new Dropout({ rate: 0.3 }), new Dense({ units: 3, activation: 'softmax' })]);
  m.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function weightsOf(m: Sequential): number[][] {
  return m.getWeights().map((t) => Array.from(t.dataSync()));
}

describe('resume after ModelCheckpoint is exact with default fit arguments', () => {
  for (const optimizer of ['sgd', 'adam']) {
    it(`${optimizer}: 4 epochs in one run equal 2 epochs + checkpoint + loadModel + 2 resumed epochs`, async () => {
      const { x, y } = data();
      setSeed(7);
      const whole = model(optimizer);
      await whole.fit(x, y, { epochs: 4, verbose: 0 });
      const expected = weightsOf(whole);

      setSeed(7);
      const first = model(optimizer);
      await first.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new ModelCheckpoint(`file://${dir}/ckpt`, { includeOptimizer: true })] });
      // Whatever draws from the global generator in between (another seed, other work) does not matter.
      setSeed(12345);
      randomNormal([100]);
      const resumed = await loadModel<Sequential>(`file://${dir}/ckpt`);
      await resumed.fit(x, y, { epochs: 4, initialEpoch: 2, verbose: 0 });
      expect(weightsOf(resumed)).toEqual(expected);

      // What is saved: the fit's seed and the next epoch, under a key TF.js ignores.
      const saved = JSON.parse(readFileSync(join(dir, 'ckpt', 'model.json'), 'utf8')) as { userDefinedMetadata: { descent: { fit: { seed: number; nextEpoch: number } } } };
      expect(saved.userDefinedMetadata.descent.fit.nextEpoch).toBe(2);
      expect(Number.isInteger(saved.userDefinedMetadata.descent.fit.seed)).toBe(true);

      // Without the saved stream, the resumed run shuffles and drops differently: the check above is not vacuous.
      delete (saved as { userDefinedMetadata?: unknown }).userDefinedMetadata;
      writeFileSync(join(dir, 'ckpt', 'model.json'), JSON.stringify(saved));
      const blind = await loadModel<Sequential>(`file://${dir}/ckpt`);
      await blind.fit(x, y, { epochs: 4, initialEpoch: 2, verbose: 0 });
      expect(weightsOf(blind)).not.toEqual(expected);
    });
  }

  it('continuing in memory with initialEpoch equals one longer fit; initialEpoch 0 starts a new stream', async () => {
    const { x, y } = data();
    setSeed(3);
    const whole = model('adam');
    await whole.fit(x, y, { epochs: 3, verbose: 0 });
    setSeed(3);
    const parts = model('adam');
    await parts.fit(x, y, { epochs: 1, verbose: 0 });
    await parts.fit(x, y, { epochs: 3, initialEpoch: 1, verbose: 0 });
    expect(weightsOf(parts)).toEqual(weightsOf(whole));

    setSeed(3);
    const restarted = model('adam');
    await restarted.fit(x, y, { epochs: 1, verbose: 0 });
    await restarted.fit(x, y, { epochs: 2, verbose: 0 });
    expect(weightsOf(restarted)).not.toEqual(weightsOf(whole));
  });

  it('TF.js loads a model.json that carries the state; a malformed state fails at load naming the key', async () => {
    const { x, y } = data();
    setSeed(5);
    const m = model('sgd');
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const { modelJSON, weightData } = m.toJSON();
    expect(modelJSON.userDefinedMetadata).toEqual({ descent: { fit: { seed: expect.any(Number), nextEpoch: 1 } } });
    const tfModel = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJSON.modelTopology as never,
        weightSpecs: modelJSON.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
        weightData,
        userDefinedMetadata: modelJSON.userDefinedMetadata as never,
      }),
    );
    expect(tfModel.layers).toHaveLength(3);
    const bad = { ...modelJSON, userDefinedMetadata: { descent: { fit: { seed: -1, nextEpoch: 1 } } } };
    expect(() => fromJSON(bad, weightData)).toThrow(/^fromJSON: userDefinedMetadata\.descent\.fit\.seed must be an integer in \[0, 2\^32\), got -1$/);
    const badEpoch = { ...modelJSON, userDefinedMetadata: { descent: { fit: { seed: 1, nextEpoch: 1.5 } } } };
    expect(() => fromJSON(badEpoch, weightData)).toThrow(/nextEpoch must be a non-negative integer, got 1\.5$/);
    // Other metadata (the user's own, or another tool's) is left alone.
    expect(fromJSON({ ...modelJSON, userDefinedMetadata: { mine: 1 } }, weightData).layers).toHaveLength(3);
  });
});

describe('loadWeights names itself in handler errors', () => {
  it("a file:// handler's error starts with loadWeights:, not loadModel:", async () => {
    const m = model('sgd');
    await expect(m.loadWeights(`file://${dir}/missing`)).rejects.toThrow(/^loadWeights: cannot read '.*missing': ENOENT/);
    await m.save(`file://${dir}/m`);
    const weightsFile = (JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0]!.paths[0]!;
    writeFileSync(join(dir, 'm', weightsFile), new Uint8Array(3));
    await expect(m.loadWeights(`file://${dir}/m`)).rejects.toThrow(/^loadWeights: weight file '.*' holds 3 bytes, but '.*model\.json' describes/);
  });
});
