import type { Suite } from '../suite.js';
import { runTraining } from './train-run.js';

/** One epoch of the 784-128-10 MLP on the bundled MNIST digits (issue 7), every contender in this process. */
export const mlpTrainSuite: Suite = {
  name: 'mlp-train',
  description: 'MLP 784-128-10 training, batch 64, Adam: s/epoch of 8,000 MNIST digits, Descent vs TF.js (and PyTorch when installed)',
  run: (options) =>
    runTraining(
      {
        kind: 'mlp',
        suite: 'mlp-train',
        title: 'MLP 784-128-10 (ReLU, softmax) training, batch 64, one epoch of 8,000 MNIST digits (s/epoch)',
        unit: 's/epoch',
        maxBatches: 125,
        budgetMs: 4000,
      },
      options,
    ),
};
