import { formatArg } from '../format.js';
import type { DType, TypedArray } from '../dtype.js';
import { allocArray, dtypeOfArray, isDType, isInt32 } from '../dtype.js';
import { makeTensor } from '../engine.js';
import type { Shape } from '../shape.js';
import { MAX_RANK, assertValidShape, formatShape, sizeFromShape } from '../shape.js';
import type { NestedArray, TensorLike } from '../tensor.js';
import { Tensor } from '../tensor.js';

/** Infer the shape of nested arrays, throwing on ragged or non-numeric input. */
function inferShape(op: string, value: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = value;
  while (Array.isArray(cur)) {
    if (shape.length === MAX_RANK) {
      fail(op, `nested arrays are more than ${MAX_RANK} levels deep; a tensor may have at most ${MAX_RANK} axes`);
    }
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = (cur as readonly NestedArray[])[0]!;
  }
  return shape.length === 0 && typeof value !== 'number' && typeof value !== 'boolean'
    ? fail(op, `expected a number, boolean, nested array or typed array, got ${describe(value)}`)
    : shape;
}

function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${formatArg(value)}`;
  return typeof value;
}

/** Flatten nested arrays of `shape` into `out`, validating regularity and element types. */
function flattenInto(op: string, value: NestedArray, shape: readonly number[], dim: number, out: TypedArray | Float64Array, offset: number, path: string): number {
  if (dim === shape.length) {
    if (typeof value === 'number') out[offset] = value;
    else if (typeof value === 'boolean') out[offset] = value ? 1 : 0;
    else if (Array.isArray(value)) fail(op, `ragged nested array: element ${path} is an array but its siblings are scalars (shape so far ${formatShape(shape)})`);
    else fail(op, `non-numeric element ${path}: ${describe(value)}`);
    return offset + 1;
  }
  if (!Array.isArray(value)) {
    fail(op, `ragged nested array: element ${path} is ${describe(value)} where an array of length ${shape[dim]} was expected`);
  }
  const arr = value as readonly NestedArray[];
  if (arr.length !== shape[dim]) {
    fail(op, `ragged nested array: element ${path || '[]'} has length ${arr.length}, expected ${shape[dim]}`);
  }
  for (let i = 0; i < arr.length; i++) offset = flattenInto(op, arr[i]!, shape, dim + 1, out, offset, `${path}[${i}]`);
  return offset;
}

function int32Message(v: number, i: number): string {
  return Number.isInteger(v)
    ? `dtype int32 holds integers in [-2147483648, 2147483647], got ${v} at flat index ${i}`
    : `dtype int32 needs integer values, got ${v} at flat index ${i}`;
}

function containsBooleansOnly(value: NestedArray): boolean {
  if (typeof value === 'boolean') return true;
  if (!Array.isArray(value)) return false;
  return value.length > 0 && value.every(containsBooleansOnly);
}

/**
 * Build a tensor from a scalar, nested arrays, or a typed array (with `shape`). The dtype is
 * inferred (booleans → bool, typed arrays by type, otherwise float32) unless given.
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType): Tensor {
  const op = 'tensor';
  if (values instanceof Tensor) {
    if (shape !== undefined || dtype !== undefined) fail(op, 'shape and dtype cannot be given with a Tensor value');
    return values;
  }
  if (dtype !== undefined && !isDType(dtype)) fail(op, `dtype must be 'float32', 'int32' or 'bool', got ${formatArg(dtype)}`);
  if (shape !== undefined) assertValidShape(op, shape);
  if (ArrayBuffer.isView(values)) {
    const arr = values;
    if (!(arr instanceof Float32Array || arr instanceof Int32Array || arr instanceof Uint8Array)) {
      fail(op, `typed arrays must be Float32Array, Int32Array or Uint8Array, got ${(arr as object).constructor.name}`);
    }
    const finalShape = shape ?? [arr.length];
    if (sizeFromShape(finalShape) !== arr.length) {
      fail(op, `shape ${formatShape(finalShape)} holds ${sizeFromShape(finalShape)} values but the typed array has ${arr.length}`);
    }
    const d = dtype ?? dtypeOfArray(arr);
    const out = allocArray(d, arr.length);
    if (d === 'bool') for (let i = 0; i < arr.length; i++) out[i] = arr[i] !== 0 ? 1 : 0;
    else if (d === 'int32' && arr instanceof Float32Array) {
      // The same rule as for arrays: a value int32 cannot hold exactly is an error, not a truncation
      // (use cast() to truncate on purpose).
      for (let i = 0; i < arr.length; i++) {
        if (!isInt32(arr[i]!)) fail(op, int32Message(arr[i]!, i));
        out[i] = arr[i]!;
      }
    } else out.set(arr);
    return makeTensor(out, finalShape, d);
  }
  const nested = values;
  const inferred = inferShape(op, nested);
  const d = dtype ?? (containsBooleansOnly(nested) ? 'bool' : 'float32');
  const size = sizeFromShape(inferred);
  if (d === 'float32') {
    const out = allocArray('float32', size);
    flattenInto(op, nested, inferred, 0, out, 0, '');
    return withShape(op, out, shape, inferred, d);
  }
  // int32 and bool are staged in float64 so that non-integers are caught before an Int32Array truncates them.
  const staged = new Float64Array(size);
  flattenInto(op, nested, inferred, 0, staged, 0, '');
  const final = allocArray(d, size);
  if (d === 'bool') {
    for (let i = 0; i < size; i++) final[i] = staged[i] !== 0 ? 1 : 0;
  } else {
    for (let i = 0; i < size; i++) {
      if (!isInt32(staged[i]!)) fail(op, int32Message(staged[i]!, i));
      final[i] = staged[i]!;
    }
  }
  return withShape(op, final, shape, inferred, d);
}

function withShape(op: string, final: TypedArray, shape: Shape | undefined, inferred: readonly number[], d: DType): Tensor {
  const size = final.length;
  const finalShape = shape ?? inferred;
  if (sizeFromShape(finalShape) !== size) {
    fail(op, `shape ${formatShape(finalShape)} holds ${sizeFromShape(finalShape)} values but the data has ${size} (inferred shape ${formatShape(inferred)})`);
  }
  return makeTensor(final, finalShape, d);
}

/**
 * Convert an op argument to a tensor. A JavaScript number takes `like`'s dtype when it fits
 * (an integer with an int32 tensor), so `add(intTensor, 1)` stays int32 and `mul(x, 0.5)` float32.
 */
export function toTensor(x: TensorLike, op: string, arg: string, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    const d: DType = like && like.dtype !== 'bool' && (like.dtype === 'float32' || isInt32(x)) ? like.dtype : 'float32';
    const arr = allocArray(d, 1);
    arr[0] = x;
    return makeTensor(arr, [], d);
  }
  if (typeof x === 'boolean' || Array.isArray(x) || ArrayBuffer.isView(x)) return tensor(x);
  throw new Error(`${op}: argument '${arg}' must be a Tensor, number, boolean, nested array or typed array, got ${describe(x)}`);
}
