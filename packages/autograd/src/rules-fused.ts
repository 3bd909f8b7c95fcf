import type { Tensor } from '@descent/tensor';
import { runKernel } from '@descent/tensor';
import { broadcastTo, conv2dBackpropFilter, conv2dBackpropInput, matMul, reluGrad } from './kernel-ops.js';
import type { GradRule } from './rules.js';

/*
 * Gradient rules of the fused bias + activation kernels (`fused.matMul`, `fused.conv2d`). Backward is the
 * pre-activation gradient dz (for relu from the saved output: y > 0 exactly where the pre-activation
 * is), the bias gradient from dz in one threaded kernel (BiasAddGrad), then the product's own gradient
 * kernels. Every step is a kernel with its own rule, so a gradient of these gradients is exact.
 */

const biasAddGrad = (dz: Tensor): Tensor => runKernel('BiasAddGrad', [dz], {});

/** The gradient of the product's output, before the activation. */
const preActivation = (dy: Tensor, y: Tensor, activation: 'linear' | 'relu'): Tensor =>
  activation === 'relu' ? reluGrad(dy, y) : dy;

type FusedKernel = 'FusedMatMul' | 'FusedConv2D' | 'BiasAddGrad';

/** Gradient rules of the kernels in `cpu/fused.ts`; spread into the one table in rules.ts. */
export const fusedRules = {
  FusedMatMul: (dy, { inputs: [a, b], attrs: { transposeA: ta, transposeB: tb, activation }, output: y, needs }) => {
    const dz = preActivation(dy, y, activation);
    return [
      needs[0] ? (ta ? matMul(b, dz, tb, true) : matMul(dz, b, false, !tb)) : null,
      needs[1] ? (tb ? matMul(dz, a, true, ta) : matMul(a, dz, !ta, false)) : null,
      needs[2] ? biasAddGrad(dz) : null,
    ];
  },
  FusedConv2D: (dy, { inputs: [x, f], attrs, output: y, needs }) => {
    const dz = preActivation(dy, y, attrs.activation);
    return [
      needs[0] ? conv2dBackpropInput(dz, f, attrs, x.shape) : null,
      needs[1] ? conv2dBackpropFilter(x, dz, attrs, f.shape) : null,
      needs[2] ? biasAddGrad(dz) : null,
    ];
  },
  // Linear: every row of dy receives the bias's gradient.
  BiasAddGrad: (g, { inputs: [dy] }) => [broadcastTo(g, dy.shape)],
} satisfies { readonly [K in FusedKernel]: GradRule<K> };
