import type { Tensor } from '@descent/tensor';
import { setSeed, tensor, withScope } from '@descent/tensor';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { Concatenate, concatenate, Dense, GRU, Input, LSTM, SimpleRNN } from '../layers/index.js';
import { expectTensor, pseudoTensor, setPseudoWeights } from '../layers/test-utils/helpers.js';
import { Functional } from './container.js';
import { Layer } from './layer.js';
import type { LayerInputs } from './layer.js';
import { resetLayerNames } from './naming.js';
import type { SymbolicShape } from './shape-utils.js';
import type { SymbolicTensor } from './symbolic.js';

beforeEach(() => {
  resetLayerNames();
  setSeed(3);
});

const X = pseudoTensor([2, 3, 4], 11);

describe('RNN layers with returnState as graph nodes', () => {
  it('LSTM: applyWithState on a symbolic tensor gives [output, h, c], and the graph computes what the layer does eagerly', () => {
    const x = Input({ shape: [3, 4], name: 'seq' });
    const lstm = new LSTM({ units: 2, returnState: true });
    const outs = lstm.applyWithState(x);
    expectTypeOf(outs).toEqualTypeOf<SymbolicTensor[]>();
    expect(outs).toHaveLength(3);
    const [out, h, c] = outs as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
    expect(out.shape).toEqual([null, 2]);
    expect(h.shape).toEqual([null, 2]);
    expect(c.shape).toEqual([null, 2]);
    expect([out.index, h.index, c.index]).toEqual([0, 1, 2]);
    expect(out.node).toBe(h.node);
    setPseudoWeights(lstm, 5);
    const graph = new Functional({ inputs: x, outputs: [out, h, c] });
    const [gOut, gH, gC] = graph.runGraph([X]) as [Tensor, Tensor, Tensor];
    const [eOut, eH, eC] = lstm.applyWithState(X) as [Tensor, Tensor, Tensor];
    expectTensor(gOut, [2, 2], eOut.toArray());
    expectTensor(gH, [2, 2], eH.toArray());
    expectTensor(gC, [2, 2], eC.toArray());
    // c is not h: the graph really returns the cell state.
    expect(gC.toArray()).not.toEqual(gH.toArray());
  });

  it("an encoder's states feed later layers (Concatenate + Dense), with returnSequences too", () => {
    const x = Input({ shape: [3, 4] });
    const lstm = new LSTM({ units: 2, returnState: true, returnSequences: true });
    const [seq, h, c] = lstm.applyWithState(x) as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
    expect(seq.shape).toEqual([null, 3, 2]);
    expect(h.shape).toEqual([null, 2]);
    const dense = new Dense({ units: 1 });
    const y = dense.apply(concatenate([h, c]));
    expect(y.shape).toEqual([null, 1]);
    setPseudoWeights(lstm, 9);
    dense.setWeights([tensor([[1], [-2], [0.5], [3]]), tensor([0.25])]);
    const model = new Functional({ inputs: x, outputs: [seq, y] });
    const [gSeq, gY] = model.runGraph([X]) as [Tensor, Tensor];
    const [eSeq, eH, eC] = lstm.applyWithState(X) as [Tensor, Tensor, Tensor];
    expectTensor(gSeq, [2, 3, 2], eSeq.toArray());
    const hs = eH.toArray() as number[][];
    const cs = eC.toArray() as number[][];
    const want = hs.map((hr, i) => [hr[0]! * 1 + hr[1]! * -2 + cs[i]![0]! * 0.5 + cs[i]![1]! * 3 + 0.25]);
    expectTensor(gY, [2, 1], want);
    // The last step of the sequence is h.
    expectTensor(eH, [2, 2], (eSeq.toArray() as number[][][]).map((s) => s[2]!));
  });

  it('GRU and SimpleRNN give [output, h]; apply and the wrong calls are refused naming the layer', () => {
    const x = Input({ shape: [3, 4] });
    const gru = new GRU({ units: 3, returnState: true });
    const g = gru.applyWithState(x);
    expect(g.map((t) => t.shape)).toEqual([[null, 3], [null, 3]]);
    const rnn = new SimpleRNN({ units: 2, returnState: true, name: 'rnn' });
    const r = rnn.applyWithState(x);
    expect(r.map((t) => t.shape)).toEqual([[null, 2], [null, 2]]);
    setPseudoWeights(gru, 2);
    const model = new Functional({ inputs: x, outputs: [g[1]!, r[1]!] });
    const [gh, rh] = model.runGraph([X]) as [Tensor, Tensor];
    expectTensor(gh, [2, 3], (gru.applyWithState(X)[1]!).toArray());
    expectTensor(rh, [2, 2], (rnn.applyWithState(X)[1]!).toArray());
    expect(() => rnn.apply(x)).toThrow(/^SimpleRNN 'rnn': returnState is true, so the layer has 2 outputs; call applyWithState\(\)/);
    const plain = new SimpleRNN({ units: 2, name: 'plain' });
    expect(() => plain.applyWithState(x)).toThrow(/^SimpleRNN 'plain': applyWithState on a symbolic tensor needs returnState: true/);
  });

  it("an encoder's states are a decoder's symbolic initialState (Keras encoder-decoder)", () => {
    const enc = Input({ shape: [3, 4], name: 'enc_in' });
    const encoder = new LSTM({ units: 2, returnState: true, name: 'encoder' });
    const [, h, c] = encoder.applyWithState(enc) as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const dec = Input({ shape: [2, 4], name: 'dec_in' });
    const decoder = new LSTM({ units: 2, returnSequences: true, name: 'decoder' });
    const y = decoder.apply(dec, { initialState: [h, c] });
    expect(y.shape).toEqual([null, 2, 2]);
    // The states are inputs of the decoder's node, after the sequence.
    expect(y.node.inputs).toEqual([dec, h, c]);
    expect(y.node.inboundLayers.map((l) => l.name)).toEqual(['dec_in', 'encoder', 'encoder']);
    setPseudoWeights(encoder, 4);
    setPseudoWeights(decoder, 8);
    const model = new Functional({ inputs: [enc, dec], outputs: y });
    const D = pseudoTensor([2, 2, 4], 13);
    const got = model.runGraph([X, D])[0]!;
    const [, eH, eC] = encoder.applyWithState(X) as [Tensor, Tensor, Tensor];
    const want = decoder.apply(D, { initialState: [eH, eC] });
    expectTensor(got, [2, 2, 2], want.toArray());
    // Zeros would give another result: the states really flow in.
    expect(Math.max(...(decoder.apply(D).dataSync() as Float32Array).map((v, i) => Math.abs(v - want.dataSync()[i]!)))).toBeGreaterThan(1e-3);

    const other = new LSTM({ units: 2, name: 'bad' });
    expect(() => other.apply(dec, { initialState: [h] })).toThrow(/^LSTM 'bad': initialState must be 2 tensor\(s\) of shape \[null,2\], got \[null,2\]$/);
    expect(() => other.apply(dec, { initialState: [tensor([[0, 0]]), tensor([[0, 0]])] })).toThrow(/^LSTM 'bad': on a symbolic input, initialState must be an array of symbolic tensors/);
    expect(() => other.apply(D, { initialState: [h, c] })).toThrow(/^LSTM 'bad': initialState holds symbolic tensors but the input is a real tensor/);
  });
});

describe('activity regularizer of a shared layer', () => {
  it('counts every call of the layer in a graph run (Keras sums over calls), and only the last run', () => {
    const a = Input({ shape: [2] });
    const b = Input({ shape: [2] });
    const shared = new Dense({ units: 1, kernelInitializer: 'ones', activityRegularizer: { className: 'L1', config: { l1: 0.1 } } });
    const model = new Functional({ inputs: [a, b], outputs: new Concatenate().apply([shared.apply(a), shared.apply(b)]) });
    const penalties = (): number => model.regularizationLosses().reduce((s, t) => s + (t.toArray() as number), 0);
    // Outputs 1 + 2 = 3 and -2 - 3 = -5: 0.1 · (|3| + |-5|) = 0.8.
    model.runGraph([tensor([[1, 2]]), tensor([[-2, -3]])]);
    expect(model.regularizationLosses()).toHaveLength(2);
    expect(penalties()).toBeCloseTo(0.8, 6);
    // A second run replaces the first one's penalties: 0.1 · (|1| + |4|) = 0.5.
    model.runGraph([tensor([[0.5, 0.5]]), tensor([[4, 0]])]);
    expect(model.regularizationLosses()).toHaveLength(2);
    expect(penalties()).toBeCloseTo(0.5, 6);
    // Called alone, the layer keeps its last call's penalty only: 0.1 · |7| = 0.7.
    shared.apply(tensor([[3, 4]]));
    expect(shared.regularizationLosses().reduce((s, t) => s + (t.toArray() as number), 0)).toBeCloseTo(0.7, 6);
  });
});

describe('activity regularizer inside a nested graph', () => {
  it('a nested graph called twice keeps the penalties of both calls', () => {
    const inner = Input({ shape: [2] });
    const reg = new Dense({ units: 1, kernelInitializer: 'ones', activityRegularizer: { className: 'L1', config: { l1: 0.5 } } });
    const tower = new Functional({ inputs: inner, outputs: reg.apply(inner), name: 'tower' });
    const a = Input({ shape: [2] });
    const b = Input({ shape: [2] });
    const model = new Functional({ inputs: [a, b], outputs: concatenate([tower.apply(a), tower.apply(b)]) });
    // As in a training step: the run and the penalties in one scope (the caller's), which keeps the
    // inner layer's penalties alive until the loss is formed.
    const total = withScope(() => {
      model.runGraph([tensor([[1, 1]]), tensor([[0, -4]])]);
      return model.regularizationLosses().reduce((s, t) => s + (t.toArray() as number), 0);
    });
    // 0.5 · (|2| + |-4|) = 3.
    expect(total).toBeCloseTo(3, 6);
  });

  it('called from user code (no scope around it), a model keeps the penalties of the layers inside it', () => {
    const inner = Input({ shape: [2] });
    const reg = new Dense({ units: 1, kernelInitializer: 'ones', activityRegularizer: { className: 'L1', config: { l1: 0.5 } } });
    const tower = new Functional({ inputs: inner, outputs: reg.apply(inner), name: 'tower2' });
    const x = Input({ shape: [2] });
    const model = new Functional({ inputs: x, outputs: tower.apply(x) });
    // Each apply runs in its own scope; the nested layer's penalty must survive it: 0.5 · |1 + 2| = 1.5.
    model.apply(tensor([[1, 2]]));
    expect(model.regularizationLosses().reduce((s, t) => s + (t.toArray() as number), 0)).toBeCloseTo(1.5, 6);
    tower.apply(tensor([[-3, -1]]));
    expect(tower.regularizationLosses().reduce((s, t) => s + (t.toArray() as number), 0)).toBeCloseTo(2, 6);
  });
});

describe('computeOutputShape refuses a list of shapes for single-input layers', () => {
  it('a layer overriding computeOutputShape refuses a list, naming the layer; merge layers still take one', () => {
    const dense = new Dense({ units: 2, name: 'proj' });
    expect(() => dense.computeOutputShape([[null, 3], [null, 3]] as never)).toThrow(/^Dense 'proj': computeOutputShape takes one input shape, got a list of 2 \(\[null,3\], \[null,3\]\)/);
    expect(dense.computeOutputShape([null, 3])).toEqual([null, 2]);
    expect(new Concatenate().computeOutputShape([[null, 3], [null, 2]])).toEqual([null, 5]);
    const lstm = new LSTM({ units: 2, name: 'enc' });
    expect(() => lstm.computeOutputShape([[null, 3, 4], [null, 3, 4]] as never)).toThrow(/^LSTM 'enc': computeOutputShape takes one input shape/);
  });

  it("a custom layer's override is guarded too, and a subclass calling super still works", () => {
    class Doubler extends Layer {
      static override className = 'Doubler';
      call(inputs: LayerInputs): Tensor {
        return inputs as Tensor;
      }
      override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
        return [inputShape[0] ?? null, (inputShape[1] ?? 0) * 2];
      }
    }
    class Tripler extends Doubler {
      override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
        const s = super.computeOutputShape(inputShape);
        return [s[0] ?? null, ((s[1] ?? 0) / 2) * 3];
      }
    }
    expect(() => new Doubler({ name: 'dbl' }).computeOutputShape([[null, 3], [null, 3]] as never)).toThrow(/^Doubler 'dbl': computeOutputShape takes one input shape, got a list of 2/);
    expect(new Tripler().computeOutputShape([null, 4])).toEqual([null, 12]);
    const x = Input({ shape: [4] });
    expect(new Doubler().apply(x).shape).toEqual([null, 8]);
  });
});
