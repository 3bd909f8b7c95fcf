import type { Layer, SymbolicShape } from '@descent/layers';
import { deserializeLayer } from '@descent/layers';
import type { JsonValue } from './case.js';
import { checkJsonDepth, fromPythonic, isJsonObject } from './case.js';
import { substituteLegacyActivations } from './legacy-activations.js';

/** A layer's class name and camelCase config, as `Sequential.getConfig` lists them. */
export interface LayerConfigEntry {
  className: string;
  config: Record<string, unknown>;
}

/**
 * Config keys that Keras or TF.js spell differently from the names Descent's layers take, applied
 * when reading (after snake_case → camelCase). Keras 3 writes `batch_shape` where Keras 2 and TF.js
 * write `batch_input_shape`.
 */
const READ_RENAMES: Readonly<Record<string, string>> = {
  batchShape: 'batchInputShape',
};

function renameKeys(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const key = READ_RENAMES[k] ?? k;
    if (key === '__proto__') throw new Error(`config key '__proto__' is not a layer option; the config is corrupt or hostile`);
    if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = v;
  }
  return out;
}

export function deserializeEntry(entry: LayerConfigEntry, index: number, source: string): Layer {
  const config = renameKeys(entry.config);
  try {
    return deserializeLayer({ className: entry.className, config });
  } catch (err) {
    const name = typeof config.name === 'string' ? ` '${config.name}'` : '';
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: layer ${index}${name} (class '${entry.className}'): ${message}`, { cause: err });
  }
}

/** An error from building layer `index` of a loaded config, prefixed with the loader op / file and naming the layer. */
export function layerError(err: unknown, source: string, index: number, layer: Layer): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith(`${source}:`)) return err instanceof Error ? err : new Error(message);
  return new Error(`${source}: layer ${index} '${layer.name}' (class '${layer.className}'): ${message}`, { cause: err });
}

/** One layer entry of a topology (`{ class_name, config }`) as the camelCase `{ className, config }` layers take. */
export function layerEntry(raw: JsonValue, i: number, source: string, legacy: boolean): LayerConfigEntry {
  if (!isJsonObject(raw) || typeof raw.class_name !== 'string') {
    throw new Error(`${source}: layer ${i} must be { class_name, config }, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  let config: JsonValue;
  try {
    config = fromPythonic(raw.config ?? {});
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^model\.json: /, '') : String(err);
    throw new Error(`${source}: layer ${i} (class '${raw.class_name}'): ${message}`, { cause: err });
  }
  if (!isJsonObject(config)) throw new Error(`${source}: layer ${i} (class '${raw.class_name}') has a config that is not an object`);
  return { className: raw.class_name, config: substituteLegacyActivations(config, legacy) as Record<string, unknown> };
}

/** The layers of a `Sequential` config `{ name?, layers: [{ className, config }] }` (camelCase, as `getConfig` returns), deserialized. */
export function deserializeLayerList(config: { name?: string; layers: readonly LayerConfigEntry[] }, source: string): Layer[] {
  const list: unknown = typeof config === 'object' && config !== null ? config.layers : null;
  if (!Array.isArray(list)) {
    throw new Error(`${source}: expected { name?, layers: [{ className, config }] }`);
  }
  // Wrapper layers (TimeDistributed, Bidirectional) deserialize the layer they wrap recursively.
  checkJsonDepth(config.layers, `${source}: config`);
  return config.layers.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.className !== 'string') {
      throw new Error(`${source}: layer ${i} must be { className, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    return deserializeEntry({ className: entry.className, config: entry.config ?? {} }, i, source);
  });
}

/** The `{ className, config }` entries of a stack of layers; the first carries `inputShape` (the model's batch input shape, when known). */
export function stackConfig(layers: readonly Layer[], inputShape: SymbolicShape | null): LayerConfigEntry[] {
  const entries = layers.map((layer) => ({ className: layer.className, config: { ...layer.getConfig() } }));
  const first = entries[0];
  // TF.js rebuilds a Sequential from the first layer's batch_input_shape, so it must be there
  // even when the shape was learned from data rather than declared.
  if (first && inputShape && first.config.batchInputShape === undefined && first.config.batchShape === undefined) {
    first.config.batchInputShape = [...inputShape];
    first.config.dtype ??= 'float32';
  }
  return entries;
}
