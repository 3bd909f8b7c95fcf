import type { Layer, Loss, WeightCheck } from '@descent/layers';
import { withWeightCheck } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import { formatShape } from '@descent/tensor';
import type { Model } from '../functional/model.js';
import { functionalTopologyConfig } from '../functional/serialize.js';
import type { AnyModel } from '../training/model-kind.js';
import { isSequential } from '../training/model-kind.js';
import { getFitRandomState } from '../training/fit-random.js';
import type { IOHandler, ModelArtifacts, ModelJSON, TrainingConfig } from './artifacts.js';
import { artifactsToModelJSON } from './artifacts.js';
import type { JsonObject, JsonValue } from './case.js';
import { toPythonic, toSnakeCase } from './case.js';
import { writeLegacyForTfjs } from './legacy-activations.js';
import { resolveIOHandler } from './router.js';
import type { NamedWeight, WeightSpec } from './weights.js';
import { concatBuffers, decodeWeights, encodeWeights, toArrayBuffer } from './weights.js';

// Saving, and the weight helpers that saving and loading share. This module knows no model class
// (types only), so `Model` and `Sequential` import it without a cycle; loading is in load.ts.

export type { LayerConfigEntry } from './layer-config.js';

const GENERATED_BY = 'Descent 0.1.0';

/** The snake_case topology of model.json (`Sequential`, or `Functional` for a graph `Model`). */
export function modelTopology(model: AnyModel): JsonObject {
  const topology =
    isSequential(model)
      ? (toPythonic({ className: 'Sequential', config: model.getConfig() }) as JsonObject)
      : { class_name: 'Functional', config: functionalTopologyConfig(model, (layer) => toPythonic({ ...layer.getConfig() }) as JsonObject) };
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
  if (!isSequential(model)) return modelTrainingConfig(model);
  const { optimizer, losses } = model.requireCompiled('save');
  const loss = losses[0]!;
  const ids = model.compileIds!;
  const metricIds = (ids.metrics ?? []) as readonly unknown[];
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
  const metrics: JsonValue = metricIds.map((id, i) => (typeof id === 'string' ? toSnakeCase(id) : model.metrics[i]!.name));
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

export function toModelJSON(artifacts: ModelArtifacts): { modelJSON: ModelJSON; weightData: ArrayBuffer } {
  const data = Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData;
  return { modelJSON: artifactsToModelJSON(artifacts), weightData: data };
}

/** Keras 2 HDF5 conversions and TF 2.2+ name weights `layer/cell/weight`; TF.js matches them by dropping the middle part. */
function withoutCellName(name: string): string {
  const parts = name.split('/');
  return parts.length >= 3 ? [...parts.slice(0, -2), parts[parts.length - 1]!].join('/') : name;
}

/** `op: source` for messages, or just one of them when they are the same. */
export function at(op: string, source: string): string {
  return op === source || source.startsWith(`${op}:`) ? source : `${op}: ${source}`;
}

/** The model group of a weights manifest by name, and the optimizer group in order. */
interface DecodedWeights {
  byName: Map<string, Tensor>;
  optimizer: { name: string; tensor: Tensor }[];
}

/** Validate every manifest entry and the byte count against the weight data, then slice it into tensors. */
export function decodeArtifactWeights(artifacts: ModelArtifacts, where: string): DecodedWeights {
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
export function withWeightGuard<T>(weights: DecodedWeights, where: string, fn: () => T): T {
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

