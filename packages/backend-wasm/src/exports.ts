import {
  B_ADD, B_AND, B_DIV, B_EQ, B_FLOORDIV, B_GE, B_GT, B_LE, B_LT, B_MAX, B_MIN, B_MOD, B_MUL, B_NE, B_OR, B_POW, B_SQDIFF,
  B_SUB, CONV_PATCHES, CONV_PATCHES_T, R_MAX, R_MIN, R_PROD, R_SUM, SGD_MOMENTUM, SGD_NESTEROV, SGD_PLAIN, T_ISFINITE,
  T_ISNAN, U_ABS, U_CEIL, U_CLIP, U_COS, U_ELU, U_ERF, U_EXP, U_EXPM1, U_FLOOR, U_LEAKYRELU, U_LOG, U_LOG1P, U_NEG,
  U_RECIPROCAL, U_RELU, U_ROUND, U_RSQRT, U_SIGMOID, U_SIGN, U_SIN, U_SOFTPLUS, U_SQRT, U_SQUARE, U_TANH,
} from './abi.js';

/**
 * The functions asm/index.ts exports, as JS sees them: pointers, sizes and floats are plain numbers,
 * bools are 0/1. What the pointers and sizes mean and who owns the memory (the ABI) is written at the
 * top of asm/index.ts, each function's own contract above its asm declaration. Kept by hand, with
 * the asm parameter names: src/abi.test.ts fails when a name, a parameter or a type here differs
 * from asm/.
 */
export interface KernelExports {
  heapBase(): number;
  /** Scratch bytes one matmul call needs (packed A, packed B, an edge tile): the start of `work`. */
  matmulScratchBytes(): number;
  matmulWorkBytes(): number;
  matmulTileRows(): number;
  matmul(
    a: number, b: number, c: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number, rowStart: number, rowEnd: number, work: number,
    packedB: number,
  ): void;
  matmulPackedBBytes(n: number, k: number): number;
  packMatrixB(b: number, sbk: number, sbn: number, n: number, k: number, dst: number): void;
  /** Whether a product may skip A's zeros (asm/matmul-sparse.ts): 1 or 0. */
  matmulSparseEligible(a: number, b: number, m: number, n: number, k: number, sam: number, sak: number, sbk: number, maxPerMille: number): number;
  // Range kernels (src/threads.ts RANGE_KERNELS): (start, end, work, ...args), split across threads.
  packedBBlocks(k: number): number;
  packBRange(start: number, end: number, work: number, b: number, sbk: number, sbn: number, n: number, k: number, dst: number): void;
  matmulColsRange(
    start: number, end: number, work: number, a: number, b: number, c: number, m: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number,
  ): void;
  matmulSparseRange(
    start: number, end: number, work: number, a: number, b: number, c: number, n: number, k: number,
    sam: number, sak: number, sbk: number, mode: number,
  ): void;
  unaryRange(start: number, end: number, work: number, op: number, x: number, y: number, n: number, block: number, pBits: number, qBits: number): void;
  binaryRange(
    start: number, end: number, work: number, op: number, a: number, b: number, out: number, n: number, inner: number,
    sa: number, sb: number, rowA: number, rowB: number,
  ): void;
  castBoolRange(start: number, end: number, work: number, x: number, y: number, n: number, block: number, toFloat: number): void;
  reluGradRange(start: number, end: number, work: number, dy: number, x: number, out: number, n: number, block: number): void;
  // Fused bias + activation and the bias gradient (asm/fused.ts).
  convDirectBiasRange(
    start: number, end: number, work: number, x: number, f: number, out: number, n: number, h: number, w: number, c: number,
    kh: number, kw: number, o: number, oh: number, ow: number, epi: number,
  ): void;
  biasActRange(start: number, end: number, work: number, y: number, rows: number, c: number, block: number, epi: number): void;
  biasGradPartialRange(start: number, end: number, work: number, dy: number, partials: number, rows: number, c: number, block: number): void;
  biasGradCombine(partials: number, blocks: number, c: number, out: number): void;
  convDirectRange(
    start: number, end: number, work: number, x: number, f: number, out: number, n: number, h: number, w: number, c: number,
    kh: number, kw: number, o: number, oh: number, ow: number,
  ): void;
  convDirectFilterGradRange(
    start: number, end: number, work: number, x: number, dy: number, dw: number, n: number, h: number, w: number, c: number,
    kh: number, kw: number, o: number, oh: number, ow: number,
  ): void;
  convInputGradRange(start: number, end: number, work: number, dy: number, packedW: number, dx: number, geo: number): void;
  // asm/winograd.ts: Winograd F(2×2, 3×3) and F(4×4, 3×3) convolutions (src/kernels/winograd.ts).
  winogradRange(start: number, end: number, work: number, x: number, packedU: number, out: number, geo: number): void;
  winogradFilter(f: number, u: number, ca: number, cb: number, flip: number, m: number): void;
  winogradFilterGradRange(start: number, end: number, work: number, x: number, dy: number, partials: number, geo: number): void;
  winogradFilterGradFinish(partials: number, slabs: number, dw: number, cr: number, co: number, m: number): void;
  poolRange(start: number, end: number, work: number, x: number, out: number, geo: number, isMax: number): void;
  maxPoolGradRange(start: number, end: number, work: number, dy: number, x: number, dx: number, geo: number): void;
  lstmSequenceRange(start: number, end: number, work: number, xp: number, init: number, packedU: number, z: number, out: number, steps: number, u: number): void;
  lstmSequenceGradRange(
    start: number, end: number, work: number, tr: number, init: number, packedUT: number, d: number, dh: number, out: number, steps: number, u: number,
  ): void;
  gruSequenceRange(
    start: number, end: number, work: number, xp: number, h0: number, packedU: number, packedUh: number, rb: number, inner: number, out: number,
    steps: number, u: number, resetAfter: number,
  ): void;
  gruSequenceGradRange(
    start: number, end: number, work: number, tr: number, h0: number, d: number, packedUT: number, packedUzrT: number, s: number, out: number,
    steps: number, u: number, resetAfter: number,
  ): void;
  unaryF32(op: number, x: number, y: number, n: number, p: number, q: number): void;
  binaryF32(op: number, a: number, b: number, out: number, rank: number, meta: number): void;
  addF32(a: number, b: number, out: number, n: number): void;
  logicalBool(op: number, a: number, b: number, out: number, rank: number, meta: number): void;
  logicalNotBool(x: number, y: number, n: number): void;
  unaryToBoolF32(op: number, x: number, y: number, n: number): void;
  castF32ToI32(x: number, y: number, n: number): void;
  castI32ToF32(x: number, y: number, n: number): void;
  castBoolTo32(x: number, y: number, n: number, toFloat: number): void;
  cast32ToBool(x: number, y: number, n: number, fromFloat: number): void;
  where32(cond: number, a: number, b: number, out: number, rank: number, meta: number): void;
  reduceRows(op: number, x: number, out: number, rows: number, n: number): void;
  reduceMiddle(op: number, x: number, out: number, outer: number, r: number, inner: number, acc: number): void;
  argReduceRows(x: number, out: number, rows: number, n: number, isMin: number): void;
  softmaxRows(x: number, out: number, rows: number, n: number, log: number): void;
  softmaxCrossEntropyRows(z: number, t: number, out: number, rows: number, n: number): void;
  softmaxCrossEntropyGradRows(z: number, t: number, dy: number, out: number, rows: number, n: number): void;
  stridedCopy(src: number, dst: number, rank: number, meta: number, bytes: number): void;
  gather(x: number, idx: number, out: number, outer: number, axisLen: number, count: number, inner: number, bytes: number): void;
  scatterAddF32(upd: number, idx: number, out: number, outer: number, size: number, count: number, inner: number): void;
  /** Writes the 32-bit pattern `value` into n words from `dst`. */
  fill32(dst: number, value: number, n: number): void;
  im2col(
    x: number, col: number, p0: number, rows: number, h: number, w: number, c: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  col2im(
    col: number, dx: number, p0: number, rows: number, h: number, w: number, c: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  convDirect(x: number, f: number, out: number, n: number, h: number, w: number, c: number, kh: number, kw: number, o: number, oh: number, ow: number): void;
  convDirectFilterGrad(x: number, dy: number, dw: number, n: number, h: number, w: number, c: number, kh: number, kw: number, o: number, oh: number, ow: number): void;
  pool(
    x: number, out: number, n: number, h: number, w: number, c: number, fh: number, fw: number,
    sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, isMax: number,
  ): void;
  maxPoolGrad(
    dy: number, x: number, dx: number, n: number, h: number, w: number, c: number,
    fh: number, fw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  adamF32(w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number, c1: number, c2: number, alpha: number, eps: number): void;
  adamRange(
    start: number, end: number, work: number, w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number,
    n: number, block: number, c1Bits: number, c2Bits: number, alphaBits: number, epsBits: number,
  ): void;
  sgdF32(mode: number, w: number, g: number, v: number, wOut: number, vOut: number, n: number, learningRate: number, mu: number): void;
  rmspropF32(
    hasMomentum: number, centered: number, w: number, g: number, v: number, m: number, a: number,
    wOut: number, vOut: number, mOut: number, aOut: number, n: number, learningRate: number, rho: number, c: number, mu: number, eps: number,
  ): void;
  adagradF32(w: number, g: number, acc: number, wOut: number, accOut: number, n: number, learningRate: number, eps: number): void;
  avgPoolGrad(
    dy: number, dx: number, n: number, h: number, w: number, c: number, fh: number, fw: number,
    sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  // asm/recurrent.ts (one step of the fused LSTM/GRU sequences; strides in floats; bools are 0/1)
  lstmCellF32(xp: number, xpStride: number, z: number, prev: number, prevStride: number, out: number, outStride: number, b: number, u: number): void;
  lstmCellGradF32(cur: number, prev: number, prevStride: number, carry: number, hasCarry: number, d: number, out: number, stride: number, b: number, u: number): void;
  gruGatesF32(
    xp: number, xpStride: number, inner: number, innerStride: number, rb: number, prev: number, prevStride: number,
    out: number, outStride: number, b: number, u: number, resetAfter: number,
  ): void;
  gruFinishF32(xp: number, xpStride: number, cand: number, prev: number, prevStride: number, out: number, outStride: number, b: number, u: number): void;
  gruGradF32(
    cur: number, d: number, stride: number, prev: number, prevStride: number, carry: number, hasCarry: number,
    out: number, outStride: number, b: number, u: number, resetAfter: number,
  ): void;
  gruGradResetF32(cur: number, stride: number, prev: number, prevStride: number, dq: number, out: number, outStride: number, b: number, u: number): void;
  addRowsF32(src: number, dst: number, rows: number, cols: number, dstStride: number, accumulate: number): void;
}

/** Unary op codes of asm/unary.ts by kernel name (the numbers are src/abi.ts's). */
export const UNARY = {
  Neg: U_NEG, Abs: U_ABS, Sign: U_SIGN, Exp: U_EXP, Log: U_LOG, Log1p: U_LOG1P, Expm1: U_EXPM1, Sqrt: U_SQRT,
  Rsqrt: U_RSQRT, Square: U_SQUARE, Reciprocal: U_RECIPROCAL, Sin: U_SIN, Cos: U_COS, Tanh: U_TANH,
  Sigmoid: U_SIGMOID, Softplus: U_SOFTPLUS, Relu: U_RELU, Erf: U_ERF, Floor: U_FLOOR, Ceil: U_CEIL,
  Round: U_ROUND, LeakyRelu: U_LEAKYRELU, Elu: U_ELU, ClipByValue: U_CLIP,
} as const;

/** Binary op codes of asm/binary.ts by kernel name; from `Equal` on, comparisons. */
export const BINARY = {
  Add: B_ADD, Sub: B_SUB, Mul: B_MUL, Div: B_DIV, Pow: B_POW, Maximum: B_MAX, Minimum: B_MIN, Mod: B_MOD,
  FloorDiv: B_FLOORDIV, SquaredDifference: B_SQDIFF, Equal: B_EQ, NotEqual: B_NE, Greater: B_GT,
  GreaterEqual: B_GE, Less: B_LT, LessEqual: B_LE,
} as const;

/** Op codes of asm/binary.ts `logicalBool` (the walk of binaryF32, over bool bytes). */
export const LOGICAL = { LogicalAnd: B_AND, LogicalOr: B_OR } as const;

/** Tests of asm/unary.ts `unaryToBoolF32`. */
export const FLOAT_TEST = { IsNaN: T_ISNAN, IsFinite: T_ISFINITE } as const;

/** `sam` values marking an implicit patch matrix in asm/matmul.ts (CONV_PATCHES, CONV_PATCHES_T). */
export const PATCHES = { rows: CONV_PATCHES, transposed: CONV_PATCHES_T } as const;

/** SGD modes of asm/optimizer.ts. */
export const SGD_MODE = { Plain: SGD_PLAIN, Momentum: SGD_MOMENTUM, Nesterov: SGD_NESTEROV } as const;

/** Reductions of asm/reduce.ts. */
export const REDUCE = { Sum: R_SUM, Prod: R_PROD, Max: R_MAX, Min: R_MIN } as const;
