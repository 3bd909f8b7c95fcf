import type { Variable } from '@descent/autograd';
import { variable, variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, getBackend, logSoftmax, matMul, mean, mul, oneHot, relu, setBackend, sum, tensor } from '@descent/tensor';
import type { Timing } from '../measure.js';
import { measure, seededFloats } from '../measure.js';
import type { Suite, SuiteOptions, SuiteResult } from '../suite.js';

const BATCH = 64;
const [IN, HIDDEN, OUT] = [784, 128, 10];

interface Mlp {
  loss: () => Tensor;
  weights: Variable[];
}

/** A 784-128-10 ReLU MLP with softmax cross-entropy on a fixed random batch of 64. */
function buildMlp(): Mlp {
  const scale = (n: number, fanIn: number, seed: number): Float32Array => {
    const v = seededFloats(n, seed);
    const s = Math.sqrt(6 / fanIn);
    for (let i = 0; i < n; i++) v[i]! *= s;
    return v;
  };
  const w1 = variable(tensor(scale(IN * HIDDEN, IN, 1), [IN, HIDDEN]), { name: 'dense/kernel' });
  const b1 = variable(tensor(new Float32Array(HIDDEN)), { name: 'dense/bias' });
  const w2 = variable(tensor(scale(HIDDEN * OUT, HIDDEN, 2), [HIDDEN, OUT]), { name: 'dense_1/kernel' });
  const b2 = variable(tensor(new Float32Array(OUT)), { name: 'dense_1/bias' });
  const x = tensor(seededFloats(BATCH * IN, 3), [BATCH, IN]);
  const labels = tensor(Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % OUT), [BATCH], 'int32');
  const y = oneHot(labels, OUT);
  const loss = (): Tensor => {
    const hidden = relu(add(matMul(x, w1), b1));
    const logits = add(matMul(hidden, w2), b2);
    return mean(sum(mul(y, logSoftmax(logits)), -1)).neg();
  };
  return { loss, weights: [w1, b1, w2, b2] };
}

export interface BackwardTimings {
  forward: Timing;
  forwardBackward: Timing;
  /** (forward+backward − forward) / forward, from the medians. */
  ratio: number;
}

/** Median times of the forward pass alone and of forward + backward (variableGrads) for one training step. */
export function measureBackward(quick: boolean): BackwardTimings {
  if (getBackend().name !== 'cpu') setBackend('cpu');
  const mlp = buildMlp();
  // Same loss both ways before timing anything.
  const plain = mlp.loss().item();
  const { value, grads } = variableGrads(mlp.loss);
  if (Math.abs(value.item() - plain) > 1e-5 * Math.max(1, Math.abs(plain)) || grads.size !== mlp.weights.length) {
    throw new Error(`backward: the recorded step disagrees with the plain forward pass (${value.item()} vs ${plain})`);
  }
  const opts = quick ? { warmup: 3, samples: 5, minSampleMs: 50 } : { warmup: 10, samples: 15, minSampleMs: 200 };
  // Interleave so that a slow spell of the shared machine hits both measurements alike.
  const fwd: Timing[] = [];
  const both: Timing[] = [];
  for (let round = 0; round < 3; round++) {
    fwd.push(measure(() => void mlp.loss(), opts));
    both.push(measure(() => void variableGrads(mlp.loss), opts));
  }
  const best = (ts: Timing[]): Timing => ts.reduce((a, b) => (b.median < a.median ? b : a));
  const forward = best(fwd);
  const forwardBackward = best(both);
  return { forward, forwardBackward, ratio: (forwardBackward.median - forward.median) / forward.median };
}

const ms = (v: number): string => v.toFixed(3);

/** Forward vs forward+backward of one 784-128-10 MLP training step (batch 64) on the CPU backend. */
export const backwardSuite: Suite = {
  name: 'backward',
  description: 'one 784-128-10 MLP training step (batch 64): backward / forward time, CPU backend',
  run({ quick, log }: SuiteOptions): Promise<SuiteResult> {
    const t = measureBackward(quick);
    log(`backward: forward ${ms(t.forward.median)} ms, forward+backward ${ms(t.forwardBackward.median)} ms, ratio ${t.ratio.toFixed(2)}`);
    const backward = t.forwardBackward.median - t.forward.median;
    return Promise.resolve({
      suite: 'backward',
      title: 'MLP 784-128-10 training step, batch 64, CPU backend (ms per step, median)',
      columns: ['forward', 'forward+backward', 'backward', 'backward / forward'],
      rows: [[ms(t.forward.median), ms(t.forwardBackward.median), ms(backward), t.ratio.toFixed(2)]],
      records: [{ forwardMs: t.forward.median, forwardBackwardMs: t.forwardBackward.median, backwardMs: backward, ratio: t.ratio }],
      notes: [
        'forward = the loss alone (no tape); forward+backward = variableGrads(loss), i.e. the forward with recording plus the backward walk.',
        'backward = the difference of the medians, so recording overhead counts as backward. Target: ratio ≤ ~2.',
      ],
    });
  },
};

/** Stand-alone entry (prints the ratio), for running the suite without the bench table. */
export async function run(opts: { quick: boolean }): Promise<void> {
  const result = await backwardSuite.run({ quick: opts.quick, log: () => undefined });
  const [fwd, both, back, ratio] = result.rows[0]!;
  console.log(`MLP 784-128-10, batch 64, cpu: forward ${fwd} ms, forward+backward ${both} ms, backward ${back} ms, backward/forward = ${ratio}`);
}
