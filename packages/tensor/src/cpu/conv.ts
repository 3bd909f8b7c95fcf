import type { TensorInfo } from '../backend.js';
import type { ConvAttrs, KernelAttrs } from '../kernels.js';
import { formatShape } from '../shape.js';
import type { ConvGeometry } from '../window-geometry.js';
import { convGeometry } from '../window-geometry.js';
import { gemm } from './matmul.js';
import { floatsOf, output } from './storage.js';

/**
 * Convolution as matrix products: each output position's receptive field is copied into a row of
 * a "columns" matrix (im2col), so the flattened filter `[kh·kw·C, O]` multiplies it with the
 * blocked gemm. Positions are processed in chunks so the columns buffer stays cache-sized
 * instead of growing with the batch.
 */

/** Floats of one columns chunk (1 MiB). */
const CHUNK_FLOATS = 1 << 18;
let cols = new Float32Array(CHUNK_FLOATS);

function geometry(kernel: string, xShape: readonly number[], fShape: readonly number[], attrs: ConvAttrs): ConvGeometry {
  const g = convGeometry(xShape, fShape, attrs);
  if (typeof g === 'string') throw new Error(`${kernel}: ${g}`);
  return g;
}

/** Positions per chunk so that `rows × g.k` fits the columns buffer (at least one row). */
function chunkRows(g: ConvGeometry): number {
  const rows = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(1, g.k)));
  if (cols.length < rows * g.k) cols = new Float32Array(rows * g.k);
  return rows;
}

/** Fill `cols` rows with the receptive fields of output positions `[p0, p0+rows)` (flattened n·oh·ow). */
function im2col(x: Float32Array, g: ConvGeometry, p0: number, rows: number): void {
  const { h, w, c, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, k } = g;
  const plane = oh * ow;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const b = Math.floor(p / plane);
    const rem = p - b * plane;
    const oy = Math.floor(rem / ow);
    const ox = rem - oy * ow;
    let d = r * k;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - pt + ky * dh;
      const rowInside = iy >= 0 && iy < h;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - pl + kx * dw;
        if (rowInside && ix >= 0 && ix < w) {
          let s = ((b * h + iy) * w + ix) * c;
          for (let ch = 0; ch < c; ch++) cols[d++] = x[s++]!;
        } else {
          cols.fill(0, d, d + c);
          d += c;
        }
      }
    }
  }
}

/** Add `cols` rows (gradients of receptive fields) back onto the input positions they came from. */
function col2imAdd(dx: Float32Array, g: ConvGeometry, p0: number, rows: number): void {
  const { h, w, c, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, k } = g;
  const plane = oh * ow;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const b = Math.floor(p / plane);
    const rem = p - b * plane;
    const oy = Math.floor(rem / ow);
    const ox = rem - oy * ow;
    let d = r * k;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - pt + ky * dh;
      const rowInside = iy >= 0 && iy < h;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - pl + kx * dw;
        if (rowInside && ix >= 0 && ix < w) {
          let s = ((b * h + iy) * w + ix) * c;
          for (let ch = 0; ch < c; ch++, s++) dx[s] = dx[s]! + cols[d++]!;
        } else {
          d += c;
        }
      }
    }
  }
}

/** A 1×1, stride-1, unpadded convolution reads the input directly as the columns matrix. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.oh === g.h && g.ow === g.w;
}

function checkFloat(kernel: string, ...infos: TensorInfo[]): void {
  for (const t of infos) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: expected float32 inputs, got ${t.dtype}`);
  }
}

function conv2d(inputs: [x: TensorInfo, filter: TensorInfo], attrs: KernelAttrs<'Conv2D'>): TensorInfo {
  const [x, filter] = inputs;
  checkFloat('Conv2D', x, filter);
  const g = geometry('Conv2D', x.shape, filter.shape, attrs);
  const positions = g.n * g.oh * g.ow;
  const out = new Float32Array(positions * g.o);
  const xs = floatsOf(x);
  const f = { data: floatsOf(filter), off: 0, rs: g.o, cs: 1 };
  if (isPointwise(g)) {
    gemm(positions, g.o, g.k, { data: xs, off: 0, rs: g.k, cs: 1 }, f, out, 0, false);
  } else {
    const chunk = chunkRows(g);
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const rows = Math.min(chunk, positions - p0);
      im2col(xs, g, p0, rows);
      gemm(rows, g.o, g.k, { data: cols, off: 0, rs: g.k, cs: 1 }, f, out, p0 * g.o, false);
    }
  }
  return output(out, [g.n, g.oh, g.ow, g.o], 'float32');
}

function checkDy(kernel: string, dy: TensorInfo, g: ConvGeometry): void {
  const expected = [g.n, g.oh, g.ow, g.o];
  const s = dy.shape;
  if (s.length !== 4 || s[0] !== g.n || s[1] !== g.oh || s[2] !== g.ow || s[3] !== g.o) {
    throw new Error(`${kernel}: dy must have the convolution's output shape ${formatShape(expected)}, got ${formatShape(s)}`);
  }
}

function conv2dBackpropInput(
  inputs: [dy: TensorInfo, filter: TensorInfo],
  attrs: KernelAttrs<'Conv2DBackpropInput'>,
): TensorInfo {
  const [dy, filter] = inputs;
  checkFloat('Conv2DBackpropInput', dy, filter);
  const g = geometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  checkDy('Conv2DBackpropInput', dy, g);
  const positions = g.n * g.oh * g.ow;
  const dx = new Float32Array(g.n * g.h * g.w * g.c);
  const dys = floatsOf(dy);
  // Fᵀ as a [O, K] view of the [K, O] filter.
  const ft = { data: floatsOf(filter), off: 0, rs: 1, cs: g.o };
  if (isPointwise(g)) {
    gemm(positions, g.k, g.o, { data: dys, off: 0, rs: g.o, cs: 1 }, ft, dx, 0, false);
  } else {
    const chunk = chunkRows(g);
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const rows = Math.min(chunk, positions - p0);
      gemm(rows, g.k, g.o, { data: dys, off: p0 * g.o, rs: g.o, cs: 1 }, ft, cols, 0, false);
      col2imAdd(dx, g, p0, rows);
    }
  }
  return output(dx, attrs.inputShape, 'float32');
}

function conv2dBackpropFilter(
  inputs: [x: TensorInfo, dy: TensorInfo],
  attrs: KernelAttrs<'Conv2DBackpropFilter'>,
): TensorInfo {
  const [x, dy] = inputs;
  checkFloat('Conv2DBackpropFilter', x, dy);
  const g = geometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  checkDy('Conv2DBackpropFilter', dy, g);
  const positions = g.n * g.oh * g.ow;
  const df = new Float32Array(g.k * g.o);
  const xs = floatsOf(x);
  const dys = floatsOf(dy);
  if (isPointwise(g)) {
    // xᵀ·dy with x read as a [K, positions] view.
    gemm(g.k, g.o, positions, { data: xs, off: 0, rs: 1, cs: g.k }, { data: dys, off: 0, rs: g.o, cs: 1 }, df, 0, false);
  } else {
    const chunk = chunkRows(g);
    for (let p0 = 0; p0 < positions; p0 += chunk) {
      const rows = Math.min(chunk, positions - p0);
      im2col(xs, g, p0, rows);
      gemm(g.k, g.o, rows, { data: cols, off: 0, rs: 1, cs: g.k }, { data: dys, off: p0 * g.o, rs: g.o, cs: 1 }, df, 0, p0 > 0);
    }
  }
  return output(df, attrs.filterShape, 'float32');
}

export const convKernels = {
  Conv2D: conv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
};
