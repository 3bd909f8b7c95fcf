import { closestName } from '@descent/tensor';
import type { LayerArgs } from './layer.js';
import { showValue } from './show-value.js';

/** Options every layer takes (`LayerArgs`); a layer's `optionKeys` lists only its own on top of these. */
const BASE_LAYER_OPTIONS: readonly string[] = layerOptionsOf<LayerArgs>()({
  name: true,
  trainable: true,
  inputShape: true,
  batchInputShape: true,
  batchSize: true,
  dtype: true,
  activityRegularizer: true,
});

/** Every key of `A` that is not a base layer option, each exactly once: the type checker keeps a list complete. */
export type OwnOptionKeys<A> = { readonly [K in Exclude<keyof A, keyof LayerArgs>]-?: true };

function layerOptionsOf<A>(): (keys: { readonly [K in keyof A]-?: true }) => readonly string[] {
  return (keys) => Object.keys(keys);
}

/**
 * The option names of a layer whose constructor takes `A`, beyond the base ones: pass an object
 * with every such key of `A` set to `true`. It does not compile while a key of `A` is missing or an
 * extra one is listed, so the runtime check below never rejects a documented option.
 */
export function layerOptions<A>(keys: OwnOptionKeys<A>): readonly string[] {
  return Object.keys(keys);
}

/**
 * Throw unless `args` is an options object whose keys are base layer options or in `own`:
 * `Dense: unknown option 'unit'. Did you mean 'units'? Valid options: …`. Keys whose value is
 * `undefined` count as not given (as everywhere in the options).
 */
export function checkLayerOptions(className: string, args: unknown, own: readonly string[]): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new Error(`${className}: options must be an object such as { ${own.slice(0, 2).join(', ') || 'name'} }, got ${showValue(args)}`);
  }
  for (const key of Object.keys(args)) {
    if ((args as Record<string, unknown>)[key] === undefined) continue;
    if (own.includes(key) || BASE_LAYER_OPTIONS.includes(key)) continue;
    const valid = [...own, ...BASE_LAYER_OPTIONS];
    const guess = closestName(key, valid);
    const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
    throw new Error(`${className}: unknown option '${key}'.${hint} Valid options: ${valid.join(', ')}`);
  }
}

/** A key Keras or TF.js write in a layer config that is no Descent option: any value, or only these (the defaults). */
type Ignorable = 'any' | readonly (boolean | null | string)[];

/** Keys any layer's saved config may carry without being an option (Keras 2/3 and TF.js 4.22 write them). */
const IGNORED_IN_ANY_CONFIG: Readonly<Record<string, Ignorable>> = { ragged: [false, null], sparse: [false, null], inputDtype: 'any' };

const RNN_EXTRAS: Readonly<Record<string, Ignorable>> = {
  // TF.js and Keras 2 write the kernel layout they chose; it does not change the results.
  implementation: 'any',
  timeMajor: [false],
  // Not an option: Descent's RNNs behave as Keras's default zero_output_for_mask false (a masked step
  // outputs the previous step's output, zeros before the first unmasked one). A config saved with true
  // (Keras's Bidirectional forces it on with returnSequences) still loads, but Keras then outputs zeros
  // at masked steps (and, without returnSequences, for a sequence whose last step is masked), where
  // Descent repeats; without a mask, or at unmasked steps, and for the final states, both agree.
  zeroOutputForMask: 'any',
  useCudnn: 'any',
};
const LORA_EXTRAS: Readonly<Record<string, Ignorable>> = { loraRank: [null], loraAlpha: 'any', quantizationConfig: [null] };

/** Per class: the keys Keras/TF.js write that the class does not take, and the values under which ignoring them changes nothing. */
const IGNORED_BY_CLASS: Readonly<Record<string, Readonly<Record<string, Ignorable>>>> = {
  LSTM: RNN_EXTRAS,
  GRU: RNN_EXTRAS,
  SimpleRNN: RNN_EXTRAS,
  Dense: LORA_EXTRAS,
  Conv1D: LORA_EXTRAS,
  Conv2D: LORA_EXTRAS,
  Conv2DTranspose: LORA_EXTRAS,
  DepthwiseConv2D: LORA_EXTRAS,
  SeparableConv2D: LORA_EXTRAS,
  Embedding: LORA_EXTRAS,
  EinsumDense: { ...LORA_EXTRAS, gptqUnpackedColumnSize: [null] },
  BatchNormalization: { renorm: [false], renormClipping: 'any', renormMomentum: 'any', fused: 'any', virtualBatchSize: [null], adjustment: [null], synchronized: [false] },
  LayerNormalization: { rmsScaling: [false] },
  GlobalAveragePooling1D: { keepdims: [false] },
  GlobalAveragePooling2D: { keepdims: [false] },
  GlobalMaxPooling1D: { keepdims: [false] },
  GlobalMaxPooling2D: { keepdims: [false] },
  // TF.js writes noise_shape: null for the spatial dropouts; their mask shape is fixed.
  SpatialDropout1D: { noiseShape: [null] },
  SpatialDropout2D: { noiseShape: [null] },
  // Keras writes the backward copy it made; Descent makes the same copy (goBackwards flipped) itself.
  Bidirectional: { backwardLayer: 'any' },
};

/** The keys a saved config of `className` may carry that are ignored (for the README and messages). */
function ignoredConfigKeys(className: string): string[] {
  return [...Object.keys(IGNORED_BY_CLASS[className] ?? {}), ...Object.keys(IGNORED_IN_ANY_CONFIG)];
}

/**
 * A saved config (`deserializeLayer`, a model.json's layer) made ready for the constructor of a
 * layer class with `own` option keys: the keys Keras and TF.js write that Descent does not take
 * are dropped when their value changes nothing (`implementation` of an LSTM, `renorm: false`);
 * such a key with another value, or any other unknown key, fails naming the class and the key.
 */
export function configForConstructor(className: string, config: Readonly<Record<string, unknown>>, own: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ignorable = IGNORED_BY_CLASS[className] ?? {};
  for (const [key, value] of Object.entries(config)) {
    if (own.includes(key) || BASE_LAYER_OPTIONS.includes(key) || value === undefined) {
      out[key] = value;
      continue;
    }
    const rule = Object.prototype.hasOwnProperty.call(ignorable, key) ? ignorable[key]! : Object.prototype.hasOwnProperty.call(IGNORED_IN_ANY_CONFIG, key) ? IGNORED_IN_ANY_CONFIG[key]! : undefined;
    if (rule === undefined) {
      const valid = [...own, ...BASE_LAYER_OPTIONS];
      const guess = closestName(key, valid);
      const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
      throw new Error(
        `${className}: unknown config key '${key}'.${hint} ${className} takes: ${valid.join(', ')}; ` +
          `keys Keras/TF.js write that are ignored: ${ignoredConfigKeys(className).join(', ')}`,
      );
    }
    if (rule !== 'any' && !rule.includes(value as boolean | null | string)) {
      throw new Error(`${className}: config key '${key}' is ${showValue(value)}, which Descent does not support (it can only ignore ${rule.map((v) => showValue(v)).join(' or ')})`);
    }
  }
  return out;
}
