import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Tensor } from '@descent/tensor';
import type { ModelArtifacts } from '../io/artifacts.js';
import { loadModel } from '../io/load.js';
import { fromMemory, withSaveHandler } from '../io/router.js';
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

/** Save a TF.js model in memory and load it with Descent's `loadModel`. */
export async function fromTfjs<M extends Model = Model>(model: tf.LayersModel): Promise<M> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  return loadModel<M>(fromMemory(artifacts! as unknown as ModelArtifacts));
}

/** A single-input, single-output TF.js model's prediction for the values of `x`. */
export function tfPredict(model: tf.LayersModel, x: Tensor): Float32Array {
  return (model.predict(tf.tensor(x.dataSync() as Float32Array, [...x.shape])) as tf.Tensor).dataSync() as Float32Array;
}
