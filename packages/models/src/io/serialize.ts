import type { Layer, Loss } from '@descent/layers';
import { deserializeLayer, getLoss } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { formatShape, makeTensor } from '@descent/tensor';
import { Sequential } from '../sequential.js';
import type { IOHandler, ModelArtifacts, ModelJSON, TrainingConfig } from './artifacts.js';
import { artifactsToModelJSON, validateModelJSON } from './artifacts.js';
import type { JsonObject, JsonValue } from './case.js';
import { fromPythonic, isJsonObject, toPythonic, toSnakeCase } from './case.js';
import { substituteLegacyActivations, usesLegacyHardSigmoid, writeLegacyForTfjs } from './legacy-activations.js';
import { resolveIOHandler } from './router.js';
import type { NamedWeight, WeightSpec } from './weights.js';
import { concatBuffers, decodeWeights, encodeWeights } from './weights.js';

export const GENERATED_BY = 'Descent 0.1.0';

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
    if (!(key in out)) out[key] = v;
  }
  return out;
}

/** `{ name, layers: [{ className, config }] }`; the first layer carries the model's batch input shape. */
export function sequentialConfig(model: Sequential): { name: string; layers: LayerConfigEntry[] } {
  const layers = model.layers.map((layer) => ({ className: layer.className, config: { ...layer.getConfig() } }));
  const first = layers[0];
  const inputShape = model.inputShape;
  // TF.js rebuilds a Sequential from the first layer's batch_input_shape, so it must be there
  // even when the shape was learned from data rather than declared.
  if (first && inputShape && first.config.batchInputShape === undefined && first.config.batchShape === undefined) {
    first.config.batchInputShape = [...inputShape];
    first.config.dtype ??= 'float32';
  }
  return { name: model.name, layers };
}

/** The snake_case topology of model.json. */
export function modelTopology(model: Sequential): JsonObject {
  const topology = toPythonic({ className: 'Sequential', config: sequentialConfig(model) }) as JsonObject;
  topology.keras_version = GENERATED_BY.toLowerCase();
  topology.backend = 'tensor_flow.js';
  return writeLegacyForTfjs(topology);
}

function layerWeights(layer: Layer): NamedWeight[] {
  const names = layer.getWeightNames();
  const tensors = layer.getWeights();
  if (names.length !== tensors.length) {
    throw new Error(`save: layer '${layer.name}' reports ${names.length} weight names but ${tensors.length} weights`);
  }
  return names.map((name, i) => ({ name, tensor: tensors[i]! }));
}

function optimizerClassName(optimizer: object): string {
  const own = (optimizer as { className?: unknown }).className;
  return typeof own === 'string' ? own : optimizer.constructor.name;
}

function trainingConfigOf(model: Sequential): TrainingConfig {
  const { optimizer, loss } = model.requireCompiled('save');
  const ids = model.compileIds!;
  // A Loss object may carry options (fromLogits, labelSmoothing …) that a bare name would lose, so
  // it is saved as { class_name, config } like Keras does; functions can only be saved by name.
  // Strings are saved by the loss's canonical Keras name ('mean_squared_error' for 'mse'), which
  // Keras and TF.js both know.
  const lossJson: JsonValue =
    typeof ids.loss === 'string'
      ? loss.name
      : typeof ids.loss === 'function'
        ? loss.name
        : { class_name: loss.constructor.name, config: toPythonic(loss.getConfig()) };
  const metrics: JsonValue = ids.metrics.map((id, i) => (typeof id === 'string' ? toSnakeCase(id) : model.metrics[i]!.name));
  return {
    optimizer_config: { class_name: optimizerClassName(optimizer), config: toPythonic(optimizer.getConfig()) as JsonObject },
    loss: lossJson,
    metrics,
  };
}

export function modelToArtifacts(model: Sequential, options: { includeOptimizer: boolean; weightsOnly: boolean }): ModelArtifacts {
  if (!model.built) {
    throw new Error(`save: model '${model.name}' is not built, so it has no weights yet; build it, give the first layer an inputShape, or fit it first`);
  }
  const weights = model.layers.flatMap(layerWeights);
  let trainingConfig: TrainingConfig | undefined;
  if (options.includeOptimizer) {
    trainingConfig = trainingConfigOf(model);
    for (const w of model.optimizer!.getWeights()) weights.push({ name: w.name, tensor: w.tensor, group: 'optimizer' });
  }
  const { specs, data } = encodeWeights(weights);
  const artifacts: ModelArtifacts = {
    modelTopology: options.weightsOnly ? null : modelTopology(model),
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  if (trainingConfig) artifacts.trainingConfig = trainingConfig;
  return artifacts;
}

export function toModelJSON(artifacts: ModelArtifacts): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
  const data = Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData;
  return { modelJSON: artifactsToModelJSON(artifacts), weightData: data };
}

/** The layer list of a Sequential topology, in any of the forms Keras and TF.js write. */
function topologyLayers(topology: JsonObject, source: string): { name: string | undefined; layers: JsonValue[] } {
  let t: JsonObject = topology;
  // Files converted from Keras HDF5 wrap the model in { model_config, training_config }.
  if (isJsonObject(t.model_config)) t = t.model_config;
  const className = t.class_name;
  if (className !== 'Sequential') {
    throw new Error(`${source}: only Sequential models can be loaded, but modelTopology.class_name is ${JSON.stringify(className)}`);
  }
  const config = t.config;
  // Older Keras/TF.js files store the layer list itself as the Sequential config.
  if (Array.isArray(config)) return { name: undefined, layers: config };
  if (!isJsonObject(config) || !Array.isArray(config.layers)) {
    throw new Error(`${source}: modelTopology.config must be { name, layers: [...] } or a list of layers`);
  }
  return { name: typeof config.name === 'string' ? config.name : undefined, layers: config.layers };
}

function deserializeEntry(entry: LayerConfigEntry, index: number, source: string): Layer {
  const config = renameKeys(entry.config);
  try {
    return deserializeLayer({ className: entry.className, config });
  } catch (err) {
    const name = typeof config.name === 'string' ? ` '${config.name}'` : '';
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: layer ${index}${name} (class '${entry.className}'): ${message}`, { cause: err });
  }
}

/** A non-narrowing array check: the data came from JSON, whatever its declared type says. */
function isArrayValue(v: unknown): boolean {
  return Array.isArray(v);
}

/** A Sequential from `{ name, layers: [{ className, config }] }` (camelCase, as `getConfig` returns). */
export function sequentialFromConfig(config: { name?: string; layers: readonly LayerConfigEntry[] }, source = 'Sequential.fromConfig'): Sequential {
  if (typeof config !== 'object' || config === null || !isArrayValue(config.layers)) {
    throw new Error(`${source}: expected { name?, layers: [{ className, config }] }`);
  }
  const layers = config.layers.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.className !== 'string') {
      throw new Error(`${source}: layer ${i} must be { className, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    return deserializeEntry({ className: entry.className, config: entry.config ?? {} }, i, source);
  });
  return config.name === undefined ? new Sequential(layers) : new Sequential(layers, { name: config.name });
}

function modelFromTopology(topology: JsonObject, source: string): Sequential {
  const { name, layers } = topologyLayers(topology, source);
  const legacy = usesLegacyHardSigmoid(topology);
  const entries = layers.map((raw, i): LayerConfigEntry => {
    if (!isJsonObject(raw) || typeof raw.class_name !== 'string') {
      throw new Error(`${source}: layer ${i} must be { class_name, config }, got ${JSON.stringify(raw)?.slice(0, 80)}`);
    }
    const config = fromPythonic(raw.config ?? {});
    if (!isJsonObject(config)) throw new Error(`${source}: layer ${i} (class '${raw.class_name}') has a config that is not an object`);
    return { className: raw.class_name, config: substituteLegacyActivations(config, legacy) as Record<string, unknown> };
  });
  return sequentialFromConfig(name === undefined ? { layers: entries } : { name, layers: entries }, source);
}

/** Keras 2 HDF5 conversions and TF 2.2+ name weights `layer/cell/weight`; TF.js matches them by dropping the middle part. */
function withoutCellName(name: string): string {
  const parts = name.split('/');
  return parts.length >= 3 ? [...parts.slice(0, -2), parts[parts.length - 1]!].join('/') : name;
}

function convertDtype(t: Tensor, dtype: Tensor['dtype']): Tensor {
  const v = t.dataSync();
  const out = dtype === 'float32' ? Float32Array.from(v) : dtype === 'int32' ? Int32Array.from(v, (x) => Math.round(x)) : Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
  return makeTensor(out, t.shape, dtype);
}

/**
 * Set every layer's weights from the artifacts, matching by name (`dense/kernel`). Returns the
 * optimizer group. Every layer weight must be found with the right shape, and every saved model
 * weight must be used, or the error names the file, layer and weight.
 */
export function applyArtifactWeights(model: Sequential, artifacts: ModelArtifacts, source: string, keepOptimizer: boolean): { name: string; tensor: Tensor }[] {
  const specs: WeightSpec[] = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData;
  const decoded = decodeWeights(data, specs, source);
  const byName = new Map<string, Tensor>();
  const optimizerWeights: { name: string; tensor: Tensor }[] = [];
  for (const { spec, tensor } of decoded) {
    if (spec.group === 'optimizer') {
      optimizerWeights.push({ name: spec.name, tensor });
      continue;
    }
    if (byName.has(spec.name)) throw new Error(`${source}: the weights manifest lists '${spec.name}' twice`);
    byName.set(spec.name, tensor);
  }
  if (!model.built) {
    if (byName.size === 0) return keepOptimizer ? optimizerWeights : [];
    throw new Error(`${source}: model '${model.name}' cannot be built to receive its weights: its first layer has no batch_input_shape`);
  }
  const used = new Set<string>();
  const available = (): string => [...byName.keys()].filter((k) => !used.has(k)).join(', ') || 'none';
  for (const layer of model.layers) {
    const names = layer.getWeightNames();
    const vars = layer.weights;
    if (names.length === 0) continue;
    const values = names.map((name, i) => {
      const target = vars[i]!;
      let key: string | undefined = byName.has(name) ? name : undefined;
      if (key === undefined) {
        for (const k of byName.keys()) {
          if (!used.has(k) && (withoutCellName(k) === name || k === `${layer.name}/${i}`)) {
            key = k;
            break;
          }
        }
      }
      if (key === undefined) {
        throw new Error(
          `${source}: layer '${layer.name}' (${layer.className}) needs weight '${name}' ${formatShape(target.shape)}, but the weights manifest has no such weight (unused entries: ${available()})`,
        );
      }
      const t = byName.get(key)!;
      if (t.shape.length !== target.shape.length || t.shape.some((d, j) => d !== target.shape[j])) {
        throw new Error(`${source}: weight '${key}' has shape ${formatShape(t.shape)} in the weight file, but layer '${layer.name}' (${layer.className}) expects ${formatShape(target.shape)}`);
      }
      used.add(key);
      return t.dtype === target.dtype ? t : convertDtype(t, target.dtype);
    });
    layer.setWeights(values);
  }
  const unused = [...byName.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new Error(`${source}: the weight file has weights that no layer of model '${model.name}' uses: ${unused.join(', ')}`);
  }
  return keepOptimizer ? optimizerWeights : [];
}

/** A loss from its saved name, or from `{ class_name, config }` by constructing the named loss class with its config. */
function restoreLoss(saved: JsonValue | undefined, source: string): string | Loss {
  if (typeof saved === 'string') return saved;
  if (isJsonObject(saved) && typeof saved.class_name === 'string') {
    const base = getLoss(saved.class_name);
    const Ctor = base.constructor as new (args: Record<string, unknown>) => Loss;
    return new Ctor(fromPythonic(saved.config ?? {}) as Record<string, unknown>);
  }
  throw new Error(`${source}: trainingConfig.loss ${JSON.stringify(saved)} is not a loss Descent can restore; load with { compile: false } and call compile() yourself`);
}

function compileFromTrainingConfig(model: Sequential, tc: TrainingConfig, source: string): void {
  if (!isJsonObject(tc.optimizer_config) || typeof tc.optimizer_config.class_name !== 'string') {
    throw new Error(`${source}: trainingConfig.optimizer_config must be { class_name, config }`);
  }
  const optimizer = { className: tc.optimizer_config.class_name, config: fromPythonic(tc.optimizer_config.config ?? {}) as Record<string, unknown> };
  const metricsRaw = tc.metrics ?? [];
  const metrics = Array.isArray(metricsRaw) ? metricsRaw : isJsonObject(metricsRaw) ? Object.values(metricsRaw).flat() : [metricsRaw];
  const metricNames = metrics.map((m) => {
    if (typeof m !== 'string') throw new Error(`${source}: trainingConfig metric ${JSON.stringify(m)} is not a metric name; load with { compile: false } and call compile() yourself`);
    return m;
  });
  try {
    model.compile({ optimizer, loss: restoreLoss(tc.loss, source), metrics: metricNames });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: cannot restore the training config (${message}); load with { compile: false } to skip it`, { cause: err });
  }
}

export interface LoadOptions {
  /** Compile from the saved training config and restore optimizer state when present (default true). */
  compile?: boolean;
}

export function modelFromArtifacts(artifacts: ModelArtifacts, source: string, options: LoadOptions = {}): Sequential {
  if (!isJsonObject(artifacts.modelTopology)) {
    throw new Error(`${source}: there is no model topology (a weights-only save?); build the model in code and use model.loadWeights()`);
  }
  const model = modelFromTopology(artifacts.modelTopology, source);
  if (!model.built && model.layers.length > 0 && model.layers[0]!.batchInputShape) model.build();
  const optimizerWeights = applyArtifactWeights(model, artifacts, source, true);
  if (artifacts.trainingConfig && (options.compile ?? true)) {
    compileFromTrainingConfig(model, artifacts.trainingConfig, source);
    if (optimizerWeights.length > 0) {
      try {
        model.optimizer!.setWeights(optimizerWeights);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(`${source}: cannot restore the optimizer state: ${message}`, { cause: err });
      }
    }
  }
  return model;
}

/** Load a model saved by `model.save` (or by TF.js): `await loadModel('file://./out/model/model.json')`. */
export async function loadModel(source: string | IOHandler, options: LoadOptions = {}): Promise<Sequential> {
  const handler = resolveIOHandler(source, 'loadModel');
  if (!handler.load) throw new Error('loadModel: this IOHandler cannot load (it has no load method)');
  const artifacts = await handler.load();
  return modelFromArtifacts(artifacts, artifacts.source ?? (typeof source === 'string' ? source : 'loadModel'), options);
}

/**
 * The in-memory inverse of `model.toJSON()`: model.json (object or its text) plus the weights as
 * one ArrayBuffer (or shards in manifest order).
 */
export function fromJSON(modelJSON: ModelJSON | string, weightData?: ArrayBuffer | readonly ArrayBuffer[], options: LoadOptions = {}): Sequential {
  const source = 'fromJSON';
  let parsed: unknown = modelJSON;
  if (typeof modelJSON === 'string') {
    try {
      parsed = JSON.parse(modelJSON);
    } catch (err) {
      throw new Error(`${source}: model.json text is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  const json = validateModelJSON(parsed, source);
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData === undefined ? new ArrayBuffer(0) : Array.isArray(weightData) ? concatBuffers(weightData) : (weightData as ArrayBuffer),
  };
  if (json.trainingConfig) artifacts.trainingConfig = json.trainingConfig;
  return modelFromArtifacts(artifacts, source, options);
}
