import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import type { Tensor } from '../tensor.js';
import { tensor } from './convert.js';
import { zeros } from './creation.js';
import { dot, matMul } from './matmul.js';
import { randomUniform } from './random.js';

/**
 * Reference product in float64: `a: [...batchA, r, c]` read through the transposes, batch
 * dims broadcast. Written from the definition, independent of the kernel's blocking.
 */
function referenceMatMul(a: Tensor, b: Tensor, ta: boolean, tb: boolean): { shape: number[]; values: Float64Array } {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...Array<number>(rank - batchA.length).fill(1), ...batchA];
  const padB = [...Array<number>(rank - batchB.length).fill(1), ...batchB];
  const outBatch = padA.map((d, i) => Math.max(d, padB[i]!));
  const total = outBatch.reduce((p, d) => p * d, 1);
  const values = new Float64Array(total * m * n);
  for (let t = 0; t < total; t++) {
    // Decompose t into a batch index, then map it into each operand (index 0 where it broadcasts).
    let rem = t;
    let offA = 0;
    let offB = 0;
    let strideA = ar * ac;
    let strideB = br * bc;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % outBatch[d]!;
      rem = Math.floor(rem / outBatch[d]!);
      offA += (padA[d] === 1 ? 0 : i) * strideA;
      offB += (padB[d] === 1 ? 0 : i) * strideB;
      strideA *= padA[d]!;
      strideB *= padB[d]!;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = av[offA + (ta ? p * ac + i : i * ac + p)]!;
          const y = bv[offB + (tb ? j * bc + p : p * bc + j)]!;
          s += x * y;
        }
        values[(t * m + i) * n + j] = s;
      }
    }
  }
  return { shape: [...outBatch, m, n], values };
}

/** Inputs are in [-1, 1): a float32 rounding per term bounds the error by about k·2^-24. */
const expectClose = (got: Tensor, ref: { shape: number[]; values: Float64Array }, k: number): void => closeTo(got, ref, { atol: 1e-6 * (k + 1) });

let seed = 1;
const rand = (shape: number[]): Tensor => randomUniform(shape, -1, 1, 'float32', seed++);

describe('matMul', () => {
  it('multiplies small matrices (hand-computed)', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);
    // [1·7+2·9+3·11, 1·8+2·10+3·12] = [58, 64]; [4·7+5·9+6·11, 4·8+5·10+6·12] = [139, 154]
    expect(matMul(a, b).toArray()).toEqual([[58, 64], [139, 154]]);
    expect(a.matMul(b).shape).toEqual([2, 2]);
  });

  it('folds transposes in (hand-computed)', () => {
    const a = tensor([[1, 4], [2, 5], [3, 6]]); // the transpose of [[1,2,3],[4,5,6]]
    const b = tensor([[7, 9, 11], [8, 10, 12]]); // the transpose of [[7,8],[9,10],[11,12]]
    expect(matMul(a, b, true, true).toArray()).toEqual([[58, 64], [139, 154]]);
    expect(matMul(a, tensor([[7, 8], [9, 10], [11, 12]]), true, false).toArray()).toEqual([[58, 64], [139, 154]]);
    expect(matMul([[1, 2, 3], [4, 5, 6]], b, false, true).toArray()).toEqual([[58, 64], [139, 154]]);
  });

  it('matches the reference for odd sizes across block edges, all transposes', () => {
    // 130 rows > one 128-row A block, k = 300 > one 256 k-block, n = 517 > one 512-column B block;
    // none is a multiple of the 4×4 tile.
    const cases: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [17, 9, 13], [130, 300, 517], [5, 260, 3]];
    for (const [m, k, n] of cases) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = rand(ta ? [k, m] : [m, k]);
          const b = rand(tb ? [n, k] : [k, n]);
          expectClose(matMul(a, b, ta, tb), referenceMatMul(a, b, ta, tb), k);
        }
      }
    }
  });

  it('broadcasts batch dimensions', () => {
    const a = rand([2, 1, 3, 5]);
    const b = rand([4, 5, 6]);
    const out = matMul(a, b);
    expect(out.shape).toEqual([2, 4, 3, 6]);
    expectClose(out, referenceMatMul(a, b, false, false), 5);
    const c = rand([3, 7, 2]);
    const d = rand([2, 4]);
    expectClose(matMul(c, d), referenceMatMul(c, d, false, false), 2);
    expectClose(matMul(d, c, true, true), referenceMatMul(d, c, true, true), 2);
    // A stack of matrices against one shared B (computed as one tall product), B transposed too.
    const g = rand([2, 3, 5, 4]);
    const h = rand([6, 4]);
    expectClose(matMul(g, h, false, true), referenceMatMul(g, h, false, true), 4);
    const e = rand([1, 4, 3]);
    const f = rand([5, 3, 2]);
    expectClose(matMul(e, f), referenceMatMul(e, f, false, false), 3);
  });

  it('broadcasts a batch against a single matrix (hand-computed)', () => {
    const a = tensor([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]); // I and 2I
    const b = tensor([[1, 2], [3, 4]]);
    expect(matMul(a, b).toArray()).toEqual([[[1, 2], [3, 4]], [[2, 4], [6, 8]]]);
  });

  it('keeps int32 exact and upcasts mixed dtypes', () => {
    const a = tensor([[1, 2], [3, 4]], undefined, 'int32');
    const b = tensor([[5, 6], [7, 8]], undefined, 'int32');
    const p = matMul(a, b);
    expect(p.dtype).toBe('int32');
    expect(p.toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matMul(a, b, true, false).toArray()).toEqual([[26, 30], [38, 44]]);
    // 16777217 = 2^24 + 1 is not a float32; int32 keeps it exactly.
    expect(matMul(tensor([[16777217]], undefined, 'int32'), tensor([[1]], undefined, 'int32')).toArray()).toEqual([[16777217]]);
    const mixed = matMul(a, tensor([[0.5], [0.25]]));
    expect(mixed.dtype).toBe('float32');
    expect(mixed.toArray()).toEqual([[1], [2.5]]);
  });

  it('handles empty and size-1 dimensions', () => {
    expect(matMul(zeros([0, 3]), zeros([3, 2])).shape).toEqual([0, 2]);
    const kEmpty = matMul(zeros([2, 0]), zeros([0, 3]));
    expect(kEmpty.shape).toEqual([2, 3]);
    expect(Array.from(kEmpty.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matMul(zeros([0, 2, 3]), zeros([3, 4])).shape).toEqual([0, 2, 4]);
    expect(matMul([[2]], [[3]]).toArray()).toEqual([[6]]);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => matMul(zeros([2, 3]), zeros([4, 5]))).toThrow('matMul: inner dimensions must match, got [2,3] and [4,5]');
    expect(() => matMul(zeros([3, 2]), zeros([3, 2]), true, true)).toThrow(
      'matMul: inner dimensions must match, got [3,2] and [3,2] (transposeA=true, transposeB=true)',
    );
    expect(() => matMul(zeros([3]), zeros([3, 2]))).toThrow("matMul: argument 'a' must have rank ≥ 2 (use dot for vectors), got shape [3]");
    expect(() => matMul(zeros([2, 2, 3]), zeros([3, 3, 2]))).toThrow('matMul: batch dimensions [2] and [3] cannot be broadcast together');
    expect(() => matMul(tensor([[true]]), zeros([1, 1]))).toThrow("matMul: argument 'a' must be float32 or int32, got bool");
    expect(() => matMul('x' as never, zeros([1, 1]))).toThrow("matMul: argument 'a' must be a Tensor");
  });
});

describe('dot', () => {
  it('covers vector and matrix combinations (hand-computed)', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([[1, 0, 2], [0, 1, -1]]);
    const s = dot(v, [4, 5, 6]);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(32);
    expect(dot(m, v).toArray()).toEqual([7, -1]);
    expect(dot([1, 2], m).toArray()).toEqual([1, 2, 0]);
    expect(dot(m, [[1], [1], [1]]).toArray()).toEqual([[3], [0]]);
    expect(v.dot([1, 1, 1]).item()).toBe(6);
  });

  it('rejects bad ranks and mismatched lengths', () => {
    expect(() => dot([1, 2], [1, 2, 3])).toThrow('dot: inner dimensions must match, got [2] and [3]');
    expect(() => dot(zeros([1, 1, 1]), [1])).toThrow("dot: argument 'a' must be rank 1 or 2, got shape [1,1,1]");
    expect(() => dot(5, [1])).toThrow("dot: argument 'a' must be rank 1 or 2, got shape []");
  });
});
