import { normalizeName, unknownNameError } from '@descent/tensor';
import { builtinLayers } from '../layers/builtins.js';
import type { Layer } from './layer.js';
import type { LiteralUnion } from './name-types.js';
import { configForConstructor } from './options.js';
import { showValue } from './show-value.js';

/** The Keras class name of every built-in layer (`'Dense'`, `'Conv2D'`, ...); any casing resolves. */
export type LayerClassName = keyof ReturnType<typeof builtinLayers>;

/** A serialized layer: its Keras class name and its `getConfig()`. */
export interface LayerSpec {
  /** The layer's Keras class name (`'Dense'`); any casing resolves. */
  className: LiteralUnion<LayerClassName>;
  /** The layer's `getConfig()` (camelCase or Keras snake_case); default `{}`. */
  config?: Record<string, unknown>;
}

/**
 * A layer class that `registerLayer` accepts: constructible from its config, optionally with its own
 * `fromConfig`.
 */
export interface LayerClass {
  new (config: never): Layer;
  /** Optional custom deserializer; the default is `new Cls(config)`. */
  fromConfig?: (config: Record<string, unknown>) => Layer;
}

interface Entry {
  className: string;
  cls: LayerClass;
}

/** Layers registered at run time (user-defined ones, or built-ins replaced by the user). */
const registered = new Map<string, Entry>();

/** Make `cls` deserializable under `className`: how user-defined layers join the built-in ones. */
export function registerLayer(className: string, cls: LayerClass): void {
  registered.set(normalizeName(className), { className, cls });
}

/** Built-in layers, then registered ones (which win on a name clash), keyed by normalized name. */
function allLayers(): Map<string, Entry> {
  const all = new Map<string, Entry>();
  for (const [className, cls] of Object.entries(builtinLayers())) all.set(normalizeName(className), { className, cls });
  for (const [key, entry] of registered) all.set(key, entry);
  return all;
}

/** Every deserializable layer class name. */
export function listLayers(): string[] {
  return [...allLayers().values()].map((e) => e.className).sort();
}

/** Rebuild a layer from `{ className, config }` (the inverse of `{ className: l.className, config: l.getConfig() }`). */
export function deserializeLayer(spec: LayerSpec): Layer {
  if (spec === null || typeof spec !== 'object' || typeof spec.className !== 'string') {
    throw new Error(`deserializeLayer: expected { className: string, config?: object }, got ${showValue(spec)}`);
  }
  const entry = registered.get(normalizeName(spec.className)) ?? allLayers().get(normalizeName(spec.className));
  if (!entry) throw unknownNameError('layer class', spec.className, listLayers());
  const given = spec.config ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(`deserializeLayer: the config of a ${entry.className} layer must be an object, got ${showValue(given)}`);
  }
  const { cls } = entry;
  // Classes that list their options get the keys Keras/TF.js write but Descent ignores dropped, and
  // any other unknown key refused; other (user-registered) classes get the config as it is.
  const own = Object.prototype.hasOwnProperty.call(cls, 'optionKeys') ? (cls as { optionKeys?: readonly string[] }).optionKeys : undefined;
  const config = own === undefined ? { ...given } : configForConstructor(entry.className, given, own);
  return cls.fromConfig ? cls.fromConfig(config) : new cls(config as never);
}

/** `{ className, config }` of a layer, ready for `deserializeLayer`. */
export function serializeLayer(layer: Layer): LayerSpec {
  return { className: layer.className, config: layer.getConfig() };
}
