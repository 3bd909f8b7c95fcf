import { concat, reverse } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { deserializeLayer } from '../engine/registry.js';
import { Bidirectional } from './bidirectional.js';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './rnn.js';
import { checkLayerGrads, expectTensor, flat, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

const X = pseudoTensor([2, 3, 2], 4);

describe('Bidirectional', () => {
  it('copies the layer forwards and backwards and names weights under its own scope', () => {
    const bi = new Bidirectional({ layer: new LSTM({ units: 2 }) });
    bi.apply(X);
    expect(bi.forwardLayer.name).toBe('forward_lstm');
    expect(bi.backwardLayer.name).toBe('backward_lstm');
    expect(bi.backwardLayer.goBackwards).toBe(true);
    expect(bi.getWeightNames()).toEqual([
      'bidirectional/forward_lstm/kernel', 'bidirectional/forward_lstm/recurrent_kernel', 'bidirectional/forward_lstm/bias',
      'bidirectional/backward_lstm/kernel', 'bidirectional/backward_lstm/recurrent_kernel', 'bidirectional/backward_lstm/bias',
    ]);
    expect(bi.countParams()).toBe(2 * (2 * 8 + 2 * 8 + 8));
  });

  for (const mode of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`merges with '${mode}' (sequences: backward output re-reversed into time order)`, () => {
      const bi = new Bidirectional({ layer: new GRU({ units: 2, returnSequences: true }), mergeMode: mode });
      bi.apply(X);
      setPseudoWeights(bi);
      const w = bi.getWeights();
      const f = new GRU({ units: 2, returnSequences: true });
      f.apply(X);
      f.setWeights(w.slice(0, 3));
      const b = new GRU({ units: 2, returnSequences: true, goBackwards: true });
      b.apply(X);
      b.setWeights(w.slice(3));
      const yf = flat(f.apply(X).toArray());
      const yb = flat(reverse(b.apply(X), 1).toArray());
      const merged =
        mode === 'concat' ? flat(concat([f.apply(X), reverse(b.apply(X), 1)], -1).toArray())
        : mode === 'sum' ? yf.map((v, i) => v + yb[i]!)
        : mode === 'mul' ? yf.map((v, i) => v * yb[i]!)
        : yf.map((v, i) => (v + yb[i]!) / 2);
      expectTensor(bi.apply(X), mode === 'concat' ? [2, 3, 4] : [2, 3, 2], merged, 1e-6);
      expect(bi.computeOutputShape([null, 3, 2])).toEqual([null, 3, mode === 'concat' ? 4 : 2]);
    });
  }

  it('without returnSequences merges the two final outputs', () => {
    const bi = new Bidirectional({ layer: new SimpleRNN({ units: 2 }) });
    bi.apply(X);
    setPseudoWeights(bi);
    const f = new SimpleRNN({ units: 2 });
    f.apply(X);
    f.setWeights(bi.getWeights().slice(0, 3));
    const b = new SimpleRNN({ units: 2, goBackwards: true });
    b.apply(X);
    b.setWeights(bi.getWeights().slice(3));
    const fv = f.apply(X).toArray() as number[][];
    const bv = b.apply(X).toArray() as number[][];
    expectTensor(bi.apply(X), [2, 4], fv.map((r, i) => [...r, ...bv[i]!]), 1e-6);
  });

  it('passes gradCheck', () => {
    const bi = new Bidirectional({ layer: new SimpleRNN({ units: 2, returnSequences: true }) });
    bi.apply(X);
    setPseudoWeights(bi);
    checkLayerGrads(bi, X);
  });

  it('rejects non-recurrent layers and unsupported merge modes', () => {
    expect(() => new Bidirectional({ layer: new Dense({ units: 2 }) })).toThrow(/Bidirectional: layer must be a recurrent layer/);
    expect(() => new Bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: null as never })).toThrow(/Bidirectional: mergeMode must be one of/);
  });

  it('round-trips through its config', () => {
    const bi = new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }), mergeMode: 'sum' });
    const copy = deserializeLayer({ className: 'Bidirectional', config: JSON.parse(JSON.stringify(bi.getConfig())) }) as Bidirectional;
    expect(copy.getConfig()).toEqual(bi.getConfig());
    expect(copy.forwardLayer.returnSequences).toBe(true);
  });
});
