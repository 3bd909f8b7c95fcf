import { formatValue } from '../format.js';
import type { JsonObject, JsonValue } from './case.js';
import { checkJsonDepth } from './case.js';
import type { WeightSpec } from './weights.js';
import { specByteLength, validateWeightSpec } from './weights.js';

export type { WeightSpec } from './weights.js';

/** One group of weight files in model.json: the files are concatenated, then sliced by `weights`. */
export interface WeightsManifestGroup {
  /** Weight file names, relative to model.json, in concatenation order. */
  paths: string[];
  /** The tensors stored in these files, in order. */
  weights: WeightSpec[];
}

/** The content of model.json (TF.js `layers-model` format). */
export interface ModelJSON {
  /** Always `'layers-model'` for files Descent writes. */
  format?: string;
  /** The library that wrote the file (`'Descent …'`, `'TensorFlow.js …'`). */
  generatedBy?: string;
  /** The converter that produced the file, or null. */
  convertedBy?: string | null;
  /** `null` in a weights-only save (`saveWeights`). */
  modelTopology: JsonObject | null;
  /** How the model was compiled (optimizer, loss, metrics), when saved with it. */
  trainingConfig?: TrainingConfig;
  /** Any JSON the user attached to the save. */
  userDefinedMetadata?: JsonObject;
  /** Where the weights are: groups of files and the tensors in them. */
  weightsManifest: WeightsManifestGroup[];
}

/** snake_case, as Keras and TF.js write it. */
export interface TrainingConfig {
  /** The optimizer's Keras class name and config. */
  optimizer_config: { class_name: string; config: JsonObject };
  /** The loss identifier as Keras writes it (a name, or a list/map for several outputs). */
  loss: JsonValue;
  /** The metric identifiers as Keras writes them. */
  metrics?: JsonValue;
  [key: string]: JsonValue | undefined;
}

/**
 * What a save handler receives and a load handler returns; the same shape as TF.js's
 * `ModelArtifacts`, so these can be passed to `tf.io.fromMemory` directly.
 */
export interface ModelArtifacts {
  /**
   * The model's Keras config (`{ class_name, config, keras_version, backend }`), or null for weights only.
   */
  modelTopology: JsonObject | null;
  /** `'layers-model'`. */
  format?: string;
  /** The library that wrote the artifacts. */
  generatedBy?: string;
  /** The converter that produced them, or null. */
  convertedBy?: string | null;
  /** How the model was compiled, when saved with it. */
  trainingConfig?: TrainingConfig;
  /** Any JSON the user attached to the save. */
  userDefinedMetadata?: JsonObject;
  /** Name, shape and dtype of each tensor in `weightData`, in order. */
  weightSpecs: WeightSpec[];
  /** One buffer, or several shards to be concatenated in order. */
  weightData: ArrayBuffer | ArrayBuffer[];
  /** Names the source in error messages (e.g. the path of model.json); not part of TF.js's type. */
  source?: string;
}

/** The model.json fields an artifacts object carries along unchanged when present. */
type ModelMetadata = Pick<ModelJSON, 'format' | 'generatedBy' | 'convertedBy' | 'trainingConfig' | 'userDefinedMetadata'>;

/**
 * Artifacts for a model loaded from a store or a model.json: topology, weight specs and data, plus
 * every metadata field `from` has (one place, so no handler drops one).
 */
export function loadedArtifacts(
  from: ModelMetadata & { modelTopology: JsonObject | null },
  weightSpecs: WeightSpec[],
  weightData: ArrayBuffer,
  source: string,
): ModelArtifacts {
  const artifacts: ModelArtifacts = { modelTopology: from.modelTopology, weightSpecs, weightData, source };
  if (from.format !== undefined) artifacts.format = from.format;
  if (from.generatedBy !== undefined) artifacts.generatedBy = from.generatedBy;
  if (from.convertedBy !== undefined) artifacts.convertedBy = from.convertedBy;
  if (from.trainingConfig !== undefined) artifacts.trainingConfig = from.trainingConfig;
  if (from.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = from.userDefinedMetadata;
  return artifacts;
}

/** What a save handler reports back. */
export interface SaveResult {
  /** Where the model went (e.g. the folder), when the handler knows. */
  location?: string;
  /** Size of the model JSON, in bytes. */
  modelJSONBytes: number;
  /** Size of the weight data, in bytes. */
  weightDataBytes: number;
}

/** Something a model can be saved to and/or loaded from (a folder, memory, a server …). */
export interface IOHandler {
  /** Stores the artifacts; present on handlers that can save. */
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  /** Reads the artifacts back; present on handlers that can load. */
  load?(): Promise<ModelArtifacts>;
}

/** Split artifacts into the model.json object and the weight data, with a single weights file `weights.bin`. */
export function artifactsToModelJSON(artifacts: ModelArtifacts, weightsPath = 'weights.bin'): ModelJSON {
  const json: ModelJSON = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'Descent',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/**
 * Check the parts of a parsed model.json that loading relies on, before any file is read or any
 * layer built: the manifest groups (`paths` non-empty strings, entries with a name, a shape of
 * non-negative integers and a supported dtype) and the nesting depth of the topology. `source`
 * names the file; `op` (`loadModel`, `fromJSON` …) starts the message when given.
 */
export function validateModelJSON(value: unknown, source: string, op?: string): ModelJSON {
  const where = op === undefined || op === source ? source : `${op}: ${source}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a model.json object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const json = value as Partial<ModelJSON>;
  if (json.modelTopology === undefined) throw new Error(`${where}: model.json has no 'modelTopology'`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new Error(`${where}: format ${typeof json.format === 'string' ? `'${json.format}'` : formatValue(json.format)} is not supported; expected 'layers-model' (TF.js graph models cannot be loaded as Sequential models)`);
  }
  checkJsonDepth(json.modelTopology, `${where}: modelTopology`);
  checkJsonDepth(json.trainingConfig, `${where}: trainingConfig`);
  checkJsonDepth(json.userDefinedMetadata, `${where}: userDefinedMetadata`);
  const manifest: unknown = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${where}: 'weightsManifest' must be an array of { paths, weights } groups, got ${typeof manifest}`);
  manifest.forEach((group: unknown, i) => {
    const at = `${where}: weightsManifest[${i}]`;
    if (typeof group !== 'object' || group === null || Array.isArray(group)) {
      throw new Error(`${at} must be a { paths, weights } object, got ${Array.isArray(group) ? 'an array' : group === null ? 'null' : typeof group}`);
    }
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(weights)) {
      throw new Error(`${at} must have 'paths' and 'weights' arrays, got paths ${short(paths)} and weights ${Array.isArray(weights) ? `[${weights.length} entries]` : short(weights)}`);
    }
    paths.forEach((p: unknown, j) => {
      if (typeof p !== 'string' || p === '') {
        throw new Error(`${at}.paths[${j}] must be a non-empty weight file name such as 'weights.bin', got ${short(p)}`);
      }
    });
    let bytes = 0;
    weights.forEach((w: unknown, j) => {
      bytes += specByteLength(validateWeightSpec(w, `${at}.weights[${j}]`));
    });
    if (paths.length === 0 && bytes > 0) {
      const names = (weights as WeightSpec[]).map((w) => w.name).join(', ');
      throw new Error(`${at} describes ${bytes} bytes of weights (${names}) but lists no weight files: 'paths' is [], expected e.g. ["weights.bin"]`);
    }
  });
  return { ...(json as ModelJSON), weightsManifest: manifest as WeightsManifestGroup[] };
}

function short(v: unknown): string {
  return formatValue(v, 60);
}
