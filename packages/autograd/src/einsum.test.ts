import { einsum, sum, tanh } from '@descent/tensor';
import { describe, it } from 'vitest';
import { grad } from './grad.js';
import { Rng, expectGradCheck, uniform } from './test-utils/check.js';

/** einsum is a composite (Gather, Sum, Transpose, Reshape, MatMul, Mul): its gradients come from those rules. */
describe('gradCheck through einsum', () => {
  const rng = new Rng(17);

  it('the Keras attention and EinsumDense contractions, both operands', () => {
    const cases: [string, number[], number[]][] = [
      ['ab,bc->ac', [3, 4], [4, 2]],
      ['bij,bjk->bik', [2, 3, 4], [2, 4, 2]],
      ['abc,cd->abd', [2, 3, 4], [4, 3]],
      ['abc,cde->abde', [2, 3, 2], [2, 2, 3]],
      ['abcd,cde->abe', [2, 3, 2, 2], [2, 2, 3]],
      ['abcd,aecd->acbe', [2, 3, 2, 2], [2, 4, 2, 2]],
      ['aecd,abcd->acbe', [2, 4, 2, 2], [2, 3, 2, 2]],
      ['acbe,aecd->abcd', [2, 2, 3, 4], [2, 4, 2, 2]],
    ];
    for (const [eq, sa, sb] of cases) expectGradCheck((a, b) => einsum(eq, a, b), [uniform(rng, sa), uniform(rng, sb)]);
  });

  it('diagonals, traces, sums, outer products, three operands and broadcast ellipses', () => {
    expectGradCheck((a) => einsum('ii->i', a), [uniform(rng, [3, 3])]);
    expectGradCheck((a) => einsum('ii', a), [uniform(rng, [4, 4])]);
    expectGradCheck((a) => einsum('iij->ji', a), [uniform(rng, [2, 2, 3])]);
    expectGradCheck((a) => einsum('ij->j', a), [uniform(rng, [3, 2])]);
    expectGradCheck((a, b) => einsum('i,j->ij', a, b), [uniform(rng, [3]), uniform(rng, [2])]);
    expectGradCheck((a, b) => einsum('ij,ij->', a, b), [uniform(rng, [2, 3]), uniform(rng, [2, 3])]);
    expectGradCheck((a, b, c) => einsum('bn,anm,bm->ba', a, b, c), [uniform(rng, [2, 3]), uniform(rng, [2, 3, 4]), uniform(rng, [2, 4])]);
    expectGradCheck((a, b) => einsum('...ij,...jk->...ik', a, b), [uniform(rng, [2, 1, 2, 3]), uniform(rng, [3, 3, 2])]);
    expectGradCheck((a, b) => einsum('...ij,...jk->ik', a, b), [uniform(rng, [2, 2, 3]), uniform(rng, [3, 2])]);
  });

  it('second derivatives through a contraction', () => {
    const w = uniform(rng, [3, 2]);
    expectGradCheck((x) => grad((t) => sum(tanh(einsum('ab,bc->ac', t, w))))(x), [uniform(rng, [2, 3])]);
    expectGradCheck((x) => grad((t) => sum(tanh(einsum('bij,bjk->bik', t, t))))(x), [uniform(rng, [2, 2, 2])]);
  });
});
