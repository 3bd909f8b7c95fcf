import type { Tensor } from '@descent/tensor';
import { add, logSoftmax, matMul, mean, mul, randomNormal, relu, sum, tensor } from '@descent/tensor';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { variableGrads } from './grad.js';
import { isRecording } from './tape.js';
import { variable } from './variable.js';

// A callable gc without --expose-gc: turn the flag on, then fetch gc from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory', () => {
  const w1 = variable(randomNormal([8, 16], 0, 0.3, 'float32', 1));
  const b1 = variable(tensor(new Float32Array(16)));
  const w2 = variable(randomNormal([16, 4], 0, 0.3, 'float32', 2));
  const x = randomNormal([5, 8], 0, 1, 'float32', 3);
  const labels = tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]);
  const loss = (): Tensor => mean(sum(mul(labels, logSoftmax(matMul(relu(add(matMul(x, w1), b1)), w2))), 1)).neg();

  it('the tape does not outlive the gradient call', async () => {
    let inner: WeakRef<Tensor> | null = null;
    const { grads } = variableGrads(() => {
      const h = relu(add(matMul(x, w1), b1));
      inner = new WeakRef(h);
      return sum(h);
    });
    expect(grads.size).toBe(2);
    expect(isRecording()).toBe(false);
    // WeakRef targets stay alive until the current job ends: collect on a later turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    // The intermediate activation was held only by the tape.
    expect(inner!.deref()).toBeUndefined();
  });

  // Like a training loop in a Node program, the loop yields to the event loop now and then: a
  // manual-memory backend frees unreferenced results through a FinalizationRegistry, whose
  // callbacks only run between jobs.
  const settle = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      heapAfterGc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return heapAfterGc();
  };

  it('thousands of variableGrads calls on a small MLP do not grow the heap', async () => {
    for (let i = 0; i < 200; i++) variableGrads(loss);
    const before = await settle();
    for (let i = 0; i < 6000; i++) {
      variableGrads(loss);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const after = await settle();
    // Keeping even one [5,16] activation per call (~0.5 kB with its tensor object) would add ~3 MB;
    // what does not scale with the calls (compiled code, the runner) stays well under 1.5 MB.
    expect(after - before).toBeLessThan(1_500_000);
  });
});
