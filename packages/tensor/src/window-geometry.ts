import type { ConvAttrs, PoolAttrs } from './kernels.js';
import { formatShape } from './shape.js';

// Output geometry of the NHWC window kernels (Conv2D and its gradients, pooling and its gradients),
// computed once here for the ops (ops/window.ts), the CPU kernels and other backends' kernels.

/**
 * Output size along one axis of a window of `k` taps spaced `dilation` apart, swept with `stride`
 * over `inSize` elements padded with `padBefore`/`padAfter` zeros:
 * `floor((inSize + padBefore + padAfter − ((k − 1)·dilation + 1)) / stride) + 1`. Zero or less when
 * the dilated window is larger than the padded input (callers check).
 */
export function windowOutputSize(inSize: number, k: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  return Math.floor((inSize + padBefore + padAfter - ((k - 1) * dilation + 1)) / stride) + 1;
}

/** Everything a convolution kernel needs to know about its sizes: input, filter, output and attributes. */
export interface ConvGeometry {
  /** Batch size. */
  n: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Input channels. */
  c: number;
  /** Filter height. */
  kh: number;
  /** Filter width. */
  kw: number;
  /** Output channels. */
  o: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
  /** Stride along the height. */
  sh: number;
  /** Stride along the width. */
  sw: number;
  /** Dilation along the height. */
  dh: number;
  /** Dilation along the width. */
  dw: number;
  /** Zero rows above. */
  pt: number;
  /** Zero rows below. */
  pb: number;
  /** Zero columns on the left. */
  pl: number;
  /** Zero columns on the right. */
  pr: number;
  /** Length of one patch (a row of the im2col matrix): kh·kw·c. */
  k: number;
}

/**
 * The geometry of a convolution of an NHWC input `xShape` with a `[kh, kw, in, out]` filter
 * `fShape`, or — when the shapes do not make one — the reason, for the caller's error message
 * (prefix it with the kernel name). The attributes are taken as already checked (ops/conv.ts).
 */
export function convGeometry(xShape: readonly number[], fShape: readonly number[], attrs: ConvAttrs): ConvGeometry | string {
  if (xShape.length !== 4 || fShape.length !== 4) {
    return `expected a rank-4 NHWC input and a rank-4 [kh,kw,in,out] filter, got ${formatShape(xShape)} and ${formatShape(fShape)}`;
  }
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [kh, kw, fc, o] = fShape as [number, number, number, number];
  if (fc !== c) return `input has ${c} channels but the filter expects ${fc} (input ${formatShape(xShape)}, filter ${formatShape(fShape)})`;
  const [sh, sw] = attrs.strides;
  const [dh, dw] = attrs.dilations;
  const [pt, pb, pl, pr] = attrs.pad;
  const oh = windowOutputSize(h, kh, sh, dh, pt, pb);
  const ow = windowOutputSize(w, kw, sw, dw, pl, pr);
  if (oh < 0 || ow < 0) return `the dilated filter ${formatShape(fShape)} does not fit the padded input ${formatShape(xShape)}`;
  return { n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr, k: kh * kw * c };
}

/** Everything a pooling kernel needs to know about its sizes. */
export interface PoolGeometry {
  /** Batch size. */
  n: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Channels. */
  c: number;
  /** Window height. */
  fh: number;
  /** Window width. */
  fw: number;
  /** Stride along the height. */
  sh: number;
  /** Stride along the width. */
  sw: number;
  /** Zero rows above. */
  pt: number;
  /** Zero rows below. */
  pb: number;
  /** Zero columns on the left. */
  pl: number;
  /** Zero columns on the right. */
  pr: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
}

/**
 * The geometry of pooling an NHWC input `shape` with `attrs`, or — when the shapes do not allow it —
 * the reason, for the caller's error message (prefix it with the kernel name).
 */
export function poolGeometry(shape: readonly number[], attrs: PoolAttrs): PoolGeometry | string {
  if (shape.length !== 4) return `expected a rank-4 NHWC input, got ${formatShape(shape)}`;
  const [n, h, w, c] = shape as [number, number, number, number];
  const [fh, fw] = attrs.filterSize;
  const [sh, sw] = attrs.strides;
  const [pt, pb, pl, pr] = attrs.pad;
  const oh = windowOutputSize(h, fh, sh, 1, pt, pb);
  const ow = windowOutputSize(w, fw, sw, 1, pl, pr);
  if (oh < 0 || ow < 0) return `window [${fh},${fw}] does not fit the padded input ${formatShape(shape)}`;
  return { n, h, w, c, fh, fw, sh, sw, pt, pb, pl, pr, oh, ow };
}
