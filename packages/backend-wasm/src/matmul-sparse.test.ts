import type { Tensor } from '@descent/tensor';
import { fused, matMul, runKernel, setBackend, tensor } from '@descent/tensor';
import { float32Bits } from '@descent/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { seeded } from './test-utils/compare.js';
import { poolUnderTest } from './test-utils/pool.js';

/** Fixed-seed values in [-1, 1), of which about `density` are nonzero (the rest exactly 0). */
function sparseValues(n: number, density: number, seed: number): Float32Array {
  const keep = seeded(n, 2 * seed, 0, 1);
  return seeded(n, 2 * seed + 1, -1, 1).map((v, i) => (keep[i]! < density ? v : 0));
}

function sparse(shape: number[], density: number, seed: number): Tensor {
  return tensor(sparseValues(shape.reduce((p, q) => p * q, 1), density, seed), shape);
}

/** Bit patterns with −0 read as +0: skipped terms are ±0, which may flip the sign of a zero sum and nothing else. */
function bitsUpToZeroSign(t: Tensor): Uint32Array {
  return float32Bits(t).map((b) => (b === 0x80000000 ? 0 : b));
}

describe('matmul skipping the zeros of a mostly-zero left matrix', () => {
  const backend = poolUnderTest();
  const saved = { enabled: backend.matmulSparse, perMille: backend.matmulSparseMaxPerMille };
  afterAll(() => {
    backend.matmulSparse = saved.enabled;
    backend.matmulSparseMaxPerMille = saved.perMille;
  });

  /** `f` with the sparse path off, then on at 1, 2 and 3 threads: every result must match the packed kernel's bits. */
  async function samePathsAndThreads(f: () => Tensor, expectSparse = true): Promise<Uint32Array> {
    backend.setNumThreads(1);
    backend.matmulSparse = false;
    const dense = bitsUpToZeroSign(f());
    backend.matmulSparse = true;
    backend.threadMinRangeWork = 0;
    for (const threads of [1, 2, 3]) {
      backend.setNumThreads(threads);
      // Workers start asynchronously; until one is up the calling thread does everything (also correct).
      if (threads > 1) await new Promise((resolve) => setTimeout(resolve, 300));
      const before = backend.matmulSparseProducts;
      expect(bitsUpToZeroSign(f())).toEqual(dense);
      expect(backend.matmulSparseProducts > before).toBe(expectSparse);
    }
    return dense;
  }

  // [a shape, b shape, transposeA, transposeB, density of a]: rows of C in and out of 4-row groups, column
  // counts with 32-wide blocks, 4-wide steps and single columns, depths over one packed block (784).
  const products: [number[], number[], boolean, boolean, number][] = [
    [[64, 784], [784, 128], false, false, 0.2],
    [[37, 300], [300, 45], false, false, 0.05],
    [[64, 784], [64, 128], true, false, 0.2],
    [[130, 83], [130, 33], true, false, 0.3],
    [[40, 500], [61, 500], false, true, 0.2],
  ];
  for (const [sa, sb, ta, tb, density] of products) {
    const label = `[${sa.join(',')}]${ta ? 'ᵀ' : ''}·[${sb.join(',')}]${tb ? 'ᵀ' : ''}, ${density * 100}% nonzero`;
    it(`MatMul ${label}: the packed kernel's floats at 1, 2 and 3 threads, within rounding of float64`, async () => {
      setBackend('wasm');
      const a = sparse(sa, density, 1);
      const b = sparse(sb, 1, 2);
      // B transposed has rows that are not contiguous: the packed kernel does those products.
      const got = await samePathsAndThreads(() => matMul(a, b, ta, tb), !tb);
      // Float64 reference; a float32 running sum of k products is within (k + 1)·2⁻²⁴·Σ|a·b| of it.
      const av = a.dataSync();
      const bv = b.dataSync();
      const [m, k] = ta ? [sa[1]!, sa[0]!] : [sa[0]!, sa[1]!];
      const n = tb ? sb[0]! : sb[1]!;
      const values = new Float32Array(got.buffer);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          let abs = 0;
          for (let p = 0; p < k; p++) {
            const prod = av[ta ? p * m + i : i * k + p]! * bv[tb ? j * k + p : p * n + j]!;
            sum += prod;
            abs += Math.abs(prod);
          }
          expect(Math.abs(values[i * n + j]! - sum)).toBeLessThanOrEqual((k + 1) * 2 ** -24 * abs);
        }
      }
    });
    if (tb) continue;
    it(`FusedMatMul ${label} with bias + relu: the packed kernel's floats at 1, 2 and 3 threads`, async () => {
      setBackend('wasm');
      const a = sparse(sa, density, 3);
      const b = sparse(sb, 1, 4);
      const bias = sparse([sb[1]!], 1, 5);
      await samePathsAndThreads(() => fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' }));
    });
  }

  it('a filter gradient summed over im2col chunks (the accumulating call) matches the packed kernel', async () => {
    setBackend('wasm');
    // Stride 2 takes the explicit im2col path; 4,232 output pixels × 100 taps overflow one column buffer, so the
    // product is summed over chunks of rows, each adding into the filter gradient.
    const x = sparse([2, 95, 95, 4], 0.2, 6);
    const attrs = { strides: [2, 2] as const, pad: [0, 0, 0, 0] as const, dilations: [1, 1] as const };
    const dy = sparse([2, 46, 46, 16], 1, 7);
    await samePathsAndThreads(() => runKernel('Conv2DBackpropFilter', [x, dy], { ...attrs, filterShape: [5, 5, 4, 16] }));
  });

  it('declines a denser matrix than the threshold, and takes it once the threshold allows it', async () => {
    setBackend('wasm');
    const a = sparse([64, 784], 0.7, 8);
    const b = sparse([784, 128], 1, 9);
    await samePathsAndThreads(() => matMul(a, b), false);
    backend.matmulSparseMaxPerMille = 900;
    try {
      await samePathsAndThreads(() => matMul(a, b), true);
    } finally {
      backend.matmulSparseMaxPerMille = saved.perMille;
    }
  });

  it('leaves a product whose B holds ∞ or NaN to the packed kernel, so 0·∞ still makes NaN', async () => {
    setBackend('wasm');
    const a = sparse([64, 784], 0.1, 10);
    for (const bad of [Infinity, -Infinity, NaN]) {
      const values = sparseValues(784 * 128, 1, 11);
      values[5 * 128 + 7] = bad;
      const b = tensor(values, [784, 128]);
      const got = new Float32Array((await samePathsAndThreads(() => matMul(a, b), false)).buffer);
      // Every row multiplies row 5 of b, by zero or not: column 7 is never finite.
      for (let i = 0; i < 64; i++) expect(Number.isFinite(got[i * 128 + 7]!)).toBe(false);
    }
  });

  it('multiplies NaN and ∞ in A (they are not zeros)', async () => {
    setBackend('wasm');
    const values = sparseValues(64 * 784, 0.1, 12);
    values[3 * 784 + 10] = NaN;
    values[9 * 784 + 11] = Infinity;
    const a = tensor(values, [64, 784]);
    const b = sparse([784, 128], 1, 13);
    const got = new Float32Array((await samePathsAndThreads(() => matMul(a, b))).buffer);
    for (let j = 0; j < 128; j++) {
      expect(Number.isNaN(got[3 * 128 + j]!)).toBe(true);
      expect(Number.isFinite(got[9 * 128 + j]!)).toBe(false);
    }
  });

  it('rejects a threshold outside 0–1000 by name', () => {
    expect(() => (backend.matmulSparseMaxPerMille = 1001)).toThrow('matmulSparseMaxPerMille: expected an integer from 0 to 1000, got 1001');
    expect(() => (backend.matmulSparseMaxPerMille = 0.5)).toThrow('got 0.5');
  });
});
