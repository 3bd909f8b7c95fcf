import { reshape, setBackend, Tensor, tensor } from '@descent/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import '../index.js';
import { seeded } from '../test-utils/compare.js';
import { CASES, fusedStep, opPath } from '../test-utils/optimizer-reference.js';

beforeAll(() => setBackend('wasm'));

/** w and every slot: what the optimizers give up (`fusedOptimizerStep`'s `donate`); input 1 is the gradient. */
function donated(slots: number): number[] {
  return [0, ...Array.from({ length: slots }, (_, i) => i + 2)];
}

/** Fresh copies (own storage) of `ts`. */
function copies(ts: readonly Tensor[]): Tensor[] {
  return ts.map((t) => tensor(t.dataSync(), t.shape));
}

/** `[w, g, ...slots]` of `n` elements, slots positive where a rule takes their square root. */
function inputs(n: number, slots: number): Tensor[] {
  return [tensor(seeded(n, 1, -2, 2)), tensor(seeded(n, 2, -3, 3)), ...Array.from({ length: slots }, (_, i) => tensor(seeded(n, 10 + i, 0, 0.5)))];
}

describe('wasm fused optimizer step in place', () => {
  for (const c of CASES) {
    it(`${c.label}: donated w and slots with no other holder are overwritten with the same floats as a fresh step`, () => {
      const n = 37;
      const given = inputs(n, c.slots);
      const before = given.map((t) => t.dataSync());
      const ref = fusedStep(c.rule, copies(given), c.hyper as never)!.map((t) => t.dataSync());
      const out = fusedStep(c.rule, given, c.hyper as never, { donate: donated(c.slots) })!;
      out.forEach((t, k) => {
        // Output k replaces input 0 (w) or input k + 1 (a slot), in its storage.
        expect(t.dataId, `${c.label} output ${k}`).toBe(given[k === 0 ? 0 : k + 1]!.dataId);
        expect(t.dataSync(), `${c.label} output ${k}`).toEqual(ref[k]);
      });
      // The step changed w, and the gradient was only read.
      expect(out[0]!.dataSync()).not.toEqual(before[0]);
      expect(given[1]!.dataSync()).toEqual(before[1]);
    });
  }

  it('storage that another tensor holds, an alias that only borrows it, or one passed twice is never overwritten', () => {
    const adam = CASES[0]!;
    const n = 21;
    // Another holder: a no-copy reshape counts towards w's storage.
    const [w, g, m, v] = inputs(n, 2);
    const wValues = w!.dataSync();
    const view = reshape(w!, [n, 1]);
    const ref = fusedStep(adam.rule, copies([w!, g!, m!, v!]), adam.hyper as never)!.map((t) => t.dataSync());
    const out = fusedStep(adam.rule, [w!, g!, m!, v!], adam.hyper as never, { donate: [0, 2, 3] })!;
    expect(out[0]!.dataId).not.toBe(w!.dataId);
    expect(out[1]!.dataId).toBe(m!.dataId);
    out.forEach((t, k) => expect(t.dataSync(), `output ${k}`).toEqual(ref[k]));
    expect(view.dataSync()).toEqual(wValues);
    expect(w!.dataSync()).toEqual(wValues);

    // An alias built with `new Tensor` does not hold w's storage: the engine does not pass it on as donated.
    const [w2, g2, m2, v2] = inputs(n, 2);
    const borrowed = new Tensor(w2!, w2!.backend);
    const out2 = fusedStep(adam.rule, [borrowed, g2!, m2!, v2!], adam.hyper as never, { donate: [0, 2, 3] })!;
    expect(out2[0]!.dataId).not.toBe(w2!.dataId);
    expect(w2!.dataSync()).toEqual(wValues);

    // The same tensor as both of Adam's slots: each output must read the unchanged input, so neither is written in place.
    const [w3, g3, m3] = inputs(n, 1);
    const ref3 = opPath(adam.rule, [w3!, g3!, m3!, m3!], adam.hyper).map((t) => t.dataSync());
    const mValues = m3!.dataSync();
    const out3 = fusedStep(adam.rule, [w3!, g3!, m3!, m3!], adam.hyper as never, { donate: [0, 2, 3] })!;
    expect(out3[0]!.dataId).toBe(w3!.dataId);
    expect(out3[1]!.dataId).not.toBe(m3!.dataId);
    expect(out3[2]!.dataId).not.toBe(m3!.dataId);
    out3.forEach((t, k) => expect(t.dataSync(), `output ${k}`).toEqual(ref3[k]));
    expect(m3!.dataSync()).toEqual(mValues);
  });
});

const MIN_NORMAL = 2 ** -126;
const isSubnormal = (x: number): boolean => x !== 0 && Math.abs(x) < MIN_NORMAL;

/** The slots (by index) that decay by a constant factor under a zero gradient, which the fused step flushes (asm/optimizer.ts). */
const FLUSHED: Record<string, readonly number[]> = { adam: [0], sgd: [0], rmsprop: [0, 1, 2], adagrad: [] };

describe('wasm fused optimizer step: subnormal values of the decaying slots are flushed to zero', () => {
  for (const c of CASES.filter((k) => k.slots > 0)) {
    it(`${c.label}: where the op path stores a subnormal m, velocity or RMSprop average the fused step stores a zero of its sign, elsewhere the same floats`, () => {
      const n = 12;
      // A zero gradient and slots deep in the subnormal range (k·2^-149, k < 2^20): each decays to another
      // subnormal. Negative too for SGD's velocity; the other rules' slots are never negative (square roots).
      const w = tensor(seeded(n, 1, -2, 2));
      const g = tensor(new Float32Array(n));
      const sign = (j: number): number => (c.rule === 'sgd' && j % 2 === 1 ? -1 : 1);
      const slots = Array.from({ length: c.slots }, (_, i) =>
        tensor(Float32Array.from({ length: n }, (_, j) => sign(j) * (1000 + 37 * j + 5 * i) * 2 ** -149)),
      );
      const ref = opPath(c.rule, [w, g, ...slots], c.hyper).map((t) => t.dataSync());
      const out = fusedStep(c.rule, [w, g, ...slots], c.hyper as never)!.map((t) => t.dataSync());
      let flushed = 0;
      let kept = 0;
      for (let k = 1; k < out.length; k++) {
        for (let j = 0; j < n; j++) {
          const r = ref[k]![j]!;
          if (!FLUSHED[c.rule]!.includes(k - 1)) {
            // Adam's v and Adagrad's accumulator are stored as computed, subnormal or not.
            if (isSubnormal(r)) kept++;
            expect(out[k]![j], `${c.label} slot ${k - 1} element ${j}`).toBe(r);
          } else if (isSubnormal(r)) {
            flushed++;
            expect(out[k]![j], `${c.label} slot ${k - 1} element ${j}: op path ${r}`).toBe(r < 0 ? -0 : 0);
          } else {
            expect(out[k]![j], `${c.label} slot ${k - 1} element ${j}`).toBe(r);
          }
        }
      }
      // Not vacuous: the op path did keep subnormals here, in the flushed slots and (Adam, Adagrad) in the others.
      expect(flushed > 0 || FLUSHED[c.rule]!.length === 0).toBe(true);
      expect(kept > 0 || c.rule === 'sgd' || c.rule === 'rmsprop').toBe(true);
      // w moves by less than half an ulp of its values: the same floats.
      expect(out[0]).toEqual(ref[0]);
    });
  }

  it("adam: a step m'·alpha that would be subnormal is +0 (w = 0 stays 0), NaN and normal values pass through", () => {
    const hyper = CASES[0]!.hyper as { beta1: number; beta2: number; epsilon: number; alpha: number };
    // m' = 0.9·m for g = 0, v' ≈ 1: the step 1e-37·0.9·0.01 / (1 + ε) ≈ 9e-40 is subnormal, 1e-30·0.9·0.01 is not.
    const w = tensor([0, 0, 0, 0, 1, 1]);
    const g = tensor([0, 0, 0, Number.NaN, 0, 0]);
    const m = tensor([1e-37, -1e-37, 1e-30, 0.5, 1e-37, Number.NaN]);
    const v = tensor([1, 1, 1, 1, 1, 1]);
    const ref = opPath('adam', [w, g, m, v], hyper).map((t) => t.dataSync());
    const [w1, m1] = fusedStep('adam', [w, g, m, v], hyper)!.map((t) => t.dataSync());
    // The op path takes the subnormal step from 0; the fused step takes none.
    expect(isSubnormal(ref[0]![0]!) && isSubnormal(ref[0]![1]!)).toBe(true);
    expect(Array.from(w1!.subarray(0, 2))).toEqual([0, 0]);
    // m' itself is normal (≈ ±9e-38) and kept.
    expect(m1![0]).toBe(ref[1]![0]);
    expect(m1![1]).toBe(ref[1]![1]);
    // A normal step is taken as on the op path; NaN gradients and slots propagate to w.
    expect(w1![2]).toBe(ref[0]![2]);
    expect(w1![2]).toBeLessThan(0);
    expect(w1![3]).toBeNaN();
    expect(m1![3]).toBeNaN();
    expect(w1![4]).toBe(1);
    expect(w1![5]).toBeNaN();
  });
});
