import type { Tensor } from '@descent/tensor';

/**
 * The mask a layer attached to its output (Keras keeps it as the tensor's `_keras_mask` attribute).
 * Descent keeps it beside the tensor, in a map that holds neither alive: a tensor that is no longer
 * referenced takes its mask with it. Tensors are immutable values, so the mask of a tensor never changes
 * meaning once set.
 */
const masks = new WeakMap<Tensor, Tensor>();

/**
 * The mask carried by `t`: a bool tensor `[batch, time]` (true = the step holds data) that the layer
 * which produced `t` computed (`Masking`, `Embedding({ maskZero: true })`, and every layer after them
 * that passes masks on), or null when `t` has none. Layers read their inputs' masks from here when
 * `apply` is not given an explicit `mask`; `fit`/`evaluate` weight the loss and metrics with the mask of
 * a model's output.
 */
export function getMask(t: Tensor): Tensor | null {
  return masks.get(t) ?? null;
}

/**
 * Attach `mask` to `t` (or remove `t`'s mask with null). A layer's `call` may do this itself for its
 * output (`apply` then keeps that mask instead of asking `computeMask`); most layers never need to.
 */
export function setMask(t: Tensor, mask: Tensor | null): void {
  if (mask === null) masks.delete(t);
  else masks.set(t, mask);
}

/** The masks an input (one tensor or a list) carries: null when none does. */
export function carriedMask(inputs: Tensor | readonly Tensor[]): Tensor | null | (Tensor | null)[] {
  if (!Array.isArray(inputs)) return getMask(inputs as Tensor);
  const list = (inputs as readonly Tensor[]).map((t) => getMask(t));
  return list.some((m) => m !== null) ? list : null;
}

/** True when `mask` (one, or a list) holds at least one tensor. */
export function hasMask(mask: Tensor | null | undefined | readonly (Tensor | null)[]): boolean {
  if (mask === null || mask === undefined) return false;
  return Array.isArray(mask) ? mask.some((m) => m !== null) : true;
}
