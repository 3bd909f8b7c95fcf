import type { KernelName } from '@descent/tensor';
import { KERNEL_NAMES } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { getWasmBackend } from './index.js';
import type { KernelCase } from './test-utils/compare.js';
import { mismatch, runBoth } from './test-utils/compare.js';

const UNARY_ANY: KernelName[] = ['Neg', 'Abs', 'Sign', 'Square', 'Relu', 'Floor', 'Ceil', 'Round', 'Exp', 'Expm1', 'Sin', 'Cos', 'Tanh', 'Sigmoid', 'Softplus', 'Erf', 'Reciprocal'];
const UNARY_POSITIVE: KernelName[] = ['Log', 'Log1p', 'Sqrt', 'Rsqrt'];
const BINARY_ARITH: KernelName[] = ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum', 'SquaredDifference'];
const COMPARE: KernelName[] = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'];
/** Shape pairs covering same-shape, row and column broadcast, scalars, and odd sizes (SIMD tails). */
const PAIRS: [number[], number[]][] = [
  [[4, 5], [4, 5]],
  [[4, 5], [5]],
  [[3, 1, 5], [4, 1]],
  [[], [2, 3]],
  [[2, 3], []],
  [[7, 9, 11], [9, 1]],
  [[1, 13], [6, 1]],
  [[37], [37]],
];
const SPECIALS = [0, -0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, NaN, Infinity, -Infinity, 3.7, -3.7, 1e-30, -1e30, 7];

const cases: KernelCase[] = [];
for (const kernel of UNARY_ANY) {
  cases.push({ kernel, inputs: [{ shape: [3, 5, 7], range: [-3, 3] }] });
  cases.push({ kernel, inputs: [{ shape: [16], values: SPECIALS }], label: 'special values' });
}
for (const kernel of UNARY_POSITIVE) cases.push({ kernel, inputs: [{ shape: [3, 5, 7], range: [0.01, 5] }] });
for (const kernel of ['Neg', 'Abs', 'Sign', 'Square', 'Relu', 'Floor', 'Round'] as KernelName[]) {
  cases.push({ kernel, inputs: [{ shape: [4, 6], dtype: 'int32', range: [-50, 50] }], label: 'int32' });
}
cases.push(
  { kernel: 'IsNaN', inputs: [{ shape: [16], values: SPECIALS }] },
  { kernel: 'IsFinite', inputs: [{ shape: [16], values: SPECIALS }] },
  { kernel: 'LogicalNot', inputs: [{ shape: [3, 4], dtype: 'bool' }] },
  { kernel: 'LeakyRelu', inputs: [{ shape: [5, 9], range: [-2, 2] }], attrs: { alpha: 0.2 } },
  { kernel: 'LeakyRelu', inputs: [{ shape: [16], values: SPECIALS }], attrs: { alpha: 0.01 } },
  { kernel: 'Elu', inputs: [{ shape: [5, 9], range: [-2, 2] }], attrs: { alpha: 1.3 } },
  { kernel: 'ClipByValue', inputs: [{ shape: [5, 9], range: [-2, 2] }], attrs: { min: -0.5, max: 0.7 } },
  { kernel: 'ClipByValue', inputs: [{ shape: [16], values: SPECIALS }], attrs: { min: -1, max: 1 } },
  { kernel: 'ClipByValue', inputs: [{ shape: [4], dtype: 'int32', range: [-9, 9] }], attrs: { min: -2, max: 3 } },
  { kernel: 'Cast', inputs: [{ shape: [16], values: SPECIALS }], attrs: { dtype: 'int32' } },
  { kernel: 'Cast', inputs: [{ shape: [3], values: [3e9, -3e9, 2147483647.5] }], attrs: { dtype: 'int32' }, label: 'wrapping' },
  { kernel: 'Cast', inputs: [{ shape: [16], values: SPECIALS }], attrs: { dtype: 'bool' } },
  { kernel: 'Cast', inputs: [{ shape: [3, 4], dtype: 'int32', range: [-100, 100] }], attrs: { dtype: 'float32' } },
  { kernel: 'Cast', inputs: [{ shape: [3, 4], dtype: 'bool' }], attrs: { dtype: 'float32' } },
  { kernel: 'Cast', inputs: [{ shape: [3, 4], dtype: 'bool' }], attrs: { dtype: 'int32' } },
  // 16 bytes at a time plus a tail.
  { kernel: 'Cast', inputs: [{ shape: [5, 7], dtype: 'bool' }], attrs: { dtype: 'float32' }, label: '16-wide' },
  { kernel: 'Cast', inputs: [{ shape: [5, 7], dtype: 'bool' }], attrs: { dtype: 'int32' }, label: '16-wide' },
  { kernel: 'Cast', inputs: [{ shape: [3, 4], dtype: 'int32', range: [-2, 2] }], attrs: { dtype: 'bool' } },
  { kernel: 'Cast', inputs: [{ shape: [3, 4] }], attrs: { dtype: 'float32' } },
  // Eight at a time plus a tail; NaN and signed zeros on both sides (x = ±0 and NaN mask to 0).
  { kernel: 'ReluGrad', inputs: [{ shape: [3, 5, 7], range: [-2, 2] }, { shape: [3, 5, 7], range: [-2, 2] }] },
  { kernel: 'ReluGrad', inputs: [{ shape: [16], values: SPECIALS }, { shape: [16], values: [...SPECIALS].reverse() }], label: 'special values' },
  { kernel: 'ReluGrad', inputs: [{ shape: [16], values: [-0, -0, 2, NaN, -3, 0, NaN, -0, 1, 1, -1, 5, -0, 2, 3, NaN] }, { shape: [16], values: SPECIALS }], label: 'signed zeros, NaN in dy' },
);
for (const kernel of [...BINARY_ARITH, ...COMPARE]) {
  for (const [a, b] of PAIRS) cases.push({ kernel, inputs: [{ shape: a, range: [-2, 2] }, { shape: b, range: [-2, 2] }] });
}
// Comparisons 16 at a time (both runs, a broadcast scalar on either side) plus a tail; special values.
for (const kernel of COMPARE) {
  for (const [a, b] of [[[3, 37], [3, 37]], [[3, 37], []], [[], [3, 37]], [[2, 19], [2, 1]]] as [number[], number[]][]) {
    cases.push({ kernel, inputs: [{ shape: a, range: [-2, 2] }, { shape: b, range: [-2, 2] }], label: '16-wide' });
  }
  cases.push({ kernel, inputs: [{ shape: [2, 16], values: [...SPECIALS, ...SPECIALS] }, { shape: [2, 16], values: [...SPECIALS.slice(8), ...SPECIALS, ...SPECIALS.slice(0, 8)] }], label: '16-wide special values' });
  cases.push({ kernel, inputs: [{ shape: [16], values: SPECIALS }, { shape: [], values: [0] }], label: '16-wide special values vs 0' });
}
cases.push(
  { kernel: 'Equal', inputs: [{ shape: [4, 4], range: [-2, 2] }, { shape: [4, 4], range: [-2, 2] }], label: 'int-valued floats' },
  { kernel: 'Pow', inputs: [{ shape: [4, 5], range: [0.1, 3] }, { shape: [5], range: [-2, 2] }] },
  { kernel: 'Pow', inputs: [{ shape: [6], values: [-2, -2, 0, 2, NaN, 1] }, { shape: [6], values: [3, 0.5, 0, -1, 0, NaN] }], label: 'edge' },
  { kernel: 'Mod', inputs: [{ shape: [4, 5], range: [-9, 9] }, { shape: [5], values: [2, -3, 1.5, -0.75, 4] }] },
  { kernel: 'FloorDiv', inputs: [{ shape: [4, 5], range: [-9, 9] }, { shape: [5], values: [2, -3, 1.5, -0.75, 4] }] },
  { kernel: 'Add', inputs: [{ shape: [4, 5], dtype: 'int32', range: [-9, 9] }, { shape: [5], dtype: 'int32', range: [-9, 9] }], label: 'int32' },
  { kernel: 'Mul', inputs: [{ shape: [3, 3], dtype: 'int32', range: [-9, 9] }, { shape: [3, 3], dtype: 'int32', range: [-9, 9] }], label: 'int32' },
  { kernel: 'Greater', inputs: [{ shape: [3, 3], dtype: 'int32', range: [-9, 9] }, { shape: [3], dtype: 'int32', range: [-9, 9] }], label: 'int32' },
  { kernel: 'Add', inputs: [{ shape: [0, 3] }, { shape: [3] }], label: 'empty' },
  { kernel: 'LogicalAnd', inputs: [{ shape: [3, 4], dtype: 'bool' }, { shape: [4], dtype: 'bool' }] },
  { kernel: 'LogicalOr', inputs: [{ shape: [3, 4], dtype: 'bool' }, { shape: [3, 1], dtype: 'bool' }] },
  { kernel: 'Where', inputs: [{ shape: [4, 1], dtype: 'bool' }, { shape: [4, 5] }, { shape: [5] }] },
  { kernel: 'Where', inputs: [{ shape: [], dtype: 'bool', values: [1] }, { shape: [2, 3] }, { shape: [2, 1] }], label: 'scalar condition' },
  { kernel: 'Where', inputs: [{ shape: [3, 7], dtype: 'bool' }, { shape: [3, 7], dtype: 'int32', range: [-9, 9] }, { shape: [], dtype: 'int32', values: [5] }], label: 'int32' },
  { kernel: 'Where', inputs: [{ shape: [2, 3], dtype: 'bool' }, { shape: [2, 3], dtype: 'bool' }, { shape: [3], dtype: 'bool' }], label: 'bool branches' },
);

for (const kernel of ['Sum', 'Max', 'Min'] as KernelName[]) {
  for (const axes of [[], [0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]]) {
    cases.push({ kernel, inputs: [{ shape: [3, 4, 37], range: [-2, 2] }], attrs: { axes }, label: `axes [${axes.join(',')}]`, rtol: 1e-5, atol: 1e-5 });
  }
  cases.push({ kernel, inputs: [{ shape: [2, 3] , dtype: 'int32', range: [-9, 9] }], attrs: { axes: [1] }, label: 'int32' });
  cases.push({ kernel, inputs: [{ shape: [16], values: SPECIALS }], attrs: { axes: [0] }, label: 'special values' });
}
cases.push(
  { kernel: 'Sum', inputs: [{ shape: [100003] }], attrs: { axes: [0] }, rtol: 1e-6, atol: 1e-6, label: 'long run (float64 accumulation)' },
  { kernel: 'Sum', inputs: [{ shape: [20001, 3] }], attrs: { axes: [0] }, rtol: 1e-6, atol: 1e-6, label: 'long column run (float64 accumulation)' },
  { kernel: 'Sum', inputs: [{ shape: [0, 3] }], attrs: { axes: [0] }, label: 'empty' },
  { kernel: 'Max', inputs: [{ shape: [2, 0] }], attrs: { axes: [1] }, label: 'empty' },
  { kernel: 'Prod', inputs: [{ shape: [3, 4, 9], range: [0.5, 1.5] }], attrs: { axes: [2] }, rtol: 1e-5 },
  { kernel: 'Prod', inputs: [{ shape: [3, 4, 9], range: [0.5, 1.5] }], attrs: { axes: [0, 2] }, rtol: 1e-5 },
  { kernel: 'All', inputs: [{ shape: [3, 4], dtype: 'bool' }], attrs: { axes: [1] } },
  { kernel: 'Any', inputs: [{ shape: [3, 4], dtype: 'bool' }], attrs: { axes: [0] } },
);
for (const kernel of ['ArgMax', 'ArgMin'] as KernelName[]) {
  for (const axis of [0, 1, 2]) cases.push({ kernel, inputs: [{ shape: [3, 4, 5] }], attrs: { axis } });
  cases.push({ kernel, inputs: [{ shape: [2, 4], values: [1, 3, 3, 0, 2, NaN, 5, NaN] }], attrs: { axis: 1 }, label: 'ties and NaN' });
}
// ArgSort runs on the CPU fallback: these check the copy out and back (int32 output, evenly sized rows).
cases.push(
  { kernel: 'ArgSort', inputs: [{ shape: [3, 7] }], attrs: { k: 7, descending: false } },
  { kernel: 'ArgSort', inputs: [{ shape: [2, 8], values: [1, 3, 3, 0, 2, NaN, 5, NaN, 4, 4, -1, 4, 0, -0, 9, 4] }], attrs: { k: 3, descending: true }, label: 'ties and NaN' },
  { kernel: 'ArgSort', inputs: [{ shape: [2, 3, 5], dtype: 'int32', range: [-3, 3] }], attrs: { k: 5, descending: true }, label: 'int32' },
);
for (const kernel of ['Softmax', 'LogSoftmax'] as KernelName[]) {
  cases.push({ kernel, inputs: [{ shape: [6, 10], range: [-5, 5] }], attrs: { axis: 1 } });
  cases.push({ kernel, inputs: [{ shape: [2, 3, 7], range: [-50, 50] }], attrs: { axis: 2 } });
  cases.push({ kernel, inputs: [{ shape: [3, 4] }], attrs: { axis: 0 }, label: 'inner axis' });
}
// Soft targets in [0, 1) (rows not summing to 1) and one-hot rows; a row of −∞ logits against a zero target gives NaN on both.
cases.push(
  { kernel: 'SoftmaxCrossEntropy', inputs: [{ shape: [6, 10], range: [-5, 5] }, { shape: [6, 10], range: [0, 1] }] },
  { kernel: 'SoftmaxCrossEntropy', inputs: [{ shape: [2, 3, 7], range: [-50, 50] }, { shape: [2, 3, 7], range: [0, 1] }] },
  {
    kernel: 'SoftmaxCrossEntropy',
    inputs: [{ shape: [2, 3], values: [1, -Infinity, 2, 0, 0, 0] }, { shape: [2, 3], values: [0, 0, 1, 0, 1, 0] }],
    label: 'one-hot, −∞ logit',
  },
  { kernel: 'SoftmaxCrossEntropyGrad', inputs: [{ shape: [6, 10], range: [-5, 5] }, { shape: [6, 10], range: [0, 1] }, { shape: [6] }] },
  { kernel: 'SoftmaxCrossEntropyGrad', inputs: [{ shape: [2, 3, 7], range: [-50, 50] }, { shape: [2, 3, 7], range: [0, 1] }, { shape: [2, 3] }] },
);

const mm = (a: number[], b: number[], transposeA = false, transposeB = false): KernelCase => {
  const k = transposeA ? a[a.length - 2]! : a[a.length - 1]!;
  return { kernel: 'MatMul', inputs: [{ shape: a }, { shape: b }], attrs: { transposeA, transposeB }, rtol: 1e-5, atol: 2e-6 * k, label: `[${a.join(',')}]·[${b.join(',')}] tA=${transposeA} tB=${transposeB}` };
};
cases.push(
  mm([5, 7], [7, 9]), mm([7, 5], [7, 9], true), mm([5, 7], [9, 7], false, true), mm([7, 5], [9, 7], true, true),
  mm([1, 1], [1, 1]), mm([6, 8], [8, 16]), mm([67, 131], [131, 45]), mm([130, 300], [300, 17]), mm([9, 20], [20, 600]),
  mm([300, 130], [17, 300], true, true), mm([2, 3, 4], [4, 5]), mm([2, 1, 3, 4], [3, 4, 6]), mm([4, 3], [2, 4, 5], true),
  mm([3, 0], [0, 4]), mm([0, 3], [3, 4]),
  // Depth over 512: cut into equal packed blocks (2 of 257, 3 of 367/367/366), summed through C.
  mm([13, 514], [514, 21]), mm([1100, 7], [1100, 19], true), mm([8, 1100], [33, 1100], false, true),
  { kernel: 'MatMul', inputs: [{ shape: [3, 4], dtype: 'int32', range: [-5, 5] }, { shape: [4, 2], dtype: 'int32', range: [-5, 5] }], attrs: { transposeA: false, transposeB: false }, label: 'int32' },
);

const convGeometries = [
  { x: [2, 9, 8, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: [1, 1, 1, 1], dilations: [1, 1] },
  { x: [2, 9, 8, 3], f: [3, 3, 3, 5], strides: [2, 2], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [1, 10, 11, 2], f: [3, 2, 2, 3], strides: [1, 2], pad: [2, 1, 0, 1], dilations: [2, 1] },
  { x: [2, 5, 6, 7], f: [1, 1, 7, 9], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [3, 6, 6, 1], f: [5, 5, 1, 8], strides: [1, 1], pad: [2, 2, 2, 2], dilations: [1, 1] },
  // Channels copied as two vectors and a tail; window rows inside and across the image border.
  { x: [1, 7, 7, 9], f: [3, 3, 9, 4], strides: [1, 1], pad: [1, 1, 1, 1], dilations: [1, 1] },
  // Direct kernels (stride 1, 'valid', output channels in eights, patch ≤ 32 floats): output rows of
  // 4-pixel blocks plus a tail (7 = 4 + 3), only a tail (3), only blocks (8); patch 9 (taps in fours
  // plus one), 27 (three channels), 12 (a 2×3 window over two channels).
  { x: [2, 9, 9, 1], f: [3, 3, 1, 8], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [2, 6, 5, 3], f: [3, 3, 3, 16], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [1, 5, 10, 2], f: [2, 3, 2, 24], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  // Stride 1, 'valid' and past the direct kernels' case: the matmul reads the patches from the image
  // while packing. Patch 36; patch 576 (two depth blocks of 288, the second starting inside a window
  // row) over 180 pixels (two row blocks); 12 output channels (not eights) over 810 pixels, so the
  // filter gradient's depth blocks of 405 start inside an image row.
  { x: [1, 6, 6, 4], f: [3, 3, 4, 8], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [2, 12, 11, 64], f: [3, 3, 64, 8], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  { x: [3, 20, 17, 3], f: [3, 3, 3, 12], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
  // Input gradient over 3,136 pixels × 144: its col buffer is cut into two chunks (1 MiB each at most).
  { x: [4, 30, 30, 16], f: [3, 3, 16, 8], strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] },
];
const convOut = (g: (typeof convGeometries)[number]): number[] => {
  const [n, h, w] = g.x as [number, number, number, number];
  const [kh, kw, , o] = g.f as [number, number, number, number];
  const oh = Math.floor((h + g.pad[0]! + g.pad[1]! - ((kh - 1) * g.dilations[0]! + 1)) / g.strides[0]!) + 1;
  const ow = Math.floor((w + g.pad[2]! + g.pad[3]! - ((kw - 1) * g.dilations[1]! + 1)) / g.strides[1]!) + 1;
  return [n, oh, ow, o];
};
for (const g of convGeometries) {
  const attrs = { strides: g.strides, pad: g.pad, dilations: g.dilations };
  const label = `x [${g.x.join(',')}] f [${g.f.join(',')}] s [${g.strides.join(',')}] p [${g.pad.join(',')}] d [${g.dilations.join(',')}]`;
  cases.push(
    { kernel: 'Conv2D', inputs: [{ shape: g.x }, { shape: g.f }], attrs, rtol: 1e-5, atol: 1e-5, label },
    { kernel: 'Conv2DBackpropInput', inputs: [{ shape: convOut(g) }, { shape: g.f }], attrs: { ...attrs, inputShape: g.x }, rtol: 1e-5, atol: 1e-5, label },
    { kernel: 'Conv2DBackpropFilter', inputs: [{ shape: g.x }, { shape: convOut(g) }], attrs: { ...attrs, filterShape: g.f }, rtol: 1e-5, atol: 1e-4, label },
  );
}

const poolGeometries = [
  { x: [2, 7, 9, 3], filterSize: [3, 3], strides: [2, 2], pad: [1, 1, 1, 1] },
  { x: [2, 8, 8, 5], filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
  { x: [1, 6, 5, 2], filterSize: [3, 2], strides: [1, 1], pad: [1, 1, 0, 1] },
  // Two vectors of four channels and a tail of one.
  { x: [2, 6, 7, 9], filterSize: [2, 3], strides: [2, 1], pad: [1, 0, 1, 1] },
  // Windows that tile the image (stride = window, no padding before): the gradient writes each window
  // directly. A row and a column no window covers; a clipped last window (padding after); a 3×3 tiling.
  { x: [2, 7, 9, 6], filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
  { x: [1, 7, 5, 4], filterSize: [2, 2], strides: [2, 2], pad: [0, 1, 0, 1] },
  { x: [2, 9, 6, 8], filterSize: [3, 3], strides: [3, 3], pad: [0, 0, 0, 0] },
  // 2×2 at stride 2 over channels in fours: the forward's own loop too (odd sizes leave a row and a column out).
  { x: [2, 7, 9, 8], filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
];
for (const g of poolGeometries) {
  const attrs = { filterSize: g.filterSize, strides: g.strides, pad: g.pad };
  const [n, h, w, c] = g.x as [number, number, number, number];
  const oh = Math.floor((h + g.pad[0]! + g.pad[1]! - g.filterSize[0]!) / g.strides[0]!) + 1;
  const ow = Math.floor((w + g.pad[2]! + g.pad[3]! - g.filterSize[1]!) / g.strides[1]!) + 1;
  const label = `x [${g.x.join(',')}] f [${g.filterSize.join(',')}] s [${g.strides.join(',')}] p [${g.pad.join(',')}]`;
  cases.push(
    { kernel: 'MaxPool', inputs: [{ shape: g.x }], attrs, label },
    { kernel: 'AvgPool', inputs: [{ shape: g.x }], attrs, label },
    { kernel: 'MaxPoolGrad', inputs: [{ shape: [n, oh, ow, c] }, { shape: g.x }], attrs, label },
    { kernel: 'AvgPoolGrad', inputs: [{ shape: [n, oh, ow, c] }], attrs: { ...attrs, inputShape: g.x }, label },
  );
}
cases.push({ kernel: 'MaxPool', inputs: [{ shape: [1, 2, 2, 4], values: [1, NaN, 3, 4, 5, 6, NaN, 8, 2, 2, 2, 2, 0, 0, 0, 9] }], attrs: { filterSize: [2, 2], strides: [1, 1], pad: [0, 0, 0, 0] }, label: 'NaN and ties' });
cases.push({ kernel: 'MaxPool', inputs: [{ shape: [1, 2, 2, 4], values: [1, NaN, 3, 4, 5, 6, NaN, 8, 2, 2, 2, 2, 0, 0, 0, 9] }], attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] }, label: 'NaN and ties (2×2 stride 2)' });
cases.push({ kernel: 'MaxPool', inputs: [{ shape: [1, 2, 2, 4], values: [NaN, -Infinity, -0, 1, 2, -Infinity, 0, NaN, 3, -Infinity, 0, 2, 1, -Infinity, -0, 3] }], attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] }, label: 'NaN first, all -Infinity, signed zeros (2×2 stride 2)' });
// Five channels (one vector, one tail): NaN first, NaN last, zeros, all -Infinity.
cases.push({ kernel: 'MaxPool', inputs: [{ shape: [1, 1, 2, 5], values: [NaN, 1, -0, -Infinity, NaN, 2, NaN, 0, -Infinity, 3] }], attrs: { filterSize: [1, 2], strides: [1, 1], pad: [0, 0, 0, 0] }, label: 'NaN, zeros, -Infinity across a vector and the tail' });
cases.push({ kernel: 'MaxPoolGrad', inputs: [{ shape: [1, 1, 1, 2] }, { shape: [1, 2, 2, 2], values: [1, 5, 3, 5, 3, 2, 0, 5] }], attrs: { filterSize: [2, 2], strides: [1, 1], pad: [0, 0, 0, 0] }, label: 'ties: first maximum' });
cases.push({ kernel: 'MaxPoolGrad', inputs: [{ shape: [1, 1, 1, 2] }, { shape: [1, 2, 2, 2], values: [1, 5, 3, 5, 3, 2, 0, 5] }], attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] }, label: 'ties: first maximum (tiling windows)' });
// 2×2 windows at stride 2 over channels in fours take their own loop: ties, NaN (first, later, all),
// -Infinity and signed zeros in x; -0 and NaN in dy; an odd width leaves a column no window covers.
cases.push({
  kernel: 'MaxPoolGrad',
  inputs: [
    { shape: [1, 1, 1, 8], values: [-0, 1, NaN, -2, 3, -0, 0.5, 4] },
    { shape: [1, 2, 2, 8], values: [5, NaN, 1, -Infinity, -0, 2, NaN, 1, 5, 3, NaN, -Infinity, 0, 2, NaN, 1, 2, 3, 1, -Infinity, -0, 7, NaN, 9, 5, 4, 1, -Infinity, 0, 7, NaN, 9] },
  ],
  attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
  label: 'ties, NaN, signed zeros (2×2 stride 2 loop)',
});
cases.push({ kernel: 'MaxPoolGrad', inputs: [{ shape: [3, 4, 4, 12] }, { shape: [3, 9, 9, 12], range: [-1, 1] }], attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] }, label: '2×2 stride 2, uncovered edge' });
// Five channels (one vector, one tail), one window of four pixels: ties in channels 0, 1 and 4, a NaN
// that never wins in channel 2, and an all-NaN channel 3 (its first element gets the gradient).
cases.push({
  kernel: 'MaxPoolGrad',
  inputs: [{ shape: [1, 1, 1, 5] }, { shape: [1, 2, 2, 5], values: [1, 5, 0, NaN, 7, 3, 5, NaN, NaN, 7, 3, 2, 4, NaN, 1, 0, 5, 4, NaN, 7] }],
  attrs: { filterSize: [2, 2], strides: [1, 1], pad: [0, 0, 0, 0] },
  label: 'ties, NaN and all-NaN windows across a vector and the tail',
});
cases.push({
  kernel: 'MaxPoolGrad',
  inputs: [{ shape: [1, 1, 1, 5], values: [1, -0, 2, 3, -0] }, { shape: [1, 2, 2, 5], values: [1, 5, 0, NaN, 7, 3, 5, NaN, NaN, 7, 3, 2, 4, NaN, 1, 0, 5, 4, NaN, 7] }],
  attrs: { filterSize: [2, 2], strides: [2, 2], pad: [0, 0, 0, 0] },
  label: 'ties, NaN, all-NaN windows and -0 gradients (tiling windows)',
});

for (const dtype of ['float32', 'int32', 'bool'] as const) {
  const r: [number, number] = dtype === 'int32' ? [-50, 50] : [-1, 1];
  cases.push(
    { kernel: 'Reshape', inputs: [{ shape: [3, 4], dtype, range: r }], attrs: { shape: [2, 6] }, label: dtype },
    { kernel: 'Transpose', inputs: [{ shape: [3, 4, 5], dtype, range: r }], attrs: { perm: [2, 0, 1] }, label: dtype },
    { kernel: 'Transpose', inputs: [{ shape: [33, 65], dtype, range: r }], attrs: { perm: [1, 0] }, label: dtype },
    { kernel: 'Concat', inputs: [{ shape: [2, 3, 4], dtype, range: r }, { shape: [2, 1, 4], dtype, range: r }, { shape: [2, 5, 4], dtype, range: r }], attrs: { axis: 1 }, label: dtype },
    { kernel: 'Concat', inputs: [{ shape: [2, 3], dtype, range: r }, { shape: [4, 3], dtype, range: r }], attrs: { axis: 0 }, label: dtype },
    { kernel: 'Concat', inputs: [{ shape: [2, 3], dtype, range: r }, { shape: [2, 2], dtype, range: r }], attrs: { axis: 1 }, label: dtype },
    { kernel: 'Slice', inputs: [{ shape: [5, 6, 7], dtype, range: r }], attrs: { begin: [1, 0, 2], size: [3, 6, 4] }, label: dtype },
    { kernel: 'Pad', inputs: [{ shape: [3, 4], dtype, range: r }], attrs: { paddings: [[1, 2], [0, 3]], constantValue: 0 }, label: dtype },
    { kernel: 'Pad', inputs: [{ shape: [2, 2, 3], dtype, range: r }], attrs: { paddings: [[0, 1], [2, 0], [1, 1]], constantValue: 5 }, label: `${dtype} constant 5` },
    { kernel: 'Tile', inputs: [{ shape: [2, 3], dtype, range: r }], attrs: { reps: [3, 2] }, label: dtype },
    { kernel: 'Reverse', inputs: [{ shape: [3, 4, 5], dtype, range: r }], attrs: { axes: [0, 2] }, label: dtype },
    { kernel: 'BroadcastTo', inputs: [{ shape: [3, 1], dtype, range: r }], attrs: { shape: [2, 3, 4] }, label: dtype },
    { kernel: 'Gather', inputs: [{ shape: [5, 3], dtype, range: r }, { shape: [2, 2], dtype: 'int32', values: [4, 0, 0, 2] }], attrs: { axis: 0 }, label: dtype },
    { kernel: 'Gather', inputs: [{ shape: [2, 5, 3], dtype, range: r }, { shape: [3], dtype: 'int32', values: [1, 4, 1] }], attrs: { axis: 1 }, label: dtype },
  );
}
cases.push(
  { kernel: 'ScatterAdd', inputs: [{ shape: [4, 3] }, { shape: [4], dtype: 'int32', values: [2, 0, 2, 4] }], attrs: { axis: 0, size: 5 } },
  { kernel: 'ScatterAdd', inputs: [{ shape: [2, 2, 3, 6] }, { shape: [2, 3], dtype: 'int32', values: [0, 1, 1, 3, 0, 0] }], attrs: { axis: 1, size: 4 } },
  { kernel: 'ScatterAdd', inputs: [{ shape: [3, 2], dtype: 'int32', range: [-9, 9] }, { shape: [3], dtype: 'int32', values: [1, 1, 0] }], attrs: { axis: 0, size: 2 }, label: 'int32' },
);

// Trigonometric kernels, Atan2, Cumsum and Cumprod run on the CPU fallback (src/kernels/unary-extra.ts, src/kernels/scan.ts):
// these check the copy out and back, broadcasting, int32 scans and every scan direction.
for (const kernel of ['Tan', 'Atan', 'Sinh', 'Cosh', 'Asinh'] as KernelName[]) cases.push({ kernel, inputs: [{ shape: [3, 5], range: [-1.5, 1.5] }] });
for (const kernel of ['Asin', 'Acos', 'Atanh'] as KernelName[]) cases.push({ kernel, inputs: [{ shape: [3, 5], range: [-0.99, 0.99] }] });
cases.push(
  { kernel: 'Acosh', inputs: [{ shape: [3, 5], range: [1, 4] }] },
  { kernel: 'Atan2', inputs: [{ shape: [3, 4], range: [-2, 2] }, { shape: [4], range: [-2, 2] }] },
  { kernel: 'Atan2', inputs: [{ shape: [6], values: [0, 0, 1, -1, 0, -0] }, { shape: [6], values: [1, -1, 0, 0, 0, -1] }], label: 'axes' },
);
for (const kernel of ['Cumsum', 'Cumprod'] as KernelName[]) {
  for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
    cases.push({ kernel, inputs: [{ shape: [3, 4, 5], range: [0.5, 1.5] }], attrs: { axis: 1, exclusive, reverse }, label: `exclusive=${exclusive} reverse=${reverse}` });
  }
  cases.push({ kernel, inputs: [{ shape: [2, 6], dtype: 'int32', range: [-4, 4] }], attrs: { axis: 1, exclusive: false, reverse: false }, label: 'int32' });
}

// The fused recurrent sequences (asm/recurrent.ts): 4 units (whole SIMD vectors) and 5 (a one-lane
// tail), both GRU variants, with and without a recurrent bias. Their exp is a float32 polynomial, so the
// tolerance is a few float32 ulp of the gate values, compounded over the steps.
const RNN_TOL = { rtol: 2e-5, atol: 2e-5 };
for (const u of [4, 5]) {
  const [b, t] = [3, 4];
  cases.push(
    { kernel: 'LSTMSequence', inputs: [{ shape: [b, t, 4 * u], range: [-2, 2] }, { shape: [b, 2 * u] }, { shape: [u, 4 * u], range: [-0.5, 0.5] }], label: `${u} units`, ...RNN_TOL },
    {
      kernel: 'LSTMSequenceGrad',
      inputs: [{ shape: [b, t, 6 * u], range: [0.05, 0.95] }, { shape: [b, 2 * u] }, { shape: [u, 4 * u], range: [-0.5, 0.5] }, { shape: [b, t, 6 * u] }],
      label: `${u} units`,
      ...RNN_TOL,
    },
  );
  for (const resetAfter of [true, false]) {
    cases.push(
      {
        kernel: 'GRUSequence',
        inputs: [{ shape: [b, t, 3 * u], range: [-2, 2] }, { shape: [b, u] }, { shape: [u, 3 * u], range: [-0.5, 0.5] }, { shape: [resetAfter ? 3 * u : 0] }],
        attrs: { resetAfter },
        label: `${u} units, resetAfter ${resetAfter}`,
        ...RNN_TOL,
      },
      {
        kernel: 'GRUSequenceGrad',
        inputs: [{ shape: [b, t, 5 * u], range: [0.05, 0.95] }, { shape: [b, u] }, { shape: [u, 3 * u], range: [-0.5, 0.5] }, { shape: [b, t, 5 * u] }],
        attrs: { resetAfter },
        label: `${u} units, resetAfter ${resetAfter}`,
        ...RNN_TOL,
      },
    );
  }
}

// Fused bias + activation (asm/fused.ts, asm/epilogue.ts): matmul edge tiles, the direct and the general
// convolution paths, and BiasAddGrad across its row blocks.
for (const activation of ['linear', 'relu']) {
  cases.push(
    { kernel: 'FusedMatMul', inputs: [{ shape: [13, 9] }, { shape: [9, 21] }, { shape: [21] }], attrs: { transposeA: false, transposeB: false, activation }, label: activation },
    { kernel: 'FusedMatMul', inputs: [{ shape: [9, 13] }, { shape: [21, 9] }, { shape: [21] }], attrs: { transposeA: true, transposeB: true, activation }, label: `${activation} transposed` },
    { kernel: 'FusedConv2D', inputs: [{ shape: [2, 9, 8, 1] }, { shape: [3, 3, 1, 16] }, { shape: [16] }], attrs: { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1], activation }, label: `${activation} direct` },
    { kernel: 'FusedConv2D', inputs: [{ shape: [2, 7, 6, 5] }, { shape: [3, 2, 5, 6] }, { shape: [6] }], attrs: { strides: [2, 1], pad: [1, 1, 0, 1], dilations: [1, 1], activation }, label: `${activation} padded` },
  );
}
cases.push({ kernel: 'BiasAddGrad', inputs: [{ shape: [3, 50, 7] }] }, { kernel: 'BiasAddGrad', inputs: [{ shape: [130, 12] }] });

describe('every kernel matches the CPU backend', () => {
  const wasm = getWasmBackend();

  it('has cases for every kernel of kernels.ts', () => {
    const covered = new Set(cases.map((c) => c.kernel));
    expect(KERNEL_NAMES.filter((k) => !covered.has(k))).toEqual([]);
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.kernel}${c.label !== undefined ? ` (${c.label})` : ''} #${i}`, () => {
      const outcome = runBoth(wasm, c, 1000 + i);
      expect(mismatch(outcome, c.rtol ?? 2e-6, c.atol ?? 1e-6)).toBeNull();
    });
  }
});
