import { beforeEach, describe, expect, it } from 'vitest';
import { resetLayerNames } from '../engine/naming.js';
import { GRU } from './gru.js';
import type { Mat } from './test-utils/helpers.js';
import { addv, checkLayerGrads, expectTensor, pseudoTensor, rnnWeights, setPseudoWeights, sig, vm } from './test-utils/helpers.js';

beforeEach(() => resetLayerNames());

/** One GRU step (gates z, r, h) in both reset conventions. */
function gruStep(x: number[], h: number[], W: Mat, U: Mat, b: number[] | Mat, u: number, resetAfter: boolean) {
  const bIn = resetAfter ? (b as Mat)[0]! : (b as number[]);
  const bRec = resetAfter ? (b as Mat)[1]! : new Array<number>(3 * u).fill(0);
  const xz = addv(vm(x, W, 0, u), bIn.slice(0, u));
  const xr = addv(vm(x, W, u, u), bIn.slice(u, 2 * u));
  const xh = addv(vm(x, W, 2 * u, u), bIn.slice(2 * u));
  const z = addv(xz, vm(h, U, 0, u), bRec.slice(0, u)).map(sig);
  const r = addv(xr, vm(h, U, u, u), bRec.slice(u, 2 * u)).map(sig);
  const cand = resetAfter
    ? addv(xh, addv(vm(h, U, 2 * u, u), bRec.slice(2 * u)).map((v, j) => r[j]! * v)).map(Math.tanh)
    : addv(xh, vm(h.map((v, j) => r[j]! * v), U, 2 * u, u)).map(Math.tanh);
  return h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * cand[j]!);
}
const X = pseudoTensor([2, 3, 4], 5);
const seqs = X.toArray() as Mat[];
describe('GRU', () => {
  for (const resetAfter of [true, false]) {
    it(`matches the gate equations (z, r, h), resetAfter=${resetAfter}`, () => {
      const gru = new GRU({ units: 3, resetAfter, returnSequences: true });
      gru.apply(X);
      setPseudoWeights(gru);
      const { W, U, b } = rnnWeights(gru);
      expect(gru.bias!.shape).toEqual(resetAfter ? [2, 9] : [9]);
      const want = seqs.map((seq) => {
        let h = [0, 0, 0];
        return seq.map((x) => (h = gruStep(x, h, W, U, b, 3, resetAfter)));
      });
      expectTensor(gru.apply(X), [2, 3, 3], want, 1e-5);
      const [, hT] = gru.applyWithState(X);
      expectTensor(hT!, [2, 3], want.map((s) => s[2]!), 1e-5);
    });

    it(`passes gradCheck, resetAfter=${resetAfter}`, () => {
      const gru = new GRU({ units: 2, resetAfter });
      const x = pseudoTensor([2, 3, 2], 19);
      gru.apply(x);
      setPseudoWeights(gru);
      checkLayerGrads(gru, x);
    });
  }

  it('defaults to resetAfter = true (Keras 3)', () => {
    expect(new GRU({ units: 1 }).resetAfter).toBe(true);
    expect(new GRU({ units: 1 }).getWeightNames()).toEqual([]);
  });
});
