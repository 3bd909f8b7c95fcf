import { formatArg } from '../format.js';
import { runKernel } from '../engine.js';
import { formatShape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import type { Pair, Padding } from './window.js';
import { assertFloat, assertRank, isIntList, outputExtent, resolvePadding, samePadding, toPair, toPositiveInt } from './window.js';

export type { Pair, Padding } from './window.js';

/** 1-D padding: as for 2-D, plus explicit `[left, right]` and Keras's `'causal'` (all padding on the left). */
export type Padding1D = 'same' | 'valid' | 'causal' | number | readonly [number, number];

function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return runKernel('Reshape', [x], { shape });
}

/**
 * 2-D convolution (cross-correlation, as in TF) of NHWC `x` (`[N,H,W,C]`, or unbatched `[H,W,C]`)
 * with `filter: [kh, kw, C, outChannels]`. Padding `'same'`/`'valid'` follows TF exactly,
 * including the extra zero at the bottom/right when the total is odd.
 */
export function conv2d(x: TensorLike, filter: TensorLike, strides: Pair, pad: Padding, dilations: Pair = 1): Tensor {
  const op = 'conv2d';
  const tx = toTensor(x, op, 'x');
  const tf = toTensor(filter, op, 'filter');
  assertRank(op, 'x', tx, [3, 4], 'rank 4 [batch, height, width, channels] or rank 3 [height, width, channels]');
  assertRank(op, 'filter', tf, [4], 'rank 4 [filterHeight, filterWidth, inChannels, outChannels]');
  assertFloat(op, 'x', tx);
  assertFloat(op, 'filter', tf);
  const s = toPair(op, 'strides', strides);
  const d = toPair(op, 'dilations', dilations);
  const x4 = tx.rank === 3 ? reshape(tx, [1, ...tx.shape]) : tx;
  const [, h, w, c] = x4.shape as [number, number, number, number];
  const [kh, kw, fc] = tf.shape as [number, number, number, number];
  if (fc !== c) {
    throw new Error(
      `${op}: input has ${c} channels but the filter expects ${fc} (x ${formatShape(tx.shape)}, filter ${formatShape(tf.shape)})`,
    );
  }
  const p = resolvePadding(op, pad, [h, w], [kh, kw], s, d);
  outputExtent(op, h, kh, s[0], d[0], p[0], p[1], 'height');
  outputExtent(op, w, kw, s[1], d[1], p[2], p[3], 'width');
  const y = runKernel('Conv2D', [x4, tf], { strides: s, pad: p, dilations: d });
  return tx.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * 1-D convolution of `x: [N, W, C]` (or unbatched `[W, C]`) with `filter: [k, C, outChannels]`,
 * computed as a height-1 conv2d.
 */
export function conv1d(x: TensorLike, filter: TensorLike, stride = 1, pad: Padding1D = 'valid', dilation = 1): Tensor {
  const op = 'conv1d';
  const tx = toTensor(x, op, 'x');
  const tf = toTensor(filter, op, 'filter');
  assertRank(op, 'x', tx, [2, 3], 'rank 3 [batch, width, channels] or rank 2 [width, channels]');
  assertRank(op, 'filter', tf, [3], 'rank 3 [filterWidth, inChannels, outChannels]');
  assertFloat(op, 'x', tx);
  assertFloat(op, 'filter', tf);
  const s = toPositiveInt(op, 'stride', stride);
  const d = toPositiveInt(op, 'dilation', dilation);
  const x3 = tx.rank === 2 ? reshape(tx, [1, ...tx.shape]) : tx;
  const [n, width, c] = x3.shape as [number, number, number];
  const [k, fc] = tf.shape as [number, number, number];
  if (fc !== c) {
    throw new Error(
      `${op}: input has ${c} channels but the filter expects ${fc} (x ${formatShape(tx.shape)}, filter ${formatShape(tf.shape)})`,
    );
  }
  const [left, right] = resolvePadding1D(op, pad, width, k, s, d);
  outputExtent(op, width, k, s, d, left, right, 'width');
  const x4 = reshape(x3, [n, 1, width, c]);
  const f4 = reshape(tf, [1, ...tf.shape]);
  const y = runKernel('Conv2D', [x4, f4], { strides: [1, s], pad: [0, 0, left, right], dilations: [1, d] });
  const out = [n, y.shape[2]!, y.shape[3]!];
  return reshape(y, tx.rank === 2 ? out.slice(1) : out);
}

function resolvePadding1D(op: string, pad: Padding1D, width: number, k: number, stride: number, dilation: number): [number, number] {
  if (pad === 'causal') return [(k - 1) * dilation, 0];
  if (pad === 'same') return samePadding(width, k, stride, dilation);
  if (pad === 'valid') return [0, 0];
  if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) return [pad, pad];
  if (isIntList(pad, 2, 0)) return [pad[0], pad[1]];
  throw new Error(`${op}: pad must be 'same', 'valid', 'causal', a non-negative integer or [left, right], got ${formatArg(pad)}`);
}

/**
 * The transpose (adjoint) of conv2d, often called deconvolution: maps `x: [N, h, w, inC]` to
 * `outputShape` (`[N, H, W, outC]` or `[H, W, outC]`) with `filter: [kh, kw, outC, inC]` — the
 * filter of the conv2d whose gradient this is. `pad` is resolved against `outputShape`, and a
 * conv2d of `outputShape` with the same options must produce `x`'s spatial size.
 */
export function conv2dTranspose(
  x: TensorLike,
  filter: TensorLike,
  outputShape: readonly number[],
  strides: Pair,
  pad: Padding,
  dilations: Pair = 1,
): Tensor {
  const op = 'conv2dTranspose';
  const tx = toTensor(x, op, 'x');
  const tf = toTensor(filter, op, 'filter');
  assertRank(op, 'x', tx, [3, 4], 'rank 4 [batch, height, width, channels] or rank 3 [height, width, channels]');
  assertRank(op, 'filter', tf, [4], 'rank 4 [filterHeight, filterWidth, outChannels, inChannels]');
  assertFloat(op, 'x', tx);
  assertFloat(op, 'filter', tf);
  const s = toPair(op, 'strides', strides);
  const d = toPair(op, 'dilations', dilations);
  const x4 = tx.rank === 3 ? reshape(tx, [1, ...tx.shape]) : tx;
  const [n, h, w, c] = x4.shape as [number, number, number, number];
  if (!isIntList(outputShape, 3, 1) && !isIntList(outputShape, 4, 1)) {
    throw new Error(`${op}: outputShape must be [batch, height, width, channels] or [height, width, channels] of positive integers, got ${formatArg(outputShape)}`);
  }
  const full = outputShape.length === 3 ? [n, ...outputShape] : [...outputShape];
  const [on, oh, ow, oc] = full as [number, number, number, number];
  const [kh, kw, fOut, fIn] = tf.shape as [number, number, number, number];
  if (on !== n) throw new Error(`${op}: outputShape batch ${on} differs from the input batch ${n}`);
  if (fIn !== c) {
    throw new Error(`${op}: input has ${c} channels but the filter [kh, kw, outChannels, inChannels] expects ${fIn} (filter ${formatShape(tf.shape)})`);
  }
  if (fOut !== oc) {
    throw new Error(`${op}: outputShape has ${oc} channels but the filter produces ${fOut} (filter ${formatShape(tf.shape)})`);
  }
  const p = resolvePadding(op, pad, [oh, ow], [kh, kw], s, d);
  const fh = outputExtent(op, oh, kh, s[0], d[0], p[0], p[1], 'height');
  const fw = outputExtent(op, ow, kw, s[1], d[1], p[2], p[3], 'width');
  if (fh !== h || fw !== w) {
    throw new Error(
      `${op}: outputShape ${formatShape(outputShape)} does not match x ${formatShape(tx.shape)}: a conv2d of it with strides ` +
        `${formatShape(s)} and pad ${formatArg(pad)} gives height×width ${fh}×${fw}, but x has ${h}×${w}`,
    );
  }
  const y = runKernel('Conv2DBackpropInput', [x4, tf], { strides: s, pad: p, dilations: d, inputShape: full });
  return tx.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}
