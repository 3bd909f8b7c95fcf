import { afterEach, describe, expect, it } from 'vitest';
import type { KernelName } from '../kernels.js';
import { setKernelHook } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { einsum } from './einsum.js';
import { randomUniform } from './random.js';

/**
 * Reference einsum by definition: loop over every assignment of every letter, multiply the operands'
 * entries, add into the output entry. Explicit equations of letters only; a letter of size 1 in one
 * operand broadcasts against the others (how the tests spell out '...').
 */
function naiveEinsum(equation: string, ...xs: Tensor[]): { shape: number[]; values: number[] } {
  const [lhs, out] = equation.split('->') as [string, string];
  const terms = lhs.split(',');
  const sizes = new Map<string, number>();
  terms.forEach((term, i) => [...term].forEach((l, axis) => sizes.set(l, Math.max(sizes.get(l) ?? 1, xs[i]!.shape[axis]!))));
  const labels = [...sizes.keys()];
  const outShape = [...out].map((l) => sizes.get(l)!);
  const values = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const data = xs.map((x) => Array.from(x.dataSync()));
  const at = new Map<string, number>(labels.map((l) => [l, 0]));
  const flat = (letters: string, shape: readonly number[]): number =>
    [...letters].reduce((off, l, axis) => off * shape[axis]! + (shape[axis] === 1 ? 0 : at.get(l)!), 0);
  const visit = (depth: number): void => {
    if (depth === labels.length) {
      let p = 1;
      terms.forEach((term, i) => (p *= data[i]![flat(term, xs[i]!.shape)]!));
      values[flat(out, outShape)]! += p;
      return;
    }
    const l = labels[depth]!;
    for (let v = 0; v < sizes.get(l)!; v++) {
      at.set(l, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return { shape: outShape, values };
}

function expectMatches(actual: Tensor, reference: { shape: number[]; values: number[] }, tol = 1e-4): void {
  expect(actual.shape).toEqual(reference.shape);
  const got = actual.dataSync();
  expect(got.length).toBe(reference.values.length);
  reference.values.forEach((v, i) => {
    if (Math.abs(got[i]! - v) > tol * (1 + Math.abs(v))) throw new Error(`element ${i}: got ${got[i]}, expected ${v}`);
  });
}

/** Deterministic random operands for `terms` with index sizes from `dims`. */
function operands(terms: string[], dims: Record<string, number>, seed: number): Tensor[] {
  return terms.map((term, i) => randomUniform([...term].map((l) => dims[l]!), -1, 1, 'float32', seed * 31 + i));
}

/** Kernels run while `f` runs. */
function kernelsOf(f: () => unknown): KernelName[] {
  const seen: KernelName[] = [];
  const prev = setKernelHook((r) => seen.push(r.kernel));
  try {
    f();
  } finally {
    setKernelHook(prev);
  }
  return seen;
}

const count = (ks: KernelName[], name: KernelName): number => ks.filter((k) => k === name).length;

describe('einsum', () => {
  afterEach(() => void setKernelHook(null));

  it('matches hand values: matrix product, trace, diagonal, transpose, outer product', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    expect(einsum('ij,jk->ik', a, b).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(einsum('ii', a).toArray()).toBe(5);
    expect(einsum('ii->i', a).toArray()).toEqual([1, 4]);
    expect(einsum('ij->ji', a).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(einsum('ba', a).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(einsum('ij->', a).toArray()).toBe(10);
    expect(einsum('ij->j', a).toArray()).toEqual([4, 6]);
    expect(einsum('i,j', tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(einsum('i,i', tensor([1, 2, 3]), tensor([4, 5, 6])).toArray()).toBe(32);
    expect(einsum(',ij->ij', tensor(2), a).toArray()).toEqual([[2, 4], [6, 8]]);
    expect(einsum(' ij , jk -> ik ', a, b).toArray()).toEqual([[19, 22], [43, 50]]);
  });

  // The contractions Keras's MultiHeadAttention and EinsumDense use.
  const common: [string, Record<string, number>, number][] = [
    ['ab,bc->ac', { a: 3, b: 4, c: 5 }, 0],
    ['bij,bjk->bik', { b: 2, i: 3, j: 4, k: 5 }, 0],
    ['abc,cd->abd', { a: 2, b: 3, c: 4, d: 5 }, 0],
    ['abc,cde->abde', { a: 2, b: 3, c: 4, d: 2, e: 3 }, 0],
    ['abcd,cde->abe', { a: 2, b: 3, c: 2, d: 4, e: 5 }, 0],
    ['abcd,aecd->acbe', { a: 2, b: 3, c: 2, d: 4, e: 5 }, 2],
    ['aecd,abcd->acbe', { a: 2, b: 3, c: 2, d: 4, e: 5 }, 2],
    ['acbe,aecd->abcd', { a: 2, b: 3, c: 2, d: 4, e: 5 }, 2],
  ];
  for (const [eq, dims, transposes] of common) {
    it(`${eq} is one batched MatMul with ${transposes} transposes and matches the reference`, () => {
      const xs = operands(eq.split('->')[0]!.split(','), dims, 1);
      let y: Tensor | undefined;
      const ks = kernelsOf(() => (y = einsum(eq, ...xs)));
      expectMatches(y!, naiveEinsum(eq, ...xs));
      expect(count(ks, 'MatMul')).toBe(1);
      expect(count(ks, 'Transpose')).toBe(transposes);
      expect(ks.filter((k) => k !== 'MatMul' && k !== 'Transpose' && k !== 'Reshape')).toEqual([]);
    });
  }

  it('contracts three operands smallest-first: a matrix-matrix-vector chain never forms the matrix product', () => {
    const a = randomUniform([6, 5], -1, 1, 'float32', 11);
    const b = randomUniform([5, 7], -1, 1, 'float32', 12);
    const v = randomUniform([7], -1, 1, 'float32', 13);
    const shapes: number[][] = [];
    const prev = setKernelHook((r) => {
      if (r.kernel === 'MatMul') shapes.push([...r.output.shape]);
    });
    let y: Tensor;
    try {
      y = einsum('ij,jk,k->i', a, b, v);
    } finally {
      setKernelHook(prev);
    }
    expectMatches(y, naiveEinsum('ij,jk,k->i', a, b, v));
    // b·v first (5 values), then a·(b·v) (6 values): never the 42 of a·b.
    expect(shapes.map((s) => s.reduce((p, d) => p * d, 1))).toEqual([5, 6]);
  });

  it('matches the reference on random shapes for general equations', () => {
    const cases: [string, string][] = [
      ['ii->i', 'ii->i'],
      ['ii->', 'ii->'],
      ['iij->ji', 'iij->ji'],
      ['iji->ij', 'iji->ij'],
      ['iii->i', 'iii->i'],
      ['ij,ij->ij', 'ij,ij->ij'],
      ['ij,ij->', 'ij,ij->'],
      ['ij,kl->ijkl', 'ij,kl->ijkl'],
      ['ij,jk,kl->il', 'ij,jk,kl->il'],
      ['bn,anm,bm->ba', 'bn,anm,bm->ba'],
      ['abc,ab->c', 'abc,ab->c'],
      ['ijk,jil->kl', 'ijk,jil->kl'],
      ['ij,jk', 'ij,jk->ik'],
      ['kj,ji', 'kj,ji->ik'],
      ['ii,ij->j', 'ii,ij->j'],
      ['abc,bd,cd->ad', 'abc,bd,cd->ad'],
      ['Ab,ba', 'Ab,ba->Aa'],
      ['ij,ij,ij->', 'ij,ij,ij->'],
      ['i,i,i->i', 'i,i,i->i'],
      ['abc,cba->b', 'abc,cba->b'],
    ];
    for (let seed = 1; seed <= 3; seed++) {
      for (const [eq, explicit] of cases) {
        const terms = explicit.split('->')[0]!.split(',');
        const dims: Record<string, number> = {};
        for (const l of new Set(terms.join(''))) dims[l] = 1 + ((seed * 7 + l.charCodeAt(0)) % 4);
        const xs = operands(terms, dims, seed);
        try {
          expectMatches(einsum(eq, ...xs), naiveEinsum(explicit, ...xs));
        } catch (e) {
          throw new Error(`${eq} (seed ${seed}): ${String(e)}`, { cause: e });
        }
      }
    }
  });

  it("broadcasts '...' NumPy-style, puts it first in an implicit output and sums it when an explicit output omits it", () => {
    const a = randomUniform([2, 1, 3, 4], -1, 1, 'float32', 5);
    const b = randomUniform([5, 4, 6], -1, 1, 'float32', 6);
    expectMatches(einsum('...ij,...jk->...ik', a, b), naiveEinsum('xyij,yjk->xyik', a, b));
    expectMatches(einsum('...ij,...jk', a, b), naiveEinsum('xyij,yjk->xyik', a, b));
    expectMatches(einsum('...ij,...jk->ik', a, b), naiveEinsum('xyij,yjk->ik', a, b));
    expectMatches(einsum('...ij,...jk->k...', a, b), naiveEinsum('xyij,yjk->kxy', a, b));
    const c = randomUniform([3, 2, 5, 4], -1, 1, 'float32', 7);
    expectMatches(einsum('a...d->...a', c), naiveEinsum('axyd->xya', c));
    expectMatches(einsum('...i,...i', c, randomUniform([4], -1, 1, 'float32', 8)), naiveEinsum('xyzi,i->xyz', c, randomUniform([4], -1, 1, 'float32', 8)));
    expectMatches(einsum('i...i', randomUniform([3, 2, 3], -1, 1, 'float32', 9)), naiveEinsum('ixi->x', randomUniform([3, 2, 3], -1, 1, 'float32', 9)));
    // An ellipsis that stands for no axes at all.
    expectMatches(einsum('...ij,...jk->...ik', a.reshape([6, 4]), b.reshape([20, 6]).slice([0, 0], [4, 6])),
      naiveEinsum('ij,jk->ik', a.reshape([6, 4]), b.reshape([20, 6]).slice([0, 0], [4, 6])));
  });

  it('keeps int32, promotes int32 with float32, returns a new tensor and handles empty axes', () => {
    const i = tensor([[1, 2], [3, 4]], undefined, 'int32');
    const y = einsum('ij,jk->ik', i, i);
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([[7, 10], [15, 22]]);
    expect(einsum('ij,jk->ik', i, tensor([[0.5], [1]])).dtype).toBe('float32');
    expect(einsum('ij,jk->ik', i, tensor([[0.5], [1]])).toArray()).toEqual([[2.5], [5.5]]);
    const same = einsum('ij->ij', i);
    expect(same).not.toBe(i);
    expect(same.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(einsum('ij,jk->ik', zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(einsum('ij,jk->ik', zeros([0, 2]), zeros([2, 3])).shape).toEqual([0, 3]);
    expect(einsum('ii->i', zeros([0, 0])).shape).toEqual([0]);
  });

  it('refuses bad equations and mismatched operands, naming what is wrong', () => {
    const a = zeros([2, 3]);
    const b = zeros([4, 5]);
    expect(() => einsum('ij,jk->ik', a, b)).toThrow(
      "einsum: index 'j' has size 3 in operand 0 (axis 1) but size 4 in operand 1 (axis 0), shapes [2,3] and [4,5]",
    );
    expect(() => einsum('ij,jk->ik', a)).toThrow("einsum: equation 'ij,jk->ik' has 2 input terms but 1 operand was given");
    expect(() => einsum('ijk->i', a)).toThrow("einsum: operand 0 has rank 2 (shape [2,3]) but its term 'ijk' names 3 indices");
    expect(() => einsum('ij->iz', a)).toThrow("einsum: output index 'z' of 'ij->iz' does not appear in any input term");
    expect(() => einsum('ij->ii', a)).toThrow("einsum: index 'i' appears more than once in the output of 'ij->ii'");
    expect(() => einsum('i1->i', a)).toThrow("einsum: invalid character '1' in input term 0 'i1' of 'i1->i'");
    expect(() => einsum('ij->i->j', a)).toThrow("einsum: equation 'ij->i->j' has more than one '->'");
    expect(() => einsum('i.j->i', a)).toThrow("einsum: invalid character '.' in input term 0 'i.j'");
    expect(() => einsum('...i...->i', a)).toThrow("einsum: input term 0 '...i...' of '...i...->i' has more than one '...'");
    expect(() => einsum('ii->i', a)).toThrow("einsum: index 'i' has size 2 in operand 0 (axis 0) but size 3 in operand 0 (axis 1)");
    expect(() => einsum('...ij,...jk', zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(
      "einsum: the '...' dimensions of operand 0 [2] and operand 1 [3] cannot be broadcast together",
    );
    expect(() => einsum('...ijk', a)).toThrow("einsum: operand 0 has rank 2 (shape [2,3]) but its term '...ijk' names 3 indices besides '...'");
    expect(() => einsum('ij', tensor([[true]]))).toThrow('einsum: operand 0 must be float32 or int32, got bool');
    expect(() => einsum('ij')).toThrow("einsum: expected at least one operand after the equation 'ij'");
    expect(() => einsum(3 as unknown as string, a)).toThrow("einsum: equation must be a string such as 'ij,jk->ik', got 3");
  });
});
