import type { Backend, TensorInfo } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { assertLive } from './engine.js';
import { formatTensor } from './format.js';
import * as binary from './ops/binary.js';
import * as conv from './ops/conv.js';
import * as gatherOps from './ops/gather.js';
import * as linalg from './ops/matmul.js';
import * as reduce from './ops/reduce.js';
import * as scanOps from './ops/scan.js';
import * as shapeOps from './ops/movement.js';
import * as softmaxOps from './ops/softmax.js';
import * as unary from './ops/unary.js';
import * as unaryExtra from './ops/unary-extra.js';
import type { Shape } from './shape.js';
import { sizeFromShape } from './shape.js';
import { TENSOR_BRAND } from './util/show-value.js';

/** Nested JavaScript arrays of numbers (or booleans), as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Anything an op accepts where a tensor is expected: a tensor, a number, a boolean, nested arrays, or a typed array. */
export type TensorLike = Tensor | number | boolean | readonly NestedArray[] | TypedArray;

/** One axis or a list of axes; negative values count from the end (-1 is the last axis). */
export type Axis = number | readonly number[];

let nextId = 0;

/**
 * @internal The engine's access to a tensor's hold state (memory.ts): -1 for a tensor it never
 * registered (an alias built with `new Tensor`, or a tensor of another copy of this package).
 */
export let holdSlot: { get(t: Tensor): number; set(t: Tensor, state: number): void };

/**
 * An immutable n-dimensional array. Storage lives in a backend; read it with `dataSync()`,
 * `toArray()` or `item()`. Every op returns a new tensor.
 */
export class Tensor implements TensorInfo {
  /**
   * The engine's hold state for this tensor (memory.ts), -1 until the engine first registers it. A
   * private field: invisible to equality checks and spreads, and cheaper to set on a new tensor than
   * a non-enumerable property.
   */
  #hold = -1;

  static {
    holdSlot = {
      get: (t) => (#hold in t ? t.#hold : -1),
      set: (t, state) => {
        if (#hold in t) t.#hold = state;
      },
    };
  }

  /** Unique per tensor; autograd keys its tape by it. */
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Number of elements (the product of `shape`; 1 for a scalar). */
  readonly size: number;
  /** @internal Backend-owned storage handle. Only the engine (moving data) and `Variable.assign` change it. */
  dataId: object;
  /** @internal The backend that owns `dataId`. */
  backend: Backend;

  /** @internal Use `tensor()` and the other creation functions. */
  constructor(info: TensorInfo, backend: Backend) {
    this.id = nextId++;
    this.shape = Object.freeze([...info.shape]);
    this.dtype = info.dtype;
    this.size = sizeFromShape(info.shape);
    this.dataId = info.dataId;
    this.backend = backend;
  }

  /** Number of dimensions (`shape.length`; 0 for a scalar). */
  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values, row-major (Float32Array, Int32Array, or Uint8Array for bool). */
  dataSync(): TypedArray {
    return this.readChecked('dataSync');
  }

  /** The values, after checking (on every backend alike) that the storage was not released. */
  private readChecked(what: string): TypedArray {
    assertLive(this, what);
    return this.backend.read(this);
  }

  /** Same as `dataSync()`, for code written against TF.js's async reads. */
  data(): Promise<TypedArray> {
    // A throw in the executor becomes the rejection, as an async read would report it.
    return new Promise((resolve) => resolve(this.readChecked('data')));
  }

  /** The values as nested arrays (a plain number for a scalar; bool as 0/1). */
  toArray(): NestedArray {
    const values = this.readChecked('toArray');
    if (this.rank === 0) return values[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const out: NestedArray[] = new Array<NestedArray>(n);
      if (dim === this.rank - 1) {
        for (let i = 0; i < n; i++) out[i] = values[offset + i]!;
        return out;
      }
      let stride = 1;
      for (let d = dim + 1; d < this.rank; d++) stride *= this.shape[d]!;
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`item: expected a tensor with exactly one element, got shape [${this.shape.join(',')}] (${this.size} elements)`);
    }
    return this.readChecked('item')[0]!;
  }

  toString(): string {
    return formatTensor(this.shape, this.dtype, this.readChecked('toString'));
  }

  // --- elementwise binary ---
  /** Elementwise `this + b`, broadcast; see {@link add}. */
  add(b: TensorLike): Tensor { return binary.add(this, b); }
  /** Elementwise `this − b`, broadcast; see {@link sub}. */
  sub(b: TensorLike): Tensor { return binary.sub(this, b); }
  /** Elementwise `this · b`, broadcast; see {@link mul}. */
  mul(b: TensorLike): Tensor { return binary.mul(this, b); }
  /** Elementwise `this / b` (float division), broadcast; see {@link div}. */
  div(b: TensorLike): Tensor { return binary.div(this, b); }
  /** Elementwise `this ** b`, broadcast; see {@link pow}. */
  pow(b: TensorLike): Tensor { return binary.pow(this, b); }
  /** Elementwise larger of `this` and `b`, broadcast; see {@link maximum}. */
  maximum(b: TensorLike): Tensor { return binary.maximum(this, b); }
  /** Elementwise smaller of `this` and `b`, broadcast; see {@link minimum}. */
  minimum(b: TensorLike): Tensor { return binary.minimum(this, b); }
  /** Elementwise remainder with the sign of `b` (Python's `%`); see {@link mod}. */
  mod(b: TensorLike): Tensor { return binary.mod(this, b); }
  /** Elementwise `floor(this / b)`; see {@link floorDiv}. */
  floorDiv(b: TensorLike): Tensor { return binary.floorDiv(this, b); }
  /** Elementwise `(this − b)²`; see {@link squaredDifference}. */
  squaredDifference(b: TensorLike): Tensor { return binary.squaredDifference(this, b); }
  /** Elementwise `this == b` as a bool tensor; see {@link equal}. */
  equal(b: TensorLike): Tensor { return binary.equal(this, b); }
  /** Elementwise `this != b` as a bool tensor; see {@link notEqual}. */
  notEqual(b: TensorLike): Tensor { return binary.notEqual(this, b); }
  /** Elementwise `this > b` as a bool tensor; see {@link greater}. */
  greater(b: TensorLike): Tensor { return binary.greater(this, b); }
  /** Elementwise `this >= b` as a bool tensor; see {@link greaterEqual}. */
  greaterEqual(b: TensorLike): Tensor { return binary.greaterEqual(this, b); }
  /** Elementwise `this < b` as a bool tensor; see {@link less}. */
  less(b: TensorLike): Tensor { return binary.less(this, b); }
  /** Elementwise `this <= b` as a bool tensor; see {@link lessEqual}. */
  lessEqual(b: TensorLike): Tensor { return binary.lessEqual(this, b); }
  /** Elementwise AND of two bool tensors; see {@link logicalAnd}. */
  logicalAnd(b: TensorLike): Tensor { return binary.logicalAnd(this, b); }
  /** Elementwise OR of two bool tensors; see {@link logicalOr}. */
  logicalOr(b: TensorLike): Tensor { return binary.logicalOr(this, b); }

  // --- elementwise unary ---
  /** Elementwise NOT of a bool tensor; see {@link logicalNot}. */
  logicalNot(): Tensor { return unary.logicalNot(this); }
  /** Elementwise `−this`; see {@link neg}. */
  neg(): Tensor { return unary.neg(this); }
  /** Elementwise absolute value; see {@link abs}. */
  abs(): Tensor { return unary.abs(this); }
  /** Elementwise sign: −1, 0 or 1; see {@link sign}. */
  sign(): Tensor { return unary.sign(this); }
  /** Elementwise `eˣ`; see {@link exp}. */
  exp(): Tensor { return unary.exp(this); }
  /** Elementwise natural logarithm; see {@link log}. */
  log(): Tensor { return unary.log(this); }
  /** Elementwise `ln(1 + x)`, accurate near 0; see {@link log1p}. */
  log1p(): Tensor { return unary.log1p(this); }
  /** Elementwise `eˣ − 1`, accurate near 0; see {@link expm1}. */
  expm1(): Tensor { return unary.expm1(this); }
  /** Elementwise square root; see {@link sqrt}. */
  sqrt(): Tensor { return unary.sqrt(this); }
  /** Elementwise `1 / √x`; see {@link rsqrt}. */
  rsqrt(): Tensor { return unary.rsqrt(this); }
  /** Elementwise `x²`; see {@link square}. */
  square(): Tensor { return unary.square(this); }
  /** Elementwise `1 / x`; see {@link reciprocal}. */
  reciprocal(): Tensor { return unary.reciprocal(this); }
  /** Elementwise sine (radians); see {@link sin}. */
  sin(): Tensor { return unary.sin(this); }
  /** Elementwise cosine (radians); see {@link cos}. */
  cos(): Tensor { return unary.cos(this); }
  /** Elementwise tangent (radians); see {@link tan}. */
  tan(): Tensor { return unaryExtra.tan(this); }
  /** Elementwise inverse sine; see {@link asin}. */
  asin(): Tensor { return unaryExtra.asin(this); }
  /** Elementwise inverse cosine; see {@link acos}. */
  acos(): Tensor { return unaryExtra.acos(this); }
  /** Elementwise inverse tangent; see {@link atan}. */
  atan(): Tensor { return unaryExtra.atan(this); }
  /** Elementwise angle of the point `(b, this)`; see {@link atan2}. */
  atan2(b: TensorLike): Tensor { return unaryExtra.atan2(this, b); }
  /** Elementwise hyperbolic sine; see {@link sinh}. */
  sinh(): Tensor { return unaryExtra.sinh(this); }
  /** Elementwise hyperbolic cosine; see {@link cosh}. */
  cosh(): Tensor { return unaryExtra.cosh(this); }
  /** Elementwise inverse hyperbolic sine; see {@link asinh}. */
  asinh(): Tensor { return unaryExtra.asinh(this); }
  /** Elementwise inverse hyperbolic cosine; see {@link acosh}. */
  acosh(): Tensor { return unaryExtra.acosh(this); }
  /** Elementwise inverse hyperbolic tangent; see {@link atanh}. */
  atanh(): Tensor { return unaryExtra.atanh(this); }
  /** Elementwise hyperbolic tangent; see {@link tanh}. */
  tanh(): Tensor { return unary.tanh(this); }
  /** Elementwise logistic sigmoid `1 / (1 + e⁻ˣ)`; see {@link sigmoid}. */
  sigmoid(): Tensor { return unary.sigmoid(this); }
  /** Elementwise `ln(1 + eˣ)`; see {@link softplus}. */
  softplus(): Tensor { return unary.softplus(this); }
  /** Elementwise `max(x, 0)`; see {@link relu}. */
  relu(): Tensor { return unary.relu(this); }
  /** Elementwise `min(max(x, 0), 6)`; see {@link relu6}. */
  relu6(): Tensor { return unary.relu6(this); }
  /** Elementwise `x > 0 ? x : alpha·x` (alpha default 0.2); see {@link leakyRelu}. */
  leakyRelu(alpha?: number): Tensor { return unary.leakyRelu(this, alpha); }
  /** Elementwise `x > 0 ? x : alpha·(eˣ − 1)` (alpha default 1); see {@link elu}. */
  elu(alpha?: number): Tensor { return unary.elu(this, alpha); }
  /** Elementwise scaled ELU with the self-normalizing constants; see {@link selu}. */
  selu(): Tensor { return unary.selu(this); }
  /** Elementwise GELU, exact (erf) or with the tanh approximation; see {@link gelu}. */
  gelu(approximate?: boolean): Tensor { return unary.gelu(this, approximate); }
  /** Elementwise round down; see {@link floor}. */
  floor(): Tensor { return unary.floor(this); }
  /** Elementwise round up; see {@link ceil}. */
  ceil(): Tensor { return unary.ceil(this); }
  /** Elementwise round half to even; see {@link round}. */
  round(): Tensor { return unary.round(this); }
  /** Elementwise clamp into `[min, max]`; see {@link clipByValue}. */
  clipByValue(min: number, max: number): Tensor { return unary.clipByValue(this, min, max); }
  /** Elementwise NaN test, as a bool tensor; see {@link isNaN}. */
  isNaN(): Tensor { return unary.isNaN(this); }
  /** Elementwise finiteness test, as a bool tensor; see {@link isFinite}. */
  isFinite(): Tensor { return unary.isFinite(this); }
  /** The values converted to `dtype`; see {@link cast}. */
  cast(dtype: DType): Tensor { return unary.cast(this, dtype); }

  // --- reductions ---
  /**
   * Sum over `axis` (all axes when null or omitted), keeping reduced axes as size 1 if `keepDims`; see
   * {@link sum}.
   */
  sum(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.sum(this, axis, keepDims); }
  /** Running sum along `axis` (default 0); see {@link cumsum}. */
  cumsum(axis?: number, options?: scanOps.ScanOptions): Tensor { return scanOps.cumsum(this, axis, options); }
  /** Running product along `axis` (default 0); see {@link cumprod}. */
  cumprod(axis?: number, options?: scanOps.ScanOptions): Tensor { return scanOps.cumprod(this, axis, options); }
  /** Mean over `axis` (all axes by default); see {@link mean}. */
  mean(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.mean(this, axis, keepDims); }
  /** Maximum over `axis` (all axes by default); see {@link max}. */
  max(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.max(this, axis, keepDims); }
  /** Minimum over `axis` (all axes by default); see {@link min}. */
  min(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.min(this, axis, keepDims); }
  /** Product over `axis` (all axes by default); see {@link prod}. */
  prod(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.prod(this, axis, keepDims); }
  /** `log(Σ exp(x))` over `axis`, computed stably; see {@link logSumExp}. */
  logSumExp(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.logSumExp(this, axis, keepDims); }
  /** Population variance over `axis` (all axes by default); see {@link variance}. */
  variance(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.variance(this, axis, keepDims); }
  /** Vector or matrix norm over `axis` (`ord` default `'euclidean'`); see {@link norm}. */
  norm(ord?: reduce.NormOrd, axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.norm(this, ord, axis, keepDims); }
  /** Logical AND over `axis` of a bool tensor; see {@link all}. */
  all(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.all(this, axis, keepDims); }
  /** Logical OR over `axis` of a bool tensor; see {@link any}. */
  any(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.any(this, axis, keepDims); }
  /** Index of the largest value along `axis` (default 0), as int32; see {@link argMax}. */
  argMax(axis?: number): Tensor { return reduce.argMax(this, axis); }
  /** Index of the smallest value along `axis` (default 0), as int32; see {@link argMin}. */
  argMin(axis?: number): Tensor { return reduce.argMin(this, axis); }
  /** Softmax along `axis` (default −1); see {@link softmax}. */
  softmax(axis?: number): Tensor { return softmaxOps.softmax(this, axis); }
  /** Log-softmax along `axis` (default −1), computed stably; see {@link logSoftmax}. */
  logSoftmax(axis?: number): Tensor { return softmaxOps.logSoftmax(this, axis); }

  // --- shape and indexing ---
  /** The same values in a new shape (one dimension may be −1, inferred); see {@link reshape}. */
  reshape(shape: readonly number[]): Tensor { return shapeOps.reshape(this, shape); }
  /** Axes permuted by `perm` (default: reversed); see {@link transpose}. */
  transpose(perm?: readonly number[]): Tensor { return shapeOps.transpose(this, perm); }
  /** A size-1 axis inserted at `axis` (default 0); see {@link expandDims}. */
  expandDims(axis?: number): Tensor { return shapeOps.expandDims(this, axis); }
  /** Size-1 axes removed (all of them, or those in `axis`); see {@link squeeze}. */
  squeeze(axis?: Axis): Tensor { return shapeOps.squeeze(this, axis); }
  /** The block starting at `begin` of extent `size` (−1 or omitted: to the end); see {@link slice}. */
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor { return shapeOps.slice(this, begin, size); }
  /** Padded with `constantValue` (default 0), `[before, after]` per axis; see {@link pad}. */
  pad(paddings: readonly (readonly [number, number])[], constantValue?: number): Tensor { return shapeOps.pad(this, paddings, constantValue); }
  /** Repeated `reps[i]` times along each axis i; see {@link tile}. */
  tile(reps: readonly number[]): Tensor { return shapeOps.tile(this, reps); }
  /** Broadcast to `shape` (NumPy rules); see {@link broadcastTo}. */
  broadcastTo(shape: readonly number[]): Tensor { return shapeOps.broadcastTo(this, shape); }
  /** Order reversed along `axis` (all axes by default); see {@link reverse}. */
  reverse(axis?: Axis): Tensor { return shapeOps.reverse(this, axis); }
  /** The values as a rank-1 tensor; see {@link flatten}. */
  flatten(): Tensor { return shapeOps.flatten(this); }
  /** Slices at `indices` along `axis` (default 0); see {@link gather}. */
  gather(indices: TensorLike, axis?: number): Tensor { return gatherOps.gather(this, indices, axis); }

  // --- linear algebra ---
  /**
   * Matrix product `this × b` (batched over leading axes), optionally transposing either side; see {@link
   * matMul}.
   */
  matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor { return linalg.matMul(this, b, transposeA, transposeB); }
  /** Dot product of vectors, or matrix–vector / matrix–matrix product; see {@link dot}. */
  dot(b: TensorLike): Tensor { return linalg.dot(this, b); }
  /** 2-D convolution of NHWC input with a `[kh, kw, in, out]` filter; see {@link conv2d}. */
  conv2d(filter: TensorLike, strides: conv.Pair, pad: conv.Padding, dilations?: conv.Pair): Tensor { return conv.conv2d(this, filter, strides, pad, dilations); }
}

// The brand lets the value formatter (util/show-value.ts) name a tensor without importing this class.
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

/** True when `x` is a `Tensor`. */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
