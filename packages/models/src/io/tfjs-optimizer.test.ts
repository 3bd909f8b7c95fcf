import { InverseTimeDecay } from '@descent/optimizers';
import { tensor } from '@descent/tensor';
import * as tf from '@tensorflow/tfjs';
import type { MockInstance } from 'vitest';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetSequentialNames } from '../sequential.js';
import type { ModelArtifacts } from './artifacts.js';
import { fromMemory } from './router.js';
import { loadModel } from './load.js';

// Issue 13 (10): models that TF.js 4.22 saves with includeOptimizer: true load, with their optimizer
// config mapped and their state restored where Descent continues it exactly (else a warning).

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  resetSequentialNames();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  warn.mockRestore();
});

/** Descent's warnings (TF.js warns once about its Node backend). */
function warnings(): string[] {
  return warn.mock.calls.map((c: unknown[]) => String(c[0])).filter((m: string) => m.includes('optimizer'));
}

const X = [
  [0.5, -1, 2],
  [1.5, 0.25, -0.5],
  [-2, 1, 0.75],
  [0.1, 0.2, -0.3],
];
const Y = [[1], [-1], [0.5], [2]];

function tfModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'glorotUniform', activation: 'tanh' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
}

async function tfSave(m: tf.LayersModel): Promise<ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler((a) => {
      saved = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
    { includeOptimizer: true },
  );
  return saved as unknown as ModelArtifacts;
}

/** A TF.js model compiled with `optimizer`, trained one step, saved with its optimizer. */
async function tfjsTrained(optimizer: string | tf.Optimizer): Promise<{ model: tf.Sequential; artifacts: ModelArtifacts }> {
  const model = tfModel();
  model.compile({ optimizer, loss: 'meanSquaredError' });
  await model.fit(tf.tensor(X), tf.tensor(Y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  return { model, artifacts: await tfSave(model) };
}

/** One more step in TF.js and in the Descent model loaded from TF.js's file; their weights must agree. */
async function expectSameNextStep(optimizer: string | tf.Optimizer, tol = 1e-6): Promise<void> {
  const { model, artifacts } = await tfjsTrained(optimizer);
  const m = await loadModel(fromMemory(artifacts));
  expect(warnings()).toEqual([]);
  expect(m.optimizer!.iterations).toBe(1);
  await model.fit(tf.tensor(X), tf.tensor(Y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  await m.fit(tensor(X), tensor(Y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  expect(m.optimizer!.iterations).toBe(2);
  const want = model.getWeights().map((w) => Array.from(w.dataSync()));
  const got = m.getWeights().map((w) => Array.from(w.dataSync()));
  expect(got.length).toBe(want.length);
  // Also make sure the step moved the weights (so the comparison means something).
  const before = (await loadModel(fromMemory(artifacts))).getWeights().map((w) => Array.from(w.dataSync()));
  expect(got.flat().some((v, i) => Math.abs(v - before.flat()[i]!) > 1e-4)).toBe(true);
  got.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i]!)).toBeLessThanOrEqual(tol));
}

/** The model loads, its optimizer config too, and the state is skipped with a warning matching `why`. */
async function expectStateSkipped(optimizer: string | tf.Optimizer, className: string, why: RegExp): Promise<void> {
  const { artifacts } = await tfjsTrained(optimizer);
  const m = await loadModel(fromMemory(artifacts));
  expect(m.optimizer!.className).toBe(className);
  expect(m.optimizer!.iterations).toBe(0);
  expect(warnings().length).toBe(1);
  const message = warnings()[0]!;
  expect(message).toMatch(/optimizer state saved by TF\.js is not: /);
  expect(message).toMatch(why);
  expect(message).toMatch(/training continues from a fresh optimizer state/);
  // Weights are TF.js's.
  const { model } = { model: await tf.loadLayersModel(tf.io.fromMemory(artifacts)) };
  const want = model.getWeights().map((w) => Array.from(w.dataSync())).flat();
  m.getWeights().map((w) => Array.from(w.dataSync())).flat().forEach((v, i) => expect(v).toBe(want[i]));
  await m.fit(tensor(X), tensor(Y), { epochs: 1, batchSize: 4, verbose: 0 });
}

describe('TF.js models saved with includeOptimizer load (issue 13, item 10)', () => {
  it("sgd: state 'iter' restores as iterations; the next step matches TF.js", async () => {
    // Before: "cannot restore the optimizer state: SGD.setWeights: unknown state 'iter'".
    await expectSameNextStep('sgd');
  });

  it('momentum (TF.js class Momentum): the accumulation is converted; the next step matches TF.js', async () => {
    await expectSameNextStep(tf.train.momentum(0.1, 0.9));
    const { artifacts } = await tfjsTrained(tf.train.momentum(0.1, 0.9, true));
    const m = await loadModel(fromMemory(artifacts));
    expect(m.optimizer!.getConfig()).toMatchObject({ learningRate: 0.1, momentum: 0.9, nesterov: true });
  });

  it('momentum with Nesterov: the next step matches TF.js', async () => {
    await expectSameNextStep(tf.train.momentum(0.1, 0.9, true));
  });

  it('adagrad: the accumulator restores; the next step matches TF.js', async () => {
    await expectSameNextStep('adagrad');
  });

  it("rmsprop (TF.js class RMSProp, option 'decay'): loads; the next step matches TF.js", async () => {
    // Before: "RMSprop: unknown option 'decay'".
    await expectSameNextStep('rmsprop');
    const { artifacts } = await tfjsTrained(tf.train.rmsprop(0.01, 0.8, 0.5));
    const m = await loadModel(fromMemory(artifacts));
    expect(m.optimizer!.className).toBe('RMSprop');
    expect(m.optimizer!.getConfig()).toMatchObject({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: false });
  });

  it('rmsprop with momentum: the next step matches TF.js', async () => {
    await expectSameNextStep(tf.train.rmsprop(0.01, 0.8, 0.5));
  });

  it('centered rmsprop: TF.js subtracts epsilon, so the state is skipped with a warning', async () => {
    await expectStateSkipped(tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true), 'RMSprop', /centered RMSprop divides by sqrt\(v − ḡ² − ε\)/);
  });

  it('adam: TF.js adds epsilon after bias correction, so the state is skipped with a warning', async () => {
    await expectStateSkipped('adam', 'Adam', /TF\.js's Adam adds epsilon after the bias correction/);
  });

  it('adadelta: TF.js divides by the previous Eg, so the state is skipped with a warning', async () => {
    await expectStateSkipped('adadelta', 'Adadelta', /TF\.js's Adadelta divides by the previous accumulated squared gradient/);
  });

  it('adamax: TF.js cannot save its state; its config (with decay) loads as an InverseTimeDecay schedule', async () => {
    const model = tfModel();
    model.compile({ optimizer: 'adamax', loss: 'meanSquaredError' });
    await model.fit(tf.tensor(X), tf.tensor(Y), { epochs: 1, batchSize: 4, verbose: 0 });
    await expect(tfSave(model)).rejects.toThrow(/getWeights\(\) is not implemented for Adamax/);
    // The config as TF.js writes it (class name and getConfig()), in a TF.js file without state.
    const { artifacts } = await tfjsTrained('sgd');
    const adamax = tf.train.adamax(0.002, 0.9, 0.999, 1e-7, 0.01);
    artifacts.trainingConfig = { ...artifacts.trainingConfig!, optimizer_config: { class_name: adamax.getClassName(), config: adamax.getConfig() } };
    expect(artifacts.weightSpecs.at(-1)!.name).toBe('iter');
    artifacts.weightSpecs = artifacts.weightSpecs.slice(0, -1);
    artifacts.weightData = (artifacts.weightData as ArrayBuffer).slice(0, -4);
    const m = await loadModel(fromMemory(artifacts));
    expect(m.optimizer!.className).toBe('Adamax');
    const lr = m.optimizer!.learningRate;
    expect(lr).toBeInstanceOf(InverseTimeDecay);
    expect((lr as InverseTimeDecay).call(10)).toBeCloseTo(0.002 / (1 + 0.01 * 10), 9);
    expect(warnings()).toEqual([]);
  });

  it('a TF.js file with a slot removed fails at load, naming it', async () => {
    const { artifacts } = await tfjsTrained(tf.train.momentum(0.1, 0.9));
    const specs = artifacts.weightSpecs;
    const idx = specs.findIndex((s) => s.name.endsWith('/kernel/momentum'));
    const name = specs[idx]!.name;
    const variable = name.slice(0, -'/momentum'.length);
    let offset = 0;
    for (let i = 0; i < idx; i++) offset += 4 * specs[i]!.shape.reduce((n, d) => n * d, 1);
    const len = 4 * specs[idx]!.shape.reduce((n, d) => n * d, 1);
    const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const out = new Uint8Array(bytes.length - len);
    out.set(bytes.subarray(0, offset), 0);
    out.set(bytes.subarray(offset + len), offset);
    const damaged: ModelArtifacts = { ...artifacts, weightSpecs: specs.filter((_, i) => i !== idx), weightData: out.buffer };
    await expect(loadModel(fromMemory(damaged))).rejects.toThrow(new RegExp(`it has no '${variable}/momentum' \\[3,2\\]`));
    expect((await loadModel(fromMemory(damaged), { optimizerState: 'reset' })).optimizer!.iterations).toBe(0);
  });
});
