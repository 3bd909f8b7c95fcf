import type { KernelTable, TensorInfo } from '../backend.js';
import type { FusedActivation } from '../kernels.js';
import { BIAS_GRAD_BLOCK } from '../kernels.js';
import { formatShape } from '../shape.js';
import { convKernels } from './conv.js';
import { matMulKernels } from './matmul.js';
import { allocOutput, floatsOf, output } from './storage.js';

function checkBias(op: string, bias: TensorInfo, channels: number): Float32Array {
  if (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== channels) {
    throw new Error(`${op}: bias must be float32 of shape [${channels}], got ${bias.dtype} ${formatShape(bias.shape)}`);
  }
  return floatsOf(bias);
}

/**
 * Adds `bias` to every row of `y` (rows of `bias.length`) and applies the activation, in place: one
 * pass instead of Add's and Relu's two, with their numbers (`v < 0 ? 0 : v`, so NaN and −0 pass as Relu
 * passes them).
 */
function biasActivation(y: Float32Array, bias: Float32Array, activation: FusedActivation): void {
  const c = bias.length;
  if (c === 0) return;
  if (activation === 'relu') {
    for (let i = 0; i < y.length; i += c) {
      for (let j = 0; j < c; j++) {
        const v = y[i + j]! + bias[j]!;
        y[i + j] = v < 0 ? 0 : v;
      }
    }
  } else {
    for (let i = 0; i < y.length; i += c) for (let j = 0; j < c; j++) y[i + j] = y[i + j]! + bias[j]!;
  }
}

function fusedMatMul(
  [a, b, bias]: readonly [TensorInfo, TensorInfo, TensorInfo],
  attrs: { transposeA: boolean; transposeB: boolean; activation: FusedActivation },
): TensorInfo {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`FusedMatMul: expected rank-2 a and b, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const n = attrs.transposeB ? b.shape[0]! : b.shape[1]!;
  const beta = checkBias('FusedMatMul', bias, n);
  const y = matMulKernels.MatMul([a, b], { transposeA: attrs.transposeA, transposeB: attrs.transposeB });
  biasActivation(floatsOf(y), beta, attrs.activation);
  return y;
}

function fusedConv2D(
  [x, filter, bias]: readonly [TensorInfo, TensorInfo, TensorInfo],
  attrs: Parameters<KernelTable['FusedConv2D']>[1],
): TensorInfo {
  const beta = checkBias('FusedConv2D', bias, filter.shape[3] ?? 0);
  const y = convKernels.Conv2D([x, filter], { strides: attrs.strides, pad: attrs.pad, dilations: attrs.dilations });
  biasActivation(floatsOf(y), beta, attrs.activation);
  return y;
}

/**
 * Column sums of `dy` viewed as `[rows, c]`: each block of BIAS_GRAD_BLOCK rows is summed in row
 * order, and the blocks' sums are added in block order (the order the wasm kernel's threads keep).
 */
function biasAddGrad([dy]: readonly [TensorInfo]): TensorInfo {
  if (dy.dtype !== 'float32' || dy.shape.length < 1) {
    throw new Error(`BiasAddGrad: dy must be float32 of rank ≥ 1, got ${dy.dtype} ${formatShape(dy.shape)}`);
  }
  const c = dy.shape[dy.shape.length - 1]!;
  const g = floatsOf(dy);
  const rows = c === 0 ? 0 : g.length / c;
  const out = allocOutput('BiasAddGrad', 'float32', [c]);
  const part = new Float32Array(c);
  for (let r0 = 0; r0 < rows; r0 += BIAS_GRAD_BLOCK) {
    const r1 = Math.min(rows, r0 + BIAS_GRAD_BLOCK);
    part.set(g.subarray(r0 * c, r0 * c + c));
    for (let r = r0 + 1; r < r1; r++) {
      const o = r * c;
      for (let j = 0; j < c; j++) part[j] = part[j]! + g[o + j]!;
    }
    for (let j = 0; j < c; j++) out[j] = out[j]! + part[j]!;
  }
  return output(out, [c], 'float32');
}

export const fusedKernels = {
  FusedMatMul: fusedMatMul,
  FusedConv2D: fusedConv2D,
  BiasAddGrad: biasAddGrad,
} satisfies Partial<KernelTable>;
