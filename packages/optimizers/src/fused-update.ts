import type { ExtensionKernelFallback, Tensor } from '@descent/tensor';
import { assertLive, CpuBackend, formatShape, getBackend, isTensor, runExtensionKernel } from '@descent/tensor';
import { cpuOptimizerStep } from './fused-update-cpu.js';

/**
 * Hyperparameters of each fused optimizer rule (Keras 3 math, as UPDATE_RULES.md gives it). Every number is
 * the value of this step (the learning rate after its schedule; Adam's `alpha` is the learning rate times its bias correction).
 * A backend that implements the fused updates takes these as its extension kernels' attributes.
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

// The fused updates are extension kernels of @descent/tensor: each takes `[w, g, ...slots]` (float32,
// one shape; slot order in `OptimizerHyper`) and returns the new `w` and slots, in that order.
declare module '@descent/tensor' {
  interface ExtensionKernelDefs {
    /** One Adam step (`OptimizerHyper['adam']`). */
    AdamUpdate: OptimizerHyper['adam'];
    /** One SGD step, plain, momentum or Nesterov (`OptimizerHyper['sgd']`). */
    SGDUpdate: OptimizerHyper['sgd'];
    /** One RMSprop step (`OptimizerHyper['rmsprop']`). */
    RMSpropUpdate: OptimizerHyper['rmsprop'];
    /** One Adagrad step (`OptimizerHyper['adagrad']`). */
    AdagradUpdate: OptimizerHyper['adagrad'];
  }
}

/** The extension kernel of each fused optimizer rule, which a backend implements to fuse it. */
export const OPTIMIZER_UPDATE_KERNELS = {
  adam: 'AdamUpdate',
  sgd: 'SGDUpdate',
  rmsprop: 'RMSpropUpdate',
  adagrad: 'AdagradUpdate',
} as const;

const RULES = Object.keys(OPTIMIZER_UPDATE_KERNELS) as OptimizerRule[];

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

/** The CPU backend's fused updates, run over copies of its arrays when a backend has no kernel of its own. */
const CPU_UPDATES: { readonly [R in OptimizerRule]: ExtensionKernelFallback<OptimizerHyper[R]> } = {
  adam: (backend, inputs, hyper) => cpuOptimizerStep(backend, 'adam', inputs, hyper),
  sgd: (backend, inputs, hyper) => cpuOptimizerStep(backend, 'sgd', inputs, hyper),
  rmsprop: (backend, inputs, hyper) => cpuOptimizerStep(backend, 'rmsprop', inputs, hyper),
  adagrad: (backend, inputs, hyper) => cpuOptimizerStep(backend, 'adagrad', inputs, hyper),
};

/** Options of `fusedOptimizerStep`. */
export interface FusedStepOptions {
  /**
   * The caller gives up `w` and the slots: it replaces each by its update right after the call and
   * never reads the old ones again (as the optimizers do with a variable's value and their slots). A
   * backend may then write each update over the old tensor's storage when nothing else holds it
   * (the wasm backend does: a training step then touches half the memory). Default false: the
   * results are fresh tensors and the inputs keep their values.
   */
  readonly donate?: boolean;
}

/**
 * One optimizer update in a single pass on the active backend, in place of the 3–12 element-wise
 * ops the rule takes otherwise, through the rule's extension kernel (`AdamUpdate`, ...) or, on a
 * `CpuBackend` (subclasses included) without one, the float64-intermediate loops of this package.
 * `tensors` are `[w, g, ...slots]` (slot order in `OptimizerHyper`); returns the new `w` followed by
 * the new slots, as tensors that scopes track like op outputs (fresh unless `options.donate`). Returns
 * null when the fused path does not apply: the backend has no fused update, a tensor is not float32
 * or lives on another backend, or the backend declines. The caller then takes the op path, which
 * stays the reference. Not differentiable: autograd never sees it (optimizers run under `noGrad`).
 */
export function fusedOptimizerStep<R extends OptimizerRule>(
  rule: R,
  tensors: readonly Tensor[],
  hyper: OptimizerHyper[R],
  options: FusedStepOptions = {},
): Tensor[] | null {
  if (!RULES.includes(rule)) {
    throw new Error(`fusedOptimizerStep: unknown rule '${String(rule)}' (expected one of ${RULES.join(', ')})`);
  }
  const expected = 2 + optimizerSlotCount(rule, hyper);
  if (!Array.isArray(tensors) || tensors.length !== expected || !tensors.every(isTensor)) {
    throw new Error(
      `fusedOptimizerStep: rule '${rule}' with these hyperparameters takes ${expected} tensors [w, g, ...slots], got ${
        Array.isArray(tensors) ? `${tensors.length} value(s)${tensors.every(isTensor) ? '' : ' that are not all tensors'}` : typeof tensors
      }`,
    );
  }
  for (const [key, value] of Object.entries(hyper)) {
    if (typeof value !== 'boolean' && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new Error(`fusedOptimizerStep: hyperparameter '${key}' of rule '${rule}' must be a finite number, got ${String(value)}`);
    }
  }
  if (options === null || typeof options !== 'object') throw new Error(`fusedOptimizerStep: options must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.donate !== undefined && typeof options.donate !== 'boolean') {
    throw new Error(`fusedOptimizerStep: option 'donate' must be a boolean, got ${typeof options.donate}`);
  }
  for (let i = 0; i < tensors.length; i++) assertLive(tensors[i]!, `fusedOptimizerStep (input ${i})`);
  const backend = getBackend();
  const name = OPTIMIZER_UPDATE_KERNELS[rule];
  if (backend.extensionKernels?.[name] === undefined && !(backend instanceof CpuBackend)) return null;
  const shape = tensors[0]!.shape;
  for (const t of tensors) {
    if (t.backend !== backend || t.dtype !== 'float32') return null;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      // A mismatch here is a caller's bug, not a reason to fall back.
      throw new Error(`fusedOptimizerStep: every tensor must have the shape of w, ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
  }
  // w and every slot (input 1, the gradient, is never given up).
  const donate = options.donate === true ? tensors.map((_, i) => i).filter((i) => i !== 1) : undefined;
  return runExtensionKernel(name, tensors, hyper as never, CPU_UPDATES[rule] as never, donate ? { donate } : undefined);
}
