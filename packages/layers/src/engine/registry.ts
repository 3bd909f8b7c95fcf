import { NameRegistry, unknownNameError } from '@descent/tensor';
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

/**
 * Built-in layers, then registered ones (which replace a built-in of the same name). The built-ins
 * load on first use: the layer modules import this one, so they are not all defined while it loads.
 */
const layers = new NameRegistry<LayerClass>('layer class', () => Object.entries(builtinLayers()));

/** Make `cls` deserializable under `className`: how user-defined layers join the built-in ones. */
export function registerLayer(className: string, cls: LayerClass): void {
  layers.register(className, cls, { fn: 'registerLayer' });
}

/** Every deserializable layer class name. */
export function listLayers(): string[] {
  return layers.list().sort();
}

/** Rebuild a layer from `{ className, config }` (the inverse of `{ className: l.className, config: l.getConfig() }`). */
export function deserializeLayer(spec: LayerSpec): Layer {
  if (spec === null || typeof spec !== 'object' || typeof spec.className !== 'string') {
    throw new Error(`deserializeLayer: expected { className: string, config?: object }, got ${showValue(spec)}`);
  }
  const entry = layers.find(spec.className);
  // The error lists the names sorted, as `listLayers` does.
  if (!entry) throw unknownNameError(layers.kind, spec.className, listLayers());
  const { name: className, value: cls } = entry;
  const given = spec.config ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(`deserializeLayer: the config of a ${className} layer must be an object, got ${showValue(given)}`);
  }
  // Classes that list their options get the keys Keras/TF.js write but Descent ignores dropped, and
  // any other unknown key refused; other (user-registered) classes get the config as it is.
  const own = Object.prototype.hasOwnProperty.call(cls, 'optionKeys') ? (cls as { optionKeys?: readonly string[] }).optionKeys : undefined;
  const config = own === undefined ? { ...given } : configForConstructor(className, given, own);
  return cls.fromConfig ? cls.fromConfig(config) : new cls(config as never);
}

/** `{ className, config }` of a layer, ready for `deserializeLayer`. */
export function serializeLayer(layer: Layer): LayerSpec {
  return { className: layer.className, config: layer.getConfig() };
}
