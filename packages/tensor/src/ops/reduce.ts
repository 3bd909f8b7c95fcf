import { formatArg } from '../format.js';
import type { DType } from '../dtype.js';
import { runKernel } from '../engine.js';
import { formatShape, normalizeAxes, normalizeAxis, reducedShape } from '../shape.js';
import type { Axis, Tensor, TensorLike } from '../tensor.js';
import { add, div, notEqual, pow, squaredDifference, sub, where } from './binary.js';
import { toTensor } from './convert.js';
import { abs, cast, exp, isFinite, log, sqrt, square } from './unary.js';

type AxisArg = Axis | null | undefined;

/** Run reduction kernel `kernel` over `axes` (normalized), reshaping to keep the reduced dims when asked. */
function reduceWith(kernel: 'Sum' | 'Prod' | 'Max' | 'Min' | 'All' | 'Any', x: Tensor, axes: number[], keepDims: boolean): Tensor {
  // Even a reduction over no axes dispatches (a no-copy reshape): the result must never be `x`
  // itself, since `x` may be a Variable that is assigned later.
  const out = axes.length === 0 ? runKernel('Reshape', [x], { shape: x.shape }) : runKernel(kernel, [x], { axes });
  return keepDims && axes.length > 0 ? runKernel('Reshape', [out], { shape: reducedShape(x.shape, axes, true) }) : out;
}

function withDType(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : cast(x, dtype);
}

/** Float input for ops that are only meaningful on reals (mean, logSumExp, norm...). */
function asFloat(x: Tensor): Tensor {
  return withDType(x, 'float32');
}

/**
 * Extremum and averaging reductions have no value over nothing, so an empty reduced axis is an
 * error rather than a silent ±Infinity or NaN.
 */
function assertNonEmpty(op: string, x: Tensor, axes: readonly number[]): void {
  for (const a of axes) {
    if (x.shape[a] === 0) {
      throw new Error(`${op}: cannot reduce over axis ${a} of shape ${formatShape(x.shape)} because it is empty (${op} of nothing is undefined)`);
    }
  }
}

function countOf(x: Tensor, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  return n;
}

/** Sum over `axis` (all axes when omitted). bool sums to int32; int32 stays int32 (wrapping on overflow). */
export function sum(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'sum', 'x');
  const axes = normalizeAxes('sum', axis, t.rank);
  return reduceWith('Sum', withDType(t, t.dtype === 'bool' ? 'int32' : t.dtype), axes, keepDims);
}

/** Product over `axis`; bool multiplies as int32. */
export function prod(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'prod', 'x');
  const axes = normalizeAxes('prod', axis, t.rank);
  return reduceWith('Prod', withDType(t, t.dtype === 'bool' ? 'int32' : t.dtype), axes, keepDims);
}

/** Arithmetic mean over `axis`, always float32 (the mean of integers is rarely an integer). An empty axis throws. */
export function mean(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = asFloat(toTensor(x, 'mean', 'x'));
  const axes = normalizeAxes('mean', axis, t.rank);
  assertNonEmpty('mean', t, axes);
  return div(reduceWith('Sum', t, axes, keepDims), countOf(t, axes));
}

/** Maximum over `axis`; NaN propagates. Reducing an empty axis throws. */
export function max(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'max', 'x');
  const axes = normalizeAxes('max', axis, t.rank);
  assertNonEmpty('max', t, axes);
  return reduceWith('Max', t, axes, keepDims);
}

/** Minimum over `axis`; NaN propagates. Reducing an empty axis throws. */
export function min(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'min', 'x');
  const axes = normalizeAxes('min', axis, t.rank);
  assertNonEmpty('min', t, axes);
  return reduceWith('Min', t, axes, keepDims);
}

function requireBool(op: string, t: Tensor): void {
  if (t.dtype !== 'bool') {
    throw new Error(`${op}: expected a bool tensor, got ${t.dtype} (compare first, e.g. notEqual(x, 0))`);
  }
}

/** Logical AND over `axis` (true for an empty axis). */
export function all(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'all', 'x');
  requireBool('all', t);
  return reduceWith('All', t, normalizeAxes('all', axis, t.rank), keepDims);
}

/** Logical OR over `axis` (false for an empty axis). */
export function any(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = toTensor(x, 'any', 'x');
  requireBool('any', t);
  return reduceWith('Any', t, normalizeAxes('any', axis, t.rank), keepDims);
}

function argExtremum(op: 'argMax' | 'argMin', x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, op, 'x');
  if (t.rank === 0) throw new Error(`${op}: expected a tensor of rank ≥ 1, got a scalar`);
  const a = normalizeAxis(op, axis, t.rank);
  assertNonEmpty(op, t, [a]);
  return runKernel(op === 'argMax' ? 'ArgMax' : 'ArgMin', [t], { axis: a });
}

/** Index (int32) of the first maximum along `axis`. */
export function argMax(x: TensorLike, axis = 0): Tensor {
  return argExtremum('argMax', x, axis);
}

/** Index (int32) of the first minimum along `axis`. */
export function argMin(x: TensorLike, axis = 0): Tensor {
  return argExtremum('argMin', x, axis);
}

/**
 * `log(sum(exp(x)))` over `axis`, computed as `m + log(sum(exp(x - m)))` with `m` the maximum, so
 * large inputs do not overflow. The expression does not depend on `m`, so its gradient is the
 * softmax whatever `m`'s own gradient is. Infinite maxima are replaced by 0 so `inf - inf` cannot
 * turn a correct ±Infinity into NaN.
 */
export function logSumExp(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  const t = asFloat(toTensor(x, 'logSumExp', 'x'));
  const axes = normalizeAxes('logSumExp', axis, t.rank);
  if (axes.length === 0) return runKernel('Reshape', [t], { shape: t.shape });
  const mKeep = runKernel('Reshape', [runKernel('Max', [t], { axes })], { shape: reducedShape(t.shape, axes, true) });
  const shift = where(isFinite(mKeep), mKeep, 0);
  const s = reduceWith('Sum', exp(sub(t, shift)), axes, keepDims);
  const m = keepDims ? shift : runKernel('Reshape', [shift], { shape: reducedShape(t.shape, axes) });
  return add(log(s), m);
}

/** Population variance (divides by N, as NumPy and TF) over `axis`, from the centred values. */
export function variance(x: TensorLike, axis?: AxisArg, keepDims = false): Tensor {
  return momentsOf('variance', x, axis, keepDims).variance;
}

/** Mean and population variance over `axis` in one pass over the centred values. */
export function moments(x: TensorLike, axis?: AxisArg, keepDims = false): { mean: Tensor; variance: Tensor } {
  return momentsOf('moments', x, axis, keepDims);
}

function momentsOf(op: string, x: TensorLike, axis: AxisArg, keepDims: boolean): { mean: Tensor; variance: Tensor } {
  const t = asFloat(toTensor(x, op, 'x'));
  const axes = normalizeAxes(op, axis, t.rank);
  assertNonEmpty(op, t, axes);
  const n = countOf(t, axes);
  const m = div(reduceWith('Sum', t, axes, true), n);
  const v = div(reduceWith('Sum', squaredDifference(t, m), axes, keepDims), n);
  const meanOut = keepDims ? m : runKernel('Reshape', [m], { shape: reducedShape(t.shape, axes) });
  return { mean: meanOut, variance: v };
}

/**
 * The order of a norm: `'euclidean'` (the default: the 2-norm of a vector, the Frobenius norm of
 * a matrix), `'fro'`, or a number `p`. For vectors any real `p` (0 counts non-zeros, ±Infinity
 * is the largest/smallest magnitude); for matrices 1, -1, Infinity and -Infinity (largest/smallest
 * absolute column/row sum).
 */
export type NormOrd = 'euclidean' | 'fro' | number;

/**
 * Vector or matrix norm, following NumPy's `linalg.norm`: with no `axis` the tensor is flattened
 * and treated as a vector (for `'fro'` that is the Frobenius norm); one axis gives vector norms;
 * two axes `[rowAxis, colAxis]` give matrix norms.
 */
export function norm(x: TensorLike, ord: NormOrd = 'euclidean', axis?: AxisArg, keepDims = false): Tensor {
  const op = 'norm';
  const t = asFloat(toTensor(x, op, 'x'));
  if (ord !== 'euclidean' && ord !== 'fro' && (typeof ord !== 'number' || Number.isNaN(ord))) {
    throw new Error(`${op}: ord must be 'euclidean', 'fro' or a number, got ${formatArg(ord)}`);
  }
  const list = axis === undefined || axis === null ? null : typeof axis === 'number' ? [axis] : [...axis];
  if (list !== null && (list.length === 0 || list.length > 2)) {
    throw new Error(`${op}: axis must be one axis (vector norm) or two (matrix norm), got ${formatArg(list)}`);
  }
  if (list !== null && list.length === 2) {
    const [r, c] = list.map((a) => normalizeAxis(op, a, t.rank)) as [number, number];
    if (r === c) throw new Error(`${op}: the two matrix axes must differ, got ${formatArg(list)}`);
    return matrixNorm(t, ord, r, c, keepDims);
  }
  if (ord === 'fro' && list !== null) {
    throw new Error(`${op}: ord 'fro' is a matrix norm and needs two axes (or none), got axis ${formatArg(list)}`);
  }
  const axes = list === null ? normalizeAxes(op, undefined, t.rank) : normalizeAxes(op, list, t.rank);
  return vectorNorm(t, ord, axes, keepDims);
}

function vectorNorm(t: Tensor, ord: NormOrd, axes: number[], keepDims: boolean): Tensor {
  if (ord === 'euclidean' || ord === 'fro' || ord === 2) return sqrt(reduceWith('Sum', square(t), axes, keepDims));
  if (ord === 1) return reduceWith('Sum', abs(t), axes, keepDims);
  if (ord === Infinity || ord === -Infinity) {
    assertNonEmpty('norm', t, axes);
    return reduceWith(ord > 0 ? 'Max' : 'Min', abs(t), axes, keepDims);
  }
  if (ord === 0) return reduceWith('Sum', cast(notEqual(t, 0), 'float32'), axes, keepDims);
  return pow(reduceWith('Sum', pow(abs(t), ord), axes, keepDims), 1 / ord);
}

function matrixNorm(t: Tensor, ord: NormOrd, rowAxis: number, colAxis: number, keepDims: boolean): Tensor {
  const sorted = [Math.min(rowAxis, colAxis), Math.max(rowAxis, colAxis)];
  let out: Tensor;
  if (ord === 'euclidean' || ord === 'fro') {
    out = sqrt(reduceWith('Sum', square(t), sorted, true));
  } else if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    assertNonEmpty('norm', t, sorted);
    // 1-norms take column sums (summing down the row axis), ∞-norms row sums, then the extreme.
    const sumAxis = Math.abs(ord) === 1 ? rowAxis : colAxis;
    const pickAxis = sumAxis === rowAxis ? colAxis : rowAxis;
    const sums = reduceWith('Sum', abs(t), [sumAxis], true);
    out = reduceWith(ord > 0 ? 'Max' : 'Min', sums, [pickAxis], true);
  } else {
    throw new Error(
      `norm: matrix norms (two axes) support ord 'euclidean', 'fro', 1, -1, Infinity and -Infinity, got ${String(ord)}`,
    );
  }
  return keepDims ? out : runKernel('Reshape', [out], { shape: reducedShape(t.shape, sorted) });
}
