import { Add, Dense, Embedding, GlobalAveragePooling1D, Input, LayerNormalization, MultiHeadAttention, resetLayerNames } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { randomNormal, setSeed, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { fromJSON } from '../io/load.js';
import { Model } from './model.js';

// Saving and loading graphs with attention layers (issue 17): the call options Keras writes in a node's
// kwargs (use_causal_mask, return_attention_scores) and a symbolic attention mask come back.

beforeEach(() => {
  resetLayerNames();
  setSeed(5);
});

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  expect(x.length).toBeGreaterThan(0);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

const outputsOf = (model: Model, xs: Tensor | Tensor[]): Tensor[] => {
  const out = model.predict(xs);
  return Array.isArray(out) ? out : [out];
};

describe('graphs with MultiHeadAttention', () => {
  it('a causal Transformer block trains, saves use_causal_mask in its node and loads back predicting the same', async () => {
    const x = Input({ shape: [4, 6] });
    const att = new MultiHeadAttention({ numHeads: 2, keyDim: 3, name: 'mha' }).apply([x, x], { useCausalMask: true });
    const h = new LayerNormalization().apply(new Add().apply([x, att]));
    const y = new Dense({ units: 2 }).apply(new GlobalAveragePooling1D().apply(h));
    const model = new Model({ inputs: x, outputs: y });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const history = await model.fit(randomNormal([8, 4, 6]), randomNormal([8, 2]), { epochs: 3, batchSize: 4, verbose: 0 });
    expect(history.history['loss']).toHaveLength(3);
    const { modelJSON, weightData } = model.toJSON();
    const layers = (modelJSON.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[] }[] } }).config.layers;
    expect(layers.find((l) => l.name === 'mha')!.inbound_nodes).toEqual([[['input_layer', 0, 0, { use_causal_mask: true }], ['input_layer', 0, 0, { use_causal_mask: true }]]]);
    const back = fromJSON<Model>(modelJSON, weightData);
    const xs = randomNormal([3, 4, 6]);
    expect(maxAbsDiff(outputsOf(back, xs)[0]!, outputsOf(model, xs)[0]!)).toBeLessThan(1e-6);
    // Without the causal mask the output differs, so the loaded model did take the option back.
    const mha = back.layers.find((l) => l.name === 'mha') as MultiHeadAttention;
    const probe = randomNormal([1, 4, 6]);
    expect(maxAbsDiff(mha.apply([probe, probe]), mha.apply([probe, probe], { useCausalMask: true }))).toBeGreaterThan(1e-4);
  });

  it('scores as a second output and a symbolic attention mask input survive save and load', () => {
    const q = Input({ shape: [3, 4], name: 'q' });
    const v = Input({ shape: [5, 4], name: 'v' });
    const m = Input({ shape: [3, 5], name: 'm', dtype: 'bool' });
    const [out, scores] = new MultiHeadAttention({ numHeads: 2, keyDim: 2, name: 'mha' }).applyWithScores([q, v], { attentionMask: m });
    const model = new Model({ inputs: [q, v, m], outputs: [new Dense({ units: 1 }).apply(out!), scores!] });
    const { modelJSON, weightData } = model.toJSON();
    const back = fromJSON<Model>(JSON.parse(JSON.stringify(modelJSON)) as typeof modelJSON, weightData);
    const mask = tensor([[[1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], [[0, 0, 1, 1, 1], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]]], [2, 3, 5], 'bool');
    const xs = [randomNormal([2, 3, 4]), randomNormal([2, 5, 4]), mask];
    const want = outputsOf(model, xs);
    const got = outputsOf(back, xs);
    expect(got.map((t) => t.shape)).toEqual([[2, 3, 1], [2, 2, 3, 5]]);
    got.forEach((t, i) => expect(maxAbsDiff(t, want[i]!)).toBeLessThan(1e-6));
    // The mask is in force: the first query step attends only to the first two value steps.
    const s = got[1]!.dataSync();
    expect(s[2]! + s[3]! + s[4]!).toBeLessThan(1e-6);
  });

  it('Embedding(maskZero) masks flow into the attention: a padded batch predicts as the unpadded sequences', () => {
    const ids = Input({ shape: [null], dtype: 'int32' });
    const e = new Embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(ids);
    const att = new MultiHeadAttention({ numHeads: 2, keyDim: 2 }).apply([e, e]);
    const pooled = new GlobalAveragePooling1D().apply(new Add().apply([e, att]));
    const model = new Model({ inputs: ids, outputs: new Dense({ units: 2 }).apply(pooled) });
    const padded = model.predict(tensor([[3, 5, 0, 0], [7, 2, 9, 1]], [2, 4], 'int32')) as Tensor;
    const short = model.predict(tensor([[3, 5]], [1, 2], 'int32')) as Tensor;
    const full = model.predict(tensor([[7, 2, 9, 1]], [1, 4], 'int32')) as Tensor;
    expect(maxAbsDiff(padded, tensor([...short.dataSync(), ...full.dataSync()], [2, 2]))).toBeLessThan(1e-5);
  });
});
