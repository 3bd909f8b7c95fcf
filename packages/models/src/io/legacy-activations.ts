import type { Activation } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { add, clipByValue, mul } from '@descent/tensor';
import type { JsonObject } from './case.js';

/**
 * `hard_sigmoid` changed meaning: TF.js and Keras 2 compute clip(0.2·x + 0.5, 0, 1), Keras 3
 * (and so Descent's built-in) relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1). TF.js LSTM and GRU
 * layers use it by default as their recurrent activation, so a TF.js model only predicts the
 * same here if the old function is used for files that meant it.
 */
export const TFJS_HARD_SIGMOID = 'hard_sigmoid_tfjs';

export const tfjsHardSigmoid: Activation = {
  name: TFJS_HARD_SIGMOID,
  apply: (x: Tensor) => clipByValue(add(mul(x, 0.2), 0.5), 0, 1),
};

/** Whether a topology was written by TF.js or Keras 2, where `hard_sigmoid` is the 0.2·x + 0.5 form. */
export function usesLegacyHardSigmoid(topology: JsonObject): boolean {
  const version = typeof topology.keras_version === 'string' ? topology.keras_version.toLowerCase() : '';
  return !(version.startsWith('descent') || version.startsWith('3'));
}

function isActivationKey(key: string): boolean {
  return key === 'activation' || key.endsWith('Activation');
}

/**
 * Swap the old-meaning hard sigmoid into a camelCase layer config: `hardSigmoid` in legacy files,
 * and `hardSigmoidTfjs` (how Descent saves a model that uses it) in any file.
 */
export function substituteLegacyActivations(config: unknown, legacy: boolean): unknown {
  if (Array.isArray(config)) return config.map((c) => substituteLegacyActivations(c, legacy));
  if (typeof config !== 'object' || config === null) return config;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (isActivationKey(k) && typeof v === 'string' && (v === 'hardSigmoidTfjs' || (legacy && v === 'hardSigmoid'))) out[k] = tfjsHardSigmoid;
    else out[k] = substituteLegacyActivations(v, legacy);
  }
  return out;
}
