import type { DenseArgs } from '@descent/layers';
import { Dense } from '@descent/layers';
import type { MetricIdentifier, OptimizerIdentifier } from '../sequential.js';
import type { Tensor } from '@descent/tensor';
import { randomNormal, tensor } from '@descent/tensor';
import { expect } from 'vitest';
import { Sequential } from '../sequential.js';

/**
 * A 3 → 4 → 2 Sequential (hidden `activation`, softmax out, categorical cross-entropy) trained `epochs`
 * epochs of batch 4 on 8 random samples with alternating one-hot labels: the model the save/load tests
 * write and read back.
 */
export async function smallTrainedModel(activation: DenseArgs['activation'], optimizer: OptimizerIdentifier, metrics: readonly MetricIdentifier[], epochs: number): Promise<Sequential> {
  const m = new Sequential([new Dense({ units: 4, activation, inputShape: [3] }), new Dense({ units: 2, activation: 'softmax' })]);
  m.compile({ optimizer, loss: 'categoricalCrossentropy', ...(metrics.length > 0 ? { metrics } : {}) });
  await m.fit(randomNormal([8, 3]), tensor(Array.from({ length: 8 }, (_, i) => (i % 2 ? [0, 1] : [1, 0]))), { epochs, batchSize: 4, verbose: 0 });
  return m;
}

/** `b` has the shape and exactly the values of `a`. */
export function expectSameTensor(a: Tensor, b: Tensor): void {
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
}
