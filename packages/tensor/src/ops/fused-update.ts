import { assertLive, getBackend } from '../engine.js';
import type { OptimizerHyper, OptimizerRule } from '../extension-kernels.js';
import { OPTIMIZER_UPDATE_KERNELS, optimizerSlotCount } from '../extension-kernels.js';
import { runExtensionKernel } from './extension.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isTensor } from '../tensor.js';

export { optimizerSlotCount };

const RULES = Object.keys(OPTIMIZER_UPDATE_KERNELS) as OptimizerRule[];

/**
 * One optimizer update in a single pass on the active backend, in place of the 3–12 element-wise
 * ops the rule takes otherwise, through the rule's extension kernel (`AdamUpdate`, ...). `tensors` are `[w, g, ...slots]` (slot order in `OptimizerHyper`);
 * returns the new `w` followed by the new slots, as fresh tensors that scopes track like op
 * outputs. Returns null when the fused path does not apply: the backend has no fused update, a
 * tensor is not float32 or lives on another backend, shapes differ, or the backend declines. The
 * caller then takes the op path, which stays the reference. Not differentiable: autograd never
 * sees it (optimizers run under `noGrad`).
 */
export function fusedOptimizerStep<R extends OptimizerRule>(rule: R, tensors: readonly Tensor[], hyper: OptimizerHyper[R]): Tensor[] | null {
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
  for (let i = 0; i < tensors.length; i++) assertLive(tensors[i]!, `fusedOptimizerStep (input ${i})`);
  const backend = getBackend();
  if (backend.extensionKernels?.[OPTIMIZER_UPDATE_KERNELS[rule]] === undefined) return null;
  const shape = tensors[0]!.shape;
  for (const t of tensors) {
    if (t.backend !== backend || t.dtype !== 'float32') return null;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      // A mismatch here is a caller's bug, not a reason to fall back.
      throw new Error(`fusedOptimizerStep: every tensor must have the shape of w, ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
  }
  return runExtensionKernel(OPTIMIZER_UPDATE_KERNELS[rule], tensors, hyper as never);
}
