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

export interface ArchitectureOptions {
  /** Units of each hidden Dense layer of the MLP. */
  hidden: readonly number[];
  /** Dropout rate after each hidden layer (MLP) or before the classifier (CNN). */
  dropout: number;
}

export const DEFAULT_ARCHITECTURE: Readonly<Record<ModelKind, ArchitectureOptions>> = {
  mlp: { hidden: [512, 256], dropout: 0.3 },
  cnn: { hidden: [], dropout: 0.25 },
};

/**
 * The two classifiers of the example: an MLP (784 → hidden ReLU layers with dropout → 10 softmax)
 * and a small CNN (conv 3×3×32 → max-pool → conv 3×3×64 → max-pool → dense 128 → dropout → dense 10).
 * Initial weights come from the global seed, so the same seed builds the same model.
 */
export function buildModel(kind: ModelKind, arch: ArchitectureOptions = DEFAULT_ARCHITECTURE[kind]): Sequential {
  if (kind === 'mlp') {
    const { hidden, dropout: rate } = arch;
    return new Sequential(
      [
        ...hidden.flatMap((units, i) => [
          new Dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : {}) }),
          new Dropout({ rate }),
        ]),
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
      new Dense({ units: 128, activation: 'relu' }),
      new Dropout({ rate: arch.dropout }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
    { name: 'mnist_cnn' },
  );
}
