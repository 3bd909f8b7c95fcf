import type { JsonObject, JsonValue } from './case.js';
import type { WeightSpec } from './weights.js';

export type { WeightSpec } from './weights.js';

/** One group of weight files in model.json: the files are concatenated, then sliced by `weights`. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The content of model.json (TF.js `layers-model` format). */
export interface ModelJSON {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  /** `null` in a weights-only save (`saveWeights`). */
  modelTopology: JsonObject | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: JsonObject;
  weightsManifest: WeightsManifestGroup[];
}

/** snake_case, as Keras and TF.js write it. */
export interface TrainingConfig {
  optimizer_config: { class_name: string; config: JsonObject };
  loss: JsonValue;
  metrics?: JsonValue;
  [key: string]: JsonValue | undefined;
}

/**
 * What a save handler receives and a load handler returns; the same shape as TF.js's
 * `ModelArtifacts`, so these can be passed to `tf.io.fromMemory` directly.
 */
export interface ModelArtifacts {
  modelTopology: JsonObject | null;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: JsonObject;
  weightSpecs: WeightSpec[];
  /** One buffer, or several shards to be concatenated in order. */
  weightData: ArrayBuffer | ArrayBuffer[];
  /** Names the source in error messages (e.g. the path of model.json); not part of TF.js's type. */
  source?: string;
}

export interface SaveResult {
  /** Where the model went (e.g. the folder), when the handler knows. */
  location?: string;
  modelJSONBytes: number;
  weightDataBytes: number;
}

/** Something a model can be saved to and/or loaded from (a folder, memory, a server …). */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
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

/** Check the parts of a parsed model.json that loading relies on; `source` names the file. */
export function validateModelJSON(value: unknown, source: string): ModelJSON {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: expected a model.json object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const json = value as Partial<ModelJSON>;
  if (json.modelTopology === undefined) throw new Error(`${source}: model.json has no 'modelTopology'`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new Error(`${source}: format '${json.format}' is not supported; expected 'layers-model' (TF.js graph models cannot be loaded as Sequential models)`);
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${source}: 'weightsManifest' must be an array of { paths, weights } groups`);
  manifest.forEach((group, i) => {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`${source}: weightsManifest[${i}] must have 'paths' and 'weights' arrays`);
    }
    for (const w of group.weights) {
      if (typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
        throw new Error(`${source}: weightsManifest[${i}] has an entry without a name, shape and dtype: ${JSON.stringify(w)}`);
      }
    }
  });
  return { ...(json as ModelJSON), weightsManifest: manifest };
}
