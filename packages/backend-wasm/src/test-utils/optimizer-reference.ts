import type { ExtensionKernelOptions, Tensor } from '@descent/tensor';
import { add, div, mul, runExtensionKernel, sqrt, square, sub } from '@descent/tensor';
import type { FusedUpdateAttrs, FusedUpdateRule } from '../kernels/optimizer.js';
import { FUSED_UPDATE_KERNELS } from '../kernels/optimizer.js';

/**
 * The op path the optimizers package takes without a fused step, written out from Keras 3's update rules
 * (their float64 forms are in packages/optimizers/src/test-utils/rules.ts):
 * the same element-wise ops in the same order, so on this backend it is the exact reference.
 */
export function opPath<R extends FusedUpdateRule>(rule: R, [w, g, ...s]: Tensor[], hyper: FusedUpdateAttrs[R]): Tensor[] {
  switch (rule) {
    case 'adam': {
      const h = hyper as FusedUpdateAttrs['adam'];
      const m = add(s[0]!, mul(sub(g!, s[0]!), 1 - h.beta1));
      const v = add(s[1]!, mul(sub(square(g!), s[1]!), 1 - h.beta2));
      return [sub(w!, div(mul(m, h.alpha), add(sqrt(v), h.epsilon))), m, v];
    }
    case 'sgd': {
      const h = hyper as FusedUpdateAttrs['sgd'];
      const step = mul(g!, h.learningRate);
      if (h.momentum === 0) return [sub(w!, step)];
      const v = sub(mul(s[0]!, h.momentum), step);
      return [h.nesterov ? sub(w!, sub(step, mul(v, h.momentum))) : add(w!, v), v];
    }
    case 'rmsprop': {
      const h = hyper as FusedUpdateAttrs['rmsprop'];
      const v = add(mul(s[0]!, h.rho), mul(square(g!), 1 - h.rho));
      const out = [v];
      let den = add(v, h.epsilon);
      const avgIn = h.centered ? s[h.momentum > 0 ? 2 : 1]! : null;
      let avg: Tensor | null = null;
      if (avgIn !== null) {
        avg = add(mul(avgIn, h.rho), mul(g!, 1 - h.rho));
        den = add(sub(v, square(avg)), h.epsilon);
      }
      const inc = div(mul(g!, h.learningRate), sqrt(den));
      let next = sub(w!, inc);
      if (h.momentum > 0) {
        const m = add(mul(s[1]!, h.momentum), inc);
        out.push(m);
        next = sub(w!, m);
      }
      if (avg !== null) out.push(avg);
      return [next, ...out];
    }
    case 'adagrad': {
      const h = hyper as FusedUpdateAttrs['adagrad'];
      const acc = add(s[0]!, square(g!));
      return [sub(w!, div(mul(g!, h.learningRate), sqrt(add(acc, h.epsilon)))), acc];
    }
  }
  throw new Error(`unknown rule ${rule}`);
}

/** One rule with hyperparameters to test, and its slot count. */
export type Case = { [R in FusedUpdateRule]: { rule: R; hyper: FusedUpdateAttrs[R]; slots: number; label: string } }[FusedUpdateRule];

/** One fused step through the backend's extension kernel, as `fusedOptimizerStep` of @descent/optimizers runs it. */
export function fusedStep<R extends FusedUpdateRule>(rule: R, tensors: readonly Tensor[], hyper: FusedUpdateAttrs[R], options?: ExtensionKernelOptions): Tensor[] | null {
  return runExtensionKernel(FUSED_UPDATE_KERNELS[rule], tensors, hyper as never, undefined, options);
}

/** Every fused rule variant, with hyperparameters. */
export const CASES: Case[] = [
  { rule: 'adam', hyper: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 0.01 }, slots: 2, label: 'adam' },
  { rule: 'sgd', hyper: { learningRate: 0.1, momentum: 0, nesterov: false }, slots: 0, label: 'sgd' },
  { rule: 'sgd', hyper: { learningRate: 0.1, momentum: 0.9, nesterov: false }, slots: 1, label: 'sgd momentum' },
  { rule: 'sgd', hyper: { learningRate: 0.1, momentum: 0.9, nesterov: true }, slots: 1, label: 'sgd nesterov' },
  { rule: 'rmsprop', hyper: { learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }, slots: 1, label: 'rmsprop' },
  { rule: 'rmsprop', hyper: { learningRate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: false }, slots: 2, label: 'rmsprop momentum' },
  { rule: 'rmsprop', hyper: { learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: true }, slots: 2, label: 'rmsprop centered' },
  { rule: 'rmsprop', hyper: { learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true }, slots: 3, label: 'rmsprop momentum centered' },
  { rule: 'adagrad', hyper: { learningRate: 0.05, epsilon: 1e-7 }, slots: 1, label: 'adagrad' },
];
