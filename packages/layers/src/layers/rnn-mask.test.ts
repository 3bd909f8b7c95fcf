import type { Variable } from '@descent/autograd';
import { variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { mul, slice, sum, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { resetLayerNames } from '../engine/naming.js';
import { Bidirectional } from './bidirectional.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { RNN, RNNArgs } from './rnn.js';
import { SimpleRNN } from './rnn.js';
import { pseudo, pseudoTensor, setPseudoWeights } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

const KINDS = {
  SimpleRNN: (a: RNNArgs): RNN => new SimpleRNN(a),
  LSTM: (a: RNNArgs): RNN => new LSTM(a),
  GRU: (a: RNNArgs): RNN => new GRU(a),
};

// Two sequences of lengths 4 and 2, post-padded to 4 steps with garbage (which the mask must hide).
const LENGTHS = [4, 2];
const X = pseudoTensor([2, 4, 3], 11);
const MASK = tensor([[true, true, true, true], [true, true, false, false]]);
const rows = (i: number, n: number): Tensor => slice(X, [i, 0, 0], [1, n, 3]);

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void => closeTo(a, b, { atol: tol });

/**
 * Output, final states and weight gradients of Σ w·(output, states) for one call. The loss weights are
 * the rows `[from, from + batch)` of fixed `[2, units]` tensors, so the padded batch's loss is the sum
 * of the one-by-one losses.
 */
function runOnce(layer: RNN, x: Tensor, mask: Tensor | null, from: number) {
  const vars: Variable[] = layer.trainableWeights;
  let outs: Float32Array[] = [];
  const { grads } = variableGrads(() => {
    const ys = layer.applyWithState(x, mask === null ? {} : { mask });
    outs = ys.map((y) => y.dataSync() as Float32Array);
    const u = layer.units;
    return ys
      .map((y, k) => sum(mul(y, tensor(pseudo(2 * u, 20 + k).slice(from * u, from * u + y.size), y.shape))))
      .reduce((p, q) => p.add(q));
  }, vars);
  return { outs, grads: vars.map((v) => grads.get(v)!.dataSync() as Float32Array) };
}

describe.each(Object.keys(KINDS) as (keyof typeof KINDS)[])('%s with a mask', (kind) => {
  it.each([false, true])('a padded batch equals the unpadded sequences run one by one (goBackwards %s)', (goBackwards) => {
    const layer = KINDS[kind]({ units: 3, returnState: true, goBackwards });
    layer.applyWithState(X);
    setPseudoWeights(layer, 5, 0.7);
    const units = 3;
    const batch = runOnce(layer, X, MASK, 0);
    const sumGrads = batch.grads.map((g) => new Float32Array(g.length));
    LENGTHS.forEach((n, i) => {
      const one = runOnce(layer, rows(i, n), null, i);
      one.grads.forEach((g, k) => g.forEach((v, j) => (sumGrads[k]![j]! += v)));
      // The output (last unmasked step) and every final state of row i match.
      one.outs.forEach((o, k) => close(batch.outs[k]!.slice(i * units, (i + 1) * units), o));
    });
    batch.grads.forEach((g, k) => close(g, sumGrads[k]!, 2e-5));
  });

  it('returnSequences: a masked step repeats the previous output (zeros before the first unmasked step)', () => {
    const layer = KINDS[kind]({ units: 2, returnSequences: true });
    layer.apply(X);
    setPseudoWeights(layer, 6, 0.7);
    const mask = tensor([[false, true, false, true], [true, true, false, false]]);
    const out = layer.apply(X, { mask }).toArray() as number[][][];
    const alone = (layer.apply(slice(X, [0, 1, 0], [1, 1, 3])).toArray() as number[][][])[0]!;
    expect(out[0]![0]).toEqual([0, 0]);
    close(out[0]![1]!, alone[0]!);
    expect(out[0]![2]).toEqual(out[0]![1]);
    expect(out[1]![2]).toEqual(out[1]![1]);
    expect(out[1]![3]).toEqual(out[1]![1]);
    const full = (layer.apply(rows(1, 2)).toArray() as number[][][])[0]!;
    close(out[1]![1]!, full[1]!);
  });

  it('passes the mask on only when it returns sequences', () => {
    const seq = KINDS[kind]({ units: 2, returnSequences: true });
    const last = KINDS[kind]({ units: 2 });
    expect(seq.computeMask(X, MASK)).toBe(MASK);
    expect(last.computeMask(X, MASK)).toBeNull();
    expect(seq.computeMask(X, null)).toBeNull();
  });

  it('rejects a mask of the wrong shape, naming the layer', () => {
    const layer = KINDS[kind]({ units: 2 });
    expect(() => layer.apply(X, { mask: tensor([[true, false]]) })).toThrow(new RegExp(`${kind} '.*': the mask must have shape \\[2,4\\] \\(\\[batch, steps\\]\\), got \\[1,2\\]`));
  });
});

describe('Bidirectional with a mask', () => {
  it('both directions skip the padding: a padded row equals its unpadded sequence', () => {
    const bi = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: false }) });
    bi.apply(X);
    setPseudoWeights(bi, 8, 0.7);
    const padded = bi.apply(X, { mask: MASK }).dataSync();
    const alone = bi.apply(rows(1, 2)).dataSync();
    close(padded.slice(4, 8), alone);
    expect(bi.computeMask(X, MASK)).toBeNull();
  });
});
