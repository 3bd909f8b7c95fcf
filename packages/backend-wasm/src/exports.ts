/** The functions asm/index.ts exports (pointers and sizes are plain numbers; bools are 0/1). */
export interface KernelExports {
  heapBase(): number;
  matmulWorkBytes(): number;
  matmulTileRows(): number;
  matmul(
    a: number, b: number, c: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number, rowStart: number, rowEnd: number, work: number,
    packedB: number,
  ): void;
  matmulPackedBBytes(n: number, k: number): number;
  packMatrixB(b: number, sbk: number, sbn: number, n: number, k: number, dst: number): void;
  // Range kernels (src/threads.ts RANGE_KERNELS): (start, end, work, ...args), split across threads.
  packedBBlocks(k: number): number;
  packBRange(start: number, end: number, work: number, b: number, sbk: number, sbn: number, n: number, k: number, dst: number): void;
  matmulColsRange(
    start: number, end: number, work: number, a: number, b: number, c: number, m: number, n: number, k: number,
    sam: number, sak: number, sbk: number, sbn: number, accumulate: number,
  ): void;
  unaryRange(start: number, end: number, work: number, op: number, x: number, y: number, n: number, block: number, pBits: number, qBits: number): void;
  binaryRange(
    start: number, end: number, work: number, op: number, a: number, b: number, out: number, n: number, inner: number,
    sa: number, sb: number, rowA: number, rowB: number,
  ): void;
  castBoolRange(start: number, end: number, work: number, x: number, y: number, n: number, block: number, toFloat: number): void;
  reluGradRange(start: number, end: number, work: number, dy: number, x: number, out: number, n: number, block: number): void;
  convDirectRange(
    start: number, end: number, work: number, x: number, f: number, out: number, n: number, h: number, w: number, c: number,
    kh: number, kw: number, o: number, oh: number, ow: number,
  ): void;
  convDirectFilterGradRange(
    start: number, end: number, work: number, x: number, dy: number, dw: number, n: number, h: number, w: number, c: number,
    kh: number, kw: number, o: number, oh: number, ow: number,
  ): void;
  convInputGradRange(start: number, end: number, work: number, dy: number, packedW: number, dx: number, geo: number): void;
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
  stridedCopy(src: number, dst: number, rank: number, meta: number, bytes: number): void;
  gather(x: number, idx: number, out: number, outer: number, axisLen: number, count: number, inner: number, bytes: number): void;
  scatterAddF32(upd: number, idx: number, out: number, outer: number, size: number, count: number, inner: number): void;
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
  sgdF32(mode: number, w: number, g: number, v: number, wOut: number, vOut: number, n: number, lr: number, mu: number): void;
  rmspropF32(
    hasMomentum: number, centered: number, w: number, g: number, v: number, m: number, a: number,
    wOut: number, vOut: number, mOut: number, aOut: number, n: number, lr: number, rho: number, c: number, mu: number, eps: number,
  ): void;
  adagradF32(w: number, g: number, acc: number, wOut: number, accOut: number, n: number, lr: number, eps: number): void;
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

/** Op codes shared with asm/elementwise.ts and asm/reduce.ts. */
export const UNARY = {
  Neg: 0, Abs: 1, Sign: 2, Exp: 3, Log: 4, Log1p: 5, Expm1: 6, Sqrt: 7, Rsqrt: 8, Square: 9, Reciprocal: 10,
  Sin: 11, Cos: 12, Tanh: 13, Sigmoid: 14, Softplus: 15, Relu: 16, Erf: 17, Floor: 18, Ceil: 19, Round: 20,
  LeakyRelu: 21, Elu: 22, ClipByValue: 23,
} as const;

export const BINARY = {
  Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Maximum: 5, Minimum: 6, Mod: 7, FloorDiv: 8, SquaredDifference: 9,
  Equal: 10, NotEqual: 11, Greater: 12, GreaterEqual: 13, Less: 14, LessEqual: 15,
} as const;

/** Op codes of asm/elementwise.ts `logicalBool` (the walk of binaryF32, over bool bytes). */
export const LOGICAL = { LogicalAnd: 16, LogicalOr: 17 } as const;

/** Tests of asm/elementwise.ts `unaryToBoolF32`. */
export const FLOAT_TEST = { IsNaN: 0, IsFinite: 1 } as const;

/** `sam` values marking an implicit patch matrix in asm/matmul.ts (CONV_PATCHES, CONV_PATCHES_T). */
export const PATCHES = { rows: -1, transposed: -2 } as const;

/** SGD modes of asm/optimizer.ts. */
export const SGD_MODE = { Plain: 0, Momentum: 1, Nesterov: 2 } as const;

export const REDUCE = { Sum: 0, Prod: 1, Max: 2, Min: 3 } as const;
