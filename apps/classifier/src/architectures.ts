import type { SymbolicTensor } from '@descent/layers';
import {
  Activation,
  add,
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  Input,
  MaxPooling2D,
} from '@descent/layers';
import { Model, Sequential } from '@descent/models';
import { buildVit } from './vit.js';

export type ModelKind = 'mlp' | 'cnn' | 'resnet' | 'vit';
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'cnn', 'resnet', 'vit'];

export interface ArchitectureOptions {
  /** Units of each hidden Dense layer of the MLP. */
  hidden: readonly number[];
  /** Dropout rate after each hidden layer (MLP), before the classifier (CNN, ResNet) or in each MLP block and attention (ViT). */
  dropout: number;
}

export const DEFAULT_ARCHITECTURE: Readonly<Record<ModelKind, ArchitectureOptions>> = {
  mlp: { hidden: [512, 256], dropout: 0.3 },
  cnn: { hidden: [], dropout: 0.25 },
  resnet: { hidden: [], dropout: 0.25 },
  vit: { hidden: [], dropout: 0 },
};

/** Conv 3×3 ('same') → batch norm, with ReLU after unless `relu` is false; `name` prefixes the layers' names. */
function convBn(x: SymbolicTensor, filters: number, name: string, relu = true): SymbolicTensor {
  const conv = new Conv2D({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x);
  const bn = new BatchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(conv);
  return relu ? new Activation({ activation: 'relu', name: `${name}_relu` }).apply(bn) : bn;
}

/**
 * A residual block: two 3×3 convolutions whose result is added to the block's input (the shortcut),
 * then ReLU. Where the number of channels changes, the shortcut is a 1×1 convolution (projection).
 */
function residualBlock(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  const shortcut = inChannels === filters ? x : new Conv2D({ filters, kernelSize: 1, useBias: false, name: `${name}_proj` }).apply(x);
  const h = convBn(convBn(x, filters, `${name}_a`), filters, `${name}_b`, false);
  return new Activation({ activation: 'relu', name: `${name}_out` }).apply(add([shortcut, h], { name: `${name}_add` }));
}

/**
 * The residual CNN, built with the functional API: conv stem 3×3×16 at 28×28 → max-pool → residual
 * block (16) at 14×14 → max-pool → residual blocks (32, then 64, each with a 1×1 projection shortcut)
 * at 7×7 → global average pooling → dropout → dense 10 softmax.
 */
function buildResnet(dropout: number): Model {
  const input = Input({ shape: [28, 28, 1], name: 'digits' });
  let x = convBn(input, 16, 'stem');
  x = new MaxPooling2D({ poolSize: 2, name: 'pool1' }).apply(x);
  x = residualBlock(x, 16, 'block1');
  x = new MaxPooling2D({ poolSize: 2, name: 'pool2' }).apply(x);
  x = residualBlock(x, 32, 'block2');
  x = residualBlock(x, 64, 'block3');
  x = new GlobalAveragePooling2D({ name: 'avg_pool' }).apply(x);
  if (dropout > 0) x = new Dropout({ rate: dropout, name: 'dropout' }).apply(x);
  const output = new Dense({ units: 10, activation: 'softmax', name: 'probs' }).apply(x);
  return new Model({ inputs: input, outputs: output, name: 'mnist_resnet' });
}

/**
 * The classifiers of the example: an MLP (784 → hidden ReLU layers with dropout → 10 softmax), a
 * small CNN (conv 3×3×32 → max-pool → conv 3×3×64 → max-pool → dense 128 → dropout → dense 10), both
 * `Sequential`, a small residual CNN built with the functional API (see `buildResnet`) and a small
 * Vision Transformer, also functional (see `buildVit` in vit.ts).
 * Initial weights come from the global seed, so the same seed builds the same model.
 */
export function buildModel(kind: ModelKind, arch: ArchitectureOptions = DEFAULT_ARCHITECTURE[kind]): Sequential | Model {
  if (kind === 'resnet') return buildResnet(arch.dropout);
  if (kind === 'vit') return buildVit({ dropout: arch.dropout });
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
