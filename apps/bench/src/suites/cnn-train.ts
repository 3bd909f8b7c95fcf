import type { Suite } from '../suite.js';
import { runTraining } from './train-run.js';

/** Training steps of the small MNIST CNN (issue 7), every contender in this process. */
export const cnnTrainSuite: Suite = {
  name: 'cnn-train',
  description: 'CNN conv3×3×32 → maxPool → conv3×3×64 → maxPool → dense 10 training, batch 64: ms/step, Descent vs TF.js (and PyTorch when installed)',
  run: (options) =>
    runTraining(
      {
        kind: 'cnn',
        suite: 'cnn-train',
        title: 'CNN conv 3×3×32 → maxPool 2 → conv 3×3×64 → maxPool 2 → dense 10 on 28×28×1, training, batch 64 (ms/step)',
        unit: 'ms/step',
        maxBatches: 60,
        budgetMs: 3000,
        singleRun: ['tfjs-cpu'],
        warmupBatches: 1,
      },
      options,
    ),
};
