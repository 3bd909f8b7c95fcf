import { broadcastShapes } from '@descent/tensor';

/**
 * How to walk inputs broadcast against each other: merged output dims and per-input element
 * strides (0 along broadcast dims). Size-1 output dims are dropped and adjacent dims that every
 * input treats alike are merged, so same-shape operands become one run and a bias add one run per row.
 */
export interface Walk {
  readonly outShape: number[];
  readonly dims: number[];
  readonly strides: number[][];
}

export function broadcastWalk(op: string, shapes: readonly (readonly number[])[]): Walk {
  let outShape: number[] = [];
  for (const s of shapes) outShape = broadcastShapes(op, outShape, s);
  const rank = outShape.length;
  const full = shapes.map((s) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      const d = s[i]!;
      st[rank - s.length + i] = d === 1 ? 0 : acc;
      acc *= d;
    }
    return st;
  });
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let i = 0; i < rank; i++) {
    const d = outShape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    let merge = last >= 0;
    for (let j = 0; j < shapes.length && merge; j++) {
      const outer = strides[j]![last]!;
      const cur = full[j]![i]!;
      merge = (outer === 0 && cur === 0) || (cur !== 0 && outer === cur * d);
    }
    if (merge) {
      dims[last] = dims[last]! * d;
      for (let j = 0; j < shapes.length; j++) strides[j]![last] = full[j]![i]!;
    } else {
      dims.push(d);
      for (let j = 0; j < shapes.length; j++) strides[j]!.push(full[j]![i]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const s of strides) s.push(0);
  }
  return { outShape, dims, strides };
}

/** Row-major element strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

export function product(xs: readonly number[], from = 0, to = xs.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= xs[i]!;
  return p;
}
