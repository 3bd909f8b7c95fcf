import type { ConvAttrs, KernelTable, TensorInfo } from '@descent/tensor';
import { broadcastShapes, stridesOf } from '@descent/tensor';
import type { Context } from '../context.js';
import { PATCHES } from '../exports.js';
import type { Fallback } from '../fallback.js';
import { product } from './shape.js';

/** Floats of im2col patches made per chunk (16 MiB): bounds scratch memory for large convolutions. */
const CHUNK_FLOATS = 1 << 22;
/**
 * Floats of the input gradient's col buffer per chunk (1 MiB): small enough that col2im reads each
 * chunk back from cache right after the matmul wrote it. On the bench CNN's second layer (7,744 × 288)
 * this ran 8.4 → 7.6 ms on one thread against one 8.9 MB chunk; chunks of 240 rows were slower again.
 */
const COL2IM_CHUNK_FLOATS = 1 << 18;

/** C (m×n) = op(A)·op(B) (+ C when `accumulate`) on the thread pool; strides as in asm/matmul.ts. */
export function gemm(
  ctx: Context, a: number, b: number, c: number, m: number, n: number, k: number,
  sam: number, sak: number, sbk: number, sbn: number, accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  ctx.pool.matmul(a, b, c, m, n, k, sam, sak, sbk, sbn, accumulate ? 1 : 0, ctx.workPtr);
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

interface Geometry {
  n: number; h: number; w: number; c: number; kh: number; kw: number; o: number;
  oh: number; ow: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number;
  /** Patch length kh·kw·c. */
  k: number;
  /** Output positions n·oh·ow. */
  p: number;
  /** A 1×1, stride-1, unpadded conv is a plain matmul over the pixels. */
  pointwise: boolean;
}

function geometry(xShape: readonly number[], fShape: readonly number[], attrs: ConvAttrs): Geometry | null {
  if (xShape.length !== 4 || fShape.length !== 4) return null;
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [kh, kw, fc, o] = fShape as [number, number, number, number];
  if (fc !== c) return null;
  const [sh, sw] = attrs.strides;
  const [dh, dw] = attrs.dilations;
  const [pt, pb, pl, pr] = attrs.pad;
  const oh = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  if (oh < 0 || ow < 0) return null;
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && pt === 0 && pb === 0 && pl === 0 && pr === 0;
  return { n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, k: kh * kw * c, p: n * oh * ow, pointwise };
}

/**
 * Patches of at most this many floats (kh·kw·c) take the direct kernels (asm/conv.ts convDirect*)
 * when their geometry allows: a first layer's 3×3×1 patches spend as long in im2col and packing as in
 * the product. Deeper patches stay on im2col + the packed, threaded matmul.
 */
const DIRECT_MAX_PATCH = 32;

/** Stride 1, no padding, no dilation, output channels in eights, a shallow patch: the direct kernels' case. */
function direct(g: Geometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.pt === 0 && g.pl === 0 &&
    g.oh === g.h - g.kh + 1 && g.ow === g.w - g.kw + 1 && g.o % 8 === 0 && g.k <= DIRECT_MAX_PATCH;
}

/** Stride 1, no padding, no dilation: the matmul reads the patch matrix from the image while packing. */
function implicitPatches(g: Geometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.pt === 0 && g.pl === 0 &&
    g.oh === g.h - g.kh + 1 && g.ow === g.w - g.kw + 1;
}

/** Runs `body` with the descriptor asm/matmul.ts reads an implicit patch matrix from (x, h, w, c, kh, kw, oh, ow). */
function withPatches(ctx: Context, x: number, g: Geometry, body: (desc: number) => void): void {
  const desc = ctx.scratch(32);
  try {
    ctx.heap.i32.set([x, g.h, g.w, g.c, g.kh, g.kw, g.oh, g.ow], desc.ptr >> 2);
    body(desc.ptr);
  } finally {
    ctx.free(desc);
  }
}

function chunkRows(g: Geometry, floats = CHUNK_FLOATS): number {
  return Math.max(1, Math.min(g.p, Math.floor(floats / Math.max(1, g.k))));
}

/** Whether `dy` has the shape of the convolution's output `[n, oh, ow, o]`. */
function isOutputOf(dy: TensorInfo, g: Geometry): boolean {
  return dy.shape.length === 4 && dy.shape[0] === g.n && dy.shape[1] === g.oh && dy.shape[2] === g.ow && dy.shape[3] === g.o;
}

/** Runs `body` over the output pixels in chunks of chunkRows(g), with one im2col-sized scratch buffer (`col`) for all of them. */
function eachChunk(ctx: Context, g: Geometry, body: (p0: number, rows: number, col: number) => void, floats = CHUNK_FLOATS): void {
  const rows = chunkRows(g, floats);
  const col = ctx.scratch(rows * g.k * 4);
  try {
    for (let p0 = 0; p0 < g.p; p0 += rows) body(p0, Math.min(rows, g.p - p0), col.ptr);
  } finally {
    ctx.free(col);
  }
}

function im2col(ctx: Context, x: number, col: number, g: Geometry, p0: number, rows: number): void {
  ctx.k.im2col(x, col, p0, rows, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow);
}

function conv2d(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('Conv2D');
  return (inputs: readonly [TensorInfo, TensorInfo], attrs: ConvAttrs): TensorInfo => {
    const [x, f] = inputs;
    const g = x.dtype === 'float32' && f.dtype === 'float32' ? geometry(x.shape, f.shape, attrs) : null;
    if (g === null) return cpu(inputs, attrs);
    const { info, ptr } = ctx.output([g.n, g.oh, g.ow, g.o], 'float32');
    if (g.p === 0 || g.o === 0) return info;
    const px = ctx.ptr(x);
    const pf = ctx.ptr(f);
    if (g.pointwise) {
      gemm(ctx, px, pf, ptr, g.p, g.o, g.k, g.k, 1, g.o, 1, false);
      return info;
    }
    if (direct(g)) {
      // Threads take whole output rows.
      const args = [px, pf, ptr, g.n, g.h, g.w, g.c, g.kh, g.kw, g.o, g.oh, g.ow];
      ctx.pool.range('convDirectRange', g.n * g.oh, 1, g.p * g.k * g.o, args, ctx.workPtr);
      return info;
    }
    if (implicitPatches(g)) {
      withPatches(ctx, px, g, (desc) => gemm(ctx, desc, pf, ptr, g.p, g.o, g.k, PATCHES.rows, 0, g.o, 1, false));
      return info;
    }
    eachChunk(ctx, g, (p0, r, col) => {
      im2col(ctx, px, col, g, p0, r);
      gemm(ctx, col, pf, ptr + p0 * g.o * 4, r, g.o, g.k, g.k, 1, g.o, 1, false);
    });
    return info;
  };
}

function backpropFilter(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('Conv2DBackpropFilter');
  return (inputs: readonly [TensorInfo, TensorInfo], attrs: ConvAttrs & { filterShape: readonly number[] }): TensorInfo => {
    const [x, dy] = inputs;
    const g = x.dtype === 'float32' && dy.dtype === 'float32' ? geometry(x.shape, attrs.filterShape, attrs) : null;
    if (g === null || !isOutputOf(dy, g)) {
      return cpu(inputs, attrs);
    }
    const { info, ptr } = ctx.output([...attrs.filterShape], 'float32');
    const pdy = ctx.ptr(dy);
    const px = ctx.ptr(x);
    if (g.p === 0) {
      ctx.heap.f32.fill(0, ptr >> 2, (ptr >> 2) + g.k * g.o);
      return info;
    }
    // dW[k, o] = Σ_p col[p, k] · dy[p, o]: A = colᵀ (strides 1, k), accumulated over chunks.
    if (g.pointwise) {
      gemm(ctx, px, pdy, ptr, g.k, g.o, g.p, 1, g.k, g.o, 1, false);
      return info;
    }
    if (direct(g)) {
      // Threads take blocks of eight output channels (each sums its columns of dW over every pixel).
      const args = [px, pdy, ptr, g.n, g.h, g.w, g.c, g.kh, g.kw, g.o, g.oh, g.ow];
      ctx.pool.range('convDirectFilterGradRange', g.o / 8, 1, g.p * g.k * g.o, args, ctx.workPtr);
      return info;
    }
    if (implicitPatches(g)) {
      withPatches(ctx, px, g, (desc) => gemm(ctx, desc, pdy, ptr, g.k, g.o, g.p, PATCHES.transposed, 0, g.o, 1, false));
      return info;
    }
    eachChunk(ctx, g, (p0, r, col) => {
      im2col(ctx, px, col, g, p0, r);
      gemm(ctx, col, pdy + p0 * g.o * 4, ptr, g.k, g.o, r, 1, g.k, g.o, 1, p0 > 0);
    });
    return info;
  };
}

function backpropInput(ctx: Context, fb: Fallback) {
  const cpu = fb.kernel('Conv2DBackpropInput');
  return (inputs: readonly [TensorInfo, TensorInfo], attrs: ConvAttrs & { inputShape: readonly number[] }): TensorInfo => {
    const [dy, f] = inputs;
    const g = dy.dtype === 'float32' && f.dtype === 'float32' ? geometry(attrs.inputShape, f.shape, attrs) : null;
    if (g === null || !isOutputOf(dy, g)) {
      return cpu(inputs, attrs);
    }
    const { info, ptr } = ctx.output([...attrs.inputShape], 'float32');
    const pdy = ctx.ptr(dy);
    const pf = ctx.ptr(f);
    // dcol[p, k] = Σ_o dy[p, o] · W[k, o]: B = Wᵀ (strides 1, o).
    if (g.pointwise) {
      gemm(ctx, pdy, pf, ptr, g.p, g.k, g.o, g.o, 1, 1, g.o, false);
      return info;
    }
    if (g.p === 0 || g.o === 0) {
      ctx.heap.f32.fill(0, ptr >> 2, (ptr >> 2) + product(attrs.inputShape));
      return info;
    }
    if (g.k <= COL_FLOATS) {
      imageInputGrad(ctx, g, pdy, pf, ptr);
      return info;
    }
    ctx.heap.f32.fill(0, ptr >> 2, (ptr >> 2) + product(attrs.inputShape));
    eachChunk(ctx, g, (p0, r, col) => {
      gemm(ctx, pdy + p0 * g.o * 4, pf, col, r, g.k, g.o, g.o, 1, 1, g.o, false);
      ctx.k.col2im(col, ptr, p0, r, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow);
    }, COL2IM_CHUNK_FLOATS);
    return info;
  };
}

/** Floats of the column scratch in each thread's `work` (asm/conv.ts COL_FLOATS): a patch row must fit. */
const COL_FLOATS = 1 << 16;

/**
 * dx of a convolution image by image (asm/conv.ts convInputGradRange): each thread takes whole images,
 * multiplies a slice of dy by Wᵀ into its own column scratch and scatters it into dx (col2im) while it
 * is in cache. Images never share a pixel of dx, so the split changes no result. Wᵀ is packed once.
 */
function imageInputGrad(ctx: Context, g: Geometry, pdy: number, pf: number, dx: number): void {
  const packed = ctx.scratch(ctx.k.matmulPackedBBytes(g.k, g.o));
  try {
    ctx.k.packMatrixB(pf, 1, g.o, g.k, g.o, packed.ptr);
    const geo = ctx.meta([[g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow, g.o]], 0);
    ctx.pool.range('convInputGradRange', g.n, 1, g.p * g.k * g.o, [pdy, packed.ptr, dx, geo], ctx.workPtr);
  } finally {
    ctx.free(packed);
  }
}

export function linalgKernels(ctx: Context, fb: Fallback) {
  return {
    MatMul: matMul(ctx, fb),
    Conv2D: conv2d(ctx, fb),
    Conv2DBackpropFilter: backpropFilter(ctx, fb),
    Conv2DBackpropInput: backpropInput(ctx, fb),
  } satisfies Partial<KernelTable>;
}
