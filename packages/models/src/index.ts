// No backend is imported here: `descent` (the umbrella package) makes the wasm backend the default,
// and `import '@descent/backend-wasm'` does the same for users of the individual packages.

export * from './callbacks/index.js';
export type { IOHandler, ModelArtifacts, ModelJSON, SaveResult, TrainingConfig, WeightsManifestGroup, WeightSpec } from './io/artifacts.js';
// The browser IO schemes register themselves here, explicitly: a bundler drops a re-exported module
// whose exports go unused (io/browser/index.js), and the registration would go with it.
import './io/browser/register.js';
export * from './io/browser/index.js';
export { fromPythonic, toCamelCase, toPythonic, toSnakeCase } from './io/case.js';
export type { IORouter } from './io/router.js';
export { fromMemory, listIOSchemes, registerIORouter, withSaveHandler } from './io/router.js';
export type { LoadedModel, LoadOptions } from './io/load.js';
export { fromJSON, loadModel } from './io/load.js';
export type { FileSinkFactory, TextSink } from './io/text-sink.js';
export { registerFileSinkFactory } from './io/text-sink.js';
export type { Writer } from './platform.js';
export type { CompileArgs, LossIdentifier, MetricIdentifier, OptimizerIdentifier, SequentialArgs } from './sequential.js';
export type { SaveOptions } from './functional/model.js';
export { Sequential, resetSequentialNames } from './sequential.js';
export type { ModelCompileArgs, PerOutput } from './functional/model.js';
export { Model } from './functional/model.js';
export type { SummaryOptions } from './summary.js';
export type { Batch, BatchData, ClassWeight, Dataset, DataStructure } from './training/data.js';
export type { AnyModel, MetricLike } from './training/model-kind.js';
export type { EvaluateDatasetOptions, EvaluateOptions } from './training/evaluate.js';
export type { FitDatasetOptions, FitOptions } from './training/fit.js';
