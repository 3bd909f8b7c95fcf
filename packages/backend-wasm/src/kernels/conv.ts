import type { ConvAttrs, ConvGeometry, KernelTable, TensorInfo } from '@descent/tensor';
import { convGeometry } from '@descent/tensor';
import { COL_FLOATS } from '../abi.js';
import type { Context } from '../context.js';
import { PATCHES } from '../exports.js';
import type { Fallback } from '../fallback.js';
import { gemm } from './matmul.js';
import { product } from './shape.js';
import { winogradConv2d, winogradConv2dFilterGrad, winogradConv2dInputGrad } from './winograd.js';

/** Floats of im2col patches made per chunk (16 MiB): bounds scratch memory for large convolutions. */
const CHUNK_FLOATS = 1 << 22;
/**
 * Floats of the input gradient's col buffer per chunk (1 MiB): small enough that col2im reads each
 * chunk back from cache right after the matmul wrote it. On the bench CNN's second layer (7,744 × 288)
 * this ran 8.4 → 7.6 ms on one thread against one 8.9 MB chunk; chunks of 240 rows were slower again.
 */
const COL2IM_CHUNK_FLOATS = 1 << 18;

/** @descent/tensor's convolution geometry, plus what the dispatch below asks of it. */
export interface Geometry extends ConvGeometry {
  /** Output positions n·oh·ow. */
  p: number;
  /** A 1×1, stride-1, unpadded conv is a plain matmul over the pixels. */
  pointwise: boolean;
}

/** The geometry, or null where the shapes make no convolution (the CPU kernel then reports why). */
export function geometry(xShape: readonly number[], fShape: readonly number[], attrs: ConvAttrs): Geometry | null {
  const g = convGeometry(xShape, fShape, attrs);
  if (typeof g === 'string') return null;
  const pointwise = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pb === 0 && g.pl === 0 && g.pr === 0;
  return { ...g, p: g.n * g.oh * g.ow, pointwise };
}

/**
 * Patches of at most this many floats (kh·kw·c) take the direct kernels (asm/conv.ts convDirect*)
 * when their geometry allows: a first layer's 3×3×1 patches spend as long in im2col and packing as in
 * the product. Deeper patches stay on im2col + the packed, threaded matmul.
 */
const DIRECT_MAX_PATCH = 32;

/** Stride 1, no padding, no dilation, output channels in eights, a shallow patch: the direct kernels' case. */
export function direct(g: Geometry): boolean {
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
    if (winogradConv2d(ctx, g, px, pf, ptr)) return info;
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
    if (winogradConv2dFilterGrad(ctx, g, px, pdy, ptr)) return info;
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
    if (winogradConv2dInputGrad(ctx, g, pdy, pf, ptr)) return info;
    // A patch row must fit the column scratch of each thread's `work` (src/abi.ts COL_FLOATS).
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

export function convKernels(ctx: Context, fb: Fallback) {
  return {
    Conv2D: conv2d(ctx, fb),
    Conv2DBackpropFilter: backpropFilter(ctx, fb),
    Conv2DBackpropInput: backpropInput(ctx, fb),
  } satisfies Partial<KernelTable>;
}
