import type { Tensor } from '@descent/tensor';
import { randomUniform, runKernel } from '@descent/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { getWasmBackend } from '../index.js';

// The fused sequences split the batch rows across threads (asm/recurrent.ts range kernels): each row is
// computed by one thread with the same code whatever the split, so the output must be bit-identical to
// one thread's. (Agreement with the CPU reference is kernels.test.ts's job.)
describe('fused recurrent sequences on threads', () => {
  const backend = getWasmBackend();
  const saved = { threads: backend.numThreads, minRangeWork: backend.threadMinRangeWork };
  backend.threadBackoff = false;
  afterAll(() => {
    backend.threadBackoff = true;
    backend.setNumThreads(saved.threads);
    backend.threadMinRangeWork = saved.minRangeWork;
  });

  // 23 rows: several chunks of whole tiles plus a short last one; 6 units: a two-lane SIMD tail.
  const [b, t, u] = [23, 5, 6];
  const r = (shape: number[], lo: number, hi: number, seed: number): Tensor => randomUniform(shape, lo, hi, 'float32', seed);
  const lstmTrace = r([b, t, 6 * u], 0.05, 0.95, 1);
  const gruTrace = r([b, t, 5 * u], 0.05, 0.95, 2);
  const cases: [string, () => Tensor][] = [
    ['LSTMSequence', () => runKernel('LSTMSequence', [r([b, t, 4 * u], -2, 2, 3), r([b, 2 * u], -1, 1, 4), r([u, 4 * u], -0.5, 0.5, 5)], {})],
    ['LSTMSequenceGrad', () => runKernel('LSTMSequenceGrad', [lstmTrace, r([b, 2 * u], -1, 1, 6), r([u, 4 * u], -0.5, 0.5, 7), r([b, t, 6 * u], -1, 1, 8)], {})],
  ];
  for (const resetAfter of [true, false]) {
    cases.push(
      [
        `GRUSequence resetAfter ${resetAfter}`,
        () => runKernel('GRUSequence', [r([b, t, 3 * u], -2, 2, 9), r([b, u], -1, 1, 10), r([u, 3 * u], -0.5, 0.5, 11), r([resetAfter ? 3 * u : 0], -0.5, 0.5, 12)], { resetAfter }),
      ],
      [
        `GRUSequenceGrad resetAfter ${resetAfter}`,
        () => runKernel('GRUSequenceGrad', [gruTrace, r([b, u], -1, 1, 13), r([u, 3 * u], -0.5, 0.5, 14), r([b, t, 5 * u], -1, 1, 15)], { resetAfter }),
      ],
    );
  }

  it('gives one thread\'s results bit for bit when the batch rows are split across threads', async () => {
    backend.threadMinRangeWork = 0;
    backend.setNumThreads(1);
    const single = cases.map(([, run]) => run().dataSync());
    for (const n of [2, 3]) {
      backend.setNumThreads(n);
      // Workers start asynchronously; until one is up the calling thread does all rows (also correct).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const jobs = backend.threadJobs;
      for (let rep = 0; rep < 3; rep++) {
        cases.forEach(([name, run], i) => expect(run().dataSync(), `${name}, ${n} threads`).toEqual(single[i]));
      }
      // On a busy machine a worker may still be starting (or the pool backing off after a stall): repeat
      // until one has taken rows, for up to 10 s.
      for (let tries = 0; backend.threadJobs === jobs && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        cases.forEach(([name, run], i) => expect(run().dataSync(), `${name}, ${n} threads`).toEqual(single[i]));
      }
      expect(backend.threadJobs).toBeGreaterThan(jobs);
    }
  }, 30_000);
});
