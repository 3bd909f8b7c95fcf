// Messages between the page and the training worker.
import type { ModelArtifacts } from '@descent/models';

export type ModelKind = 'mlp' | 'cnn';

export interface RunSpec {
  /** An optimizer name of the @descent/optimizers registry. */
  optimizer: string;
  learningRate: number | null;
}

export interface TrainRequest {
  type: 'train';
  model: ModelKind;
  runs: RunSpec[];
  batchSize: number;
  epochs: number;
  /** The MNIST manifest or folder (absolute URL). */
  dataUrl: string;
  seed: number;
}

export type ToWorker = { type: 'init' } | TrainRequest | { type: 'stop' } | { type: 'resume' };

export interface BackendInfo {
  /** 'wasm' or 'cpu'. */
  backend: string;
  /** 'relaxed' | 'simd' | null. */
  flavour: string | null;
  threads: number;
  crossOriginIsolated: boolean;
  loadError: string | null;
}

export type FromWorker =
  | ({ type: 'backend' } & BackendInfo)
  | { type: 'data'; text: string; train: number | null; test: number | null }
  | { type: 'runStart'; run: number; label: string; batchesPerEpoch: number; epochs: number; resumed: boolean }
  | { type: 'batch'; run: number; epoch: number; batch: number; loss: number; accuracy: number; ms: number }
  | { type: 'epoch'; run: number; epoch: number; loss: number; accuracy: number; valLoss: number; valAccuracy: number }
  | { type: 'runEnd'; run: number; stopped: boolean; epochsDone: number }
  | { type: 'model'; run: number; label: string; artifacts: ModelArtifacts }
  | { type: 'idle'; stopped: boolean; canResume: boolean }
  | { type: 'error'; message: string };
