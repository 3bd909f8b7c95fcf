import type { ConvAttrs, PoolAttrs, Tensor } from '@descent/tensor';
import { runKernel, scalar } from '@descent/tensor';

/*
 * Thin wrappers over kernels for writing gradient rules. Rules dispatch kernels directly (not the
 * public ops) because their inputs are already valid and of matching dtype: skipping the ops'
 * validation keeps backward cheap. They still go through `runKernel`, so an outer tape records
 * them and gradients of gradients work.
 */

export const neg = (x: Tensor): Tensor => runKernel('Neg', [x], {});
export const exp = (x: Tensor): Tensor => runKernel('Exp', [x], {});
export const log = (x: Tensor): Tensor => runKernel('Log', [x], {});
export const sqrt = (x: Tensor): Tensor => runKernel('Sqrt', [x], {});
export const square = (x: Tensor): Tensor => runKernel('Square', [x], {});
export const sin = (x: Tensor): Tensor => runKernel('Sin', [x], {});
export const cos = (x: Tensor): Tensor => runKernel('Cos', [x], {});
export const sign = (x: Tensor): Tensor => runKernel('Sign', [x], {});
export const sigmoid = (x: Tensor): Tensor => runKernel('Sigmoid', [x], {});
export const floor = (x: Tensor): Tensor => runKernel('Floor', [x], {});
export const toFloat = (x: Tensor): Tensor => (x.dtype === 'float32' ? x : runKernel('Cast', [x], { dtype: 'float32' }));

export const add = (a: Tensor, b: Tensor): Tensor => runKernel('Add', [a, b], {});
export const sub = (a: Tensor, b: Tensor): Tensor => runKernel('Sub', [a, b], {});
export const mul = (a: Tensor, b: Tensor): Tensor => runKernel('Mul', [a, b], {});
export const div = (a: Tensor, b: Tensor): Tensor => runKernel('Div', [a, b], {});
export const pow = (a: Tensor, b: Tensor): Tensor => runKernel('Pow', [a, b], {});
export const where = (cond: Tensor, a: Tensor, b: Tensor): Tensor => runKernel('Where', [cond, a, b], {});
export const greater = (a: Tensor, b: Tensor): Tensor => runKernel('Greater', [a, b], {});
export const greaterEqual = (a: Tensor, b: Tensor): Tensor => runKernel('GreaterEqual', [a, b], {});
export const less = (a: Tensor, b: Tensor): Tensor => runKernel('Less', [a, b], {});
export const lessEqual = (a: Tensor, b: Tensor): Tensor => runKernel('LessEqual', [a, b], {});
export const equal = (a: Tensor, b: Tensor): Tensor => runKernel('Equal', [a, b], {});
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => runKernel('LogicalAnd', [a, b], {});
/** `dy · (x > 0 ? 1 : 0)` in one pass (Relu's gradient). */
export const reluGrad = (dy: Tensor, x: Tensor): Tensor => runKernel('ReluGrad', [dy, x], {});
export const softmaxLast = (x: Tensor): Tensor => runKernel('Softmax', [x], { axis: x.rank - 1 });
export const logSoftmaxLast = (x: Tensor): Tensor => runKernel('LogSoftmax', [x], { axis: x.rank - 1 });
export const softmaxCrossEntropyGrad = (logits: Tensor, targets: Tensor, dy: Tensor): Tensor =>
  runKernel('SoftmaxCrossEntropyGrad', [logits, targets, dy], {});

/** `x * c` for a JavaScript constant `c`. */
export const scale = (x: Tensor, c: number): Tensor => mul(x, scalar(c));
/** A float32 scalar constant. */
export const num = (c: number): Tensor => scalar(c);

export const sum = (x: Tensor, axes: readonly number[]): Tensor => (axes.length === 0 ? x : runKernel('Sum', [x], { axes }));
export const prod = (x: Tensor, axes: readonly number[]): Tensor => runKernel('Prod', [x], { axes });
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => runKernel('Reshape', [x], { shape });
export const transpose = (x: Tensor, perm: readonly number[]): Tensor => runKernel('Transpose', [x], { perm });
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => runKernel('BroadcastTo', [x], { shape });
export const slice = (x: Tensor, begin: readonly number[], size: readonly number[]): Tensor => runKernel('Slice', [x], { begin, size });
export const pad = (x: Tensor, paddings: readonly (readonly [number, number])[]): Tensor =>
  runKernel('Pad', [x], { paddings, constantValue: 0 });
export const reverse = (x: Tensor, axes: readonly number[]): Tensor => runKernel('Reverse', [x], { axes });
export const concat = (xs: Tensor[], axis: number): Tensor => runKernel('Concat', xs, { axis });
export const gather = (x: Tensor, indices: Tensor, axis: number): Tensor => runKernel('Gather', [x, indices], { axis });
export const scatterAdd = (updates: Tensor, indices: Tensor, axis: number, size: number): Tensor =>
  runKernel('ScatterAdd', [updates, indices], { axis, size });
export const matMul = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor =>
  runKernel('MatMul', [a, b], { transposeA, transposeB });

export const conv2d = (x: Tensor, filter: Tensor, attrs: ConvAttrs): Tensor =>
  runKernel('Conv2D', [x, filter], { strides: attrs.strides, pad: attrs.pad, dilations: attrs.dilations });
export const conv2dBackpropInput = (dy: Tensor, filter: Tensor, attrs: ConvAttrs, inputShape: readonly number[]): Tensor =>
  runKernel('Conv2DBackpropInput', [dy, filter], { strides: attrs.strides, pad: attrs.pad, dilations: attrs.dilations, inputShape });
export const conv2dBackpropFilter = (x: Tensor, dy: Tensor, attrs: ConvAttrs, filterShape: readonly number[]): Tensor =>
  runKernel('Conv2DBackpropFilter', [x, dy], { strides: attrs.strides, pad: attrs.pad, dilations: attrs.dilations, filterShape });
const poolAttrs = (a: PoolAttrs): PoolAttrs => ({ filterSize: a.filterSize, strides: a.strides, pad: a.pad });
export const avgPool = (x: Tensor, attrs: PoolAttrs): Tensor => runKernel('AvgPool', [x], poolAttrs(attrs));
export const avgPoolGrad = (dy: Tensor, attrs: PoolAttrs, inputShape: readonly number[]): Tensor =>
  runKernel('AvgPoolGrad', [dy], { ...poolAttrs(attrs), inputShape });
export const maxPoolGrad = (dy: Tensor, x: Tensor, attrs: PoolAttrs): Tensor => runKernel('MaxPoolGrad', [dy, x], poolAttrs(attrs));

/** `shape` with the (sorted) reduced `axes` kept as size 1. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  const out = shape.slice();
  for (const a of axes) out[a] = 1;
  return out;
}

/** Spread a reduction's gradient `dy` back over the input shape. */
export function unreduce(dy: Tensor, inShape: readonly number[], axes: readonly number[]): Tensor {
  return broadcastTo(reshape(dy, keptShape(inShape, axes)), inShape);
}
