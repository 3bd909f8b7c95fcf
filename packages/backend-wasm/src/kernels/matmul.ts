import type { KernelTable, TensorInfo } from '@descent/tensor';
import { broadcastShapes, stridesOf } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';
import { product } from './shape.js';

// The matmul kernel family in wasm (asm/matmul.ts, asm/pack.ts, asm/matmul-sparse.ts): MatMul on the thread
// pool, and `gemm`, which FusedMatMul and the convolution and recurrent glue call for their products.

/**
 * The path for a mostly-zero A (asm/matmul-sparse.ts), shared by every instance in the process: on by
 * default; taken when at most `maxPerMille` ‰ of A is nonzero (and B is finite), for products of at
 * least SPARSE_MIN_WORK multiply-adds and 16 columns. Same floats as the packed kernel. `products`
 * counts the products that took it (a diagnostic).
 */
export const sparseSettings = { enabled: true, maxPerMille: 500, products: 0 };

/** Multiply-adds below which the sparse path is not tried (its density scan would cost more than it saves). */
const SPARSE_MIN_WORK = 1 << 16;

/**
 * C (m×n) = op(A)·op(B) on the thread pool; strides as in asm/matmul.ts. `accumulate` adds into C;
 * `epi`, when given, is a bias + activation epilogue descriptor (asm/epilogue.ts) applied to C instead.
 */
export function gemm(
  ctx: Context, a: number, b: number, c: number, m: number, n: number, k: number,
  sam: number, sak: number, sbk: number, sbn: number, accumulate: boolean, epi = 0,
): void {
  if (m === 0 || n === 0) return;
  const mode = epi !== 0 ? epi : accumulate ? 1 : 0;
  if (
    sparseSettings.enabled && n >= 16 && sbn === 1 && sam > 0 && sak > 0 && (sak === 1 || sam === 1) &&
    m * n * k >= SPARSE_MIN_WORK && ctx.k.matmulSparseEligible(a, b, m, n, k, sam, sak, sbk, sparseSettings.maxPerMille) === 1
  ) {
    sparseSettings.products++;
    // Rows of C are independent: threads split them (a row costs about its share of the multiply-adds),
    // in the whole groups of 4 rows that a transposed A is gathered in.
    const grain = sak === 1 ? 1 : 4;
    ctx.pool.range('matmulSparseRange', m, grain, (m * n * k * sparseSettings.maxPerMille) / 1000, [a, b, c, n, k, sam, sak, sbk, mode], ctx.workPtr);
    return;
  }
  ctx.pool.matmul(a, b, c, m, n, k, sam, sak, sbk, sbn, mode, ctx.workPtr);
}

function matMul(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('MatMul');
  return (inputs: readonly [TensorInfo, TensorInfo], attrs: { transposeA: boolean; transposeB: boolean }): TensorInfo => {
    const [a, b] = inputs;
    const { transposeA, transposeB } = attrs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return cpu(inputs, attrs);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (k !== kb) return cpu(inputs, attrs);
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    let batch: number[];
    try {
      batch = broadcastShapes('MatMul', batchA, batchB);
    } catch {
      return cpu(inputs, attrs);
    }
    const { info, ptr } = ctx.output([...batch, m, n], 'float32');
    // Element strides of the two matrices, transposes folded in.
    const sam = transposeA ? 1 : k;
    const sak = transposeA ? m : 1;
    const sbk = transposeB ? 1 : n;
    const sbn = transposeB ? k : 1;
    const pa = ctx.ptr(a);
    const pb = ctx.ptr(b);
    const count = product(batch);
    if (count === 1) {
      gemm(ctx, pa, pb, ptr, m, n, k, sam, sak, sbk, sbn, false);
      return info;
    }
    // Broadcast batch: walk the output batch index and map it to each input's batch offset.
    const rank = batch.length;
    const stA = stridesOf(batchA);
    const stB = stridesOf(batchB);
    const idx = new Array<number>(rank).fill(0);
    for (let t = 0; t < count; t++) {
      let offA = 0;
      let offB = 0;
      for (let d = 0; d < rank; d++) {
        const da = d - (rank - batchA.length);
        const db = d - (rank - batchB.length);
        if (da >= 0 && batchA[da] !== 1) offA += idx[d]! * stA[da]!;
        if (db >= 0 && batchB[db] !== 1) offB += idx[d]! * stB[db]!;
      }
      gemm(ctx, pa + offA * m * k * 4, pb + offB * k * n * 4, ptr + t * m * n * 4, m, n, k, sam, sak, sbk, sbn, false);
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d]! < batch[d]!) break;
        idx[d] = 0;
      }
    }
    return info;
  };
}

export function matMulKernels(ctx: Context, fb: Fallback) {
  return { MatMul: matMul(ctx, fb) } satisfies Partial<KernelTable>;
}
