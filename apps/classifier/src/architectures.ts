import {
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  MaxPooling2D,
} from '@descent/layers';
import { Sequential } from '@descent/models';

export type ModelKind = 'mlp' | 'cnn';
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'cnn'];

/**
 * The two classifiers of the example: a 784-128-10 MLP and a small CNN
 * (conv 3×3×32 → max-pool → conv 3×3×64 → max-pool → dense 10).
 * Initial weights come from the global seed, so the same seed builds the same model.
 */
export function buildModel(kind: ModelKind): Sequential {
  if (kind === 'mlp') {
    return new Sequential(
      [
        new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
        new Dropout({ rate: 0.2 }),
        new Dense({ units: 10, activation: 'softmax' }),
      ],
      { name: 'mnist_mlp' },
    );
  }
  return new Sequential(
    [
      new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      new MaxPooling2D({ poolSize: 2 }),
      new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'mnist_cnn' },
  );
}
