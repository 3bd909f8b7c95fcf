import type { KernelAttrs, KernelInputs, KernelName, Tensor } from '@descent/tensor';
import {
  add, avgPool, avgPoolGrad, conv2d, conv2dBackpropFilter, conv2dBackpropInput, cos, div, equal, exp, floor, gather,
  greater, greaterEqual, keptShape, less, lessEqual, log, logicalAnd, matMul, maxPoolGrad, mul, neg, num, pad, pow,
  logSoftmaxLast, prod, reluGrad, reshape, reverse, scale, scatterAdd, sigmoid, sign, sin, slice, softmaxCrossEntropyGrad,
  softmaxLast, square, sub, sum, toFloat, transpose, unreduce, where,
} from './kernel-ops.js';
import { gatherAtMaxima } from './max-pool-routing.js';
import { fusedRules } from './rules-fused.js';
import { mathExtraRules } from './rules-math-extra.js';

/** Gradients for a step's inputs, in input order; null (or undefined) = no gradient for that input. */
export type InputGrads = readonly (Tensor | null | undefined)[];

/** What a gradient rule sees of the step it differentiates. */
export interface GradContext<K extends KernelName> {
  /** The kernel's inputs, as they were recorded. */
  readonly inputs: KernelInputs<K, Tensor>;
  /** The kernel's attributes. */
  readonly attrs: KernelAttrs<K>;
  /** The kernel's output. */
  readonly output: Tensor;
  /** Which inputs need a gradient; a rule may skip the others (returning null there). */
  readonly needs: readonly boolean[];
}

/**
 * A kernel's vector-Jacobian product: given `dy` (shaped like the output), the gradient of each
 * input. Elementwise rules may return gradients shaped like the broadcast output; the tape reduces
 * them to each input's shape. Rules are built from kernels, so they are recorded by an outer tape
 * and can be differentiated again.
 */
export type GradRule<K extends KernelName> = (dy: Tensor, ctx: GradContext<K>) => InputGrads;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** 1 where `cond` holds, else 0, as float32. */
const mask = (cond: Tensor): Tensor => toFloat(cond);

/**
 * Every kernel's gradient rule. `null` = not differentiable: the output is a constant to autograd
 * (so it contributes a zero gradient, as in Keras). That covers comparisons and logical ops,
 * ArgMax/ArgMin, IsNaN/IsFinite, and the piecewise-constant Floor, Ceil, Round, Sign and FloorDiv.
 * Cast passes the gradient through between float32 tensors; a cast to int32/bool ends the chain
 * because only float32 outputs are ever recorded.
 */
export const gradRules = {
  // --- elementwise unary ---
  Neg: (dy) => [neg(dy)],
  Abs: (dy, { inputs: [x] }) => [mul(dy, sign(x))],
  Sign: null,
  Exp: (dy, { output: y }) => [mul(dy, y)],
  Log: (dy, { inputs: [x] }) => [div(dy, x)],
  Log1p: (dy, { inputs: [x] }) => [div(dy, add(x, num(1)))],
  Expm1: (dy, { output: y }) => [mul(dy, add(y, num(1)))],
  Sqrt: (dy, { output: y }) => [div(dy, scale(y, 2))],
  // d/dx x^(-1/2) = -1/2 · x^(-1/2) / x
  Rsqrt: (dy, { inputs: [x], output: y }) => [mul(dy, scale(div(y, x), -0.5))],
  Square: (dy, { inputs: [x] }) => [mul(dy, scale(x, 2))],
  Reciprocal: (dy, { output: y }) => [neg(mul(dy, square(y)))],
  Sin: (dy, { inputs: [x] }) => [mul(dy, cos(x))],
  Cos: (dy, { inputs: [x] }) => [neg(mul(dy, sin(x)))],
  Tanh: (dy, { output: y }) => [mul(dy, sub(num(1), square(y)))],
  Sigmoid: (dy, { output: y }) => [mul(dy, mul(y, sub(num(1), y)))],
  Softplus: (dy, { inputs: [x] }) => [mul(dy, sigmoid(x))],
  // One fused pass, the same numbers as mul(dy, mask(greater(x, 0))).
  Relu: (dy, { inputs: [x] }) => [reluGrad(dy, x)],
  // Linear in dy with the same mask; piecewise constant in x (zero gradient, as Relu's own second derivative).
  ReluGrad: (g, { inputs: [, x] }) => [reluGrad(g, x), null],
  Erf: (dy, { inputs: [x] }) => [mul(dy, scale(exp(neg(square(x))), TWO_OVER_SQRT_PI))],
  Floor: null,
  Ceil: null,
  Round: null,
  IsNaN: null,
  IsFinite: null,
  LogicalNot: null,
  LeakyRelu: (dy, { inputs: [x], attrs }) => [where(greater(x, num(0)), dy, scale(dy, attrs.alpha))],
  // For x ≤ 0, y = α(eˣ − 1) so dy/dx = αeˣ = y + α.
  Elu: (dy, { inputs: [x], output: y, attrs }) => [where(greater(x, num(0)), dy, mul(dy, add(y, num(attrs.alpha))))],
  ClipByValue: (dy, { inputs: [x], attrs }) => [
    mul(dy, mask(logicalAnd(greaterEqual(x, num(attrs.min)), lessEqual(x, num(attrs.max))))),
  ],
  Cast: (dy) => [dy],
  ...mathExtraRules,

  // --- elementwise binary (gradients shaped like the broadcast output) ---
  Add: (dy) => [dy, dy],
  Sub: (dy, { needs }) => [dy, needs[1] ? neg(dy) : null],
  Mul: (dy, { inputs: [a, b], needs }) => [needs[0] ? mul(dy, b) : null, needs[1] ? mul(dy, a) : null],
  Div: (dy, { inputs: [, b], output: y, needs }) => [needs[0] ? div(dy, b) : null, needs[1] ? neg(div(mul(dy, y), b)) : null],
  // d/da aᵇ = b·aᵇ⁻¹; d/db aᵇ = aᵇ·ln a, taken as 0 where a ≤ 0 (ln undefined), as TF does.
  Pow: (dy, { inputs: [a, b], output: y, needs }) => [
    needs[0] ? mul(dy, mul(b, pow(a, sub(b, num(1))))) : null,
    needs[1] ? mul(dy, mul(y, log(where(greater(a, num(0)), a, num(1))))) : null,
  ],
  // Ties send the gradient to `a` (as TF does), so it is never split or lost.
  Maximum: (dy, { inputs: [a, b], needs }) => [
    needs[0] ? mul(dy, mask(greaterEqual(a, b))) : null,
    needs[1] ? mul(dy, mask(less(a, b))) : null,
  ],
  Minimum: (dy, { inputs: [a, b], needs }) => [
    needs[0] ? mul(dy, mask(lessEqual(a, b))) : null,
    needs[1] ? mul(dy, mask(greater(a, b))) : null,
  ],
  // a mod b = a − ⌊a/b⌋·b
  Mod: (dy, { inputs: [a, b], needs }) => [dy, needs[1] ? mul(dy, neg(floor(div(a, b)))) : null],
  FloorDiv: null,
  SquaredDifference: (dy, { inputs: [a, b] }) => {
    const g = mul(dy, scale(sub(a, b), 2));
    return [g, neg(g)];
  },
  Equal: null,
  NotEqual: null,
  Greater: null,
  GreaterEqual: null,
  Less: null,
  LessEqual: null,
  LogicalAnd: null,
  LogicalOr: null,
  Where: (dy, { inputs: [cond], needs }) => [
    null,
    needs[1] ? where(cond, dy, num(0)) : null,
    needs[2] ? where(cond, num(0), dy) : null,
  ],

  // --- reductions ---
  Sum: (dy, { inputs: [x], attrs }) => [unreduce(dy, x.shape, attrs.axes)],
  /*
   * ∂/∂xᵢ Πx = Π_{j≠i} xⱼ, computed without dividing by zero: with no zero in the slice it is
   * Π/xᵢ; with exactly one zero only that element gets the product of the others; with more, all 0.
   */
  Prod: (dy, { inputs: [x], attrs }) => {
    const kept = keptShape(x.shape, attrs.axes);
    const isZero = equal(x, num(0));
    const nonZero = where(isZero, num(1), x);
    const prodNonZero = reshape(prod(nonZero, attrs.axes), kept);
    const zeros = reshape(sum(mask(isZero), attrs.axes), kept);
    const others = where(
      isZero,
      where(equal(zeros, num(1)), prodNonZero, num(0)),
      where(equal(zeros, num(0)), div(prodNonZero, nonZero), num(0)),
    );
    return [mul(others, reshape(dy, kept))];
  },
  // Tied maxima share the gradient equally.
  Max: (dy, { inputs: [x], attrs, output: y }) => [extremumGrad(dy, x, y, attrs.axes)],
  Min: (dy, { inputs: [x], attrs, output: y }) => [extremumGrad(dy, x, y, attrs.axes)],
  All: null,
  Any: null,
  ArgMax: null,
  ArgMin: null,
  // Sort positions are piecewise constant; sorted values get their gradient through Gather.
  ArgSort: null,
  // dx = y ⊙ (dy − Σ dy⊙y)
  Softmax: (dy, { output: y, attrs }) => {
    const kept = keptShape(y.shape, [attrs.axis]);
    return [mul(y, sub(dy, reshape(sum(mul(dy, y), [attrs.axis]), kept)))];
  },
  // dx = dy − softmax(x) · Σ dy
  LogSoftmax: (dy, { output: y, attrs }) => {
    const kept = keptShape(y.shape, [attrs.axis]);
    return [sub(dy, mul(exp(y), reshape(sum(dy, [attrs.axis]), kept)))];
  },
  // Per row, with s = softmax(z): dz = SoftmaxCrossEntropyGrad, dt = −dy·logSoftmax(z).
  SoftmaxCrossEntropy: (dy, { inputs: [z, t], needs }) => [
    needs[0] ? softmaxCrossEntropyGrad(z, t, dy) : null,
    needs[1] ? neg(mul(reshape(dy, [...dy.shape, 1]), logSoftmaxLast(z))) : null,
  ],
  // out = d·(s·T − t) per row (d = dy, T = Σt): dz = d·T·s⊙(g − Σg⊙s), dt = d·(Σg⊙s − g), dd = Σg⊙(s·T − t).
  SoftmaxCrossEntropyGrad: (g, { inputs: [z, t, dy], needs }) => {
    const axis = z.rank - 1;
    const kept = keptShape(z.shape, [axis]);
    const s = softmaxLast(z);
    const d = reshape(dy, kept);
    const total = reshape(sum(t, [axis]), kept);
    const gs = reshape(sum(mul(g, s), [axis]), kept);
    return [
      needs[0] ? mul(mul(d, total), mul(s, sub(g, gs))) : null,
      needs[1] ? mul(d, sub(gs, g)) : null,
      needs[2] ? sum(mul(g, sub(mul(s, total), t)), [axis]) : null,
    ];
  },

  // --- linear algebra (batch dims broadcast; the tape sums them back) ---
  MatMul: (dy, { inputs: [a, b], attrs: { transposeA: ta, transposeB: tb }, needs }) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needs[0]) da = ta ? matMul(b, dy, tb, true) : matMul(dy, b, false, !tb);
    if (needs[1]) db = tb ? matMul(dy, a, true, ta) : matMul(a, dy, !ta, false);
    return [da, db];
  },

  // --- convolution and pooling; the backprop kernels are linear, so their rules are adjoints ---
  Conv2D: (dy, { inputs: [x, f], attrs, needs }) => [
    needs[0] ? conv2dBackpropInput(dy, f, attrs, x.shape) : null,
    needs[1] ? conv2dBackpropFilter(x, dy, attrs, f.shape) : null,
  ],
  Conv2DBackpropInput: (dz, { inputs: [dy, f], attrs, needs }) => [
    needs[0] ? conv2d(dz, f, attrs) : null,
    needs[1] ? conv2dBackpropFilter(dz, dy, attrs, f.shape) : null,
  ],
  Conv2DBackpropFilter: (dz, { inputs: [x, dy], attrs, needs }) => [
    needs[0] ? conv2dBackpropInput(dy, dz, attrs, x.shape) : null,
    needs[1] ? conv2d(x, dz, attrs) : null,
  ],
  MaxPool: (dy, { inputs: [x], attrs }) => [maxPoolGrad(dy, x, attrs)],
  // Linear in dy with the routing fixed by x (piecewise constant in x: no gradient for x).
  MaxPoolGrad: (dz, { inputs: [dy, x], attrs }) => [gatherAtMaxima(dz, x, dy.shape, attrs), null],
  AvgPool: (dy, { inputs: [x], attrs }) => [avgPoolGrad(dy, attrs, x.shape)],
  AvgPoolGrad: (dz, { attrs }) => [avgPool(dz, attrs)],

  // --- movement ---
  Reshape: (dy, { inputs: [x] }) => [reshape(dy, x.shape)],
  Transpose: (dy, { attrs }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
  Concat: (dy, { inputs, attrs, needs }) => {
    const begin = new Array<number>(dy.rank).fill(0);
    return inputs.map((x, i) => {
      const part = needs[i] ? slice(dy, begin.slice(), x.shape) : null;
      begin[attrs.axis] = begin[attrs.axis]! + x.shape[attrs.axis]!;
      return part;
    });
  },
  Slice: (dy, { inputs: [x], attrs }) => [
    pad(
      dy,
      x.shape.map((d, i) => {
        const b = attrs.begin[i]!;
        const s = attrs.size[i]! < 0 ? d - b : attrs.size[i]!;
        return [b, d - b - s] as const;
      }),
    ),
  ],
  Pad: (dy, { inputs: [x], attrs }) => [slice(dy, attrs.paddings.map((p) => p[0]), x.shape)],
  // Split each axis d into (rep, d) and sum over the reps.
  Tile: (dy, { inputs: [x], attrs }) => {
    const lead = attrs.reps.length - x.rank;
    const inner: number[] = [];
    const split: number[] = [];
    const repAxes: number[] = [];
    attrs.reps.forEach((r, i) => {
      const d = i < lead ? 1 : x.shape[i - lead]!;
      repAxes.push(split.length);
      split.push(r, d);
      inner.push(d);
    });
    return [reshape(sum(reshape(dy, split), repAxes), inner)];
  },
  Reverse: (dy, { attrs }) => [reverse(dy, attrs.axes)],
  BroadcastTo: (dy) => [dy],
  Gather: (dy, { inputs: [x, indices], attrs }) => [scatterAdd(dy, indices, attrs.axis, x.shape[attrs.axis]!), null],
  ScatterAdd: (dz, { inputs: [, indices], attrs }) => [gather(dz, indices, attrs.axis), null],
  // The fused recurrent sequences are used only inside the RNN layers' custom gradient, which runs
  // their *Grad kernels itself (so an RNN's gradient is not differentiated again).
  LSTMSequence: null,
  LSTMSequenceGrad: null,
  GRUSequence: null,
  GRUSequenceGrad: null,
  ...fusedRules,
} satisfies { readonly [K in KernelName]: GradRule<K> | null };

/** Gradient of max/min over `axes`: `dy` shared by the elements equal to the extremum. */
function extremumGrad(dy: Tensor, x: Tensor, y: Tensor, axes: readonly number[]): Tensor {
  const kept = keptShape(x.shape, axes);
  const hits = mask(equal(x, reshape(y, kept)));
  const count = reshape(sum(hits, axes), kept);
  return mul(hits, div(reshape(dy, kept), count));
}

/** Kernel names whose rule is null (not differentiable). */
export const NON_DIFFERENTIABLE: readonly KernelName[] = (Object.keys(gradRules) as KernelName[]).filter((k) => gradRules[k] === null);
