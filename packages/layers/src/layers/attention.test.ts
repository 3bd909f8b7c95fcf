import { gradCheck } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { concat, setSeed, slice, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { Functional } from '../engine/container.js';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import { AdditiveAttention, Attention } from './attention.js';
import { Input } from './input-layer.js';
import { expectTensor, pseudoTensor } from './test-utils/helpers.js';

beforeEach(() => {
  resetLayerNames();
  setSeed(3);
});

const E2 = Math.exp(2);

/** Float64 reference: scores by `score(qRow, kRow)`, value mask / causal hide keys, query mask zeroes rows. */
function reference(q: Tensor, v: Tensor, k: Tensor, score: (qr: number[], kr: number[]) => number, opts: { vMask?: number[][]; qMask?: number[][]; causal?: boolean } = {}): { out: number[]; probs: number[] } {
  const [B, T, D] = q.shape as [number, number, number];
  const [, S, Dv] = v.shape as [number, number, number];
  const qa = Array.from(q.dataSync());
  const va = Array.from(v.dataSync());
  const ka = Array.from(k.dataSync());
  const out: number[] = [];
  const probs: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row: number[] = [];
      for (let s = 0; s < S; s++) {
        const hidden = (opts.vMask && opts.vMask[b]![s] === 0) || (opts.causal === true && s > t);
        row.push(score(qa.slice((b * T + t) * D, (b * T + t + 1) * D), ka.slice((b * S + s) * k.shape[2]!, (b * S + s + 1) * k.shape[2]!)) - (hidden ? 1e9 : 0));
      }
      const m = Math.max(...row);
      const z = row.reduce((acc, x) => acc + Math.exp(x - m), 0);
      const p = row.map((x) => Math.exp(x - m) / z);
      probs.push(...p);
      const keepRow = opts.qMask ? opts.qMask[b]![t]! : 1;
      for (let e = 0; e < Dv; e++) out.push(keepRow * p.reduce((acc, pi, s) => acc + pi * va[(b * S + s) * Dv + e]!, 0));
    }
  }
  return { out, probs };
}

const dot = (a: number[], b: number[]): number => a.reduce((acc, x, i) => acc + x * b[i]!, 0);

describe('Attention', () => {
  it('dot scores by hand: softmax(q·kᵀ)·v', () => {
    const att = new Attention();
    const q = tensor([[[1, 0]]]);
    const v = tensor([[[1, 2], [3, 4]]]);
    // scores [1, 3] → p = [1/(1+e²), e²/(1+e²)]
    const p0 = 1 / (1 + E2);
    const p1 = E2 / (1 + E2);
    const [out, scores] = att.applyWithScores([q, v]) as [Tensor, Tensor];
    expectTensor(out, [1, 1, 2], [p0 * 1 + p1 * 3, p0 * 2 + p1 * 4]);
    expectTensor(scores, [1, 1, 2], [p0, p1]);
    expect(att.weights).toHaveLength(0);
    // A value mask hides the second value step; a query mask zeroes the output row.
    expectTensor(att.apply([q, v], { mask: [null, tensor([[true, false]])] }), [1, 1, 2], [1, 2]);
    expectTensor(att.apply([q, v], { mask: [tensor([[false]]), null] }), [1, 1, 2], [0, 0]);
  });

  it('matches the reference with a separate key, masks and the causal mask', () => {
    const att = new Attention();
    const q = pseudoTensor([2, 3, 4], 1);
    const v = pseudoTensor([2, 4, 5], 2);
    const k = pseudoTensor([2, 4, 4], 3);
    const vMask = [[1, 1, 0, 1], [1, 0, 0, 0]];
    const qMask = [[1, 0, 1], [1, 1, 1]];
    const ref = reference(q, v, k, dot, { vMask, qMask, causal: true });
    const mask = [tensor(qMask, [2, 3], 'int32'), tensor(vMask, [2, 4], 'int32')];
    const [out, scores] = att.applyWithScores([q, v, k], { mask, useCausalMask: true }) as [Tensor, Tensor];
    expectTensor(out, [2, 3, 5], ref.out);
    expectTensor(scores, [2, 3, 4], ref.probs);
    expect(att.computeOutputShape([[null, 3, 4], [null, 4, 5], [null, 4, 4]])).toEqual([null, 3, 5]);
  });

  it('useScale multiplies the scores by the scalar weight `scale`; concat scores use tanh and `concat_score_weight`', () => {
    const q = pseudoTensor([1, 2, 3], 4);
    const v = pseudoTensor([1, 3, 3], 5);
    const scaled = new Attention({ useScale: true });
    scaled.apply([q, v]);
    expect(scaled.getWeightNames()).toEqual(['attention/scale']);
    scaled.setWeights([tensor(1.7)]);
    expectTensor(scaled.apply([q, v]), [1, 2, 3], reference(q, v, v, (a, b) => 1.7 * dot(a, b)).out);
    const concatScore = new Attention({ useScale: true, scoreMode: 'concat' });
    concatScore.apply([q, v]);
    expect(concatScore.getWeightNames()).toEqual(['attention_1/scale', 'attention_1/concat_score_weight']);
    concatScore.setWeights([tensor(0.8), tensor(1.5)]);
    const concatRef = (a: number[], b: number[]): number => 1.5 * a.reduce((acc, x, i) => acc + Math.tanh(0.8 * (x + b[i]!)), 0);
    expectTensor(concatScore.apply([q, v]), [1, 2, 3], reference(q, v, v, concatRef).out);
  });

  it('a padded batch with masks equals the unpadded sequences', () => {
    const att = new Attention({ useScale: true });
    const a = pseudoTensor([1, 2, 3], 6);
    const b = pseudoTensor([1, 4, 3], 7);
    const padded = concat([concat([a, tensor(new Array(6).fill(9), [1, 2, 3])], 1), b], 0);
    const m = tensor([[1, 1, 0, 0], [1, 1, 1, 1]], [2, 4], 'bool');
    const batched = att.apply([padded, padded], { mask: [m, m] });
    expectTensor(slice(batched, [0, 0, 0], [1, 2, 3]), [1, 2, 3], Array.from(att.apply([a, a]).dataSync()));
    expectTensor(slice(batched, [1, 0, 0], [1, 4, 3]), [1, 4, 3], Array.from(att.apply([b, b]).dataSync()));
    // Padded query steps output zeros.
    expectTensor(slice(batched, [0, 2, 0], [1, 2, 3]), [1, 2, 3], new Array(6).fill(0));
  });

  it('gradients match finite differences (inputs, scale and concat weight)', () => {
    const att = new Attention({ useScale: true, scoreMode: 'concat' });
    const q = pseudoTensor([1, 2, 3], 8);
    const v = pseudoTensor([1, 3, 3], 9);
    att.apply([q, v]);
    att.setWeights([tensor(0.7), tensor(1.3)]);
    gradCheck((qi: Tensor, vi: Tensor) => att.apply([qi, vi], { useCausalMask: true }), [q, v], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
    const [scale, weight] = att.trainableWeights as unknown as [Tensor, Tensor];
    gradCheck((s: Tensor, w: Tensor) => {
      const probe = new Attention({ useScale: true, scoreMode: 'concat' });
      probe.apply([q, v]);
      // Route the probe's weights through s and w so the gradient reaches them.
      (probe as unknown as { scale: Tensor }).scale = s;
      (probe as unknown as { concatScoreWeight: Tensor }).concatScoreWeight = w;
      return probe.apply([q, v]);
    }, [scale, weight], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
  });

  it('dropout drops probabilities in training only, seeded; options are checked', () => {
    const q = pseudoTensor([2, 3, 4], 10);
    const make = (): Attention => new Attention({ dropout: 0.5, seed: 9 });
    const a = make();
    const b = make();
    const plain = a.apply([q, q]);
    expectTensor(plain, [2, 3, 4], reference(q, q, q, dot).out);
    const ta = a.apply([q, q], { training: true });
    expectTensor(b.apply([q, q], { training: true }), [2, 3, 4], Array.from(ta.dataSync()), 1e-6);
    expect(Math.max(...Array.from(ta.sub(plain).abs().dataSync()))).toBeGreaterThan(1e-3);
    expect(() => new Attention({ scoreMode: 'add' as never })).toThrow(/scoreMode must be 'dot' or 'concat', got "add"/);
    expect(() => new Attention({ usescale: true } as never)).toThrow(/unknown option 'usescale'. Did you mean 'useScale'\?/);
    expect(() => new Attention().apply([q])).toThrow(/expects a list of 2 or 3 inputs/);
    expect(() => new Attention().apply([q, pseudoTensor([2, 3, 5])])).toThrow(/query and key must have the same number of features/);
    expect(() => new Attention().apply([q, q], { mask: [null, tensor([[1, 1]])] })).toThrow(/value mask must have shape \[2,3\]/);
  });

  it('serializes (Keras keys) and works in a graph, with scores as a second output', () => {
    const att = new Attention({ useScale: true, dropout: 0.2 });
    const spec = serializeLayer(att);
    expect(spec.config).toMatchObject({ useScale: true, scoreMode: 'dot', dropout: 0.2 });
    const copy = deserializeLayer(JSON.parse(JSON.stringify(spec)));
    expect(copy).toBeInstanceOf(Attention);
    const q = Input({ shape: [3, 4] });
    const v = Input({ shape: [5, 4] });
    const [out, scores] = att.applyWithScores([q, v], { useCausalMask: true });
    expect(out!.shape).toEqual([null, 3, 4]);
    expect(scores!.shape).toEqual([null, 3, 5]);
    const model = new Functional({ inputs: [q, v], outputs: [out!, scores!] });
    const qd = pseudoTensor([2, 3, 4], 11);
    const vd = pseudoTensor([2, 5, 4], 12);
    const [gOut, gScores] = model.runGraph([qd, vd]);
    const [eOut, eScores] = att.applyWithScores([qd, vd], { useCausalMask: true }) as [Tensor, Tensor];
    expectTensor(gOut!, [2, 3, 4], Array.from(eOut.dataSync()), 1e-6);
    expectTensor(gScores!, [2, 3, 5], Array.from(eScores.dataSync()), 1e-6);
  });
});

describe('AdditiveAttention', () => {
  it('scores Σ scale·tanh(q + k), by hand and against the reference', () => {
    const att = new AdditiveAttention();
    const q = tensor([[[0.5, -1]]]);
    const v = tensor([[[1, 0], [0, 1]]]);
    att.apply([q, v]);
    expect(att.getWeightNames()).toEqual(['additive_attention/scale']);
    expect(att.weights[0]!.shape).toEqual([2]);
    att.setWeights([tensor([2, 1])]);
    // scores: 2·tanh(1.5) + tanh(−1) and 2·tanh(0.5) + tanh(0)
    const s0 = 2 * Math.tanh(1.5) + Math.tanh(-1);
    const s1 = 2 * Math.tanh(0.5);
    const p0 = 1 / (1 + Math.exp(s1 - s0));
    expectTensor(att.apply([q, v]), [1, 1, 2], [p0, 1 - p0]);
    const unscaled = new AdditiveAttention({ useScale: false });
    const qq = pseudoTensor([2, 3, 4], 13);
    const vv = pseudoTensor([2, 2, 4], 14);
    const ref = reference(qq, vv, vv, (a, b) => a.reduce((acc, x, i) => acc + Math.tanh(x + b[i]!), 0), { vMask: [[1, 0], [1, 1]] });
    expectTensor(unscaled.apply([qq, vv], { mask: [null, tensor([[1, 0], [1, 1]], [2, 2], 'bool')] }), [2, 3, 4], ref.out);
    expect(unscaled.weights).toHaveLength(0);
    // Gradients through tanh, the scale and the value mask, by finite differences.
    gradCheck((qi: Tensor, vi: Tensor) => att.apply([qi, vi], { mask: [null, tensor([[true, false]])] }), [q, tensor([[[0.3, -0.2], [0.1, 0.4]]])], { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
  });

  it('config has no scoreMode, and round-trips', () => {
    const att = new AdditiveAttention({ dropout: 0.1 });
    const config = serializeLayer(att).config as Record<string, unknown>;
    expect(config).toMatchObject({ useScale: true, dropout: 0.1 });
    expect(config).not.toHaveProperty('scoreMode');
    expect(deserializeLayer({ className: 'AdditiveAttention', config })).toBeInstanceOf(AdditiveAttention);
    expect(() => new AdditiveAttention({ scoreMode: 'dot' } as never)).toThrow(/unknown option 'scoreMode'/);
  });
});
