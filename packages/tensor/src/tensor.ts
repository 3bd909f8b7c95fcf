import type { Backend, TensorInfo } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { assertLive } from './engine.js';
import { formatTensor } from './format.js';
import * as binary from './ops/binary.js';
import * as conv from './ops/conv.js';
import * as gatherOps from './ops/gather.js';
import * as linalg from './ops/matmul.js';
import * as reduce from './ops/reduce.js';
import * as shapeOps from './ops/shape.js';
import * as softmaxOps from './ops/softmax.js';
import * as unary from './ops/unary.js';
import type { Shape } from './shape.js';
import { sizeFromShape } from './shape.js';

/** Nested JavaScript arrays of numbers (or booleans), as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Anything an op accepts where a tensor is expected: a tensor, a number, a boolean, nested arrays, or a typed array. */
export type TensorLike = Tensor | number | boolean | readonly NestedArray[] | TypedArray;

export type Axis = number | readonly number[];

let nextId = 0;

/**
 * An immutable n-dimensional array. Storage lives in a backend; read it with `dataSync()`,
 * `toArray()` or `item()`. Every op returns a new tensor.
 */
export class Tensor implements TensorInfo {
  /** Unique per tensor; autograd keys its tape by it. */
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
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
  add(b: TensorLike): Tensor { return binary.add(this, b); }
  sub(b: TensorLike): Tensor { return binary.sub(this, b); }
  mul(b: TensorLike): Tensor { return binary.mul(this, b); }
  div(b: TensorLike): Tensor { return binary.div(this, b); }
  pow(b: TensorLike): Tensor { return binary.pow(this, b); }
  maximum(b: TensorLike): Tensor { return binary.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return binary.minimum(this, b); }
  mod(b: TensorLike): Tensor { return binary.mod(this, b); }
  floorDiv(b: TensorLike): Tensor { return binary.floorDiv(this, b); }
  squaredDifference(b: TensorLike): Tensor { return binary.squaredDifference(this, b); }
  equal(b: TensorLike): Tensor { return binary.equal(this, b); }
  notEqual(b: TensorLike): Tensor { return binary.notEqual(this, b); }
  greater(b: TensorLike): Tensor { return binary.greater(this, b); }
  greaterEqual(b: TensorLike): Tensor { return binary.greaterEqual(this, b); }
  less(b: TensorLike): Tensor { return binary.less(this, b); }
  lessEqual(b: TensorLike): Tensor { return binary.lessEqual(this, b); }
  logicalAnd(b: TensorLike): Tensor { return binary.logicalAnd(this, b); }
  logicalOr(b: TensorLike): Tensor { return binary.logicalOr(this, b); }

  // --- elementwise unary ---
  logicalNot(): Tensor { return unary.logicalNot(this); }
  neg(): Tensor { return unary.neg(this); }
  abs(): Tensor { return unary.abs(this); }
  sign(): Tensor { return unary.sign(this); }
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  log1p(): Tensor { return unary.log1p(this); }
  expm1(): Tensor { return unary.expm1(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  rsqrt(): Tensor { return unary.rsqrt(this); }
  square(): Tensor { return unary.square(this); }
  reciprocal(): Tensor { return unary.reciprocal(this); }
  sin(): Tensor { return unary.sin(this); }
  cos(): Tensor { return unary.cos(this); }
  tanh(): Tensor { return unary.tanh(this); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  softplus(): Tensor { return unary.softplus(this); }
  relu(): Tensor { return unary.relu(this); }
  relu6(): Tensor { return unary.relu6(this); }
  leakyRelu(alpha?: number): Tensor { return unary.leakyRelu(this, alpha); }
  elu(alpha?: number): Tensor { return unary.elu(this, alpha); }
  selu(): Tensor { return unary.selu(this); }
  gelu(approximate?: boolean): Tensor { return unary.gelu(this, approximate); }
  floor(): Tensor { return unary.floor(this); }
  ceil(): Tensor { return unary.ceil(this); }
  round(): Tensor { return unary.round(this); }
  clipByValue(min: number, max: number): Tensor { return unary.clipByValue(this, min, max); }
  isNaN(): Tensor { return unary.isNaN(this); }
  isFinite(): Tensor { return unary.isFinite(this); }
  cast(dtype: DType): Tensor { return unary.cast(this, dtype); }

  // --- reductions ---
  sum(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.sum(this, axis, keepDims); }
  mean(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.mean(this, axis, keepDims); }
  max(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.max(this, axis, keepDims); }
  min(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.min(this, axis, keepDims); }
  prod(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.prod(this, axis, keepDims); }
  logSumExp(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.logSumExp(this, axis, keepDims); }
  variance(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.variance(this, axis, keepDims); }
  norm(ord?: reduce.NormOrd, axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.norm(this, ord, axis, keepDims); }
  all(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.all(this, axis, keepDims); }
  any(axis?: Axis | null, keepDims?: boolean): Tensor { return reduce.any(this, axis, keepDims); }
  argMax(axis?: number): Tensor { return reduce.argMax(this, axis); }
  argMin(axis?: number): Tensor { return reduce.argMin(this, axis); }
  softmax(axis?: number): Tensor { return softmaxOps.softmax(this, axis); }
  logSoftmax(axis?: number): Tensor { return softmaxOps.logSoftmax(this, axis); }

  // --- shape and indexing ---
  reshape(shape: readonly number[]): Tensor { return shapeOps.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return shapeOps.transpose(this, perm); }
  expandDims(axis?: number): Tensor { return shapeOps.expandDims(this, axis); }
  squeeze(axis?: Axis): Tensor { return shapeOps.squeeze(this, axis); }
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor { return shapeOps.slice(this, begin, size); }
  pad(paddings: readonly (readonly [number, number])[], constantValue?: number): Tensor { return shapeOps.pad(this, paddings, constantValue); }
  tile(reps: readonly number[]): Tensor { return shapeOps.tile(this, reps); }
  broadcastTo(shape: readonly number[]): Tensor { return shapeOps.broadcastTo(this, shape); }
  reverse(axis?: Axis): Tensor { return shapeOps.reverse(this, axis); }
  flatten(): Tensor { return shapeOps.flatten(this); }
  gather(indices: TensorLike, axis?: number): Tensor { return gatherOps.gather(this, indices, axis); }

  // --- linear algebra ---
  matMul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor { return linalg.matMul(this, b, transposeA, transposeB); }
  dot(b: TensorLike): Tensor { return linalg.dot(this, b); }
  conv2d(filter: TensorLike, strides: conv.Pair, pad: conv.Padding, dilations?: conv.Pair): Tensor { return conv.conv2d(this, filter, strides, pad, dilations); }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
