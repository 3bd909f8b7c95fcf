import { Dense, resetLayerNames } from '@descent/layers';
import { ChainOptimizer, addDecayedWeights, chain, clipByGlobalNorm, fromTransforms, scaleByAdam } from '@descent/optimizers';
import { randomUniform, setSeed, tensor } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromJSON } from '../io/load.js';
import { resetSequentialNames, Sequential } from '../sequential.js';

// An optimizer users assemble from transforms, registered by name so a saved model rebuilds it.
const ClippedAdamW = fromTransforms(
  'ClippedAdamWForModels',
  (p) => chain(clipByGlobalNorm(p.clip), addDecayedWeights(p.decay), scaleByAdam({ beta1: p.beta1 })),
  { params: { clip: 1, decay: 1e-4, beta1: 0.9 }, learningRate: 0.05 },
);

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(11);
});

/** y = 2·x₁ − x₂ + 0.5 on 64 points. */
function data(): { x: Tensor; y: Tensor } {
  const x = randomUniform([64, 2], -1, 1, 'float32', 4);
  return { x, y: x.matMul(tensor([[2], [-1]])).add(0.5) };
}

const weights = (m: Sequential): number[][] => m.getWeights().map((t) => Array.from(t.dataSync()));

describe('a transform-built optimizer in compile and fit', () => {
  it('fits a linear model', async () => {
    const { x, y } = data();
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    m.compile({ optimizer: ClippedAdamW({ clip: 0.5 }), loss: 'mse' });
    const history = await m.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.05);
    expect(m.optimizer!.className).toBe('ClippedAdamWForModels');
  });

  it('compiles by registered name and by an unregistered ChainOptimizer instance', async () => {
    const { x, y } = data();
    const byName = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    byName.compile({ optimizer: 'clippedAdamWForModels', loss: 'mse' });
    expect(byName.optimizer!.getConfig()).toMatchObject({ learningRate: 0.05, clip: 1, decay: 1e-4, beta1: 0.9 });
    const direct = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    direct.compile({ optimizer: new ChainOptimizer(chain(clipByGlobalNorm(1), scaleByAdam()), { learningRate: 0.05 }), loss: 'mse' });
    const before = direct.evaluate(x, y).loss!;
    await direct.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 });
    expect(direct.evaluate(x, y).loss!).toBeLessThan(before);
  });

  it('a saved model with its optimizer loads the same optimizer, state included, and training continues identically', async () => {
    const { x, y } = data();
    const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    m.compile({ optimizer: ClippedAdamW({ clip: 0.5, decay: 1e-3 }), loss: 'mse' });
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false });
    const { modelJSON, weightData } = m.toJSON({ includeOptimizer: true });
    const back = fromJSON<Sequential>(JSON.stringify(modelJSON), weightData);
    expect(back.optimizer).toBeInstanceOf(ChainOptimizer);
    expect(back.optimizer!.className).toBe('ClippedAdamWForModels');
    expect(back.optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    await back.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    expect(back.optimizer!.iterations).toBe(12);
    expect(weights(back)).toEqual(weights(m));
  });
});
