import type { Loss } from '@descent/layers';
import { getLoss } from '@descent/layers';
import { fromTfjsOptimizerConfig, fromTfjsOptimizerState, isTfjsOptimizerState } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { Model } from '../functional/model.js';
import { functionalFromTopologyConfig, setTopologyLoader } from '../functional/serialize.js';
import { Sequential, sequentialFromConfig } from '../sequential.js';
import type { FitRandomState } from '../training/fit-random.js';
import { setFitRandomState } from '../training/fit-random.js';
import { checkOptionKeys } from '../training/options.js';
import type { IOHandler, ModelArtifacts, ModelJSON, TrainingConfig } from './artifacts.js';
import { validateModelJSON } from './artifacts.js';
import type { JsonObject, JsonValue } from './case.js';
import { checkJsonDepth, fromPythonic, isJsonObject } from './case.js';
import { deserializeEntry, layerEntry } from './layer-config.js';
import { usesLegacyHardSigmoid } from './legacy-activations.js';
import { applyArtifactWeights, at, decodeArtifactWeights, DESCENT_METADATA_KEY, loadArtifacts, withWeightGuard } from './serialize.js';
import { concatBuffers, toArrayBuffer } from './weights.js';

// Loading: model.json (Keras/TF.js layers-model format) → a Sequential or a graph Model. Saving and
// the weight helpers live in serialize.ts, which knows no model class, so the models import it
// without a cycle; this module imports both model classes.

/** A non-narrowing array check: the data came from JSON, whatever its declared type says. */
function isArrayValue(v: unknown): boolean {
  return Array.isArray(v);
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

function modelFromTopology(topology: JsonObject, source: string): Model {
  const t = isJsonObject(topology.model_config) ? topology.model_config : topology;
  const legacy = usesLegacyHardSigmoid(topology);
  if (t.class_name === 'Functional' || t.class_name === 'Model') {
    return functionalFromTopologyConfig(t.config ?? null, source, (args) => new Model(args), (raw, i) => {
      if (isJsonObject(raw) && raw.class_name === 'Sequential') {
        const nested = topologyLayers(raw, `${source}: layer ${i}`);
        const entries = nested.layers.map((r, j) => layerEntry(r, j, `${source}: layer ${i}`, legacy));
        return sequentialFromConfig(nested.name === undefined ? { layers: entries } : { name: nested.name, layers: entries }, `${source}: layer ${i}`);
      }
      return deserializeEntry(layerEntry(raw, i, source, legacy), i, source);
    });
  }
  const { name, layers } = topologyLayers(topology, source);
  const entries = layers.map((raw, i) => layerEntry(raw, i, source, legacy));
  return sequentialFromConfig(name === undefined ? { layers: entries } : { name, layers: entries }, source);
}

setTopologyLoader(modelFromTopology);

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

function compileFromTrainingConfig(model: Model, tc: TrainingConfig, source: string): { className: string; config: Record<string, unknown> } {
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
    if (!(model instanceof Sequential)) compileModelFromTrainingConfig(model, optimizer, tc, source);
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
function restoreOptimizerState(model: Model, saved: { className: string; config: Record<string, unknown> }, state: { name: string; tensor: Tensor }[], source: string): void {
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
 * What `loadModel` and `fromJSON` return: a `Model`, which is a `Sequential` (`instanceof Sequential`)
 * for Sequential files and a graph model for Functional files. Name the kind you expect as the type
 * parameter (`loadModel<Sequential>(…)`) to use its own API (`add`, `pop`, one-tensor `predict`);
 * a file of another kind then still loads as what it is, so check with `instanceof` where unsure.
 */
export type LoadedModel = Model;

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

function modelFromArtifacts(artifacts: ModelArtifacts, source: string, options: LoadOptions = {}, op = 'loadModel'): LoadedModel {
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
    if (!(m instanceof Sequential)) return m;
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
export async function loadModel<M extends Model = Model>(source: string | IOHandler, options: LoadOptions = {}): Promise<M> {
  const artifacts = await loadArtifacts(source, 'loadModel');
  return modelFromArtifacts(artifacts, artifacts.source ?? (typeof source === 'string' ? source : 'loadModel'), options, 'loadModel') as M;
}

/**
 * The in-memory inverse of `model.toJSON()`: model.json (object or its text) plus the weights as
 * one ArrayBuffer (or shards in manifest order).
 */
export function fromJSON<M extends Model = Model>(modelJSON: ModelJSON | string, weightData?: ArrayBuffer | readonly ArrayBuffer[], options: LoadOptions = {}): M {
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
