import { runKernel } from '../engine.js';
import type { FusedActivation } from '../kernels.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { add } from './binary.js';
import { conv2d as plainConv2d } from './conv.js';
import { toTensor } from './convert.js';
import { matMul as plainMatMul } from './matmul.js';
import { elu, relu, relu6, sigmoid, tanh } from './unary.js';
import type { Pair, Padding } from './window.js';
import { outputExtent, resolvePadding, toPair } from './window.js';

// `fused.matMul` and `fused.conv2d`, as TF.js users know them: the product, a bias along the last axis
// and an activation in one kernel where the backend has one (FusedMatMul, FusedConv2D), so the output
// is written once instead of three times. Everything else runs as the plain composition.

/** What the fused ops accept as `activation`; 'linear' and 'relu' run in one kernel, the rest composed. */
export type Activation = FusedActivation | 'relu6' | 'elu' | 'sigmoid' | 'tanh';

const COMPOSED: Readonly<Record<Activation, (x: Tensor) => Tensor>> = {
  linear: (x) => x,
  relu: (x) => relu(x),
  relu6: (x) => relu6(x),
  elu: (x) => elu(x),
  sigmoid: (x) => sigmoid(x),
  tanh: (x) => tanh(x),
};

/** Whether `activation` runs inside the fused kernels (else the ops compose it after the product). */
export function isKernelActivation(activation: string): activation is FusedActivation {
  return activation === 'linear' || activation === 'relu';
}

function checkActivation(op: string, activation: unknown): Activation {
  if (typeof activation === 'string' && Object.hasOwn(COMPOSED, activation)) return activation as Activation;
  throw new Error(`${op}: activation must be one of ${Object.keys(COMPOSED).map((a) => `'${a}'`).join(', ')}, got ${String(activation)}`);
}

/** Whether `bias` is a float32 vector of `n` entries (the shape the fused kernels take). */
function isBiasVector(bias: Tensor | undefined, n: number): bias is Tensor {
  return bias !== undefined && bias.dtype === 'float32' && bias.rank === 1 && bias.shape[0] === n;
}

/** Arguments of `fused.matMul`. */
export interface MatMulArgs {
  /** Left operand `[..., m, k]`. */
  a: TensorLike;
  /** Right operand `[..., k, n]`. */
  b: TensorLike;
  /** Transpose the last two dimensions of `a` first (default false). */
  transposeA?: boolean;
  /** Transpose the last two dimensions of `b` first (default false). */
  transposeB?: boolean;
  /** Added to the product; broadcast against `[..., m, n]` (a vector `[n]` takes the fused kernel). */
  bias?: TensorLike;
  /** Applied last (default 'linear'). */
  activation?: Activation;
}

/**
 * `activation(matMul(a, b) + bias)`: the same numbers as the three ops one after another. With a
 * float32 `b` of rank 2, a bias `[n]` and activation 'linear' or 'relu' it is one kernel (the bias and
 * activation applied as the product is stored); gradients flow to `a`, `b` and `bias` either way.
 */
export function matMul(args: MatMulArgs): Tensor {
  const op = 'fused.matMul';
  const activation = checkActivation(op, args.activation ?? 'linear');
  const transposeA = args.transposeA ?? false;
  const transposeB = args.transposeB ?? false;
  const a = toTensor(args.a, op, 'a');
  const b = toTensor(args.b, op, 'b', a);
  const bias = args.bias === undefined ? undefined : toTensor(args.bias, op, 'bias', a);
  const n = b.rank === 2 ? b.shape[transposeB ? 0 : 1]! : -1;
  const fusable =
    isKernelActivation(activation) && isBiasVector(bias, n) && a.dtype === 'float32' && b.dtype === 'float32' &&
    a.rank >= 2 && (a.rank === 2 || !transposeA) && typeof transposeA === 'boolean' && typeof transposeB === 'boolean' &&
    a.shape[a.rank - (transposeA ? 2 : 1)] === b.shape[transposeB ? 1 : 0];
  if (!fusable) {
    const product = plainMatMul(a, b, transposeA, transposeB);
    return COMPOSED[activation](bias === undefined ? product : add(product, bias));
  }
  if (a.rank === 2) return runKernel('FusedMatMul', [a, b, bias], { transposeA, transposeB, activation });
  // Leading axes of `a` are rows of one product (a reshape shares the storage).
  const lead = a.shape.slice(0, -1);
  const flat = runKernel('Reshape', [a], { shape: [lead.reduce((p, d) => p * d, 1), a.shape[a.rank - 1]!] });
  const y = runKernel('FusedMatMul', [flat, b, bias], { transposeA, transposeB, activation });
  return runKernel('Reshape', [y], { shape: [...lead, n] });
}

/** Arguments of `fused.conv2d`. */
export interface Conv2DArgs {
  /** NHWC input `[N, H, W, C]` or unbatched `[H, W, C]`. */
  x: TensorLike;
  /** `[kh, kw, C, outChannels]`. */
  filter: TensorLike;
  /** Window step, one number or `[height, width]`. */
  strides: Pair;
  /** `'same'`, `'valid'` or explicit padding, as for conv2d. */
  pad: Padding;
  /** Spacing between filter taps (default 1). */
  dilations?: Pair;
  /** Only 'NHWC' (channels last) is supported. */
  dataFormat?: 'NHWC';
  /** Added along the channels; a vector `[outChannels]` takes the fused kernel. */
  bias?: TensorLike;
  /** Applied last (default 'linear'). */
  activation?: Activation;
}

/**
 * `activation(conv2d(x, filter) + bias)`: the same numbers as the three ops one after another, in one
 * kernel for a bias `[outChannels]` and activation 'linear' or 'relu'.
 */
export function conv2d(args: Conv2DArgs): Tensor {
  const op = 'fused.conv2d';
  const activation = checkActivation(op, args.activation ?? 'linear');
  if (args.dataFormat !== undefined && args.dataFormat !== 'NHWC') {
    throw new Error(`${op}: dataFormat must be 'NHWC' (channels last), got ${String(args.dataFormat)}`);
  }
  const x = toTensor(args.x, op, 'x');
  const filter = toTensor(args.filter, op, 'filter');
  const bias = args.bias === undefined ? undefined : toTensor(args.bias, op, 'bias', x);
  const dilations = args.dilations ?? 1;
  const fusable =
    isKernelActivation(activation) && filter.rank === 4 && isBiasVector(bias, filter.shape[3]!) &&
    (x.rank === 4 || x.rank === 3) && x.dtype === 'float32' && filter.dtype === 'float32' &&
    x.shape[x.rank - 1] === filter.shape[2];
  if (!fusable) {
    const y = plainConv2d(x, filter, args.strides, args.pad, dilations);
    return COMPOSED[activation](bias === undefined ? y : add(y, bias));
  }
  const x4 = x.rank === 3 ? runKernel('Reshape', [x], { shape: [1, ...x.shape] }) : x;
  const [, h, w] = x4.shape as [number, number, number, number];
  const [kh, kw] = filter.shape as [number, number, number, number];
  const s = toPair(op, 'strides', args.strides);
  const d = toPair(op, 'dilations', dilations);
  const p = resolvePadding(op, args.pad, [h, w], [kh, kw], s, d);
  outputExtent(op, h, kh, s[0], d[0], p[0], p[1], 'height');
  outputExtent(op, w, kw, s[1], d[1], p[2], p[3], 'width');
  const y = runKernel('FusedConv2D', [x4, filter, bias], { strides: s, pad: p, dilations: d, activation });
  return x.rank === 3 ? runKernel('Reshape', [y], { shape: y.shape.slice(1) }) : y;
}
