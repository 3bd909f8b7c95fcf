import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { ModelArtifacts } from '../io/artifacts.js';
import { withSaveHandler } from '../io/router.js';
import type { Model } from '../functional/model.js';

/** Largest elementwise difference of two equally long, non-empty arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  expect(a.length).toBeGreaterThan(0);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Save a Descent model in memory and load it with TF.js (a copy of the topology, which TF.js may mutate). */
export async function toTfjs(m: Model): Promise<tf.LayersModel> {
  let artifacts: ModelArtifacts | null = null;
  await m.save(withSaveHandler((a) => void (artifacts = a)));
  const a = artifacts!;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(a.modelTopology)) as never, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData as ArrayBuffer }),
  );
}
