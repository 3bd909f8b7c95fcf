// The two classifiers of the page (smaller than the CLI's, to train in seconds in a browser tab).
import { Conv2D, Dense, Dropout, Flatten, MaxPooling2D } from '@descent/layers';
import { Sequential } from '@descent/models';
import type { ModelKind } from './protocol.js';

/** MLP: 784 → 128 ReLU → dropout 0.2 → 10 softmax. CNN: conv 3×3×8 → pool → conv 3×3×16 → pool → dense 64 → 10. */
export function buildModel(kind: ModelKind): Sequential {
  if (kind === 'mlp') {
    return new Sequential(
      [new Dense({ units: 128, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10, activation: 'softmax' })],
      { name: 'playground_mlp' },
    );
  }
  return new Sequential(
    [
      new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      new MaxPooling2D({ poolSize: 2 }),
      new Conv2D({ filters: 16, kernelSize: 3, activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 64, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'playground_cnn' },
  );
}

/** The input shape the model takes for flat 784-pixel rows. */
export function inputShape(kind: ModelKind, n: number): number[] {
  return kind === 'mlp' ? [n, 784] : [n, 28, 28, 1];
}
