import type { History } from '@descent/models';
import { Adam, CosineDecay } from '@descent/optimizers';
import { setSeed } from '@descent/tensor';
import type { Split } from './data.js';
import { encode, generateProblems } from './data.js';
import { exactMatch, greedyDecode } from './decode.js';
import type { Seq2Seq } from './model.js';
import { buildModel } from './model.js';

export interface TrainOptions {
  digits: number;
  trainSize: number;
  testSize: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate: linear warmup over the first epoch's steps (at most 500), then cosine decay to 0. */
  lr: number;
  dModel: number;
  heads: number;
  layers: number;
  seed: number;
  verbose?: 0 | 1 | 2;
}

export interface TrainResult extends Seq2Seq {
  data: Split;
  history: History;
  /** Greedy answers to the held-out questions, in order. */
  predictions: string[];
  /** Fraction of held-out answers decoded exactly. */
  exactMatch: number;
  trainSeconds: number;
  decodeSeconds: number;
}

/** Generate the data, build and train the model, decode the held-out questions greedily and score them. */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const data = generateProblems({ digits: opts.digits, trainSize: opts.trainSize, testSize: opts.testSize, seed: opts.seed });
  const x = encode(data.train, opts.digits);
  const val = encode(data.test, opts.digits);
  setSeed(opts.seed);
  const built = buildModel({ digits: opts.digits, dModel: opts.dModel, numHeads: opts.heads, encoderBlocks: opts.layers, decoderBlocks: opts.layers, seed: opts.seed });
  const stepsPerEpoch = Math.ceil(opts.trainSize / opts.batchSize);
  const total = opts.epochs * stepsPerEpoch;
  const warmup = Math.min(500, stepsPerEpoch, Math.floor(total / 2));
  // Transformers train best with a short warmup: from lr/10 up to lr, then a cosine decay to 0.
  const optimizer = new Adam({ learningRate: new CosineDecay(opts.lr / 10, total - warmup, 0, opts.lr, warmup) });
  built.model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const t0 = performance.now();
  // Validation runs with teacher forcing (per-token accuracy); the exact-match score below is the real test.
  const history = await built.model.fit([x.question, x.decoderInput], x.target, {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    validationData: [[val.question, val.decoderInput], val.target],
    ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const predictions = greedyDecode(built.model, data.test.map((p) => p.question), opts.digits);
  const decodeSeconds = (performance.now() - t1) / 1000;
  return { ...built, data, history, predictions, exactMatch: exactMatch(predictions, data.test.map((p) => p.answer)), trainSeconds, decodeSeconds };
}
