import type { DType } from '../dtype.js';
import { allocArray } from '../dtype.js';
import { checkAllocation, makeTensor } from '../engine.js';
import { formatArg } from '../format.js';
import { generatorFor } from '../random.js';
import type { Shape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import { gather } from './gather.js';

function floatDType(op: string, dtype: DType): void {
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new Error(`${op}: dtype must be 'float32' or 'int32', got ${formatArg(dtype)}`);
  }
}

/** Throw unless every named argument is a finite number (NaN or ±Infinity would fill the tensor with NaN). */
function finiteArgs(op: string, args: Readonly<Record<string, unknown>>): void {
  for (const [name, v] of Object.entries(args)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${op}: ${name} must be a finite number, got ${typeof v === 'number' || v === undefined || v === null ? formatArg(v) : `${typeof v} ${formatArg(v)}`}`);
    }
  }
}

/** Largest finite float32 value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Throw unless every named (finite) argument lies within float32's finite range (else the samples would be ±Infinity). */
function float32Args(op: string, args: Readonly<Record<string, number>>): void {
  for (const [name, v] of Object.entries(args)) {
    if (Math.abs(v) > FLOAT32_MAX) {
      throw new Error(`${op}: ${name} must lie within float32's finite range (|${name}| ≤ ${FLOAT32_MAX}) for dtype float32, got ${formatArg(v)}`);
    }
  }
}

/** Uniform samples in `[minval, maxval)`; for int32, integers in `[minval, maxval)`. */
export function randomUniform(shape: Shape, minval = 0, maxval = 1, dtype: DType = 'float32', seed?: number): Tensor {
  floatDType('randomUniform', dtype);
  const n = checkAllocation('randomUniform', shape, dtype);
  finiteArgs('randomUniform', { minval, maxval });
  if (dtype === 'float32') float32Args('randomUniform', { minval, maxval });
  if (!(maxval > minval)) throw new Error(`randomUniform: maxval must be greater than minval, got minval=${formatArg(minval)}, maxval=${formatArg(maxval)}`);
  if (dtype === 'int32' && (Math.ceil(minval) < -2147483648 || Math.ceil(maxval) > 2147483648)) {
    throw new Error(`randomUniform: for dtype int32, [minval, maxval) must lie within the int32 range, got minval=${formatArg(minval)}, maxval=${formatArg(maxval)}`);
  }
  const gen = generatorFor(seed);
  const arr = allocArray(dtype, n);
  if (dtype === 'int32') {
    const lo = Math.ceil(minval);
    const span = Math.ceil(maxval) - lo;
    for (let i = 0; i < n; i++) arr[i] = lo + gen.nextInt(span);
  } else {
    for (let i = 0; i < n; i++) arr[i] = minval + (maxval - minval) * gen.nextFloat();
  }
  return makeTensor(arr, shape, dtype);
}

/** Normal samples with the given mean and standard deviation. */
export function randomNormal(shape: Shape, mean = 0, stddev = 1, dtype: DType = 'float32', seed?: number): Tensor {
  floatDType('randomNormal', dtype);
  const n = checkAllocation('randomNormal', shape, dtype);
  finiteArgs('randomNormal', { mean, stddev });
  if (dtype === 'float32') float32Args('randomNormal', { mean, stddev });
  if (!(stddev >= 0)) throw new Error(`randomNormal: stddev must be non-negative, got ${stddev}`);
  const gen = generatorFor(seed);
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = mean + stddev * gen.nextNormal();
  return makeTensor(arr, shape, dtype);
}

/** Normal samples redrawn until they fall within two standard deviations of the mean (as TF and Keras do). */
export function truncatedNormal(shape: Shape, mean = 0, stddev = 1, dtype: DType = 'float32', seed?: number): Tensor {
  floatDType('truncatedNormal', dtype);
  const n = checkAllocation('truncatedNormal', shape, dtype);
  finiteArgs('truncatedNormal', { mean, stddev });
  if (dtype === 'float32') float32Args('truncatedNormal', { mean, stddev });
  if (!(stddev >= 0)) throw new Error(`truncatedNormal: stddev must be non-negative, got ${stddev}`);
  const gen = generatorFor(seed);
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) {
    let z: number;
    do z = gen.nextNormal();
    while (z < -2 || z > 2);
    arr[i] = mean + stddev * z;
  }
  return makeTensor(arr, shape, dtype);
}

/** Samples that are 1 with probability `p` and 0 otherwise (float32 unless `dtype` says otherwise). */
export function bernoulli(shape: Shape, p: number, seed?: number, dtype: DType = 'float32'): Tensor {
  const n = checkAllocation('bernoulli', shape, dtype);
  if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli: p must be in [0, 1], got ${p}`);
  const gen = generatorFor(seed);
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = gen.nextFloat() < p ? 1 : 0;
  return makeTensor(arr, shape, dtype);
}

/** A random permutation of `0 … n-1` (int32), by Fisher–Yates. */
export function permutation(n: number, seed?: number): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`permutation: n must be a non-negative integer, got ${n}`);
  checkAllocation('permutation', [n], 'int32');
  const gen = generatorFor(seed);
  const arr = new Int32Array(n);
  for (let i = 0; i < n; i++) arr[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = gen.nextInt(i + 1);
    const t = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = t;
  }
  return makeTensor(arr, [n], 'int32');
}

/** `x` with its first axis shuffled. */
export function randomShuffle(x: TensorLike, seed?: number): Tensor {
  const t = toTensor(x, 'randomShuffle', 'x');
  if (t.rank === 0) throw new Error('randomShuffle: expected a tensor of rank ≥ 1, got a scalar');
  return gather(t, permutation(t.shape[0]!, seed), 0);
}
