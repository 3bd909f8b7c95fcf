import type { TensorInfo } from '../backend.js';
import type { KernelAttrs } from '../kernels.js';
import { formatShape, sizeFromShape } from '../shape.js';
import { allocOutput, output, valuesOf } from './storage.js';

/**
 * Register tile: MR rows of A times NR columns of B live in 16 local accumulators. x64 has 16
 * float registers, so a bigger tile spills; on this machine 4×4, 4×3 and 3×3 ran within noise of
 * each other (~3.5 GFLOP/s) and 2×4 slower, and 4×4 divides common sizes best.
 */
const MR = 4;
const NR = 4;
/** k-block: a packed A panel (MC·KC floats) stays in L2 and one B micro-panel (KC·NR) in L1. */
const KC = 256;
/** Rows of A packed at once. */
const MC = 128;
/** Columns of B packed at once (KC·NC floats = 512 KiB, about half of L2). */
const NC = 512;

// Packing scratch, grown on demand and reused: kernels run one at a time on this thread.
let packA = new Float32Array(MC * KC);
let packB = new Float32Array(KC * NC);

/**
 * A strided view of a matrix inside a flat array: element (i, j) is at `off + i·rs + j·cs`.
 * Transposes are a swap of `rs` and `cs`, so they cost nothing until packing reads them.
 */
interface MatrixView<A extends Float32Array | Int32Array = Float32Array> {
  readonly data: A;
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
}

/**
 * `C (+)= A·B` for float32, with `A: m×k`, `B: k×n` given as strided views and `C` a dense
 * row-major `m×n` block at `cOff` in `c`. With `accumulate` the product is added to what `C`
 * holds (gradient accumulation); otherwise `C` is overwritten.
 *
 * Goto-style blocking: B is packed into NR-wide column panels and A into MR-tall row panels,
 * both k-major and zero-padded to whole tiles, so the micro-kernel streams two contiguous arrays.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOff, cOff + m * n);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPadded = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (packB.length < kc * ncPadded) packB = new Float32Array(kc * ncPadded);
      packPanelsB(b, pc, kc, jc, nc, packB);
      // The first k-block writes C (unless accumulating); later ones add to it.
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mcPadded = Math.ceil(mc / MR) * MR;
        if (packA.length < kc * mcPadded) packA = new Float32Array(kc * mcPadded);
        packPanelsA(a, ic, mc, pc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bOff = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, packA, ir * kc, packB, bOff, c, cOff + (ic + ir) * n + jc + jr, n, mr, nr, add);
          }
        }
      }
    }
  }
}

/** Rows `[i0, i0+mc)` × cols `[p0, p0+kc)` of A into MR-row panels, k-major, zero-padded. */
function packPanelsA(a: MatrixView, i0: number, mc: number, p0: number, kc: number, dst: Float32Array): void {
  const { data, rs, cs } = a;
  const base = a.off + i0 * rs + p0 * cs;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    let d = ir * kc;
    const rowBase = base + ir * rs;
    if (rows === MR) {
      let s = rowBase;
      for (let p = 0; p < kc; p++) {
        dst[d] = data[s]!;
        dst[d + 1] = data[s + rs]!;
        dst[d + 2] = data[s + 2 * rs]!;
        dst[d + 3] = data[s + 3 * rs]!;
        d += MR;
        s += cs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = rowBase + p * cs;
        for (let r = 0; r < MR; r++) dst[d + r] = r < rows ? data[s + r * rs]! : 0;
        d += MR;
      }
    }
  }
}

/** Rows `[p0, p0+kc)` × cols `[j0, j0+nc)` of B into NR-column panels, k-major, zero-padded. */
function packPanelsB(b: MatrixView, p0: number, kc: number, j0: number, nc: number, dst: Float32Array): void {
  const { data, rs, cs } = b;
  const base = b.off + p0 * rs + j0 * cs;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    let d = jr * kc;
    const colBase = base + jr * cs;
    if (cols === NR) {
      let s = colBase;
      for (let p = 0; p < kc; p++) {
        dst[d] = data[s]!;
        dst[d + 1] = data[s + cs]!;
        dst[d + 2] = data[s + 2 * cs]!;
        dst[d + 3] = data[s + 3 * cs]!;
        d += NR;
        s += rs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = colBase + p * rs;
        for (let j = 0; j < NR; j++) dst[d + j] = j < cols ? data[s + j * cs]! : 0;
        d += NR;
      }
    }
  }
}

/**
 * One MR×NR tile of C from a packed A panel and a packed B panel. Accumulates in float64 locals,
 * which V8 keeps in registers; only the final store rounds to float32.
 */
function microKernel(
  kc: number,
  pa: Float32Array,
  aOff: number,
  pb: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  mr: number,
  nr: number,
  add: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ib = bOff;
  // One A value live at a time keeps 16 accumulators + 4 B values within the register file.
  for (let ia = aOff, end = aOff + kc * MR; ia < end; ia += MR) {
    const b0 = pb[ib]!, b1 = pb[ib + 1]!, b2 = pb[ib + 2]!, b3 = pb[ib + 3]!;
    let av = pa[ia]!;
    c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
    av = pa[ia + 1]!;
    c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
    av = pa[ia + 2]!;
    c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
    av = pa[ia + 3]!;
    c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
    ib += NR;
  }
  if (mr === MR && nr === NR) {
    let o = cOff;
    if (add) {
      c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03; o += ldc;
      c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13; o += ldc;
      c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23; o += ldc;
      c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
    } else {
      c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += ldc;
      c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += ldc;
      c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += ldc;
      c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }
    return;
  }
  // Edge tile: only the first mr rows and nr columns exist in C.
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  for (let i = 0; i < mr; i++) {
    const o = cOff + i * ldc;
    for (let j = 0; j < nr; j++) {
      if (add) c[o + j] = c[o + j]! + tile[i * NR + j]!;
      else c[o + j] = tile[i * NR + j]!;
    }
  }
}

const edgeTile = new Float64Array(MR * NR);

/** Integer matMul: a plain i-k-j loop with exact int32 wrap-around (Math.imul), no blocking. */
function gemmInt(m: number, n: number, k: number, a: MatrixView<Int32Array>, b: MatrixView<Int32Array>, c: Int32Array, cOff: number): void {
  for (let i = 0; i < m; i++) {
    const row = cOff + i * n;
    for (let p = 0; p < k; p++) {
      const av = a.data[a.off + i * a.rs + p * a.cs]!;
      if (av === 0) continue;
      const bRow = b.off + p * b.rs;
      for (let j = 0; j < n; j++) c[row + j] = (c[row + j]! + Math.imul(av, b.data[bRow + j * b.cs]!)) | 0;
    }
  }
}

/** Offsets of each broadcast batch's matrix in an operand with batch shape `batch` inside `outBatch`. */
function batchOffsets(batch: readonly number[], outBatch: readonly number[], matSize: number): number[] {
  const total = sizeFromShape(outBatch);
  const offsets = new Array<number>(total);
  const rank = outBatch.length;
  const lead = rank - batch.length;
  // Stride of each output batch dim in the operand (0 where the operand broadcasts).
  const strides = new Array<number>(rank).fill(0);
  let s = matSize;
  for (let d = batch.length - 1; d >= 0; d--) {
    strides[d + lead] = batch[d] === 1 ? 0 : s;
    s *= batch[d]!;
  }
  const idx = new Array<number>(rank).fill(0);
  for (let t = 0; t < total; t++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += idx[d]! * strides[d]!;
    offsets[t] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outBatch[d]!) break;
      idx[d] = 0;
    }
  }
  return offsets;
}

function matMul(inputs: [a: TensorInfo, b: TensorInfo], attrs: KernelAttrs<'MatMul'>): TensorInfo {
  const [a, b] = inputs;
  const { transposeA, transposeB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`MatMul: both inputs need rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (a.dtype !== b.dtype || a.dtype === 'bool') {
    throw new Error(`MatMul: inputs must both be float32 or both int32, got ${a.dtype} and ${b.dtype}`);
  }
  const aRows = a.shape[ra - 2]!;
  const aCols = a.shape[ra - 1]!;
  const bRows = b.shape[rb - 2]!;
  const bCols = b.shape[rb - 1]!;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kb = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (k !== kb) {
    throw new Error(`MatMul: inner dimensions must match, got ${formatShape(a.shape)} and ${formatShape(b.shape)} (transposeA=${transposeA}, transposeB=${transposeB})`);
  }
  const batchA = a.shape.slice(0, ra - 2);
  const batchB = b.shape.slice(0, rb - 2);
  const rank = Math.max(batchA.length, batchB.length);
  const outBatch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`MatMul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} cannot be broadcast together`);
    }
    outBatch.push(da === 1 ? db : da);
  }
  const offA = batchOffsets(batchA, outBatch, aRows * aCols);
  const offB = batchOffsets(batchB, outBatch, bRows * bCols);
  const outShape = [...outBatch, m, n];
  const dataA = valuesOf(a) as Float32Array | Int32Array;
  const dataB = valuesOf(b) as Float32Array | Int32Array;
  // Row-major [rows, cols]: element (i, j) at i·cols + j; a transpose swaps the strides.
  const aRs = transposeA ? 1 : aCols;
  const aCs = transposeA ? aCols : 1;
  const bRs = transposeB ? 1 : bCols;
  const bCs = transposeB ? bCols : 1;
  if (a.dtype === 'int32') {
    const out = allocOutput('MatMul', 'int32', outShape);
    for (let t = 0; t < offA.length; t++) {
      gemmInt(m, n, k, { data: dataA as Int32Array, off: offA[t]!, rs: aRs, cs: aCs }, { data: dataB as Int32Array, off: offB[t]!, rs: bRs, cs: bCs }, out, t * m * n);
    }
    return output(out, outShape, 'int32');
  }
  const out = allocOutput('MatMul', 'float32', outShape);
  if (!transposeA && sizeFromShape(batchB) === 1 && sizeFromShape(batchA) === offA.length) {
    // One shared B under a dense batch of A: the batch stacks into the rows of one tall product,
    // which packs B once instead of once per matrix.
    gemm(offA.length * m, n, k, { data: dataA as Float32Array, off: 0, rs: aRs, cs: aCs }, { data: dataB as Float32Array, off: 0, rs: bRs, cs: bCs }, out, 0, false);
    return output(out, outShape, 'float32');
  }
  for (let t = 0; t < offA.length; t++) {
    gemm(m, n, k, { data: dataA as Float32Array, off: offA[t]!, rs: aRs, cs: aCs }, { data: dataB as Float32Array, off: offB[t]!, rs: bRs, cs: bCs }, out, t * m * n, false);
  }
  return output(out, outShape, 'float32');
}

export const matMulKernels = { MatMul: matMul };
