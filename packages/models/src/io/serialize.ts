import type { Layer, Loss, WeightCheck } from '@descent/layers';
import { deserializeLayer, getLoss, withWeightCheck } from '@descent/layers';
import { fromTfjsOptimizerConfig, fromTfjsOptimizerState, isTfjsOptimizerState } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { formatShape } from '@descent/tensor';
import { Sequential } from '../sequential.js';
import { Model } from '../functional/model.js';
import { functionalFromTopologyConfig, functionalTopologyConfig } from '../functional/serialize.js';
import { sequentialLayer } from '../functional/sequential-layer.js';
import type { AnyModel } from '../training/model-kind.js';
import type { FitRandomState } from '../training/fit.js';
import { getFitRandomState, setFitRandomState } from '../training/fit.js';
import { checkOptionKeys } from '../training/options.js';
import type { IOHandler, ModelArtifacts, ModelJSON, TrainingConfig } from './artifacts.js';
import { artifactsToModelJSON, validateModelJSON } from './artifacts.js';
import type { JsonObject, JsonValue } from './case.js';
import { checkJsonDepth, fromPythonic, isJsonObject, toPythonic, toSnakeCase } from './case.js';
import { substituteLegacyActivations, usesLegacyHardSigmoid, writeLegacyForTfjs } from './legacy-activations.js';
import { resolveIOHandler } from './router.js';
import type { NamedWeight, WeightSpec } from './weights.js';
import { concatBuffers, decodeWeights, encodeWeights, toArrayBuffer } from './weights.js';

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
    if (key === '__proto__') throw new Error(`config key '__proto__' is not a layer option; the config is corrupt or hostile`);
    if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = v;
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

/** The snake_case topology of model.json (`Sequential`, or `Functional` for a graph `Model`). */
export function modelTopology(model: AnyModel): JsonObject {
  const topology =
    model instanceof Model
      ? { class_name: 'Functional', config: functionalTopologyConfig(model, (layer) => toPythonic({ ...layer.getConfig() }) as JsonObject) }
      : (toPythonic({ className: 'Sequential', config: sequentialConfig(model) }) as JsonObject);
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

/** A loss identifier as model.json stores it (see trainingConfigOf). */
function lossToJson(id: unknown, loss: Loss): JsonValue {
  if (typeof id === 'string' || typeof id === 'function') return loss.name;
  return { class_name: loss.constructor.name, config: toPythonic(loss.getConfig()) };
}

/** A graph model's training config: losses and metrics per output name (one value when all outputs share it). */
function modelTrainingConfig(model: Model): TrainingConfig {
  const { optimizer, losses } = model.requireCompiled('save');
  const ids = model.compileIds!;
  const names = model.outputNames;
  const given: unknown = ids.loss;
  const lossIds = names.map((name, i): unknown => {
    if (Array.isArray(given)) return (given as readonly unknown[])[i];
    if (typeof given === 'object' && given !== null && !('apply' in given)) return (given as Record<string, unknown>)[name];
    return given;
  });
  const lossJson: JsonValue = names.length === 1 ? lossToJson(lossIds[0], losses[0]!) : Object.fromEntries(names.map((n, i) => [n, lossToJson(lossIds[i], losses[i]!)]));
  const perOutput: Record<string, JsonValue[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const m of model.metrics) {
    const entry = m as { output?: number; metric?: { name: string } };
    if (entry.output !== undefined && entry.metric !== undefined) perOutput[names[entry.output]!]!.push(entry.metric.name);
  }
  const metrics: JsonValue = names.length === 1 ? perOutput[names[0]!]! : perOutput;
  const config: TrainingConfig = { optimizer_config: { class_name: optimizerClassName(optimizer), config: toPythonic(optimizer.getConfig()) as JsonObject }, loss: lossJson, metrics };
  const lw = ids.lossWeights;
  if (lw !== undefined) config.loss_weights = Array.isArray(lw) ? [...(lw as number[])] : ({ ...(lw as Record<string, number>) });
  return config;
}

function trainingConfigOf(model: AnyModel): TrainingConfig {
  if (model instanceof Model) return modelTrainingConfig(model);
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

export function modelToArtifacts(model: AnyModel, options: { includeOptimizer: boolean; weightsOnly: boolean }): ModelArtifacts {
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
  const fit = options.weightsOnly ? null : getFitRandomState(model);
  // TF.js keeps userDefinedMetadata as it is and never reads this key.
  if (fit !== null) artifacts.userDefinedMetadata = { [DESCENT_METADATA_KEY]: { fit: { seed: fit.seed, nextEpoch: fit.nextEpoch } } };
  return artifacts;
}

/** The key of Descent's own entry in model.json's `userDefinedMetadata`. */
export const DESCENT_METADATA_KEY = 'descent';

/**
 * The fit random state saved in `userDefinedMetadata.descent.fit`, or null when there is none;
 * a present but malformed entry fails naming the file and the key.
 */
function savedFitRandomState(metadata: unknown, where: string): FitRandomState | null {
  if (!isJsonObject(metadata)) return null;
  const descent = metadata[DESCENT_METADATA_KEY];
  if (descent === undefined) return null;
  const fit = isJsonObject(descent) ? descent.fit : undefined;
  if (fit === undefined) return null;
  const at = `${where}: userDefinedMetadata.${DESCENT_METADATA_KEY}.fit`;
  if (!isJsonObject(fit)) throw new Error(`${at} must be { seed, nextEpoch }, got ${JSON.stringify(fit)?.slice(0, 80)}`);
  const { seed, nextEpoch } = fit;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${at}.seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)?.slice(0, 40)}`);
  }
  if (typeof nextEpoch !== 'number' || !Number.isSafeInteger(nextEpoch) || nextEpoch < 0) {
    throw new Error(`${at}.nextEpoch must be a non-negative integer, got ${JSON.stringify(nextEpoch)?.slice(0, 40)}`);
  }
  return { seed, nextEpoch };
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
    throw new Error(`${source}: only Sequential and Functional (graph) models can be loaded, but modelTopology.class_name is ${JSON.stringify(className)}`);
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
  // Wrapper layers (TimeDistributed, Bidirectional) deserialize the layer they wrap recursively.
  checkJsonDepth(config.layers, `${source}: config`);
  const layers = config.layers.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.className !== 'string') {
      throw new Error(`${source}: layer ${i} must be { className, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    return deserializeEntry({ className: entry.className, config: entry.config ?? {} }, i, source);
  });
  const model = config.name === undefined ? new Sequential() : new Sequential([], { name: config.name });
  // Adding a layer builds it (once the input shape is known): an error there names the file's layer.
  layers.forEach((layer, i) => {
    try {
      model.add(layer);
    } catch (err) {
      throw layerError(err, source, i, layer);
    }
  });
  return model;
}

/** An error from building layer `index` of a loaded config, prefixed with the loader op / file and naming the layer. */
function layerError(err: unknown, source: string, index: number, layer: Layer): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith(`${source}:`)) return err instanceof Error ? err : new Error(message);
  return new Error(`${source}: layer ${index} '${layer.name}' (class '${layer.className}'): ${message}`, { cause: err });
}

/** One layer entry of a topology (`{ class_name, config }`) as the camelCase `{ className, config }` layers take. */
function layerEntry(raw: JsonValue, i: number, source: string, legacy: boolean): LayerConfigEntry {
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

function modelFromTopology(topology: JsonObject, source: string): AnyModel {
  const t = isJsonObject(topology.model_config) ? topology.model_config : topology;
  const legacy = usesLegacyHardSigmoid(topology);
  if (t.class_name === 'Functional' || t.class_name === 'Model') {
    return functionalFromTopologyConfig(t.config ?? null, source, (raw, i) => {
      if (isJsonObject(raw) && raw.class_name === 'Sequential') {
        const nested = topologyLayers(raw, `${source}: layer ${i}`);
        const entries = nested.layers.map((r, j) => layerEntry(r, j, `${source}: layer ${i}`, legacy));
        return sequentialLayer(sequentialFromConfig(nested.name === undefined ? { layers: entries } : { name: nested.name, layers: entries }, `${source}: layer ${i}`));
      }
      return deserializeEntry(layerEntry(raw, i, source, legacy), i, source);
    });
  }
  const { name, layers } = topologyLayers(topology, source);
  const entries = layers.map((raw, i) => layerEntry(raw, i, source, legacy));
  return sequentialFromConfig(name === undefined ? { layers: entries } : { name, layers: entries }, source);
}

/** Keras 2 HDF5 conversions and TF 2.2+ name weights `layer/cell/weight`; TF.js matches them by dropping the middle part. */
function withoutCellName(name: string): string {
  const parts = name.split('/');
  return parts.length >= 3 ? [...parts.slice(0, -2), parts[parts.length - 1]!].join('/') : name;
}

/** `op: source` for messages, or just one of them when they are the same. */
function at(op: string, source: string): string {
  return op === source || source.startsWith(`${op}:`) ? source : `${op}: ${source}`;
}

/** The model group of a weights manifest by name, and the optimizer group in order. */
interface DecodedWeights {
  byName: Map<string, Tensor>;
  optimizer: { name: string; tensor: Tensor }[];
}

/** Validate every manifest entry and the byte count against the weight data, then slice it into tensors. */
function decodeArtifactWeights(artifacts: ModelArtifacts, where: string): DecodedWeights {
  const rawSpecs: unknown = artifacts.weightSpecs ?? [];
  if (!Array.isArray(rawSpecs)) throw new Error(`${where}: expected weightSpecs to be an array of { name, shape, dtype }, got ${typeof rawSpecs}`);
  const specs = rawSpecs as WeightSpec[];
  const raw: unknown = artifacts.weightData;
  const data = raw === undefined ? new ArrayBuffer(0) : Array.isArray(raw) && raw.every((p) => typeof p === 'object') ? concatBuffers(raw as ArrayBuffer[], where) : toArrayBuffer(raw, where);
  const decoded = decodeWeights(data, specs, where);
  const byName = new Map<string, Tensor>();
  const optimizer: { name: string; tensor: Tensor }[] = [];
  for (const { spec, tensor } of decoded) {
    if (spec.group === 'optimizer') {
      optimizer.push({ name: spec.name, tensor });
      continue;
    }
    if (byName.has(spec.name)) throw new Error(`${where}: the weights manifest lists '${spec.name}' twice`);
    byName.set(spec.name, tensor);
  }
  return { byName, optimizer };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, j) => d === b[j]);
}

/**
 * Run `fn` (which builds the model from its config) while every weight a layer creates is first
 * checked against the weights that will be loaded into it: a weight the manifest has under the
 * same name must have the same shape, and no weight may be larger than the largest in the
 * manifest. So a config that disagrees with its weights (say `units: 1e9`) fails before its
 * initializer allocates anything (through the layers' `withWeightCheck` hook).
 */
function withWeightGuard<T>(weights: DecodedWeights, where: string, fn: () => T): T {
  let largest = 0;
  for (const t of weights.byName.values()) largest = Math.max(largest, t.size);
  const { byName } = weights;
  const check: WeightCheck = (layer, name, shape) => {
    const full = `${layer.weightScope}/${name}`;
    // The names applyArtifactWeights will accept for this weight (exact, or with the cell name dropped).
    const keys = byName.has(full) ? [full] : [...byName.keys()].filter((k) => withoutCellName(k) === full);
    const wanted = formatShape([...shape]);
    if (keys.length > 0) {
      const key = keys[0]!;
      const saved = byName.get(key)!;
      if (!keys.some((k) => sameShape(byName.get(k)!.shape, shape))) {
        throw new Error(
          `${where}: weight '${key}' has shape ${formatShape(saved.shape)} in the weight file, but layer '${layer.name}' (${layer.className}) expects ${wanted} from its config; nothing was built`,
        );
      }
    } else {
      const size = shape.reduce((n, d) => n * d, 1);
      if (!(size <= largest)) {
        const have = byName.size === 0 ? 'the weights manifest has no model weights' : `the largest weight in the weights manifest has ${largest} values`;
        throw new Error(
          `${where}: layer '${layer.name}' (${layer.className}) would create weight '${full}' ${wanted} (${size} values) from its config, but ${have}; the config does not match the weights, so nothing was built`,
        );
      }
    }
  };
  return withWeightCheck(check, fn);
}

/**
 * Set every layer's weights from the artifacts, matching by name (`dense/kernel`). Returns the
 * optimizer group. Every layer weight must be found with the right shape and dtype, and every
 * saved model weight must be used, or the error names the op, file, layer and weight.
 */
export function applyArtifactWeights(
  model: AnyModel,
  artifacts: ModelArtifacts,
  source: string,
  keepOptimizer: boolean,
  op = 'loadWeights',
  decodedWeights?: DecodedWeights,
): { name: string; tensor: Tensor }[] {
  const where = at(op, source);
  const { byName, optimizer: optimizerWeights } = decodedWeights ?? decodeArtifactWeights(artifacts, where);
  if (!model.built) {
    if (byName.size === 0) return keepOptimizer ? optimizerWeights : [];
    throw new Error(`${where}: model '${model.name}' cannot be built to receive its weights: its first layer has no batch_input_shape`);
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
          `${where}: layer '${layer.name}' (${layer.className}) needs weight '${name}' ${formatShape(target.shape)}, but the weights manifest has no such weight (unused entries: ${available()})`,
        );
      }
      const t = byName.get(key)!;
      if (!sameShape(t.shape, target.shape)) {
        throw new Error(`${where}: weight '${key}' has shape ${formatShape(t.shape)} in the weight file, but layer '${layer.name}' (${layer.className}) expects ${formatShape(target.shape)}`);
      }
      if (t.dtype !== target.dtype) {
        // TF.js refuses this too (Variable.assign: "dtype of the new value … must match"); reading
        // float32 bytes as int32 would load garbage.
        throw new Error(
          `${where}: weight '${key}' is ${t.dtype} in the weights manifest, but layer '${layer.name}' (${layer.className}) expects ${target.dtype}; the manifest's dtype does not match the layer`,
        );
      }
      used.add(key);
      return t;
    });
    layer.setWeights(values);
  }
  const unused = [...byName.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new Error(`${where}: the weight file has weights that no layer of model '${model.name}' uses: ${unused.join(', ')}`);
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

function compileFromTrainingConfig(model: AnyModel, tc: TrainingConfig, source: string): { className: string; config: Record<string, unknown> } {
  if (!isJsonObject(tc.optimizer_config) || typeof tc.optimizer_config.class_name !== 'string') {
    throw new Error(`${source}: trainingConfig.optimizer_config must be { class_name, config }`);
  }
  let optimizerConfig: JsonValue;
  try {
    optimizerConfig = fromPythonic(tc.optimizer_config.config ?? {});
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^model\.json: /, '') : String(err);
    throw new Error(`${source}: trainingConfig.optimizer_config: ${message}`, { cause: err });
  }
  const saved = { className: tc.optimizer_config.class_name, config: optimizerConfig as Record<string, unknown> };
  // TF.js writes some optimizers under its own names and options ('Momentum', RMSProp's 'decay').
  const optimizer = fromTfjsOptimizerConfig(saved.className, saved.config);
  const metricsRaw = tc.metrics ?? [];
  const metrics = Array.isArray(metricsRaw) ? metricsRaw : isJsonObject(metricsRaw) ? Object.values(metricsRaw).flat() : [metricsRaw];
  const metricNames = metrics.map((m) => {
    if (typeof m !== 'string') throw new Error(`${source}: trainingConfig metric ${JSON.stringify(m)} is not a metric name; load with { compile: false } and call compile() yourself`);
    return m;
  });
  try {
    if (model instanceof Model) compileModelFromTrainingConfig(model, optimizer, tc, source);
    else model.compile({ optimizer, loss: restoreLoss(tc.loss, source), metrics: metricNames });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: cannot restore the training config (${message}); load with { compile: false } to skip it`, { cause: err });
  }
  return saved;
}

/** A graph model's losses and metrics from a training config: one value, a list in output order, or an object by output name. */
function compileModelFromTrainingConfig(model: Model, optimizer: ReturnType<typeof fromTfjsOptimizerConfig>, tc: TrainingConfig, source: string): void {
  const loss = Array.isArray(tc.loss)
    ? tc.loss.map((l) => restoreLoss(l, source))
    : isJsonObject(tc.loss) && typeof tc.loss.class_name !== 'string'
      ? Object.fromEntries(Object.entries(tc.loss).map(([k, l]) => [k, restoreLoss(l, source)]))
      : restoreLoss(tc.loss, source);
  const names = (v: JsonValue | undefined): string[] => {
    const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
    return list.map((m) => {
      if (typeof m !== 'string') throw new Error(`${source}: trainingConfig metric ${JSON.stringify(m)} is not a metric name; load with { compile: false } and call compile() yourself`);
      return m;
    });
  };
  const raw = tc.metrics;
  const metrics = isJsonObject(raw) ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, names(v)])) : names(raw);
  const lw = tc.loss_weights;
  const lossWeights = Array.isArray(lw) ? (lw as number[]) : isJsonObject(lw) ? (lw as Record<string, number>) : undefined;
  model.compile({ optimizer, loss, metrics, ...(lossWeights === undefined ? {} : { lossWeights }) });
}

/**
 * Restore the saved optimizer state into the compiled model's optimizer, checked against the
 * model's trainable weights: a missing slot or one of the wrong shape fails here, naming it. State
 * written by TF.js is converted where Descent continues it exactly, and otherwise skipped with a
 * warning that says why.
 */
function restoreOptimizerState(model: AnyModel, saved: { className: string; config: Record<string, unknown> }, state: { name: string; tensor: Tensor }[], source: string): void {
  let weights = state;
  if (isTfjsOptimizerState(state)) {
    const imported = fromTfjsOptimizerState(saved.className, saved.config, state);
    if (imported.skipped !== undefined) {
      console.warn(`${source}: the model and its ${saved.className} optimizer config are loaded, but the optimizer state saved by TF.js is not: ${imported.skipped}; training continues from a fresh optimizer state (iterations 0)`);
      return;
    }
    weights = imported.weights;
  }
  try {
    model.optimizer!.restoreState(weights, model.trainableWeights);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${source}: cannot restore the optimizer state: ${message}; load with { optimizerState: 'reset' } to start the optimizer afresh, or { compile: false } to skip it`, { cause: err });
  }
}

/**
 * What `loadModel` and `fromJSON` return: a `Sequential` for Sequential files, a `Model` for graph
 * (Functional) files. Their type parameter defaults to `Sequential` (what every file was before graph
 * models); write `loadModel<Model>(…)` for a graph file, or narrow with `instanceof`. Once
 * `Sequential` is a `Model`, both will return `Model`.
 */
export type LoadedModel = Sequential | Model;

/** Options of `loadModel` and `fromJSON`. */
export interface LoadOptions {
  /** Compile from the saved training config and restore optimizer state when present (default true). */
  compile?: boolean;
  /**
   * What to do with saved optimizer state (when compiling): `'restore'` (default) restores it and
   * fails if any slot is missing or has the wrong shape; `'reset'` ignores it, so the optimizer
   * starts afresh (iterations 0).
   */
  optimizerState?: 'restore' | 'reset';
}

const LOAD_OPTIONS = ['compile', 'optimizerState'] as const;

function checkLoadOptions(options: LoadOptions, op: string): void {
  checkOptionKeys(op, options, LOAD_OPTIONS);
  if (options.compile !== undefined && typeof options.compile !== 'boolean') {
    throw new Error(`${op}: option 'compile' must be true or false, got ${JSON.stringify(options.compile)}`);
  }
  const state = options.optimizerState;
  if (state !== undefined && state !== 'restore' && state !== 'reset') {
    throw new Error(`${op}: option 'optimizerState' must be 'restore' or 'reset', got ${JSON.stringify(state)}`);
  }
}

export function modelFromArtifacts(artifacts: ModelArtifacts, source: string, options: LoadOptions = {}, op = 'loadModel'): LoadedModel {
  checkLoadOptions(options, op);
  const where = at(op, source);
  if (!isJsonObject(artifacts.modelTopology)) {
    throw new Error(`${where}: there is no model topology (a weights-only save?); build the model in code and use model.loadWeights()`);
  }
  checkJsonDepth(artifacts.modelTopology, `${where}: modelTopology`);
  checkJsonDepth(artifacts.trainingConfig, `${where}: trainingConfig`);
  // The weights first: manifest entries, byte counts and data are checked before any layer is built,
  // and each weight a layer creates is compared with them before it is initialised.
  const weights = decodeArtifactWeights(artifacts, where);
  const topology = artifacts.modelTopology;
  const model = withWeightGuard(weights, where, () => {
    const m = modelFromTopology(topology, where);
    if (m instanceof Model) return m;
    if (!m.built && m.layers.length > 0 && m.layers[0]!.batchInputShape) {
      try {
        m.build();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message.startsWith(`${where}:`)) throw err;
        throw new Error(`${where}: cannot build model '${m.name}' from its layer configs: ${message}`, { cause: err });
      }
    }
    return m;
  });
  const fitState = savedFitRandomState(artifacts.userDefinedMetadata, where);
  const optimizerWeights = applyArtifactWeights(model, artifacts, where, true, op, weights);
  if (artifacts.trainingConfig && (options.compile ?? true)) {
    const saved = compileFromTrainingConfig(model, artifacts.trainingConfig, where);
    if (optimizerWeights.length > 0 && (options.optimizerState ?? 'restore') === 'restore') {
      restoreOptimizerState(model, saved, optimizerWeights, where);
    }
  }
  setFitRandomState(model, fitState);
  return model;
}

/** Load a model saved by `model.save` (or by TF.js): `await loadModel('file://./out/model/model.json')`. */
export async function loadModel<M extends LoadedModel = Sequential>(source: string | IOHandler, options: LoadOptions = {}): Promise<M> {
  const artifacts = await loadArtifacts(source, 'loadModel');
  return modelFromArtifacts(artifacts, artifacts.source ?? (typeof source === 'string' ? source : 'loadModel'), options, 'loadModel') as M;
}

/**
 * The artifacts `source`'s handler loads, for `op` (`loadModel`, `loadWeights`): a handler's error
 * starts with `op:` whichever operation the handler was written for (the file handler says
 * `loadModel:`), and names its file.
 */
export async function loadArtifacts(source: string | IOHandler, op: string): Promise<ModelArtifacts> {
  const handler = resolveIOHandler(source, op);
  if (!handler.load) throw new Error(`${op}: this IOHandler cannot load (it has no load method)`);
  let artifacts: ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`${op}: ${String(err)}`, { cause: err });
    if (err.message.startsWith(`${op}:`)) throw err;
    // Handlers name their file; the message should say which operation read it.
    const message = err.message.replace(/^loadModel: /, '');
    throw new Error(`${op}: ${message}`, { cause: err });
  }
  if (typeof artifacts !== 'object' || artifacts === null) throw new Error(`${op}: the IOHandler's load() returned ${artifacts === null ? 'null' : typeof artifacts}; expected model artifacts`);
  return artifacts;
}

/**
 * The in-memory inverse of `model.toJSON()`: model.json (object or its text) plus the weights as
 * one ArrayBuffer (or shards in manifest order).
 */
export function fromJSON<M extends LoadedModel = Sequential>(modelJSON: ModelJSON | string, weightData?: ArrayBuffer | readonly ArrayBuffer[], options: LoadOptions = {}): M {
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
    weightData: weightData === undefined ? new ArrayBuffer(0) : isArrayValue(weightData) ? concatBuffers(weightData as ArrayBuffer[], source) : toArrayBuffer(weightData, source),
  };
  if (json.trainingConfig) artifacts.trainingConfig = json.trainingConfig;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  return modelFromArtifacts(artifacts, source, options, 'fromJSON') as M;
}
