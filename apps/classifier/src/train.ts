import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MnistData } from '@descent/datasets/node';
import { mnist } from '@descent/datasets/node';
import { CosineDecay } from '@descent/optimizers';
import { setSeed, slice } from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { ProgbarLogger } from '@descent/models';
import '@descent/models/node';
import type { ModelKind } from './architectures.js';
import { DEFAULT_ARCHITECTURE, buildModel } from './architectures.js';
import type { CurvePoint } from './chart.js';
import type { CliOptions } from './cli.js';
import type { LineTracker, ProgressWatch } from './interrupt.js';
import { chooseOptimizer } from './optimizer-choice.js';

export const DEFAULT_EPOCHS: Readonly<Record<ModelKind, number>> = { mlp: 15, cnn: 8, resnet: 10, vit: 20 };
export const DEFAULT_BATCH_SIZE: Readonly<Record<ModelKind, number>> = { mlp: 64, cnn: 64, resnet: 64, vit: 32 };

export interface RunResult {
  optimizer: string;
  description: string;
  history: Record<string, number[]>;
  testLoss: number;
  testAccuracy: number;
  secondsPerEpoch: number;
}

/** Load MNIST in the layout the model needs, optionally keeping only the first `limit` training samples. */
export async function loadData(opts: Pick<CliOptions, 'dataset' | 'model' | 'limit'>): Promise<MnistData> {
  const data = await mnist.load({ source: opts.dataset, flatten: opts.model === 'mlp' });
  if (opts.limit === undefined || opts.limit >= data.train.size) return data;
  const take = (t: Tensor, n: number): Tensor => slice(t, 0, [n, ...t.shape.slice(1)]);
  const n = opts.limit;
  return {
    ...data,
    train: { xs: take(data.train.xs, n), ys: take(data.train.ys, n), labels: data.train.labels.subarray(0, n), size: n },
  };
}

export interface TrainHooks {
  /** Called with the optimizer's description (name, learning rate, schedule) before training starts. */
  onStart?: (description: string) => void;
  /** Where the progress bar goes (default: standard output). */
  writer?: LineTracker;
  /** Follows the run for the Ctrl-C summary; `begin` is called here. */
  watch?: ProgressWatch;
  /** This run's place in a comparison (1-based), and how many runs there are. */
  run?: number;
  runs?: number;
}

/**
 * Train one model with one optimizer. The global seed is set first, so every run with the same
 * seed starts from the same initial weights and sees the same batches and dropout masks.
 */
export async function trainOne(
  optimizerName: string,
  opts: CliOptions,
  data: MnistData,
  hooks: TrainHooks = {},
): Promise<RunResult & { model: ReturnType<typeof buildModel> }> {
  const { optimizer, description: chosen } = chooseOptimizer(optimizerName, opts);
  const epochs = opts.epochs ?? DEFAULT_EPOCHS[opts.model];
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE[opts.model];
  let description = chosen;
  if (opts.schedule === 'cosine') {
    // Decay to zero over the whole run: the last epochs average out the noise of single batches.
    const trainSize = opts.validationSplit > 0 ? Math.floor(data.train.size * (1 - opts.validationSplit)) : data.train.size;
    const steps = epochs * Math.ceil(trainSize / batchSize);
    optimizer.learningRate = new CosineDecay(optimizer.currentLearningRate(), steps);
    description += `, cosine decay to 0 over ${steps} steps`;
  }
  setSeed(opts.seed);
  const defaults = DEFAULT_ARCHITECTURE[opts.model];
  const model = buildModel(opts.model, { hidden: opts.hidden ?? defaults.hidden, dropout: opts.dropout ?? defaults.dropout });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  hooks.onStart?.(description);
  hooks.watch?.begin(optimizerName, hooks.run ?? 1, hooks.runs ?? 1);
  // The bar by default on a terminal, one line per epoch elsewhere (as fit decides by itself);
  // created here so that it writes through the writer, which knows whether its line is open.
  const verbose: 0 | 1 | 2 = opts.verbose ?? ((hooks.writer?.isTTY ?? process.stdout.isTTY) === true ? 1 : 2);
  const callbacks = [
    ...(hooks.watch ? [hooks.watch] : []),
    ...(verbose !== 0 && hooks.writer ? [new ProgbarLogger({ verbose, writer: hooks.writer })] : []),
  ];
  const started = performance.now();
  const history = await model.fit(data.train.xs, data.train.ys, {
    epochs,
    batchSize,
    // Like the Keras MNIST examples: without a validation split, the held-out test set is the
    // validation data, so every training digit is used for training.
    ...(opts.validationSplit > 0 ? { validationSplit: opts.validationSplit } : { validationData: [data.test.xs, data.test.ys] as [Tensor, Tensor] }),
    shuffle: true,
    verbose,
    callbacks,
  });
  const secondsPerEpoch = (performance.now() - started) / 1000 / epochs;
  const result = model.evaluate(data.test.xs, data.test.ys, { batchSize: 256 });
  return {
    optimizer: optimizerName,
    description,
    history: history.history,
    testLoss: result.loss!,
    testAccuracy: result.accuracy!,
    secondsPerEpoch,
    model,
  };
}

/** Curves of one run: train and validation loss/accuracy per epoch. */
export function runCurves(history: Record<string, number[]>, trainLabel = 'train', valLabel = 'validation'): CurvePoint[] {
  const points: CurvePoint[] = [];
  const add = (series: string, metric: 'loss' | 'accuracy', values: number[] | undefined): void => {
    values?.forEach((value, i) => points.push({ series, epoch: i + 1, metric, value }));
  };
  add(trainLabel, 'loss', history.loss);
  add(trainLabel, 'accuracy', history.accuracy);
  add(valLabel, 'loss', history.val_loss);
  add(valLabel, 'accuracy', history.val_accuracy);
  return points;
}

export interface OutDir {
  dir: string;
  /** The first folder this call created (`mkdir -p` may create several), or undefined if it existed. */
  createdTop: string | undefined;
}

export async function ensureOut(dir: string): Promise<OutDir> {
  const out = resolve(dir);
  const createdTop = await mkdir(out, { recursive: true });
  return { dir: out, createdTop };
}

export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}
