import type { DType } from '../dtype.js';
import { allocArray, isDType, isInt32 } from '../dtype.js';
import { checkAllocation, makeTensor } from '../engine.js';
import { formatArg } from '../format.js';
import type { Shape } from '../shape.js';
import type { TensorLike } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { toTensor } from './convert.js';

export { tensor } from './convert.js';

function checkDType(op: string, dtype: DType): void {
  if (!isDType(dtype)) throw new Error(`${op}: dtype must be 'float32', 'int32' or 'bool', got ${formatArg(dtype)}`);
}

/** A rank-0 tensor. */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`scalar: expected a number or boolean, got ${typeof value}`);
  }
  const d = dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  checkDType('scalar', d);
  return full([], value === true ? 1 : value === false ? 0 : value, d);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  return filled('full', shape, value, dtype);
}

/**
 * Throw unless `value` can be stored as `dtype`: a number (or boolean) — any number for float32 and
 * bool, an integer in the int32 range for int32 (a typed array would truncate or wrap it silently).
 */
function checkFillValue(op: string, arg: string, value: unknown, dtype: DType): number {
  let v: number;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'boolean') v = value ? 1 : 0;
  else throw new Error(`${op}: ${arg} must be a number or boolean, got ${value === null ? 'null' : Array.isArray(value) ? `the array ${formatArg(value)}` : `${typeof value} ${formatArg(value)}`}`);
  if (dtype === 'int32' && !isInt32(v)) {
    throw new Error(`${op}: ${arg} must be an integer in [-2147483648, 2147483647] for dtype int32, got ${formatArg(v)}`);
  }
  return v;
}

/** `full` with errors that name the op the user called. */
function filled(op: string, shape: Shape, value: number, dtype: DType): Tensor {
  checkDType(op, dtype);
  const size = checkAllocation(op, shape, dtype);
  const v = checkFillValue(op, 'value', value, dtype);
  const arr = allocArray(dtype, size);
  if (v !== 0) arr.fill(dtype === 'bool' ? 1 : v);
  return makeTensor(arr, shape, dtype);
}

/** A tensor of `shape` filled with 0 (default dtype float32). */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype);
}

/** A tensor of `shape` filled with 1 (default dtype float32). */
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return full(x.shape, 0, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x.dtype);
}

/** Identity matrix `[n, m]` (m defaults to n). */
export function eye(n: number, m: number = n, dtype: DType = 'float32'): Tensor {
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`eye: ${name} must be a non-negative integer, got ${formatArg(v)}`);
  }
  checkDType('eye', dtype);
  const arr = allocArray(dtype, checkAllocation('eye', [n, m], dtype));
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return makeTensor(arr, [n, m], dtype);
}

/**
 * Evenly spaced values in `[start, stop)`; `arange(5)` is `[0..4]`. The dtype is int32 when all
 * arguments are integers, else float32, unless given.
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isFinite(v)) throw new Error(`arange: ${name} must be a finite number, got ${formatArg(v)}`);
  }
  if (step === 0) throw new Error('arange: step must not be 0');
  const d = dtype ?? (Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step) ? 'int32' : 'float32');
  checkDType('arange', d);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const arr = allocArray(d, checkAllocation('arange', [n], d));
  if (d === 'int32' && n > 0 && (!isInt32(start) || !isInt32(start + (n - 1) * step))) {
    throw new Error(`arange: values from ${start} to ${start + (n - 1) * step} do not fit dtype int32 (integers in [-2147483648, 2147483647])`);
  }
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return makeTensor(arr, [n], d);
}

/** `num` evenly spaced float32 values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new Error(`linspace: num must be a non-negative integer, got ${formatArg(num)}`);
  for (const [name, v] of [['start', start], ['stop', stop]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`linspace: ${name} must be a finite number, got ${formatArg(v)}`);
    if (Math.abs(v) > 3.4028234663852886e38) {
      throw new Error(`linspace: ${name} must lie within float32's finite range (|${name}| ≤ 3.4028234663852886e+38), got ${formatArg(v)}`);
    }
  }
  const arr = new Float32Array(checkAllocation('linspace', [num], 'float32'));
  if (num === 1) arr[0] = start;
  for (let i = 0; i < num && num > 1; i++) arr[i] = start + ((stop - start) * i) / (num - 1);
  return makeTensor(arr, [num], 'float32');
}

/**
 * One-hot encode integer `indices` into a new last axis of size `depth` (float32 by default, as
 * Keras's `to_categorical`). Out-of-range indices give an all-`offValue` row, as in TF.
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = 'float32'): Tensor {
  const idx = toTensor(indices, 'oneHot', 'indices');
  if (idx.dtype !== 'int32') {
    throw new Error(`oneHot: indices must be int32, got ${idx.dtype} (cast with cast(x, 'int32'))`);
  }
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`oneHot: depth must be a positive integer, got ${formatArg(depth)}`);
  checkDType('oneHot', dtype);
  const on = checkFillValue('oneHot', 'onValue', onValue, dtype);
  const off = checkFillValue('oneHot', 'offValue', offValue, dtype);
  const arr = allocArray(dtype, checkAllocation('oneHot', [...idx.shape, depth], dtype));
  const values = idx.dataSync();
  if (off !== 0) arr.fill(dtype === 'bool' ? 1 : off);
  const onStored = dtype === 'bool' ? (on !== 0 ? 1 : 0) : on;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >= 0 && v < depth) arr[i * depth + v] = onStored;
  }
  return makeTensor(arr, [...idx.shape, depth], dtype);
}
