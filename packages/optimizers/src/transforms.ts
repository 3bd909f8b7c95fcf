/**
 * The small gradient transformations every optimizer chains around its update rule
 * (accumulate → clip → decay weights → rule → average). Each is a pure function of tensors, so
 * any backend runs them and they compose in the order the package README gives.
 */
import type { Tensor } from '@descent/tensor';
import { add, clipByValue, div, maximum, mul, sqrt, square, sub, sum } from '@descent/tensor';

/** How gradients are clipped before the update: at most one kind is active. */
export type ClipSpec = { kind: 'norm'; value: number } | { kind: 'globalNorm'; value: number } | { kind: 'value'; value: number } | null;

/** `g · c / max(‖g‖, c)`: rescale one gradient so its L2 norm is at most `c`. */
export function clipByNorm(g: Tensor, c: number): Tensor {
  return div(mul(g, c), maximum(sqrt(sum(square(g))), c));
}

/** `gᵢ · c / max(N, c)` with `N = sqrt(Σ‖gᵢ‖²)`: rescale all gradients together. */
export function clipByGlobalNorm(grads: readonly Tensor[], c: number): Tensor[] {
  let total: Tensor | null = null;
  for (const g of grads) {
    const s = sum(square(g));
    total = total === null ? s : add(total, s);
  }
  if (total === null) return [];
  const scale = div(c, maximum(sqrt(total), c));
  return grads.map((g) => mul(g, scale));
}

/**
 * The gradients clipped as `clip` says (by norm, by global norm or by value); a copy of the list when
 * `clip` is null.
 */
export function clipGradients(grads: readonly Tensor[], clip: ClipSpec): Tensor[] {
  if (clip === null) return [...grads];
  switch (clip.kind) {
    case 'norm':
      return grads.map((g) => clipByNorm(g, clip.value));
    case 'globalNorm':
      return clipByGlobalNorm(grads, clip.value);
    case 'value':
      return grads.map((g) => clipByValue(g, -clip.value, clip.value));
  }
}

/** Decoupled weight decay: `w − w · rate` where `rate = weightDecay · learningRate`. */
export function decayWeights(w: Tensor, rate: number): Tensor {
  return sub(w, mul(w, rate));
}

/** Exponential moving average `m · avg + (1 − m) · w`. */
export function movingAverage(avg: Tensor, w: Tensor, momentum: number): Tensor {
  return add(mul(avg, momentum), mul(w, 1 - momentum));
}
