import { variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { concat, mean, mul, setSeed, slice, square, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { Functional } from '../engine/container.js';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { Input } from './input-layer.js';
import { LayerNormalization } from './layer-normalization.js';
import { Add } from './merge.js';
import { MultiHeadAttention } from './multi-head-attention.js';
import { expectTensor, pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => {
  resetLayerNames();
  setSeed(3);
});

// ---- A plain float64 reimplementation of Keras 3's MultiHeadAttention (rank-3 inputs), loops only. ----

type Arr = Float64Array;
interface Weights {
  wq: Arr; bq: Arr | null; wk: Arr; bk: Arr | null; wv: Arr; bv: Arr | null; wo: Arr; bo: Arr | null;
}
interface Dims { B: number; T: number; S: number; Dq: number; Dk: number; Dv: number; N: number; K: number; V: number; O: number }

function weightsOf(layer: MultiHeadAttention): Weights {
  const f = (t: Tensor | null): Arr | null => (t === null ? null : Float64Array.from(t.dataSync()));
  return {
    wq: f(layer.queryKernel)!, bq: f(layer.queryBias), wk: f(layer.keyKernel)!, bk: f(layer.keyBias),
    wv: f(layer.valueKernel)!, bv: f(layer.valueBias), wo: f(layer.outputKernel)!, bo: f(layer.outputBias),
  };
}

/** x [B, L, D] through kernel [D, N, H] + bias [N, H] → [B, L, N, H]. */
function project(x: Arr, B: number, L: number, D: number, w: Arr, b: Arr | null, N: number, H: number): Arr {
  const out = new Float64Array(B * L * N * H);
  for (let i = 0; i < B * L; i++) {
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        let acc = b ? b[n * H + h]! : 0;
        for (let d = 0; d < D; d++) acc += x[i * D + d]! * w[(d * N + n) * H + h]!;
        out[(i * N + n) * H + h] = acc;
      }
    }
  }
  return out;
}

/** Keras's equations: returns output [B, T, O] and probabilities [B, N, T, S]; `keep(b, t, s)` false hides s from t. */
function reference(q: number[], v: number[], k: number[], d: Dims, w: Weights, keep: ((b: number, t: number, s: number) => boolean) | null): { out: number[]; probs: number[] } {
  const { B, T, S, Dq, Dk, Dv, N, K, V, O } = d;
  const Q = project(Float64Array.from(q), B, T, Dq, w.wq, w.bq, N, K);
  const Kp = project(Float64Array.from(k), B, S, Dk, w.wk, w.bk, N, K);
  const Vp = project(Float64Array.from(v), B, S, Dv, w.wv, w.bv, N, V);
  const probs = new Float64Array(B * N * T * S);
  const ctx = new Float64Array(B * T * N * V);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        const row = new Float64Array(S);
        for (let s = 0; s < S; s++) {
          let acc = 0;
          for (let h = 0; h < K; h++) acc += Q[((b * T + t) * N + n) * K + h]! * Kp[((b * S + s) * N + n) * K + h]!;
          row[s] = acc / Math.sqrt(K) + (keep && !keep(b, t, s) ? -1e9 : 0);
        }
        const m = Math.max(...row);
        let z = 0;
        for (let s = 0; s < S; s++) z += Math.exp(row[s]! - m);
        for (let s = 0; s < S; s++) probs[((b * N + n) * T + t) * S + s] = Math.exp(row[s]! - m) / z;
        for (let e = 0; e < V; e++) {
          let acc = 0;
          for (let s = 0; s < S; s++) acc += probs[((b * N + n) * T + t) * S + s]! * Vp[((b * S + s) * N + n) * V + e]!;
          ctx[((b * T + t) * N + n) * V + e] = acc;
        }
      }
    }
  }
  const out: number[] = [];
  for (let i = 0; i < B * T; i++) {
    for (let o = 0; o < O; o++) {
      let acc = w.bo ? w.bo[o]! : 0;
      for (let n = 0; n < N; n++) for (let e = 0; e < V; e++) acc += ctx[(i * N + n) * V + e]! * w.wo[(n * V + e) * O + o]!;
      out.push(acc);
    }
  }
  return { out, probs: Array.from(probs) };
}

function dimsOf(layer: MultiHeadAttention, q: Tensor, v: Tensor, k: Tensor): Dims {
  const [B, T, Dq] = q.shape as [number, number, number];
  const [, S, Dv] = v.shape as [number, number, number];
  const O = layer.outputKernel!.shape.slice(2).reduce((a, b) => a * b, 1);
  return { B, T, S, Dq, Dk: k.shape[2]!, Dv, N: layer.numHeads, K: layer.keyDim, V: layer.valueDim, O };
}

describe('MultiHeadAttention', () => {
  it("creates Keras's weights: names, order and [dim, heads, keyDim] layouts", () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 4, outputShape: [5, 2] });
    const out = mha.apply([pseudoTensor([2, 3, 6]), pseudoTensor([2, 4, 7], 2)]);
    expect(mha.getWeightNames()).toEqual([
      'multi_head_attention/query/kernel', 'multi_head_attention/query/bias',
      'multi_head_attention/key/kernel', 'multi_head_attention/key/bias',
      'multi_head_attention/value/kernel', 'multi_head_attention/value/bias',
      'multi_head_attention/attention_output/kernel', 'multi_head_attention/attention_output/bias',
    ]);
    expect(mha.weights.map((w) => [...w.shape])).toEqual([[6, 2, 3], [2, 3], [7, 2, 3], [2, 3], [7, 2, 4], [2, 4], [2, 4, 5, 2], [5, 2]]);
    expect(out.shape).toEqual([2, 3, 5, 2]);
    expect(mha.computeOutputShape([[null, 3, 6], [null, 4, 7]])).toEqual([null, 3, 5, 2]);
    const noBias = new MultiHeadAttention({ numHeads: 1, keyDim: 2, useBias: false });
    noBias.apply([pseudoTensor([1, 2, 3]), pseudoTensor([1, 2, 3])]);
    expect(noBias.getWeightNames().map((n) => n.split('/').slice(1).join('/'))).toEqual(['query/kernel', 'key/kernel', 'value/kernel', 'attention_output/kernel']);
  });

  it('self-attention matches the float64 reference of the Keras equations', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const x = pseudoTensor([2, 4, 5], 11);
    mha.apply([x, x]);
    setPseudoWeights(mha, 5, 0.6);
    const out = mha.apply([x, x]);
    const ref = reference(Array.from(x.dataSync()), Array.from(x.dataSync()), Array.from(x.dataSync()), dimsOf(mha, x, x, x), weightsOf(mha), null);
    expectTensor(out, [2, 4, 5], ref.out, 1e-5);
  });

  it('cross-attention: key ≠ value, keyDim ≠ valueDim, outputShape, query and value of different lengths, scores', () => {
    const mha = new MultiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 6 });
    const q = pseudoTensor([2, 3, 5], 21);
    const v = pseudoTensor([2, 4, 7], 22);
    const k = pseudoTensor([2, 4, 2], 23);
    mha.apply([q, v, k]);
    setPseudoWeights(mha, 9, 0.7);
    const [out, scores] = mha.applyWithScores([q, v, k]) as [Tensor, Tensor];
    const ref = reference(Array.from(q.dataSync()), Array.from(v.dataSync()), Array.from(k.dataSync()), dimsOf(mha, q, v, k), weightsOf(mha), null);
    expectTensor(out, [2, 3, 6], ref.out, 1e-5);
    expectTensor(scores, [2, 3, 3, 4], ref.probs, 1e-5);
    // Each row of probabilities sums to 1.
    expectTensor(sum(scores, -1), [2, 3, 3], new Array(18).fill(1), 1e-5);
  });

  it('attentionMask and the causal mask hide key positions as Keras does (AND of both)', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 2 });
    const q = pseudoTensor([2, 3, 4], 31);
    const v = pseudoTensor([2, 5, 4], 32);
    mha.apply([q, v]);
    setPseudoWeights(mha, 13, 0.8);
    const allowed = pseudo(2 * 3 * 5, 33).map((r, i) => (r > -0.3 || i % 5 === 0 ? 1 : 0));
    const maskT = tensor(allowed, [2, 3, 5], 'int32');
    const d = dimsOf(mha, q, v, v);
    const keepGiven = (b: number, t: number, s: number): boolean => allowed[(b * 3 + t) * 5 + s] === 1;
    const [out, scores] = mha.applyWithScores([q, v], { attentionMask: maskT }) as [Tensor, Tensor];
    const ref = reference(Array.from(q.dataSync()), Array.from(v.dataSync()), Array.from(v.dataSync()), d, weightsOf(mha), keepGiven);
    expectTensor(out, [2, 3, 4], ref.out, 1e-5);
    expectTensor(scores, [2, 2, 3, 5], ref.probs, 1e-5);
    // Causal (j ≤ i, also when Tq ≠ Tk) AND the given mask.
    const both = mha.apply([q, v], { attentionMask: maskT, useCausalMask: true });
    const refBoth = reference(Array.from(q.dataSync()), Array.from(v.dataSync()), Array.from(v.dataSync()), d, weightsOf(mha), (b, t, s) => s <= t && keepGiven(b, t, s));
    expectTensor(both, [2, 3, 4], refBoth.out, 1e-5);
    // A [Tq, Tk] mask broadcasts over the batch.
    const shared = mha.apply([q, v], { attentionMask: tensor([[1, 1, 0, 0, 0], [1, 0, 1, 0, 1], [0, 0, 0, 1, 1]], [3, 5], 'bool') });
    const rows = [[1, 1, 0, 0, 0], [1, 0, 1, 0, 1], [0, 0, 0, 1, 1]];
    const refShared = reference(Array.from(q.dataSync()), Array.from(v.dataSync()), Array.from(v.dataSync()), d, weightsOf(mha), (_b, t, s) => rows[t]![s] === 1);
    expectTensor(shared, [2, 3, 4], refShared.out, 1e-5);
    expect(() => mha.apply([q, v], { attentionMask: tensor(new Array(8).fill(1), [2, 4]) })).toThrow(/attentionMask must broadcast to \[2,3,5\].*got shape \[2,4\]/);
  });

  it('a padded batch with query/value masks gives the unpadded results on the real steps', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    // Sequence 0 has 3 real steps of 5, sequence 1 has 5.
    const seqA = pseudoTensor([1, 3, 4], 41);
    const seqB = pseudoTensor([1, 5, 4], 42);
    const padded = concat([concat([seqA, tensor(new Array(8).fill(0.5), [1, 2, 4])], 1), seqB], 0);
    const mask = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], [2, 5], 'bool');
    mha.apply([seqB, seqB]);
    setPseudoWeights(mha, 17, 0.7);
    const alone = mha.apply([seqA, seqA]);
    const batched = mha.apply([padded, padded], { mask: [mask, mask] });
    expectTensor(slice(batched, [0, 0, 0], [1, 3, 4]), [1, 3, 4], Array.from(alone.dataSync()), 1e-5);
    expectTensor(slice(batched, [1, 0, 0], [1, 5, 4]), [1, 5, 4], Array.from(mha.apply([seqB, seqB]).dataSync()), 1e-5);
    // With causal self-attention too (a decoder on padded sequences).
    const causalAlone = mha.apply([seqA, seqA], { useCausalMask: true });
    const causalBatched = mha.apply([padded, padded], { mask: [mask, mask], useCausalMask: true });
    expectTensor(slice(causalBatched, [0, 0, 0], [1, 3, 4]), [1, 3, 4], Array.from(causalAlone.dataSync()), 1e-5);
  });

  it('attention over two axes (the default for rank 4) equals attention over the flattened axes', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 2 });
    const x = pseudoTensor([2, 2, 3, 4], 51);
    mha.apply([x, x]);
    setPseudoWeights(mha, 19, 0.6);
    const [out, scores] = mha.applyWithScores([x, x]) as [Tensor, Tensor];
    expect(scores.shape).toEqual([2, 2, 2, 3, 2, 3]);
    const flat = Array.from(x.dataSync());
    const d: Dims = { B: 2, T: 6, S: 6, Dq: 4, Dk: 4, Dv: 4, N: 2, K: 2, V: 2, O: 4 };
    const ref = reference(flat, flat, flat, d, weightsOf(mha), null);
    expectTensor(out, [2, 2, 3, 4], ref.out, 1e-5);
    expectTensor(scores, [2, 2, 2, 3, 2, 3], ref.probs, 1e-5);
    expect(mha.computeOutputShape([[null, 2, 3, 4], [null, 2, 3, 4]])).toEqual([null, 2, 3, 4]);
  });

  it('attentionAxes [2] on rank 4: axis 1 acts as a batch axis', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [2] });
    const x = pseudoTensor([2, 3, 4, 5], 61);
    mha.apply([x, x]);
    setPseudoWeights(mha, 23, 0.6);
    const [out, scores] = mha.applyWithScores([x, x]) as [Tensor, Tensor];
    expect(scores.shape).toEqual([2, 3, 2, 4, 4]);
    // [b, x, y, d] is the batch b·3 + x of independent sequences over y.
    const flat = Array.from(x.dataSync());
    const ref = reference(flat, flat, flat, { B: 6, T: 4, S: 4, Dq: 5, Dk: 5, Dv: 5, N: 2, K: 2, V: 2, O: 5 }, weightsOf(mha), null);
    expectTensor(out, [2, 3, 4, 5], ref.out, 1e-5);
    expectTensor(scores, [2, 3, 2, 4, 4], ref.probs, 1e-5);
    // Negative axes count from the end of the input (−2 is the last step axis).
    const neg = new MultiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: -2 });
    neg.apply([x, x]);
    neg.setWeights(mha.getWeights());
    expectTensor(neg.apply([x, x]), [2, 3, 4, 5], ref.out, 1e-5);
    const bad = new MultiHeadAttention({ numHeads: 1, keyDim: 2, attentionAxes: [3] });
    expect(() => bad.apply([x, x])).toThrow(/attentionAxes \[3\] must lie between 1 and 2/);
    expect(() => mha.apply([x, x], { useCausalMask: true })).toThrow(/useCausalMask need rank-3 inputs/);
  });

  it('gradients match finite differences for the inputs and every weight', async () => {
    const { gradCheck } = await import('@descent/autograd');
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 2, valueDim: 1 });
    const q = pseudoTensor([1, 2, 3], 71);
    const v = pseudoTensor([1, 3, 2], 72);
    const mask = tensor([[[1, 1, 0], [1, 1, 1]]], [1, 2, 3], 'bool');
    mha.apply([q, v]);
    setPseudoWeights(mha, 29, 0.8);
    const kw = { attentionMask: mask };
    gradCheck((qi: Tensor, vi: Tensor) => mha.apply([qi, vi], kw), [q, v], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
    const w = tensor(pseudo(6, 73), [1, 2, 3]);
    const loss = (): Tensor => sum(mul(mha.apply([q, v], kw), w));
    const { grads } = variableGrads(loss, mha.trainableWeights);
    const eps = 1e-2;
    for (const variable of mha.trainableWeights) {
      const g = grads.get(variable)!.dataSync();
      const base = Float32Array.from(variable.dataSync());
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): number => {
          const p = Float32Array.from(base);
          p[i] = base[i]! + delta;
          variable.assign(tensor(p, variable.shape));
          return loss().item();
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        variable.assign(tensor(base, variable.shape));
        expect(Math.abs(g[i]! - fd), `${variable.name}[${i}]: autograd ${g[i]} vs finite difference ${fd}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      }
    }
  });

  it('dropout acts on the probabilities in training only, seeded', () => {
    const make = (): MultiHeadAttention => new MultiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 0.5, seed: 5 });
    const x = pseudoTensor([2, 4, 3], 81);
    const a = make();
    const b = make();
    a.apply([x, x]);
    b.apply([x, x]);
    b.setWeights(a.getWeights());
    const ref = a.apply([x, x]);
    const plain = reference(Array.from(x.dataSync()), Array.from(x.dataSync()), Array.from(x.dataSync()), dimsOf(a, x, x, x), weightsOf(a), null);
    expectTensor(ref, [2, 4, 3], plain.out, 1e-5);
    const ta = a.apply([x, x], { training: true });
    expectTensor(b.apply([x, x], { training: true }), [2, 4, 3], Array.from(ta.dataSync()), 1e-6);
    expect(Math.max(...Array.from(ta.sub(ref).abs().dataSync()))).toBeGreaterThan(1e-3);
    // The scores returned are the probabilities before dropout.
    const [, scores] = a.applyWithScores([x, x], { training: true }) as [Tensor, Tensor];
    expectTensor(scores, [2, 2, 4, 4], plain.probs, 1e-5);
  });

  it('validates options and inputs with clear errors', () => {
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 0 })).toThrow(/keyDim must be a positive integer, got 0/);
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 2, numHead: 3 } as never)).toThrow(/unknown option 'numHead'. Did you mean 'numHeads'\?/);
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 2, outputShape: [0] })).toThrow(/outputShape must be a positive integer or a non-empty list/);
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\)/);
    const mha = new MultiHeadAttention({ numHeads: 1, keyDim: 2 });
    expect(() => mha.apply(pseudoTensor([1, 2, 3]) as never)).toThrow(/expects a list of inputs \[query, value\] or \[query, value, key\], got a single tensor/);
    expect(() => mha.apply([pseudoTensor([1, 2, 3]), pseudoTensor([1, 2])])).toThrow(/same rank/);
    expect(() => mha.apply([pseudoTensor([1, 2, 3]), pseudoTensor([1, 4, 3]), pseudoTensor([1, 3, 3])])).toThrow(/value and key must agree on every axis but the last/);
    expect(() => mha.apply([pseudoTensor([1, 2, 3]), pseudoTensor([1, 2, 3])], { returnAttentionScores: true })).toThrow(/call applyWithScores/);
  });

  it('serializes with Keras option names and deserializes to the same layer', () => {
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, dropout: 0.1, outputShape: [4], attentionAxes: [1], kernelRegularizer: 'l2', seed: 4 });
    const x = pseudoTensor([1, 3, 4], 91);
    const before = mha.apply([x, x]);
    const spec = serializeLayer(mha);
    expect(spec.className).toBe('MultiHeadAttention');
    expect(spec.config).toMatchObject({ numHeads: 2, keyDim: 3, valueDim: 2, dropout: 0.1, useBias: true, outputShape: [4], attentionAxes: [1], seed: 4 });
    expect((spec.config as Record<string, unknown>)['kernelRegularizer']).toEqual({ className: 'L2', config: { l2: 0.01 } });
    const copy = deserializeLayer(JSON.parse(JSON.stringify(spec))) as MultiHeadAttention;
    copy.apply([x, x]);
    copy.setWeights(mha.getWeights());
    expectTensor(copy.apply([x, x]), [1, 3, 4], Array.from(before.dataSync()), 1e-6);
    expect(copy.regularizationLosses()).toHaveLength(4);
  });
});

describe('MultiHeadAttention in a functional graph', () => {
  it('Input → self-attention → Add → LayerNormalization builds, runs like the eager layers and trains', () => {
    const x = Input({ shape: [4, 6] });
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const attended = mha.apply([x, x]);
    expect(attended.shape).toEqual([null, 4, 6]);
    const norm = new LayerNormalization();
    const y = norm.apply(new Add().apply([x, attended]));
    const model = new Functional({ inputs: x, outputs: y });
    const data = pseudoTensor([3, 4, 6], 101);
    const eager = norm.apply(data.add(mha.apply([data, data])));
    expectTensor(model.apply(data), [3, 4, 6], Array.from(eager.dataSync()), 1e-5);
    const target = pseudoTensor([3, 4, 6], 102, 0.5);
    const loss = (): Tensor => mean(square(model.apply(data, { training: true }).sub(target)));
    const first = loss().item();
    for (let step = 0; step < 15; step++) {
      const { grads } = variableGrads(loss, model.trainableWeights);
      for (const [v, g] of grads) if (g) v.assign(v.sub(mul(g, 0.1)));
    }
    expect(loss().item()).toBeLessThan(first * 0.8);
  });

  it('a symbolic attentionMask is an input of the call; applyWithScores gives two graph outputs', () => {
    const q = Input({ shape: [3, 4], name: 'q' });
    const v = Input({ shape: [5, 4], name: 'v' });
    const m = Input({ shape: [3, 5], name: 'm', dtype: 'bool' });
    const mha = new MultiHeadAttention({ numHeads: 2, keyDim: 2 });
    const [out, scores] = mha.applyWithScores([q, v], { attentionMask: m, useCausalMask: true });
    expect(out!.shape).toEqual([null, 3, 4]);
    expect(scores!.shape).toEqual([null, 2, 3, 5]);
    expect(mha.inboundNodes[0]!.inputs.map((t) => t.name)).toEqual(['q', 'v', 'm']);
    const model = new Functional({ inputs: [q, v, m], outputs: [out!, scores!] });
    const qd = pseudoTensor([2, 3, 4], 111);
    const vd = pseudoTensor([2, 5, 4], 112);
    const md = tensor(pseudo(30, 113).map((r, i) => r > -0.2 || i % 5 === 0), [2, 3, 5], 'bool');
    const [gOut, gScores] = model.runGraph([qd, vd, md]);
    const [eOut, eScores] = mha.applyWithScores([qd, vd], { attentionMask: md, useCausalMask: true }) as [Tensor, Tensor];
    expectTensor(gOut!, [2, 3, 4], Array.from(eOut.dataSync()), 1e-6);
    expectTensor(gScores!, [2, 2, 3, 5], Array.from(eScores.dataSync()), 1e-6);
    expect(() => mha.apply([q, v], { attentionMask: md as never })).toThrow(/attentionMask must be a symbolic tensor too/);
  });
});
