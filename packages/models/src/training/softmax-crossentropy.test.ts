import type { ActivationFunction, LossIdentifier } from '@descent/layers';
import { CategoricalCrossentropy, Dense, resetLayerNames } from '@descent/layers';
import type { KernelName, Tensor } from '@descent/tensor';
import { setKernelHook, setSeed, softmax, tensor } from '@descent/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetSequentialNames, Sequential } from '../sequential.js';

beforeEach(() => {
  resetLayerNames();
  resetSequentialNames();
  setSeed(5);
});

const X = [[0.5, -1, 2], [1.5, 0.25, -0.5], [-1, 1, 1], [0, -2, 0.75]];
const Y = [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]];

/** Dense(4, relu) → Dense(3, `head`) with fixed weights (seeded init), SGD(0.1). */
function model(head: string | ActivationFunction, loss: LossIdentifier): Sequential {
  const m = new Sequential([new Dense({ units: 4, activation: 'relu', inputShape: [3] }), new Dense({ units: 3, activation: head })]);
  m.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.1 } }, loss });
  return m;
}

/** Kernels run by `f`, counted through the kernel hook (chained to, and then restoring, the previous one). */
function kernelsRun(f: () => void): Map<KernelName, number> {
  const counts = new Map<KernelName, number>();
  const previous = setKernelHook(null);
  setKernelHook((rec) => {
    if (previous !== null) previous(rec);
    counts.set(rec.kernel, (counts.get(rec.kernel) ?? 0) + 1);
  });
  try {
    f();
  } finally {
    setKernelHook(previous);
  }
  return counts;
}

function weightsOf(m: Sequential): number[][] {
  return m.getWeights().map((w: Tensor) => Array.from(w.dataSync()));
}

describe('Dense(softmax) + categoricalCrossentropy in fit', () => {
  it('a training step takes the logits path (one fused kernel each way, no clip, no log) and matches a linear head with fromLogits: true', async () => {
    const fused = model('softmax', 'categoricalCrossentropy');
    const logits = model('linear', new CategoricalCrossentropy({ fromLogits: true }));
    logits.setWeights(fused.getWeights());

    let fusedLoss = NaN;
    const ran = kernelsRun(() => {
      fusedLoss = fused.trainOnBatch(X, Y).loss!;
    });
    expect(ran.get('SoftmaxCrossEntropy')).toBe(1);
    expect(ran.get('SoftmaxCrossEntropyGrad')).toBe(1);
    expect(ran.has('ClipByValue')).toBe(false);
    expect(ran.has('Log')).toBe(false);
    const logitsLoss = logits.trainOnBatch(X, Y).loss!;
    expect(Math.abs(fusedLoss - logitsLoss)).toBeLessThan(1e-6);
    const a = weightsOf(fused);
    const b = weightsOf(logits);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i]!.length; j++) expect(Math.abs(a[i]![j]! - b[i]![j]!)).toBeLessThan(1e-6);

    // fit reports the same (fused) loss as evaluate, and both run no clip.
    const history = await fused.fit(tensor(X), tensor(Y), { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(history.history.loss![0])).toBe(true);
    const evalRan = kernelsRun(() => {
      fused.evaluate(tensor(X), tensor(Y));
    });
    expect(evalRan.has('ClipByValue')).toBe(false);
  });

  it('a softmax that does not remember its logits (a custom activation) still takes the clipped path', () => {
    const plain: ActivationFunction = { name: 'plain_softmax', apply: (x: Tensor) => softmax(x, -1) };
    const m = model(plain, 'categoricalCrossentropy');
    const ran = kernelsRun(() => {
      m.trainOnBatch(X, Y);
    });
    expect(ran.get('ClipByValue')).toBeGreaterThan(0);
    expect(ran.has('SoftmaxCrossEntropy')).toBe(false);
  });

  it('sparseCategoricalCrossentropy takes the logits path too', () => {
    const m = model('softmax', 'sparseCategoricalCrossentropy');
    const ran = kernelsRun(() => {
      m.trainOnBatch(X, [0, 2, 1, 2]);
    });
    expect(ran.get('SoftmaxCrossEntropy')).toBe(1);
    expect(ran.has('ClipByValue')).toBe(false);
  });
});
