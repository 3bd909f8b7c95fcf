import type { DType } from './dtype.js';

/**
 * The closed set of kernels every backend provides. Each entry names the kernel's inputs
 * (a tuple over `T`, which is `Tensor` for callers and `TensorInfo` inside backends) and
 * its attributes. Everything else in `ops/` is a composite of these.
 *
 * Conventions every backend follows:
 * - Elementwise binary kernels and `Where` broadcast NumPy-style; arithmetic outputs take the
 *   inputs' common dtype (ops cast before dispatch), comparisons and logical kernels output `bool`.
 * - Reduction `axes` are normalized (non-negative, sorted, unique); outputs drop the reduced axes.
 * - Conv/pool data is NHWC; filters are `[kh, kw, inChannels, outChannels]`; `pad` is explicit
 *   `[top, bottom, left, right]` (ops turn `'same'`/`'valid'` into numbers).
 */
export interface KernelDefs<T> {
  // --- elementwise unary (float in, float out unless noted) ---
  Neg: Unary<T>;
  Abs: Unary<T>;
  Sign: Unary<T>;
  Exp: Unary<T>;
  Log: Unary<T>;
  Log1p: Unary<T>;
  Expm1: Unary<T>;
  Sqrt: Unary<T>;
  Rsqrt: Unary<T>;
  Square: Unary<T>;
  Reciprocal: Unary<T>;
  Sin: Unary<T>;
  Cos: Unary<T>;
  Tanh: Unary<T>;
  Sigmoid: Unary<T>;
  Softplus: Unary<T>;
  Relu: Unary<T>;
  Erf: Unary<T>;
  Floor: Unary<T>;
  Ceil: Unary<T>;
  /** Round half to even, as NumPy and TF do. */
  Round: Unary<T>;
  /** Output dtype bool. */
  IsNaN: Unary<T>;
  /** Output dtype bool. */
  IsFinite: Unary<T>;
  /** bool → bool. */
  LogicalNot: Unary<T>;
  LeakyRelu: { inputs: [x: T]; attrs: { alpha: number } };
  /** `x > 0 ? x : alpha·(exp(x) − 1)`. */
  Elu: { inputs: [x: T]; attrs: { alpha: number } };
  ClipByValue: { inputs: [x: T]; attrs: { min: number; max: number } };
  Cast: { inputs: [x: T]; attrs: { dtype: DType } };

  // --- elementwise binary with broadcasting ---
  Add: Binary<T>;
  Sub: Binary<T>;
  Mul: Binary<T>;
  /** float division; int32 inputs are cast to float32 by the op before dispatch. */
  Div: Binary<T>;
  Pow: Binary<T>;
  Maximum: Binary<T>;
  Minimum: Binary<T>;
  /** Python/NumPy modulo: result has the sign of the divisor. */
  Mod: Binary<T>;
  FloorDiv: Binary<T>;
  SquaredDifference: Binary<T>;
  Equal: Binary<T>;
  NotEqual: Binary<T>;
  Greater: Binary<T>;
  GreaterEqual: Binary<T>;
  Less: Binary<T>;
  LessEqual: Binary<T>;
  LogicalAnd: Binary<T>;
  LogicalOr: Binary<T>;
  /** `cond ? a : b`, all three broadcast together; `cond` is bool. */
  Where: { inputs: [cond: T, a: T, b: T]; attrs: NoAttrs };

  // --- reductions ---
  Sum: Reduce<T>;
  Prod: Reduce<T>;
  Max: Reduce<T>;
  Min: Reduce<T>;
  /** bool in, bool out. */
  All: Reduce<T>;
  /** bool in, bool out. */
  Any: Reduce<T>;
  /** int32 indices; first occurrence wins; output drops `axis`. */
  ArgMax: { inputs: [x: T]; attrs: { axis: number } };
  ArgMin: { inputs: [x: T]; attrs: { axis: number } };
  /** Numerically stable along `axis` (normalized). */
  Softmax: { inputs: [x: T]; attrs: { axis: number } };
  LogSoftmax: { inputs: [x: T]; attrs: { axis: number } };

  // --- linear algebra ---
  /**
   * `a: [...batchA, m, k]`, `b: [...batchB, k, n]` (after the optional transposes of the last two
   * dims); batch dims broadcast; both inputs have rank ≥ 2.
   */
  MatMul: { inputs: [a: T, b: T]; attrs: { transposeA: boolean; transposeB: boolean } };

  // --- convolution and pooling (NHWC, rank-4 inputs) ---
  Conv2D: { inputs: [x: T, filter: T]; attrs: ConvAttrs };
  /** Gradient of Conv2D with respect to its input. */
  Conv2DBackpropInput: { inputs: [dy: T, filter: T]; attrs: ConvAttrs & { inputShape: readonly number[] } };
  /** Gradient of Conv2D with respect to its filter. */
  Conv2DBackpropFilter: { inputs: [x: T, dy: T]; attrs: ConvAttrs & { filterShape: readonly number[] } };
  MaxPool: { inputs: [x: T]; attrs: PoolAttrs };
  /** Routes `dy` to the arg-max of each window of `x` (first maximum wins). */
  MaxPoolGrad: { inputs: [dy: T, x: T]; attrs: PoolAttrs };
  /** Averages over the in-bounds elements of each window (padding excluded, as Keras does). */
  AvgPool: { inputs: [x: T]; attrs: PoolAttrs };
  AvgPoolGrad: { inputs: [dy: T]; attrs: PoolAttrs & { inputShape: readonly number[] } };

  // --- movement ---
  Reshape: { inputs: [x: T]; attrs: { shape: readonly number[] } };
  Transpose: { inputs: [x: T]; attrs: { perm: readonly number[] } };
  Concat: { inputs: T[]; attrs: { axis: number } };
  Slice: { inputs: [x: T]; attrs: { begin: readonly number[]; size: readonly number[] } };
  Pad: { inputs: [x: T]; attrs: { paddings: readonly (readonly [number, number])[]; constantValue: number } };
  Tile: { inputs: [x: T]; attrs: { reps: readonly number[] } };
  Reverse: { inputs: [x: T]; attrs: { axes: readonly number[] } };
  BroadcastTo: { inputs: [x: T]; attrs: { shape: readonly number[] } };
  /** `out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]`; indices int32, in range. */
  Gather: { inputs: [x: T, indices: T]; attrs: { axis: number } };
  /**
   * The adjoint of Gather: `out.shape = updates.shape[:axis] + [size] + updates.shape[axis+indices.rank:]`,
   * and each slice of `updates` is added at `indices[j]` along `axis` (repeated indices accumulate).
   * With `axis = 0` this is unsortedSegmentSum.
   */
  ScatterAdd: { inputs: [updates: T, indices: T]; attrs: { axis: number; size: number } };
}

export type NoAttrs = Record<string, never>;
export interface Unary<T> {
  inputs: [x: T];
  attrs: NoAttrs;
}
export interface Binary<T> {
  inputs: [a: T, b: T];
  attrs: NoAttrs;
}
export interface Reduce<T> {
  inputs: [x: T];
  attrs: { axes: readonly number[] };
}
export interface ConvAttrs {
  strides: readonly [number, number];
  /** `[top, bottom, left, right]`. */
  pad: readonly [number, number, number, number];
  dilations: readonly [number, number];
}
export interface PoolAttrs {
  filterSize: readonly [number, number];
  strides: readonly [number, number];
  pad: readonly [number, number, number, number];
}

export type KernelName = keyof KernelDefs<unknown>;
export type KernelInputs<K extends KernelName, T> = KernelDefs<T>[K]['inputs'];
export type KernelAttrs<K extends KernelName> = KernelDefs<unknown>[K]['attrs'];

/** Every kernel name, in declaration order (tests iterate over it). */
export const KERNEL_NAMES = [
  'Neg', 'Abs', 'Sign', 'Exp', 'Log', 'Log1p', 'Expm1', 'Sqrt', 'Rsqrt', 'Square', 'Reciprocal',
  'Sin', 'Cos', 'Tanh', 'Sigmoid', 'Softplus', 'Relu', 'Erf', 'Floor', 'Ceil', 'Round', 'IsNaN',
  'IsFinite', 'LogicalNot', 'LeakyRelu', 'Elu', 'ClipByValue', 'Cast',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Maximum', 'Minimum', 'Mod', 'FloorDiv', 'SquaredDifference',
  'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'Where',
  'Sum', 'Prod', 'Max', 'Min', 'All', 'Any', 'ArgMax', 'ArgMin', 'Softmax', 'LogSoftmax',
  'MatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad',
  'Reshape', 'Transpose', 'Concat', 'Slice', 'Pad', 'Tile', 'Reverse', 'BroadcastTo', 'Gather', 'ScatterAdd',
] as const satisfies readonly KernelName[];

// Compile-time check that KERNEL_NAMES lists every kernel.
type Missing = Exclude<KernelName, (typeof KERNEL_NAMES)[number]>;
const _allListed: [Missing] extends [never] ? true : Missing = true;
void _allListed;
