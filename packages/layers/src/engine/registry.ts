import { normalizeName, unknownNameError } from '@descent/tensor';
import type { Layer } from './layer.js';

/** A serialized layer: its Keras class name and its `getConfig()`. */
export interface LayerSpec {
  className: string;
  config?: Record<string, unknown>;
}

export interface LayerClass {
  new (config: never): Layer;
  /** Optional custom deserializer; the default is `new Cls(config)`. */
  fromConfig?: (config: Record<string, unknown>) => Layer;
}

const registry = new Map<string, { className: string; cls: LayerClass }>();

/** Make `cls` deserializable under `className` (user-defined layers register themselves the same way). */
export function registerLayer(className: string, cls: LayerClass): void {
  registry.set(normalizeName(className), { className, cls });
}

/** Every registered layer class name. */
export function listLayers(): string[] {
  return [...registry.values()].map((e) => e.className).sort();
}

/** Rebuild a layer from `{ className, config }` (the inverse of `{ className: l.className, config: l.getConfig() }`). */
export function deserializeLayer(spec: LayerSpec): Layer {
  if (spec === null || typeof spec !== 'object' || typeof spec.className !== 'string') {
    throw new Error(`deserializeLayer: expected { className: string, config?: object }, got ${JSON.stringify(spec)}`);
  }
  const entry = registry.get(normalizeName(spec.className));
  if (!entry) throw unknownNameError('layer class', spec.className, listLayers());
  const config = { ...(spec.config ?? {}) };
  const { cls } = entry;
  return cls.fromConfig ? cls.fromConfig(config) : new cls(config as never);
}

/** `{ className, config }` of a layer, ready for `deserializeLayer`. */
export function serializeLayer(layer: Layer): LayerSpec {
  return { className: layer.className, config: layer.getConfig() };
}
