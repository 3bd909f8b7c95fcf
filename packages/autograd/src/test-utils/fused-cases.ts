import type { ConvAttrs, Tensor } from '@descent/tensor';
import { runKernel } from '@descent/tensor';
import type { GradCheckOptions } from '../grad-check.js';
import type { Rng } from './check.js';
import { awayFromZero, randomShape, uniform } from './check.js';

/**
 * gradCheck cases of the fused bias + activation kernels, for the per-kernel table in rules.test.ts.
 * For relu the pre-activation stays away from 0 (where relu has its kink): operands in ±0.3 over a depth
 * of at most 3 move it by < 0.3, the bias is 0.5–1.5 of either sign, so both sides of the kink are hit.
 */
interface GradCase { kind: 'grad'; inputs: Tensor[]; f: (...xs: Tensor[]) => Tensor; opts?: GradCheckOptions }

const activationOf = (rng: Rng): 'linear' | 'relu' => (rng.bool() ? 'relu' : 'linear');

export const fusedCases = {
  FusedMatMul: (rng: Rng): GradCase => {
    const [m, kk, n] = [rng.int(1, 4), rng.int(1, 3), rng.int(1, 4)];
    const transposeA = rng.bool();
    const transposeB = rng.bool();
    const activation = activationOf(rng);
    const a = uniform(rng, transposeA ? [kk, m] : [m, kk], -0.3, 0.3);
    const b = uniform(rng, transposeB ? [n, kk] : [kk, n], -0.3, 0.3);
    const bias = awayFromZero(rng, [n], 0.5, 1.5);
    return { kind: 'grad', inputs: [a, b, bias], f: (x, y, z) => runKernel('FusedMatMul', [x, y, z], { transposeA, transposeB, activation }) };
  },
  FusedConv2D: (rng: Rng): GradCase => {
    const [n, h, w, cin, cout] = [rng.int(1, 2), rng.int(3, 5), rng.int(3, 5), 1, rng.int(1, 3)];
    const attrs: ConvAttrs = { strides: [rng.int(1, 2), 1], dilations: [1, rng.int(1, 2)], pad: [rng.int(0, 1), 0, 0, rng.int(0, 1)] };
    const activation = activationOf(rng);
    // A 1×2 window over one channel: every output sums at most 2 products of ±0.3 (< 0.18).
    const x = uniform(rng, [n, h, w, cin], -0.3, 0.3);
    const filter = uniform(rng, [1, 2, cin, cout], -0.3, 0.3);
    const bias = awayFromZero(rng, [cout], 0.5, 1.5);
    return { kind: 'grad', inputs: [x, filter, bias], f: (a, b, c) => runKernel('FusedConv2D', [a, b, c], { ...attrs, activation }) };
  },
  BiasAddGrad: (rng: Rng): GradCase => ({
    kind: 'grad',
    inputs: [uniform(rng, randomShape(rng, 1, 3))],
    f: (dy) => runKernel('BiasAddGrad', [dy], {}),
  }),
};
