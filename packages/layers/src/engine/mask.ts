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
function carriedMask(inputs: Tensor | readonly Tensor[]): Tensor | null | (Tensor | null)[] {
  if (!Array.isArray(inputs)) return getMask(inputs as Tensor);
  const list = (inputs as readonly Tensor[]).map((t) => getMask(t));
  return list.some((m) => m !== null) ? list : null;
}

/** True when `mask` (one, or a list) holds at least one tensor. */
export function hasMask(mask: Tensor | null | undefined | readonly (Tensor | null)[]): boolean {
  if (mask === null || mask === undefined) return false;
  return Array.isArray(mask) ? mask.some((m) => m !== null) : true;
}

/**
 * `kwargs` with `mask` filled in from the masks `inputs` carry unless the caller gave one (an explicit
 * `mask: null` means none), and that mask; see `Layer.withInputMask`.
 */
export function withCarriedMask<K extends { mask?: Tensor | null | (Tensor | null)[] }>(inputs: Tensor | readonly Tensor[], kwargs: K): { kwargs: K; mask: Tensor | null | (Tensor | null)[] } {
  const mask = kwargs.mask !== undefined ? kwargs.mask : carriedMask(inputs);
  if (!hasMask(mask)) {
    if (kwargs.mask === undefined) return { kwargs, mask: null };
    const rest = { ...kwargs };
    delete rest.mask;
    return { kwargs: rest, mask: null };
  }
  return { kwargs: { ...kwargs, mask }, mask };
}

/**
 * `output` carrying `next` as its mask (none when null). An output that is one of the `inputs` (an
 * identity call) is copied first when its mask must differ, since the input keeps its own.
 */
export function withOutputMask(inputs: Tensor | readonly Tensor[], output: Tensor, next: Tensor | null): Tensor {
  const list: readonly Tensor[] = Array.isArray(inputs) ? inputs : [inputs as Tensor];
  let out = output;
  if (list.includes(output) && getMask(output) !== next) out = output.reshape([...output.shape]);
  if (next !== null) setMask(out, next);
  return out;
}
