import { Dense, resetLayerNames } from '@descent/layers';
import { list } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';
import type { ModelJSON } from './artifacts.js';
import { fromMemory } from './router.js';
import { fromJSON, loadModel } from './load.js';

// Issue 13 (7): a damaged optimizer state in model.json must fail at load, naming the slot, unless
// the caller asks for { optimizerState: 'reset' }.

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(5);
});

async function trained(): Promise<{ modelJSON: ModelJSON; weightData: ArrayBuffer; x: Tensor; y: Tensor }> {
  const x = randomNormal([8, 3]);
  const y = randomNormal([8, 1]);
  const m = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Dense({ units: 1 })]);
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.05, momentum: 0.9 } }, loss: 'mse' });
  await m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
  const { modelJSON, weightData } = m.toJSON({ includeOptimizer: true });
  return { modelJSON, weightData, x, y };
}

/** Byte ranges of each manifest entry (all float32/int32 here, 4 bytes a value). */
function ranges(json: ModelJSON): { name: string; start: number; end: number }[] {
  let offset = 0;
  return json.weightsManifest[0]!.weights.map((w) => {
    const start = offset;
    offset += 4 * w.shape.reduce((n, d) => n * d, 1);
    return { name: w.name, start, end: offset };
  });
}

function withoutWeight(json: ModelJSON, data: ArrayBuffer, name: string): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
  const r = ranges(json).find((e) => e.name === name)!;
  expect(r).toBeDefined();
  const copy = structuredClone(json);
  copy.weightsManifest[0]!.weights = copy.weightsManifest[0]!.weights.filter((w) => w.name !== name);
  const bytes = new Uint8Array(data);
  const out = new Uint8Array(data.byteLength - (r.end - r.start));
  out.set(bytes.subarray(0, r.start), 0);
  out.set(bytes.subarray(r.end), r.start);
  return { modelJSON: copy, weightData: out.buffer };
}

describe('optimizer state checks at load (issue 13, item 7)', () => {
  it('a missing slot fails at load, naming it with its expected shape', async () => {
    const { modelJSON, weightData } = await trained();
    const names = modelJSON.weightsManifest[0]!.weights.filter((w) => w.group === 'optimizer').map((w) => w.name);
    expect(names).toContain('dense/kernel/momentum');
    const damaged = withoutWeight(modelJSON, weightData, 'dense/kernel/momentum');
    // Before the fix this loaded, and fit silently restarted the slot from zeros.
    expect(() => fromJSON(damaged.modelJSON, damaged.weightData)).toThrow(
      /cannot restore the optimizer state: SGD\.restoreState: the saved optimizer state is incomplete: it has no 'dense\/kernel\/momentum' \[3,2\]/,
    );
    await expect(loadModel(fromMemory({ modelTopology: damaged.modelJSON.modelTopology, weightSpecs: damaged.modelJSON.weightsManifest[0]!.weights, weightData: damaged.weightData, trainingConfig: damaged.modelJSON.trainingConfig! }))).rejects.toThrow(
      /no 'dense\/kernel\/momentum' \[3,2\].*optimizerState: 'reset'/,
    );
  });

  it("{ optimizerState: 'reset' } loads the model and starts the optimizer afresh", async () => {
    const { modelJSON, weightData, x, y } = await trained();
    const damaged = withoutWeight(modelJSON, weightData, 'dense/kernel/momentum');
    const m = fromJSON(damaged.modelJSON, damaged.weightData, { optimizerState: 'reset' });
    expect(m.optimizer!.className).toBe('SGD');
    expect(m.optimizer!.iterations).toBe(0);
    await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(m.optimizer!.iterations).toBe(2);
    // The intact file restores the state under the default ('restore') and the explicit option.
    expect(fromJSON(modelJSON, weightData).optimizer!.iterations).toBe(4);
    expect(fromJSON(modelJSON, weightData, { optimizerState: 'restore' }).optimizer!.iterations).toBe(4);
  });

  it('a slot with the wrong shape fails at load (not at the first fit), expected vs given', async () => {
    const { modelJSON, weightData, x, y } = await trained();
    const bad = structuredClone(modelJSON);
    const spec = bad.weightsManifest[0]!.weights.find((w) => w.name === 'dense/kernel/momentum')!;
    spec.shape = [2, 3]; // same byte count, wrong shape
    let m: Sequential | undefined;
    let error: unknown;
    try {
      m = fromJSON(bad, weightData);
    } catch (err) {
      error = err;
    }
    // Before the fix the load succeeded and this fit threw.
    if (m) await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(String(error)).toMatch(/cannot restore the optimizer state: SGD\.restoreState: state 'dense\/kernel\/momentum' must have shape \[3,2\] \(that of variable 'dense\/kernel'\), but the saved state has \[2,3\]/);
    expect(fromJSON(bad, weightData, { optimizerState: 'reset' }).optimizer!.iterations).toBe(0);
  });

  it('missing iterations fails too; a model saved before training loads', async () => {
    const { modelJSON, weightData } = await trained();
    const damaged = withoutWeight(modelJSON, weightData, 'iterations');
    expect(() => fromJSON(damaged.modelJSON, damaged.weightData)).toThrow(/it has no 'iterations' \[\]/);

    const fresh = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    fresh.compile({ optimizer: 'adam', loss: 'mse' });
    const saved = fresh.toJSON({ includeOptimizer: true });
    expect(fromJSON(saved.modelJSON, saved.weightData).optimizer!.iterations).toBe(0);
  });

  it('load options are checked: unknown keys and bad values are rejected', async () => {
    const { modelJSON, weightData } = await trained();
    expect(() => fromJSON(modelJSON, weightData, { optimizerstate: 'reset' } as never)).toThrow(
      /fromJSON: unknown option 'optimizerstate'\. Did you mean 'optimizerState'\? Valid options: compile, optimizerState/,
    );
    expect(() => fromJSON(modelJSON, weightData, { optimizerState: 'drop' } as never)).toThrow(/option 'optimizerState' must be 'restore' or 'reset', got "drop"/);
    expect(() => fromJSON(modelJSON, weightData, { compile: 'no' } as never)).toThrow(/option 'compile' must be true or false/);
  });

  it.each([
    ...list().map((name) => [name, name] as const),
    ['adam with EMA, accumulation and amsgrad', { className: 'Adam', config: { amsgrad: true, useEma: true, gradientAccumulationSteps: 2 } }] as const,
  ])('a complete saved state passes the checks and resumes exactly: %s', async (_label, optimizer) => {
    const x = randomNormal([8, 3]);
    const y = randomNormal([8, 1]);
    const a = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Dense({ units: 1 })]);
    a.compile({ optimizer, loss: 'mse' });
    await a.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const { modelJSON, weightData } = a.toJSON({ includeOptimizer: true });
    const b = fromJSON(modelJSON, weightData);
    expect(b.optimizer!.iterations).toBe(a.optimizer!.iterations);
    await a.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    await b.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    const wa = a.getWeights().map((t) => Array.from(t.dataSync()));
    expect(b.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(wa);
  });
});
