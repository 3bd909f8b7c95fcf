import type { ActivationFunction } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { add, clipByValue, mul } from '@descent/tensor';
import type { JsonObject, JsonValue } from './case.js';

/**
 * `hard_sigmoid` changed meaning: TF.js and Keras 2 compute clip(0.2·x + 0.5, 0, 1), Keras 3
 * (and so Descent's built-in) relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1). TF.js LSTM and GRU
 * layers use it by default as their recurrent activation, so a TF.js model only predicts the
 * same here if the old function is used for files that meant it.
 */
const TFJS_HARD_SIGMOID = 'hard_sigmoid_tfjs';

const tfjsHardSigmoid: ActivationFunction = {
  name: TFJS_HARD_SIGMOID,
  apply: (x: Tensor) => clipByValue(add(mul(x, 0.2), 0.5), 0, 1),
};

/** Marks a Descent file whose `hard_sigmoid` values mean the TF.js function (see `writeLegacyForTfjs`). */
const LEGACY_MARK = '(hard_sigmoid: tfjs)';

/** Whether a topology was written by TF.js or Keras 2, where `hard_sigmoid` is the 0.2·x + 0.5 form. */
export function usesLegacyHardSigmoid(topology: JsonObject): boolean {
  const version = typeof topology.keras_version === 'string' ? topology.keras_version.toLowerCase() : '';
  if (version.startsWith('descent')) return version.includes(LEGACY_MARK);
  return !version.startsWith('3');
}

function collectActivations(value: JsonValue, found: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectActivations(v, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'activation' || k.endsWith('_activation')) && typeof v === 'string') found.add(v);
      else collectActivations(v, found);
    }
  }
}

function renameActivation(value: JsonValue, from: string, to: string): JsonValue {
  if (Array.isArray(value)) return value.map((v) => renameActivation(v, from, to));
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = (k === 'activation' || k.endsWith('_activation')) && v === from ? to : renameActivation(v, from, to);
  return out;
}

/**
 * A model that uses the TF.js hard sigmoid (typically one loaded from TF.js) is saved with the
 * name TF.js understands, `hard_sigmoid`, and a keras_version mark so Descent reads it back with
 * the same meaning. Only when it also uses the Keras 3 hard sigmoid does it keep the name
 * `hard_sigmoid_tfjs`, which TF.js then rejects rather than silently misreads.
 */
export function writeLegacyForTfjs(topology: JsonObject): JsonObject {
  const found = new Set<string>();
  collectActivations(topology.config ?? null, found);
  if (!found.has(TFJS_HARD_SIGMOID) || found.has('hard_sigmoid')) return topology;
  const out = renameActivation(topology, TFJS_HARD_SIGMOID, 'hard_sigmoid') as JsonObject;
  const version = typeof topology.keras_version === 'string' ? topology.keras_version : 'descent';
  out.keras_version = `${version} ${LEGACY_MARK}`;
  return out;
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
