/** Element types a tensor can hold. */
export type DType = 'float32' | 'int32' | 'bool';

/** The typed array that stores each dtype. */
export type TypedArray = Float32Array | Int32Array | Uint8Array;

export interface DTypeArrays {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Every dtype name: `'float32'`, `'int32'`, `'bool'`. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** True when `value` is one of the dtype names in `DTYPES`. */
export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'int32' || value === 'bool';
}

/** Bytes one element of `dtype` takes in storage (bool is one byte). */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}

/** Whether `v` is an integer an Int32Array stores exactly (no truncation, no wrap-around). */
export function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}

/** A zero-filled array of `size` elements for `dtype`. */
export function allocArray<D extends DType>(dtype: D, size: number): DTypeArrays[D];
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** The dtype whose storage is this typed array. */
export function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array) return 'int32';
  return 'bool';
}

/** Result dtype of an arithmetic op on two dtypes (bool promotes to int32, anything with float32 is float32). */
export function upcastType(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}
