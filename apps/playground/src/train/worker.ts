// The training worker: loads MNIST, builds the model and runs `fit` on the wasm backend (threads
// when the page is cross-origin isolated), posting every batch. Stop sets `model.stopTraining`, which
// (as in Keras) ends the epoch after the current batch, evaluated on what it did; resume calls `fit`
// again from the next epoch (the model keeps its fit's random stream), then the remaining runs.
import { getThreadsCount, wasmFlavour, wasmLoadError } from '@descent/backend-wasm';
import { mnist } from '@descent/datasets';
import type { Logs, ModelArtifacts, Sequential } from '@descent/models';
import { Callback, withSaveHandler } from '@descent/models';
import { get as getOptimizer } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { ready, setSeed } from '@descent/tensor';
import { buildModel, inputShape } from './models.js';
import type { FromWorker, ToWorker, TrainRequest } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

interface Data {
  url: string;
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testY: Tensor;
}

let data: Data | null = null;
/** The request being trained, where it stands, and its model (kept for resume). */
let job: { req: TrainRequest; run: number; epochsDone: number; model: Sequential | null; label: string } | null = null;
let stopRequested = false;
let busy = false;

// A yield to the event loop without setTimeout's 4 ms clamp, so that a 'stop' message is seen between batches.
const channel = new MessageChannel();
const pending: (() => void)[] = [];
channel.port1.onmessage = () => pending.shift()?.();
const yieldToEvents = (): Promise<void> =>
  new Promise((resolve) => {
    pending.push(resolve);
    channel.port2.postMessage(0);
  });

class Progress extends Callback {
  private t = performance.now();
  constructor(private readonly run: number) {
    super();
  }
  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    const now = performance.now();
    post({ type: 'batch', run: this.run, epoch: job!.epochsDone, batch, loss: Number(logs.loss), accuracy: Number(logs.accuracy), ms: now - this.t });
    this.t = now;
    await yieldToEvents();
    if (stopRequested) this.model!.stopTraining = true;
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    job!.epochsDone = epoch + 1;
    post({
      type: 'epoch',
      run: this.run,
      epoch,
      loss: Number(logs.loss),
      accuracy: Number(logs.accuracy),
      valLoss: Number(logs.val_loss),
      valAccuracy: Number(logs.val_accuracy),
    });
  }
}

async function loadData(url: string, kind: TrainRequest['model']): Promise<Data> {
  if (data === null || data.url !== url) {
    post({ type: 'data', text: `Loading MNIST from ${url}…`, train: null, test: null });
    const d = await mnist.loadFromUrl(url, {
      onProgress: ({ file, received, total }) =>
        post({ type: 'data', text: `Loading ${file}: ${Math.round(received / 1024)} of ${total === undefined ? '?' : Math.round(total / 1024)} KiB`, train: null, test: null }),
    });
    data = { url, trainX: d.train.xs, trainY: d.train.ys, testX: d.test.xs, testY: d.test.ys };
    post({ type: 'data', text: `MNIST: ${d.train.size} training and ${d.test.size} test digits.`, train: d.train.size, test: d.test.size });
  }
  const shape = (x: Tensor): Tensor => x.reshape(inputShape(kind, x.shape[0]!));
  return { ...data, trainX: shape(data.trainX), testX: shape(data.testX) };
}

async function sendModel(run: number, label: string, model: Sequential): Promise<void> {
  let artifacts: ModelArtifacts | null = null;
  await model.save(
    withSaveHandler((a) => {
      artifacts = a;
    }),
  );
  const a = artifacts as ModelArtifacts | null;
  if (a !== null) post({ type: 'model', run, label, artifacts: a });
}

/** Train runs from `job.run` on, the current one resuming at `job.epochsDone`. */
async function train(resumed: boolean): Promise<void> {
  const j = job!;
  const { req } = j;
  const d = await loadData(req.dataUrl, req.model);
  for (; j.run < req.runs.length; j.run++) {
    const spec = req.runs[j.run]!;
    if (!resumed) {
      setSeed(req.seed);
      const opt = getOptimizer(spec.optimizer);
      if (spec.learningRate !== null) opt.learningRate = spec.learningRate;
      j.model = buildModel(req.model);
      j.model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      j.epochsDone = 0;
      j.label = `${spec.optimizer} lr ${opt.currentLearningRate()}`;
    }
    const model = j.model!;
    const batchesPerEpoch = Math.ceil(d.trainX.shape[0]! / req.batchSize);
    post({ type: 'runStart', run: j.run, label: j.label, batchesPerEpoch, epochs: req.epochs, resumed });
    resumed = false;
    await model.fit(d.trainX, d.trainY, {
      epochs: req.epochs,
      initialEpoch: j.epochsDone,
      batchSize: req.batchSize,
      validationData: [d.testX, d.testY],
      validationBatchSize: 500,
      verbose: 0,
      callbacks: [new Progress(j.run)],
    });
    await sendModel(j.run, j.label, model);
    post({ type: 'runEnd', run: j.run, stopped: stopRequested, epochsDone: j.epochsDone });
    if (stopRequested) return;
  }
}

async function guarded(f: () => Promise<void>): Promise<void> {
  if (busy) {
    post({ type: 'error', message: 'training is already running: stop it first' });
    return;
  }
  busy = true;
  stopRequested = false;
  try {
    await f();
  } catch (err) {
    console.error(err);
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  } finally {
    busy = false;
    const canResume = job !== null && job.run < job.req.runs.length && stopRequested;
    post({ type: 'idle', stopped: stopRequested, canResume });
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      void ready().then((backend) =>
        post({
          type: 'backend',
          backend,
          flavour: wasmFlavour(),
          threads: backend === 'wasm' ? getThreadsCount() : 1,
          crossOriginIsolated: self.crossOriginIsolated,
          loadError: wasmLoadError(),
        }),
      );
      break;
    case 'train':
      job = { req: m, run: 0, epochsDone: 0, model: null, label: '' };
      void guarded(() => train(false));
      break;
    case 'stop':
      stopRequested = true;
      break;
    case 'resume':
      if (job === null) post({ type: 'error', message: 'nothing to resume: start training first' });
      else void guarded(() => train(true));
      break;
  }
};
