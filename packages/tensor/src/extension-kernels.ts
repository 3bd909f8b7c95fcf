/**
 * Extension kernels: kernels outside the closed `KernelDefs` set that a backend may provide in its
 * `extensionKernels` table: several outputs, never differentiated (no gradient rule), optional
 * (an op that runs one takes its op-path fallback when the active backend has none). The fused
 * optimizer updates are the extension kernels today; `ExtensionKernelDefs` is an interface so a
 * package can declare more by declaration merging.
 */
import type { TensorInfo } from './backend.js';

/**
 * Hyperparameters of each fused optimizer rule (Keras 3 math, as @descent/optimizers documents and tests it). Every number is
 * the value of this step (the learning rate after its schedule; Adam's `alpha` is the learning rate times its bias correction).
 */
export interface OptimizerHyper {
  /** `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`, `w −= alpha·m/(sqrt(v) + ε)` with `alpha = learningRate·sqrt(1−β2^t)/(1−β1^t)`. Slots `[m, v]`. */
  adam: { readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly alpha: number };
  /** Plain `w −= η·g` (no slot) when momentum is 0; else `v = μ·v − η·g`, `w += v` (nesterov `w += μ·v − η·g`). Slots `[v]`. */
  sgd: { readonly learningRate: number; readonly momentum: number; readonly nesterov: boolean };
  /**
   * `v = ρ·v + (1−ρ)·g²`; centered `ḡ = ρ·ḡ + (1−ρ)·g`, `inc = η·g/sqrt(v − ḡ² + ε)`, else `inc = η·g/sqrt(v + ε)`;
   * momentum `m = μ·m + inc`, `w −= m`, else `w −= inc`. Slots `[v]`, then `m` if momentum > 0, then `ḡ` if centered.
   */
  rmsprop: { readonly learningRate: number; readonly rho: number; readonly momentum: number; readonly epsilon: number; readonly centered: boolean };
  /** `acc += g²`, `w −= η·g/sqrt(acc + ε)`. Slots `[acc]`. */
  adagrad: { readonly learningRate: number; readonly epsilon: number };
}

/** The update rules a backend may fuse into one pass (never differentiated). */
export type OptimizerRule = keyof OptimizerHyper;

/** How many slot tensors follow `[w, g]` in a fused step's inputs (see `OptimizerHyper`). */
export function optimizerSlotCount<R extends OptimizerRule>(rule: R, hyper: OptimizerHyper[R]): number {
  switch (rule) {
    case 'adam':
      return 2;
    case 'sgd':
      return (hyper as OptimizerHyper['sgd']).momentum > 0 ? 1 : 0;
    case 'rmsprop': {
      const h = hyper as OptimizerHyper['rmsprop'];
      return 1 + (h.momentum > 0 ? 1 : 0) + (h.centered ? 1 : 0);
    }
    case 'adagrad':
      return 1;
  }
  throw new Error(`optimizerStep: unknown rule '${String(rule)}' (expected adam, sgd, rmsprop or adagrad)`);
}

/**
 * Every extension kernel: its inputs (over `T`: `Tensor` for callers, `TensorInfo` in backends), its
 * typed attributes, and its outputs (a list). The fused optimizer updates take `[w, g, ...slots]`
 * (float32, one shape; slot order in `OptimizerHyper`) and return the new `w` and slots, in that order.
 */
export interface ExtensionKernelDefs<T> {
  /** One Adam step (`OptimizerHyper['adam']`). */
  AdamUpdate: { inputs: readonly T[]; attrs: OptimizerHyper['adam']; outputs: T[] };
  /** One SGD step, plain, momentum or Nesterov (`OptimizerHyper['sgd']`). */
  SGDUpdate: { inputs: readonly T[]; attrs: OptimizerHyper['sgd']; outputs: T[] };
  /** One RMSprop step (`OptimizerHyper['rmsprop']`). */
  RMSpropUpdate: { inputs: readonly T[]; attrs: OptimizerHyper['rmsprop']; outputs: T[] };
  /** One Adagrad step (`OptimizerHyper['adagrad']`). */
  AdagradUpdate: { inputs: readonly T[]; attrs: OptimizerHyper['adagrad']; outputs: T[] };
}

/** The name of an extension kernel. */
export type ExtensionKernelName = keyof ExtensionKernelDefs<unknown>;
/** The attributes of extension kernel `K`. */
export type ExtensionKernelAttrs<K extends ExtensionKernelName> = ExtensionKernelDefs<unknown>[K]['attrs'];

/** A backend's implementation of extension kernel `K`: the outputs, or null when it cannot run these inputs. */
export type ExtensionKernelImpl<K extends ExtensionKernelName> = (
  inputs: ExtensionKernelDefs<TensorInfo>[K]['inputs'],
  attrs: ExtensionKernelAttrs<K>,
) => ExtensionKernelDefs<TensorInfo>[K]['outputs'] | null;

/** The extension kernels a backend provides; any may be absent. */
export type ExtensionKernelTable = { readonly [K in ExtensionKernelName]?: ExtensionKernelImpl<K> };

/** The extension kernel of each fused optimizer rule. */
export const OPTIMIZER_UPDATE_KERNELS = {
  adam: 'AdamUpdate',
  sgd: 'SGDUpdate',
  rmsprop: 'RMSpropUpdate',
  adagrad: 'AdagradUpdate',
} as const satisfies { readonly [R in OptimizerRule]: ExtensionKernelName };

/** A backend's one implementation of every fused optimizer rule, as its four extension kernels. */
export function optimizerUpdateKernels(
  step: <R extends OptimizerRule>(rule: R, inputs: readonly TensorInfo[], hyper: OptimizerHyper[R]) => TensorInfo[] | null,
): ExtensionKernelTable {
  return {
    AdamUpdate: (inputs, attrs) => step('adam', inputs, attrs),
    SGDUpdate: (inputs, attrs) => step('sgd', inputs, attrs),
    RMSpropUpdate: (inputs, attrs) => step('rmsprop', inputs, attrs),
    AdagradUpdate: (inputs, attrs) => step('adagrad', inputs, attrs),
  };
}
