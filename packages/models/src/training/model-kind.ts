import type { Variable } from '@descent/autograd';
import type { Optimizer } from '@descent/optimizers';
import type { Model } from '../functional/model.js';
import type { Sequential } from '../sequential.js';
import type { BatchData, DataNames } from './data.js';

/** The models that train, evaluate and call callbacks: every `Model` (a `Sequential` is one). */
export type AnyModel = Model;

/** Whether `model` is a `Sequential` (told by class name, so this module needs no value import of it). */
export function isSequential(model: Model): model is Sequential {
  return model.className === 'Sequential';
}

/** A compiled metric as the loops read it: its log key, its value so far, and a reset between epochs. */
export interface MetricLike {
  /** The key the metric is logged under (e.g. `'accuracy'`; validation logs add the `val_` prefix). */
  readonly name: string;
  /** The metric's value over everything seen since the last reset. */
  result(): number;
  /** Clears the metric's state (at the start of every epoch and evaluation). */
  reset(): void;
}

/**
 * What the training and evaluation loops need from a model. A `Sequential` gives one tensor for x
 * and y; a graph `Model` gives one per input/output (`BatchData`), so the loops cut and pass
 * whatever the model takes, and the model computes the losses and metrics of each output.
 */
interface TrainerModel {
  readonly name: string;
  stopTraining: boolean;
  /** The log entries besides `loss`, in log order (a graph model's per-output losses and metrics). */
  readonly metrics: readonly MetricLike[];
  readonly trainableWeights: Variable[];
  requireCompiled(op: string): { optimizer: Optimizer };
  checkInput(op: string, x: BatchData): void;
  checkLabels(op: string, y: BatchData, what?: string): void;
  checkBatch(op: string, x: BatchData, y: BatchData): void;
  trainStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number;
  testStep(x: BatchData, y: BatchData, sampleWeight: BatchData | null): number;
}

/** The model as the loops use it (every model kind is one). */
export function trainer(model: AnyModel): TrainerModel {
  return model;
}

/** The input and output names the model's data is keyed by (null for a one-tensor side). */
export function dataNames(model: AnyModel): DataNames {
  return model.dataNames();
}
