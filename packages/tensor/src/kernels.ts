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
  /** `−x`. */
  Neg: Unary<T>;
  /** `|x|`. */
  Abs: Unary<T>;
  /** −1, 0 or 1 by the sign of `x`. */
  Sign: Unary<T>;
  /** `eˣ`. */
  Exp: Unary<T>;
  /** Natural logarithm. */
  Log: Unary<T>;
  /** `ln(1 + x)`. */
  Log1p: Unary<T>;
  /** `eˣ − 1`. */
  Expm1: Unary<T>;
  /** Square root. */
  Sqrt: Unary<T>;
  /** `1/√x`. */
  Rsqrt: Unary<T>;
  /** `x²`. */
  Square: Unary<T>;
  /** `1/x`. */
  Reciprocal: Unary<T>;
  /** Sine (radians). */
  Sin: Unary<T>;
  /** Cosine (radians). */
  Cos: Unary<T>;
  /** Hyperbolic tangent. */
  Tanh: Unary<T>;
  /** `1/(1 + e⁻ˣ)`. */
  Sigmoid: Unary<T>;
  /** `ln(1 + eˣ)`, computed without overflow. */
  Softplus: Unary<T>;
  /** `max(x, 0)`. */
  Relu: Unary<T>;
  /**
   * The gradient of Relu in one pass: `dy · (x > 0 ? 1 : 0)` (dy and x of one shape, float32 out);
   * what autograd's Relu rule runs instead of greater → cast → mul.
   */
  ReluGrad: { inputs: [dy: T, x: T]; attrs: NoAttrs };
  /** The error function. */
  Erf: Unary<T>;
  /** Round down. */
  Floor: Unary<T>;
  /** Round up. */
  Ceil: Unary<T>;
  /** Round half to even, as NumPy and TF do. */
  Round: Unary<T>;
  /** Output dtype bool. */
  IsNaN: Unary<T>;
  /** Output dtype bool. */
  IsFinite: Unary<T>;
  /** bool → bool. */
  LogicalNot: Unary<T>;
  /** `x > 0 ? x : alpha·x`. */
  LeakyRelu: { inputs: [x: T]; attrs: { alpha: number } };
  /** `x > 0 ? x : alpha·(exp(x) − 1)`. */
  Elu: { inputs: [x: T]; attrs: { alpha: number } };
  /** Clamp into `[min, max]`. */
  ClipByValue: { inputs: [x: T]; attrs: { min: number; max: number } };
  /** Convert to `dtype` (float → int truncates toward zero; bool is `x != 0`). */
  Cast: { inputs: [x: T]; attrs: { dtype: DType } };
  /** Tangent (radians). */
  Tan: Unary<T>;
  /** Inverse sine, in `[−π/2, π/2]` (NaN outside `[−1, 1]`). */
  Asin: Unary<T>;
  /** Inverse cosine, in `[0, π]` (NaN outside `[−1, 1]`). */
  Acos: Unary<T>;
  /** Inverse tangent, in `(−π/2, π/2)`. */
  Atan: Unary<T>;
  /** Hyperbolic sine. */
  Sinh: Unary<T>;
  /** Hyperbolic cosine. */
  Cosh: Unary<T>;
  /** Inverse hyperbolic sine. */
  Asinh: Unary<T>;
  /** Inverse hyperbolic cosine (NaN below 1). */
  Acosh: Unary<T>;
  /** Inverse hyperbolic tangent (±∞ at ±1, NaN beyond). */
  Atanh: Unary<T>;

  // --- elementwise binary with broadcasting ---
  /** `a + b`. */
  Add: Binary<T>;
  /** `a − b`. */
  Sub: Binary<T>;
  /** `a · b`. */
  Mul: Binary<T>;
  /** float division; int32 inputs are cast to float32 by the op before dispatch. */
  Div: Binary<T>;
  /** `a ** b`. */
  Pow: Binary<T>;
  /** Larger of `a` and `b`. */
  Maximum: Binary<T>;
  /** Smaller of `a` and `b`. */
  Minimum: Binary<T>;
  /** Python/NumPy modulo: result has the sign of the divisor. */
  Mod: Binary<T>;
  /** `floor(a / b)`. */
  FloorDiv: Binary<T>;
  /** `(a − b)²`. */
  SquaredDifference: Binary<T>;
  /** The angle of the point `(b, a)`: `atan(a / b)` in the right quadrant, in `[−π, π]`; float32. */
  Atan2: Binary<T>;
  /** `a == b`, bool output. */
  Equal: Binary<T>;
  /** `a != b`, bool output. */
  NotEqual: Binary<T>;
  /** `a > b`, bool output. */
  Greater: Binary<T>;
  /** `a >= b`, bool output. */
  GreaterEqual: Binary<T>;
  /** `a < b`, bool output. */
  Less: Binary<T>;
  /** `a <= b`, bool output. */
  LessEqual: Binary<T>;
  /** bool AND bool → bool. */
  LogicalAnd: Binary<T>;
  /** bool OR bool → bool. */
  LogicalOr: Binary<T>;
  /** `cond ? a : b`, all three broadcast together; `cond` is bool. */
  Where: { inputs: [cond: T, a: T, b: T]; attrs: NoAttrs };

  // --- reductions ---
  /** Sum over `axes`. */
  Sum: Reduce<T>;
  /** Product over `axes`. */
  Prod: Reduce<T>;
  /** Running sum along `axis` (normalized); same shape and dtype. See `ScanAttrs`. */
  Cumsum: { inputs: [x: T]; attrs: ScanAttrs };
  /** Running product along `axis` (normalized); same shape and dtype. See `ScanAttrs`. */
  Cumprod: { inputs: [x: T]; attrs: ScanAttrs };
  /** Maximum over `axes`. */
  Max: Reduce<T>;
  /** Minimum over `axes`. */
  Min: Reduce<T>;
  /** bool in, bool out. */
  All: Reduce<T>;
  /** bool in, bool out. */
  Any: Reduce<T>;
  /** int32 indices; first occurrence wins; output drops `axis`. */
  ArgMax: { inputs: [x: T]; attrs: { axis: number } };
  /** int32 indices of the minimum along `axis`; first occurrence wins; output drops `axis`. */
  ArgMin: { inputs: [x: T]; attrs: { axis: number } };
  /** Numerically stable along `axis` (normalized). */
  Softmax: { inputs: [x: T]; attrs: { axis: number } };
  /** `x − logSumExp(x)` along `axis` (normalized), numerically stable. */
  LogSoftmax: { inputs: [x: T]; attrs: { axis: number } };
  /**
   * Cross-entropy of `targets` against softmax(`logits`) over the last axis, per row:
   * `−Σ targets · logSoftmax(logits)`; float32 inputs of one shape, `out.shape = logits.shape[:-1]`.
   */
  SoftmaxCrossEntropy: { inputs: [logits: T, targets: T]; attrs: NoAttrs };
  /** SoftmaxCrossEntropy's gradient for the logits: `dy[…, None] · (softmax(logits) · Σ targets − targets)`. */
  SoftmaxCrossEntropyGrad: { inputs: [logits: T, targets: T, dy: T]; attrs: NoAttrs };
  /**
   * int32 positions of the first `k` entries of a stable sort along the last axis (ascending, or
   * descending with `descending`): ties keep index order, NaN counts as larger than +Infinity.
   * `out.shape = x.shape[:-1] + [k]`, `0 ≤ k ≤ x.shape[-1]`.
   */
  ArgSort: { inputs: [x: T]; attrs: { k: number; descending: boolean } };

  // --- linear algebra ---
  /**
   * `a: [...batchA, m, k]`, `b: [...batchB, k, n]` (after the optional transposes of the last two
   * dims); batch dims broadcast; both inputs have rank ≥ 2.
   */
  MatMul: { inputs: [a: T, b: T]; attrs: { transposeA: boolean; transposeB: boolean } };

  // --- convolution and pooling (NHWC, rank-4 inputs) ---
  /** 2-D convolution (cross-correlation, as in TF) of `x: [n, h, w, in]` with `filter: [kh, kw, in, out]`. */
  Conv2D: { inputs: [x: T, filter: T]; attrs: ConvAttrs };
  /** Gradient of Conv2D with respect to its input. */
  Conv2DBackpropInput: { inputs: [dy: T, filter: T]; attrs: ConvAttrs & { inputShape: readonly number[] } };
  /** Gradient of Conv2D with respect to its filter. */
  Conv2DBackpropFilter: { inputs: [x: T, dy: T]; attrs: ConvAttrs & { filterShape: readonly number[] } };
  /** Maximum over each window. */
  MaxPool: { inputs: [x: T]; attrs: PoolAttrs };
  /** Routes `dy` to the arg-max of each window of `x` (first maximum wins). */
  MaxPoolGrad: { inputs: [dy: T, x: T]; attrs: PoolAttrs };
  /** Averages over the in-bounds elements of each window (padding excluded, as Keras does). */
  AvgPool: { inputs: [x: T]; attrs: PoolAttrs };
  /** Gradient of AvgPool: spreads each `dy` evenly over the in-bounds elements of its window. */
  AvgPoolGrad: { inputs: [dy: T]; attrs: PoolAttrs & { inputShape: readonly number[] } };

  // --- movement ---
  /** Same values in a new `shape` of the same size (fully specified, no −1). */
  Reshape: { inputs: [x: T]; attrs: { shape: readonly number[] } };
  /** Output axis `i` is input axis `perm[i]`. */
  Transpose: { inputs: [x: T]; attrs: { perm: readonly number[] } };
  /** Joins the inputs along `axis`; every other dimension agrees. */
  Concat: { inputs: T[]; attrs: { axis: number } };
  /** The block from `begin` of extent `size` (both fully specified per axis). */
  Slice: { inputs: [x: T]; attrs: { begin: readonly number[]; size: readonly number[] } };
  /** Pads `[before, after]` per axis with `constantValue`. */
  Pad: { inputs: [x: T]; attrs: { paddings: readonly (readonly [number, number])[]; constantValue: number } };
  /** Repeats `reps[i]` times along axis i. */
  Tile: { inputs: [x: T]; attrs: { reps: readonly number[] } };
  /** Reverses the order along each axis in `axes`. */
  Reverse: { inputs: [x: T]; attrs: { axes: readonly number[] } };
  /** Broadcasts to `shape` (NumPy rules). */
  BroadcastTo: { inputs: [x: T]; attrs: { shape: readonly number[] } };
  /** `out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:]`; indices int32, in range. */
  Gather: { inputs: [x: T, indices: T]; attrs: { axis: number } };
  /**
   * The adjoint of Gather: `out.shape = updates.shape[:axis] + [size] + updates.shape[axis+indices.rank:]`,
   * and each slice of `updates` is added at `indices[j]` along `axis` (repeated indices accumulate).
   * With `axis = 0` this is unsortedSegmentSum.
   */
  ScatterAdd: { inputs: [updates: T, indices: T]; attrs: { axis: number; size: number } };

  // --- fused bias + activation (ops/fused.ts; what Dense and Conv2D run for 'linear' and 'relu') ---
  /**
   * `activation(a·b + bias)` in one kernel: `a: [m, k]`, `b: [k, n]` (after the optional transposes),
   * `bias: [n]`, all float32. The same numbers as MatMul, then Add, then the activation's kernel.
   */
  FusedMatMul: { inputs: [a: T, b: T, bias: T]; attrs: { transposeA: boolean; transposeB: boolean; activation: FusedActivation } };
  /** `activation(conv2d(x, filter) + bias)`, `bias: [outChannels]`; the same numbers as Conv2D, Add, activation. */
  FusedConv2D: { inputs: [x: T, filter: T, bias: T]; attrs: ConvAttrs & { activation: FusedActivation } };
  /**
   * The gradient of a bias added along the last axis: `dy: [..., c]` summed over every other axis → `[c]`,
   * in blocks of BIAS_GRAD_BLOCK rows whose partial sums are added in block order (so every backend and
   * thread count gives the same numbers).
   */
  BiasAddGrad: { inputs: [dy: T]; attrs: NoAttrs };

  // --- fused recurrent sequences (used inside the RNN layers' custom gradient; see ops/recurrent.ts) ---
  /**
   * An LSTM over a whole sequence: `xp: [b, T, 4u]` (input projection + bias of every step),
   * `init: [b, 2u]` (`[h0 | c0]`), `recurrentKernel: [u, 4u]`. Output, the trace `[b, T, 6u]`: per
   * step `[h | c | i | f | g | o]` (gates in Keras order, after σ/tanh).
   */
  LSTMSequence: { inputs: [xp: T, init: T, recurrentKernel: T]; attrs: NoAttrs };
  /**
   * Backward of LSTMSequence through time, given `dTrace: [b, T, 6u]` (the gradient of the trace; its
   * h and c columns are read). Output `[b, T, 6u]`: per step t `[dz_t (gate pre-activations, 4u) |
   * dh_{t−1} | dc_{t−1}]`, so step 0 holds the gradient of `init`.
   */
  LSTMSequenceGrad: { inputs: [trace: T, init: T, recurrentKernel: T, dTrace: T]; attrs: NoAttrs };
  /**
   * A GRU over a whole sequence: `xp: [b, T, 3u]`, `h0: [b, u]`, `recurrentKernel: [u, 3u]`,
   * `recurrentBias: [3u]` (resetAfter only) or `[0]`. Output `[b, T, 5u]`: per step `[h | z | r | ĥ | q]`,
   * q the recurrent candidate term (`h·U_h + b_h` with resetAfter, else `r⊙h_{t−1}`).
   */
  GRUSequence: { inputs: [xp: T, h0: T, recurrentKernel: T, recurrentBias: T]; attrs: { resetAfter: boolean } };
  /**
   * Backward of GRUSequence (`dTrace: [b, T, 5u]`, its h columns read). Output `[b, T, 7u]`: per step
   * `[dxp_t (3u) | dInner_t (3u) | dh_{t−1}]`, dInner the gradient of the recurrent product's columns.
   */
  GRUSequenceGrad: { inputs: [trace: T, h0: T, recurrentKernel: T, dTrace: T]; attrs: { resetAfter: boolean } };
}

type NoAttrs = Record<string, never>;
/** The activations the fused kernels apply in their epilogue. */
export type FusedActivation = 'linear' | 'relu';
/** Rows per partial sum in BiasAddGrad. */
export const BIAS_GRAD_BLOCK = 64;
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
/** Attributes of the running sum and product. */
export interface ScanAttrs {
  /** The axis to scan along (non-negative). */
  axis: number;
  /** Leave each element out of its own entry (the first entry is 0 for a sum, 1 for a product). */
  exclusive: boolean;
  /** Scan from the end of the axis toward its start. */
  reverse: boolean;
}
/** Attributes of Conv2D and its gradients. */
export interface ConvAttrs {
  /** Step between windows, `[height, width]`. */
  strides: readonly [number, number];
  /** `[top, bottom, left, right]`. */
  pad: readonly [number, number, number, number];
  /** Spacing between filter taps, `[height, width]` (1 = dense). */
  dilations: readonly [number, number];
}
/** Attributes of the pooling kernels and their gradients. */
export interface PoolAttrs {
  /** Window size `[height, width]`. */
  filterSize: readonly [number, number];
  /** Step between windows, `[height, width]`. */
  strides: readonly [number, number];
  /** Explicit padding `[top, bottom, left, right]`. */
  pad: readonly [number, number, number, number];
}

/** The name of a kernel: one key of `KernelDefs`. */
export type KernelName = keyof KernelDefs<unknown>;
/** The input tuple of kernel `K`, over tensor type `T`. */
export type KernelInputs<K extends KernelName, T> = KernelDefs<T>[K]['inputs'];
/** The attribute object of kernel `K`. */
export type KernelAttrs<K extends KernelName> = KernelDefs<unknown>[K]['attrs'];

/** Every kernel name, in declaration order (tests iterate over it). */
export const KERNEL_NAMES = [
  'Neg', 'Abs', 'Sign', 'Exp', 'Log', 'Log1p', 'Expm1', 'Sqrt', 'Rsqrt', 'Square', 'Reciprocal',
  'Sin', 'Cos', 'Tanh', 'Sigmoid', 'Softplus', 'Relu', 'Erf', 'Floor', 'Ceil', 'Round', 'IsNaN',
  'IsFinite', 'LogicalNot', 'LeakyRelu', 'Elu', 'ClipByValue', 'Cast',
  'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Atan2', 'Cumsum', 'Cumprod',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Maximum', 'Minimum', 'Mod', 'FloorDiv', 'SquaredDifference',
  'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'Where',
  'Sum', 'Prod', 'Max', 'Min', 'All', 'Any', 'ArgMax', 'ArgMin', 'Softmax', 'LogSoftmax', 'SoftmaxCrossEntropy', 'SoftmaxCrossEntropyGrad', 'ArgSort',
  'MatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad',
  'Reshape', 'Transpose', 'Concat', 'Slice', 'Pad', 'Tile', 'Reverse', 'BroadcastTo', 'Gather', 'ScatterAdd',
  'LSTMSequence', 'LSTMSequenceGrad', 'GRUSequence', 'GRUSequenceGrad',
  'ReluGrad',
  'FusedMatMul', 'FusedConv2D', 'BiasAddGrad',
] as const satisfies readonly KernelName[];

// Compile-time check that KERNEL_NAMES lists every kernel.
type Missing = Exclude<KernelName, (typeof KERNEL_NAMES)[number]>;
const _allListed: [Missing] extends [never] ? true : Missing = true;
void _allListed;
