import { formatArg } from '../format.js';
import { runKernel } from '../engine.js';
import type { PoolAttrs } from '../kernels.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';
import type { Pair, Padding } from './window.js';
import { assertFloat, assertRank, isIntList, outputExtent, resolvePadding, toPair, toPositiveInt } from './window.js';

/** 1-D pooling padding: `'same'`, `'valid'`, a number of elements per side, or `[left, right]`. */
export type PoolPadding1D = 'same' | 'valid' | number | readonly [number, number];

function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return runKernel('Reshape', [x], { shape });
}

/** Validate a 2-D pooling call and turn it into kernel attributes for the rank-4 view of `x`. */
function poolAttrs(op: string, x4: Tensor, filterSize: Pair, strides: Pair, pad: Padding): PoolAttrs {
  const f = toPair(op, 'filterSize', filterSize);
  const s = toPair(op, 'strides', strides);
  const [, h, w] = x4.shape as [number, number, number, number];
  const p = resolvePadding(op, pad, [h, w], f, s, [1, 1]);
  // A window made only of padding would have no maximum and no average.
  if (p[0] >= f[0] || p[1] >= f[0] || p[2] >= f[1] || p[3] >= f[1]) {
    throw new Error(
      `${op}: padding must be smaller than the window on every side, got pad [top ${p[0]}, bottom ${p[1]}, left ${p[2]}, right ${p[3]}] for window [${f[0]},${f[1]}]`,
    );
  }
  outputExtent(op, h, f[0], s[0], 1, p[0], p[1], 'height');
  outputExtent(op, w, f[1], s[1], 1, p[2], p[3], 'width');
  return { filterSize: f, strides: s, pad: p };
}

function pool2d(op: string, kernel: 'MaxPool' | 'AvgPool', x: TensorLike, filterSize: Pair, strides: Pair | undefined, pad: Padding): Tensor {
  const tx = toTensor(x, op, 'x');
  assertRank(op, 'x', tx, [3, 4], 'rank 4 [batch, height, width, channels] or rank 3 [height, width, channels]');
  assertFloat(op, 'x', tx);
  const x4 = tx.rank === 3 ? reshape(tx, [1, ...tx.shape]) : tx;
  const attrs = poolAttrs(op, x4, filterSize, strides ?? filterSize, pad);
  const y = runKernel(kernel, [x4], attrs);
  return tx.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * Maximum over `filterSize` windows of NHWC `x` (`[N,H,W,C]` or `[H,W,C]`), moved by `strides`
 * (default: the window, as Keras does). Padding never wins the maximum.
 */
export function maxPool(x: TensorLike, filterSize: Pair, strides?: Pair, pad: Padding = 'valid'): Tensor {
  return pool2d('maxPool', 'MaxPool', x, filterSize, strides, pad);
}

/** Mean over `filterSize` windows of NHWC `x`; padded positions are not counted (as in Keras/TF). */
export function avgPool(x: TensorLike, filterSize: Pair, strides?: Pair, pad: Padding = 'valid'): Tensor {
  return pool2d('avgPool', 'AvgPool', x, filterSize, strides, pad);
}

function pool1d(
  op: string,
  kernel: 'MaxPool' | 'AvgPool',
  x: TensorLike,
  poolSize: number,
  stride: number | undefined,
  pad: PoolPadding1D,
): Tensor {
  const tx = toTensor(x, op, 'x');
  assertRank(op, 'x', tx, [2, 3], 'rank 3 [batch, width, channels] or rank 2 [width, channels]');
  assertFloat(op, 'x', tx);
  const k = toPositiveInt(op, 'poolSize', poolSize);
  const s = toPositiveInt(op, 'stride', stride ?? poolSize);
  let pad2: Padding;
  if (pad === 'same' || pad === 'valid') pad2 = pad;
  // A numeric pad pads only the width: the height-1 view has nothing to pad.
  else if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) pad2 = [[0, 0], [pad, pad]];
  else if (isIntList(pad, 2, 0)) pad2 = [[0, 0], pad];
  else throw new Error(`${op}: pad must be 'same', 'valid', a non-negative integer or [left, right], got ${formatArg(pad)}`);
  const x3 = tx.rank === 2 ? reshape(tx, [1, ...tx.shape]) : tx;
  const [n, width, c] = x3.shape as [number, number, number];
  const x4 = reshape(x3, [n, 1, width, c]);
  const attrs = poolAttrs(op, x4, [1, k], [1, s], pad2);
  const y = runKernel(kernel, [x4], attrs);
  const out = [n, y.shape[2]!, c];
  return reshape(y, tx.rank === 2 ? out.slice(1) : out);
}

/** Maximum over windows of `poolSize` along the width of `x: [N, W, C]` (or `[W, C]`). */
export function maxPool1d(x: TensorLike, poolSize: number, stride?: number, pad: PoolPadding1D = 'valid'): Tensor {
  return pool1d('maxPool1d', 'MaxPool', x, poolSize, stride, pad);
}

/** Mean over windows of `poolSize` along the width of `x: [N, W, C]` (or `[W, C]`), padding excluded. */
export function avgPool1d(x: TensorLike, poolSize: number, stride?: number, pad: PoolPadding1D = 'valid'): Tensor {
  return pool1d('avgPool1d', 'AvgPool', x, poolSize, stride, pad);
}
