import type { ConvAttrs, KernelName, PoolAttrs, Tensor } from '@descent/tensor';
import { KERNEL_NAMES, broadcastTo, cast, runKernel, scalar, sum, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { GradCheckOptions } from './grad-check.js';
import { grad, variableGrads } from './grad.js';
import { gradRules } from './rules.js';
import {
  Rng, awayFromZero, broadcastPartner, distinct, expectClose, expectGradCheck, indices, randomShape, sizeOf, uniform,
} from './test-utils/check.js';
import { variable } from './variable.js';
import { fusedCases } from './test-utils/fused-cases.js';

/**
 * One case per kernel, typed over the kernel union so a new kernel does not compile without one.
 * Differentiable kernels get random shapes (with broadcasting where the kernel broadcasts) and are
 * checked against finite differences; non-differentiable ones must act as constants.
 */
type Case =
  | { kind: 'grad'; inputs: Tensor[]; f: (...xs: Tensor[]) => Tensor; opts?: GradCheckOptions }
  | { kind: 'constant'; x: Tensor; f: (x: Tensor) => Tensor };

const k = runKernel;
const s = (v: number): Tensor => scalar(v);

const unary = (name: 'Neg' | 'Abs' | 'Exp' | 'Log' | 'Log1p' | 'Expm1' | 'Sqrt' | 'Rsqrt' | 'Square' | 'Reciprocal' | 'Sin' | 'Cos' | 'Tanh' | 'Sigmoid' | 'Softplus' | 'Relu' | 'Erf',
  values: (rng: Rng, shape: number[]) => Tensor) =>
  (rng: Rng): Case => ({ kind: 'grad', inputs: [values(rng, randomShape(rng, 0, 3))], f: (x) => k(name, [x], {}) });

/** Two operands of which one (at random) has a shape broadcasting against the other's. */
function operandShapes(rng: Rng): [number[], number[]] {
  const full = randomShape(rng, 1, 3);
  const part = broadcastPartner(rng, full);
  return rng.bool() ? [full, part] : [part, full];
}

const binary = (name: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'SquaredDifference',
  a: (rng: Rng, shape: number[]) => Tensor, b: (rng: Rng, shape: number[]) => Tensor) =>
  (rng: Rng): Case => {
    const [sa, sb] = operandShapes(rng);
    return { kind: 'grad', inputs: [a(rng, sa), b(rng, sb)], f: (x, y) => k(name, [x, y], {}) };
  };

/** Values on a 0.2 grid, offset by `offset`: two such tensors with offsets 0 and 0.1 never tie. */
const grid = (offset: number) => (rng: Rng, shape: number[]): Tensor =>
  tensor(Float32Array.from({ length: sizeOf(shape) }, () => rng.int(-5, 5) * 0.2 + offset), shape);

function randomAxes(rng: Rng, rank: number): number[] {
  const axes = Array.from({ length: rank }, (_, i) => i).filter(() => rng.bool());
  return axes.length > 0 ? axes : [rng.int(0, rank - 1)];
}

const reduce = (name: 'Sum' | 'Prod' | 'Max' | 'Min', values: (rng: Rng, shape: number[]) => Tensor) =>
  (rng: Rng): Case => {
    const shape = randomShape(rng, 1, 3);
    const axes = randomAxes(rng, shape.length);
    return { kind: 'grad', inputs: [values(rng, shape)], f: (x) => k(name, [x], { axes }) };
  };

const constant = (f: (x: Tensor) => Tensor) => (rng: Rng): Case => ({ kind: 'constant', x: awayFromZero(rng, randomShape(rng, 1, 3)), f });
/** A tensor of `shape` that depends on every element of x (its sum, scaled, broadcast). */
const seqInput = (x: Tensor, shape: number[]): Tensor =>
  k('BroadcastTo', [k('Reshape', [k('Mul', [k('Sum', [x], { axes: x.shape.map((_, i) => i) }), s(0.1)], {})], { shape: shape.map(() => 1) })], { shape });

function convSetup(rng: Rng): { x: number[]; filter: number[]; out: number[]; attrs: ConvAttrs } {
  for (;;) {
    const [n, h, w, cin, cout] = [rng.int(1, 2), rng.int(3, 6), rng.int(3, 6), rng.int(1, 3), rng.int(1, 3)];
    const [kh, kw] = [rng.int(1, 3), rng.int(1, 3)];
    const attrs: ConvAttrs = {
      strides: [rng.int(1, 2), rng.int(1, 2)],
      dilations: [rng.int(1, 2), rng.int(1, 2)],
      pad: [rng.int(0, 1), rng.int(0, 1), rng.int(0, 1), rng.int(0, 1)],
    };
    const oh = Math.floor((h + attrs.pad[0] + attrs.pad[1] - ((kh - 1) * attrs.dilations[0] + 1)) / attrs.strides[0]) + 1;
    const ow = Math.floor((w + attrs.pad[2] + attrs.pad[3] - ((kw - 1) * attrs.dilations[1] + 1)) / attrs.strides[1]) + 1;
    if (oh >= 1 && ow >= 1) return { x: [n, h, w, cin], filter: [kh, kw, cin, cout], out: [n, oh, ow, cout], attrs };
  }
}

function poolSetup(rng: Rng): { x: number[]; out: number[]; attrs: PoolAttrs } {
  for (;;) {
    const [n, h, w, c] = [rng.int(1, 2), rng.int(2, 5), rng.int(2, 5), rng.int(1, 2)];
    const [kh, kw] = [rng.int(1, 3), rng.int(1, 3)];
    const attrs: PoolAttrs = {
      filterSize: [kh, kw],
      strides: [rng.int(1, 2), rng.int(1, 2)],
      pad: [rng.int(0, kh - 1), rng.int(0, kh - 1), rng.int(0, kw - 1), rng.int(0, kw - 1)],
    };
    const oh = Math.floor((h + attrs.pad[0] + attrs.pad[1] - kh) / attrs.strides[0]) + 1;
    const ow = Math.floor((w + attrs.pad[2] + attrs.pad[3] - kw) / attrs.strides[1]) + 1;
    if (oh >= 1 && ow >= 1) return { x: [n, h, w, c], out: [n, oh, ow, c], attrs };
  }
}

const cases: { readonly [K in KernelName]: (rng: Rng) => Case } = {
  ...fusedCases,
  Neg: unary('Neg', uniform),
  Abs: unary('Abs', awayFromZero),
  Sign: constant((x) => k('Sign', [x], {})),
  Exp: unary('Exp', uniform),
  Log: unary('Log', (r, sh) => uniform(r, sh, 0.5, 2)),
  Log1p: unary('Log1p', (r, sh) => uniform(r, sh, -0.5, 2)),
  Expm1: unary('Expm1', uniform),
  Sqrt: unary('Sqrt', (r, sh) => uniform(r, sh, 0.5, 2)),
  Rsqrt: unary('Rsqrt', (r, sh) => uniform(r, sh, 0.5, 2)),
  Square: unary('Square', uniform),
  Reciprocal: unary('Reciprocal', (r, sh) => awayFromZero(r, sh, 0.5, 2)),
  Sin: unary('Sin', (r, sh) => uniform(r, sh, -3, 3)),
  Cos: unary('Cos', (r, sh) => uniform(r, sh, -3, 3)),
  Tanh: unary('Tanh', (r, sh) => uniform(r, sh, -2, 2)),
  Sigmoid: unary('Sigmoid', (r, sh) => uniform(r, sh, -3, 3)),
  Softplus: unary('Softplus', (r, sh) => uniform(r, sh, -3, 3)),
  Relu: unary('Relu', awayFromZero),
  // Linear in dy; x away from 0, where the mask (and so the gradient) is constant in x.
  ReluGrad: (rng) => {
    const shape = randomShape(rng, 0, 3);
    return { kind: 'grad', inputs: [uniform(rng, shape), awayFromZero(rng, shape)], f: (dy, x) => k('ReluGrad', [dy, x], {}) };
  },
  Erf: unary('Erf', (r, sh) => uniform(r, sh, -1.5, 1.5)),
  Floor: constant((x) => k('Floor', [x], {})),
  Ceil: constant((x) => k('Ceil', [x], {})),
  Round: constant((x) => k('Round', [x], {})),
  IsNaN: constant((x) => k('IsNaN', [x], {})),
  IsFinite: constant((x) => k('IsFinite', [x], {})),
  LogicalNot: constant((x) => k('LogicalNot', [k('Greater', [x, s(0)], {})], {})),
  LeakyRelu: (rng) => {
    const alpha = rng.uniform(0.05, 0.5);
    return { kind: 'grad', inputs: [awayFromZero(rng, randomShape(rng, 0, 3))], f: (x) => k('LeakyRelu', [x], { alpha }) };
  },
  Elu: (rng) => {
    const alpha = rng.uniform(0.5, 2);
    return { kind: 'grad', inputs: [awayFromZero(rng, randomShape(rng, 0, 3))], f: (x) => k('Elu', [x], { alpha }) };
  },
  ClipByValue: (rng) => {
    // Values at least 0.05 from both bounds.
    const shape = randomShape(rng, 1, 3);
    const values = Float32Array.from({ length: sizeOf(shape) }, () => rng.pick([-0.9, -0.3, 0, 0.3, 0.9]) + rng.uniform(-0.1, 0.1));
    return { kind: 'grad', inputs: [tensor(values, shape)], f: (x) => k('ClipByValue', [x], { min: -0.5, max: 0.5 }) };
  },
  Cast: unary2('Cast'),
  // Trigonometric kernels, Atan2 and scans (cpu/unary-extra.ts, cpu/scan.ts), each on a range where it is smooth.
  Tan: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -1.2, 1.2)], f: (x) => k('Tan', [x], {}) }),
  Asin: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -0.8, 0.8)], f: (x) => k('Asin', [x], {}) }),
  Acos: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -0.8, 0.8)], f: (x) => k('Acos', [x], {}) }),
  Atan: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -3, 3)], f: (x) => k('Atan', [x], {}) }),
  Sinh: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -2, 2)], f: (x) => k('Sinh', [x], {}) }),
  Cosh: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -2, 2)], f: (x) => k('Cosh', [x], {}) }),
  Asinh: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -3, 3)], f: (x) => k('Asinh', [x], {}) }),
  Acosh: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), 1.3, 3)], f: (x) => k('Acosh', [x], {}) }),
  Atanh: (rng) => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3), -0.8, 0.8)], f: (x) => k('Atanh', [x], {}) }),
  // a kept away from 0 so no point sits near the branch cut (a = 0, b < 0) or the origin.
  Atan2: (rng) => {
    const [sa, sb] = operandShapes(rng);
    return { kind: 'grad', inputs: [awayFromZero(rng, sa), uniform(rng, sb)], f: (a, b) => k('Atan2', [a, b], {}) };
  },
  Cumsum: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const attrs = { axis: rng.int(0, shape.length - 1), exclusive: rng.bool(), reverse: rng.bool() };
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Cumsum', [x], attrs) };
  },
  Cumprod: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const attrs = { axis: rng.int(0, shape.length - 1), exclusive: rng.bool(), reverse: rng.bool() };
    return { kind: 'grad', inputs: [awayFromZero(rng, shape, 0.5, 1.5)], f: (x) => k('Cumprod', [x], attrs) };
  },

  Add: binary('Add', uniform, uniform),
  Sub: binary('Sub', uniform, uniform),
  Mul: binary('Mul', uniform, uniform),
  Div: binary('Div', uniform, (r, sh) => awayFromZero(r, sh, 0.5, 1.5)),
  Pow: binary('Pow', (r, sh) => uniform(r, sh, 0.5, 2), (r, sh) => uniform(r, sh, -2, 2)),
  Maximum: (rng) => {
    const [sa, sb] = operandShapes(rng);
    return { kind: 'grad', inputs: [grid(0)(rng, sa), grid(0.1)(rng, sb)], f: (a, b) => k('Maximum', [a, b], {}) };
  },
  Minimum: (rng) => {
    const [sa, sb] = operandShapes(rng);
    return { kind: 'grad', inputs: [grid(0.1)(rng, sa), grid(0)(rng, sb)], f: (a, b) => k('Minimum', [a, b], {}) };
  },
  Mod: (rng) => {
    // a = b·(integer + fraction in [0.2, 0.8]) keeps a/b away from the jumps at integers.
    const full = randomShape(rng, 1, 3);
    const b = uniform(rng, broadcastPartner(rng, full), 0.5, 1.5);
    const bFull = broadcastTo(b, full).dataSync();
    const a = tensor(Float32Array.from(bFull, (v) => v * (rng.int(-2, 2) + rng.uniform(0.2, 0.8))), full);
    return { kind: 'grad', inputs: [a, b], f: (x, y) => k('Mod', [x, y], {}) };
  },
  FloorDiv: constant((x) => k('FloorDiv', [x, s(0.7)], {})),
  SquaredDifference: binary('SquaredDifference', uniform, uniform),
  Equal: constant((x) => k('Equal', [x, s(0.5)], {})),
  NotEqual: constant((x) => k('NotEqual', [x, s(0.5)], {})),
  Greater: constant((x) => k('Greater', [x, s(0)], {})),
  GreaterEqual: constant((x) => k('GreaterEqual', [x, s(0)], {})),
  Less: constant((x) => k('Less', [x, s(0)], {})),
  LessEqual: constant((x) => k('LessEqual', [x, s(0)], {})),
  LogicalAnd: constant((x) => k('LogicalAnd', [k('Greater', [x, s(0)], {}), k('Less', [x, s(0.5)], {})], {})),
  LogicalOr: constant((x) => k('LogicalOr', [k('Greater', [x, s(0)], {}), k('Less', [x, s(-0.5)], {})], {})),
  Where: (rng) => {
    const full = randomShape(rng, 1, 3);
    const condShape = broadcastPartner(rng, full);
    const cond = tensor(Uint8Array.from({ length: sizeOf(condShape) }, () => (rng.bool() ? 1 : 0)), condShape, 'bool');
    const [sa, sb] = rng.bool() ? [full, broadcastPartner(rng, full)] : [broadcastPartner(rng, full), full];
    return { kind: 'grad', inputs: [cond, uniform(rng, sa), uniform(rng, sb)], f: (c, a, b) => k('Where', [c, a, b], {}) };
  },

  Sum: reduce('Sum', uniform),
  Prod: reduce('Prod', (r, sh) => awayFromZero(r, sh, 0.5, 1.5)),
  Max: reduce('Max', distinct),
  Min: reduce('Min', distinct),
  All: constant((x) => k('All', [k('Greater', [x, s(0)], {})], { axes: [0] })),
  Any: constant((x) => k('Any', [k('Greater', [x, s(0)], {})], { axes: [0] })),
  ArgMax: constant((x) => k('ArgMax', [x], { axis: 0 })),
  ArgMin: constant((x) => k('ArgMin', [x], { axis: 0 })),
  ArgSort: constant((x) => k('ArgSort', [x], { k: x.shape[x.rank - 1]!, descending: true })),
  Softmax: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const axis = rng.int(0, shape.length - 1);
    return { kind: 'grad', inputs: [uniform(rng, shape, -2, 2)], f: (x) => k('Softmax', [x], { axis }) };
  },
  LogSoftmax: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const axis = rng.int(0, shape.length - 1);
    return { kind: 'grad', inputs: [uniform(rng, shape, -2, 2)], f: (x) => k('LogSoftmax', [x], { axis }) };
  },
  // Soft targets (any nonnegative rows, not summing to 1) so the Σtargets factor is exercised.
  SoftmaxCrossEntropy: (rng) => {
    const shape = randomShape(rng, 1, 3);
    return { kind: 'grad', inputs: [uniform(rng, shape, -2, 2), uniform(rng, shape, 0, 1)], f: (z, t) => k('SoftmaxCrossEntropy', [z, t], {}) };
  },
  SoftmaxCrossEntropyGrad: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const inputs = [uniform(rng, shape, -2, 2), uniform(rng, shape, 0, 1), uniform(rng, shape.slice(0, -1), -1, 1)];
    return { kind: 'grad', inputs, f: (z, t, d) => k('SoftmaxCrossEntropyGrad', [z, t, d], {}) };
  },

  MatMul: (rng) => {
    const batch = randomShape(rng, 0, 2, 3);
    const other = broadcastPartner(rng, batch);
    const [ba, bb] = rng.bool() ? [batch, other] : [other, batch];
    const [m, kk, n] = [rng.int(1, 4), rng.int(1, 4), rng.int(1, 4)];
    const transposeA = rng.bool();
    const transposeB = rng.bool();
    const a = uniform(rng, [...ba, ...(transposeA ? [kk, m] : [m, kk])]);
    const b = uniform(rng, [...bb, ...(transposeB ? [n, kk] : [kk, n])]);
    return { kind: 'grad', inputs: [a, b], f: (x, y) => k('MatMul', [x, y], { transposeA, transposeB }) };
  },
  Conv2D: (rng) => {
    const c = convSetup(rng);
    return { kind: 'grad', inputs: [uniform(rng, c.x), uniform(rng, c.filter)], f: (x, w) => k('Conv2D', [x, w], c.attrs) };
  },
  Conv2DBackpropInput: (rng) => {
    const c = convSetup(rng);
    return {
      kind: 'grad',
      inputs: [uniform(rng, c.out), uniform(rng, c.filter)],
      f: (dy, w) => k('Conv2DBackpropInput', [dy, w], { ...c.attrs, inputShape: c.x }),
    };
  },
  Conv2DBackpropFilter: (rng) => {
    const c = convSetup(rng);
    return {
      kind: 'grad',
      inputs: [uniform(rng, c.x), uniform(rng, c.out)],
      f: (x, dy) => k('Conv2DBackpropFilter', [x, dy], { ...c.attrs, filterShape: c.filter }),
    };
  },
  MaxPool: (rng) => {
    const p = poolSetup(rng);
    return { kind: 'grad', inputs: [distinct(rng, p.x)], f: (x) => k('MaxPool', [x], p.attrs) };
  },
  // The x input is checked too: its numeric gradient is 0 (routing does not move under a small step).
  MaxPoolGrad: (rng) => {
    const p = poolSetup(rng);
    return { kind: 'grad', inputs: [uniform(rng, p.out), distinct(rng, p.x)], f: (dy, x) => k('MaxPoolGrad', [dy, x], p.attrs) };
  },
  AvgPool: (rng) => {
    const p = poolSetup(rng);
    return { kind: 'grad', inputs: [uniform(rng, p.x)], f: (x) => k('AvgPool', [x], p.attrs) };
  },
  AvgPoolGrad: (rng) => {
    const p = poolSetup(rng);
    return { kind: 'grad', inputs: [uniform(rng, p.out)], f: (dy) => k('AvgPoolGrad', [dy], { ...p.attrs, inputShape: p.x }) };
  },

  Reshape: (rng) => {
    const shape = randomShape(rng, 0, 3);
    const target = rng.bool() ? [sizeOf(shape)] : [...shape].reverse();
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Reshape', [x], { shape: target }) };
  },
  Transpose: (rng) => {
    const shape = randomShape(rng, 1, 4, 3);
    const perm = rng.shuffle(shape.map((_, i) => i));
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Transpose', [x], { perm }) };
  },
  Concat: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const axis = rng.int(0, shape.length - 1);
    const parts = Array.from({ length: rng.int(2, 3) }, () => uniform(rng, shape.map((d, i) => (i === axis ? rng.int(1, 3) : d))));
    return { kind: 'grad', inputs: parts, f: (...xs) => k('Concat', xs, { axis }) };
  },
  Slice: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const begin = shape.map((d) => rng.int(0, d - 1));
    const size = shape.map((d, i) => rng.int(1, d - begin[i]!));
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Slice', [x], { begin, size }) };
  },
  Pad: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const paddings = shape.map(() => [rng.int(0, 2), rng.int(0, 2)] as const);
    const constantValue = rng.uniform(-1, 1);
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Pad', [x], { paddings, constantValue }) };
  },
  Tile: (rng) => {
    const shape = randomShape(rng, 1, 3, 3);
    const reps = shape.map(() => rng.int(1, 3));
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Tile', [x], { reps }) };
  },
  Reverse: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const axes = shape.map((_, i) => i).filter(() => rng.bool());
    return { kind: 'grad', inputs: [uniform(rng, shape)], f: (x) => k('Reverse', [x], { axes }) };
  },
  BroadcastTo: (rng) => {
    const full = randomShape(rng, 1, 3);
    return { kind: 'grad', inputs: [uniform(rng, broadcastPartner(rng, full))], f: (x) => k('BroadcastTo', [x], { shape: full }) };
  },
  Gather: (rng) => {
    const shape = randomShape(rng, 1, 3);
    const axis = rng.int(0, shape.length - 1);
    const idx = indices(rng, randomShape(rng, 0, 2, 3), shape[axis]!);
    return { kind: 'grad', inputs: [uniform(rng, shape), idx], f: (x, i) => k('Gather', [x, i], { axis }) };
  },
  // The fused recurrent kernels (rule null: the RNN layers' custom gradient differentiates them). x
  // reaches every float input through sum → broadcast, so a non-null rule would show up as a gradient.
  LSTMSequence: constant((x) => k('LSTMSequence', [seqInput(x, [1, 2, 4]), seqInput(x, [1, 2]), seqInput(x, [1, 4])], {})),
  LSTMSequenceGrad: constant((x) => k('LSTMSequenceGrad', [seqInput(x, [1, 2, 6]), seqInput(x, [1, 2]), seqInput(x, [1, 4]), seqInput(x, [1, 2, 6])], {})),
  GRUSequence: constant((x) => k('GRUSequence', [seqInput(x, [1, 2, 3]), seqInput(x, [1, 1]), seqInput(x, [1, 3]), seqInput(x, [3])], { resetAfter: true })),
  GRUSequenceGrad: constant((x) => k('GRUSequenceGrad', [seqInput(x, [1, 2, 5]), seqInput(x, [1, 1]), seqInput(x, [1, 3]), seqInput(x, [1, 2, 5])], { resetAfter: false })),
  ScatterAdd: (rng) => {
    const outer = randomShape(rng, 0, 2, 3);
    const axis = rng.int(0, outer.length);
    const size = rng.int(1, 4);
    const idxShape = randomShape(rng, 1, 2, 3);
    const idx = indices(rng, idxShape, size);
    const updates = uniform(rng, [...outer.slice(0, axis), ...idxShape, ...outer.slice(axis)]);
    return { kind: 'grad', inputs: [updates, idx], f: (u, i) => k('ScatterAdd', [u, i], { axis, size }) };
  },
};

function unary2(name: 'Cast') {
  return (rng: Rng): Case => ({ kind: 'grad', inputs: [uniform(rng, randomShape(rng, 0, 3))], f: (x) => k(name, [x], { dtype: 'float32' }) });
}

const SEEDS = [1, 2, 3, 4];

describe('gradient rules: every kernel', () => {
  it('the case table covers exactly the kernels the rule table covers', () => {
    expect(Object.keys(cases).sort()).toEqual([...KERNEL_NAMES].sort());
    expect(Object.keys(gradRules).sort()).toEqual([...KERNEL_NAMES].sort());
  });

  for (const name of KERNEL_NAMES) {
    const make = cases[name];
    if (gradRules[name] === null) {
      it(`${name} is not differentiable: autograd treats its output as a constant`, () => {
        for (const seed of SEEDS) {
          const c = make(new Rng(seed * 101 + name.length));
          expect(c.kind).toBe('constant');
          if (c.kind !== 'constant') return;
          // Only the direct term contributes; the path through the kernel adds nothing.
          const v = variable(c.x);
          const { grads } = variableGrads(() => sum(v).add(sum(cast(c.f(v), 'float32'))));
          expectClose(grads.get(v)!, new Float32Array(v.size).fill(1), 0);
          const g = grad((x) => sum(cast(c.f(x), 'float32')))(c.x);
          expectClose(g, new Float32Array(c.x.size), 0);
        }
      });
    } else {
      it(`${name} passes gradCheck on random shapes`, () => {
        for (const seed of SEEDS) {
          const c = make(new Rng(seed * 101 + name.length));
          expect(c.kind).toBe('grad');
          if (c.kind !== 'grad') return;
          expectGradCheck(c.f, c.inputs, c.opts);
        }
      });
    }
  }
});
