import type { FusedActivation } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import { getActivation } from '../activations/index.js';

/**
 * The fused kernels' name for `activation` when it is the built-in 'linear' or 'relu' (the same object
 * getActivation returns; a user's own Activation named 'relu' may compute something else), else null.
 * Dense and Conv2D then run product + bias + activation as one op (`fused.matMul`, `fused.conv2d`).
 */
export function kernelActivation(activation: Activation): FusedActivation | null {
  if (activation === getActivation('relu')) return 'relu';
  if (activation === getActivation('linear')) return 'linear';
  return null;
}
