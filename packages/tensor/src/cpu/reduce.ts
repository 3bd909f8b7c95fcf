import type { KernelTable, TensorInfo } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { allocArray } from '../dtype.js';
import type { Shape } from '../shape.js';
import { sizeFromShape } from '../shape.js';
import { output, valuesOf } from './storage.js';

/**
 * One reduction, split into the two inner loops a reduction walk needs. `run` folds a contiguous
 * run into one accumulator (the reduced axis is innermost); `row` folds a contiguous row into a
 * row of accumulators (a kept axis is innermost). Both are called once per run, never per element.
 */
interface Reducer {
  readonly init: number;
  run(x: TypedArray, off: number, n: number, acc: number): number;
  row(acc: Float64Array, accOff: number, x: TypedArray, xOff: number, n: number): void;
}

const sumReducer: Reducer = {
  init: 0,
  run(x, off, n, acc) {
    let s = acc;
    for (let i = off, end = off + n; i < end; i++) s += x[i]!;
    return s;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) acc[accOff + j] = acc[accOff + j]! + x[xOff + j]!;
  },
};

const prodReducer: Reducer = {
  init: 1,
  run(x, off, n, acc) {
    let p = acc;
    for (let i = off, end = off + n; i < end; i++) p *= x[i]!;
    return p;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) acc[accOff + j] = acc[accOff + j]! * x[xOff + j]!;
  },
};

// int32 products wrap like int32 arithmetic: a float64 product would lose low bits past 2^53.
const intProdReducer: Reducer = {
  init: 1,
  run(x, off, n, acc) {
    let p = acc;
    for (let i = off, end = off + n; i < end; i++) p = Math.imul(p, x[i]!);
    return p;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) acc[accOff + j] = Math.imul(acc[accOff + j]!, x[xOff + j]!);
  },
};

// NaN propagates (as in NumPy and TF): once the accumulator is NaN no comparison replaces it.
const maxReducer: Reducer = {
  init: -Infinity,
  run(x, off, n, acc) {
    let m = acc;
    for (let i = off, end = off + n; i < end; i++) {
      const v = x[i]!;
      if (v > m || v !== v) m = v;
    }
    return m;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) {
      const v = x[xOff + j]!;
      if (v > acc[accOff + j]! || v !== v) acc[accOff + j] = v;
    }
  },
};

const minReducer: Reducer = {
  init: Infinity,
  run(x, off, n, acc) {
    let m = acc;
    for (let i = off, end = off + n; i < end; i++) {
      const v = x[i]!;
      if (v < m || v !== v) m = v;
    }
    return m;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) {
      const v = x[xOff + j]!;
      if (v < acc[accOff + j]! || v !== v) acc[accOff + j] = v;
    }
  },
};

const allReducer: Reducer = {
  init: 1,
  run(x, off, n, acc) {
    if (acc === 0) return 0;
    for (let i = off, end = off + n; i < end; i++) if (x[i] === 0) return 0;
    return 1;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) if (x[xOff + j] === 0) acc[accOff + j] = 0;
  },
};

const anyReducer: Reducer = {
  init: 0,
  run(x, off, n, acc) {
    if (acc !== 0) return 1;
    for (let i = off, end = off + n; i < end; i++) if (x[i] !== 0) return 1;
    return 0;
  },
  row(acc, accOff, x, xOff, n) {
    for (let j = 0; j < n; j++) if (x[xOff + j] !== 0) acc[accOff + j] = 1;
  },
};

/**
 * Reduce `x` over the sorted `axes` into a float64 accumulator laid out like the output.
 *
 * Size-1 axes are dropped and neighbouring axes that are both kept or both reduced are merged, so
 * the common cases (all axes, trailing axes, leading axes) become one or two tight loops. The
 * input is then read once in storage order; only the output offset needs an odometer, over the
 * outer merged axes, since the input offset simply advances by one innermost run at a time.
 */
function reduceInto(x: TypedArray, shape: Shape, axes: readonly number[], reducer: Reducer, outSize: number): Float64Array {
  const acc = new Float64Array(outSize).fill(reducer.init);
  if (x.length === 0) return acc;

  const dims: number[] = [];
  const reduced: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const r = axes.includes(i);
    const last = dims.length - 1;
    if (last >= 0 && reduced[last] === r) dims[last] = dims[last]! * d;
    else {
      dims.push(d);
      reduced.push(r);
    }
  }
  if (dims.length === 0) {
    acc[0] = reducer.run(x, 0, 1, reducer.init);
    return acc;
  }

  const k = dims.length;
  const n = dims[k - 1]!;
  const innerReduced = reduced[k - 1]!;
  // Output strides of the outer merged axes (0 along reduced ones).
  const outStrides = new Array<number>(k).fill(0);
  let s = 1;
  for (let i = k - 1; i >= 0; i--) {
    if (!reduced[i]) {
      outStrides[i] = s;
      s *= dims[i]!;
    }
  }
  const rows = x.length / n;
  const counter = new Int32Array(k);
  let outOff = 0;
  for (let r = 0, xOff = 0; r < rows; r++, xOff += n) {
    if (innerReduced) acc[outOff] = reducer.run(x, xOff, n, acc[outOff]!);
    else reducer.row(acc, outOff, x, xOff, n);
    for (let ax = k - 2; ax >= 0; ax--) {
      if (++counter[ax]! < dims[ax]!) {
        outOff += outStrides[ax]!;
        break;
      }
      counter[ax] = 0;
      outOff -= outStrides[ax]! * (dims[ax]! - 1);
    }
  }
  return acc;
}

function outShapeOf(shape: Shape, axes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) out.push(shape[i]!);
  return out;
}

function reduceKernel(x: TensorInfo, axes: readonly number[], reducer: Reducer, dtype: DType): TensorInfo {
  const outShape = outShapeOf(x.shape, axes);
  const outSize = sizeFromShape(outShape);
  const acc = reduceInto(valuesOf(x), x.shape, axes, reducer, outSize);
  const out = allocArray(dtype, outSize);
  // Typed-array assignment converts: float32 rounds once at the end, int32 wraps modulo 2^32.
  for (let i = 0; i < outSize; i++) out[i] = acc[i]!;
  return output(out, outShape, dtype);
}

/** Sums and products of bool count as int32, as in NumPy. */
function arithmeticDType(dtype: DType): DType {
  return dtype === 'bool' ? 'int32' : dtype;
}

/** View `shape` around `axis` as `[outer, n, inner]`. */
export function around(shape: Shape, axis: number): [outer: number, n: number, inner: number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

/** Index of the first maximum (or minimum) along `axis`; the first NaN counts as the extreme, as in NumPy. */
function argReduce(x: TensorInfo, axis: number, wantMax: boolean): TensorInfo {
  const v = valuesOf(x);
  const [outer, n, inner] = around(x.shape, axis);
  const outShape = outShapeOf(x.shape, [axis]);
  const out = new Int32Array(outer * inner);
  const sign = wantMax ? 1 : -1;
  if (n === 0) return output(out, outShape, 'int32');
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let best = sign * v[base]!;
      let bi = 0;
      if (best === best) {
        for (let j = 1; j < n; j++) {
          const c = sign * v[base + j]!;
          if (c > best || c !== c) {
            best = c;
            bi = j;
            if (c !== c) break;
          }
        }
      }
      out[o] = bi;
    }
    return output(out, outShape, 'int32');
  }
  const best = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const oOff = o * inner;
    for (let k = 0; k < inner; k++) best[k] = sign * v[base + k]!;
    for (let j = 1; j < n; j++) {
      const rOff = base + j * inner;
      for (let k = 0; k < inner; k++) {
        const c = sign * v[rOff + k]!;
        const b = best[k]!;
        if (c > b || (c !== c && b === b)) {
          best[k] = c;
          out[oOff + k] = j;
        }
      }
    }
  }
  return output(out, outShape, 'int32');
}

export const reduceKernels = {
  Sum: ([x], { axes }) => reduceKernel(x, axes, sumReducer, arithmeticDType(x.dtype)),
  Prod: ([x], { axes }) => reduceKernel(x, axes, x.dtype === 'float32' ? prodReducer : intProdReducer, arithmeticDType(x.dtype)),
  Max: ([x], { axes }) => reduceKernel(x, axes, maxReducer, x.dtype),
  Min: ([x], { axes }) => reduceKernel(x, axes, minReducer, x.dtype),
  All: ([x], { axes }) => reduceKernel(x, axes, allReducer, 'bool'),
  Any: ([x], { axes }) => reduceKernel(x, axes, anyReducer, 'bool'),
  ArgMax: ([x], { axis }) => argReduce(x, axis, true),
  ArgMin: ([x], { axis }) => argReduce(x, axis, false),
} satisfies Partial<KernelTable>;
