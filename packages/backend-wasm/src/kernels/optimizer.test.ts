import { dispose, mul, setBackend, tensor, withScope } from '@descent/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { getWasmBackend, wasmMemoryInfo } from '../index.js';
import { seeded } from '../test-utils/compare.js';
import { CASES, fusedStep, opPath } from '../test-utils/optimizer-reference.js';
import { poolUnderTest } from '../test-utils/pool.js';
import type { FusedUpdateAttrs } from './optimizer.js';

beforeAll(() => setBackend('wasm'));

// Sizes around the 4-lane main loop: tail only, one vector + tail, several vectors + tail, large.
const SIZES = [1, 7, 33, 1000];

describe('wasm fused optimizer step', () => {
  for (const c of CASES) {
    it(`${c.label}: equals the op path bit for bit over 4 steps (sizes ${SIZES.join(', ')})`, () => {
      for (const n of SIZES) {
        let w = tensor(seeded(n, 1, -2, 2));
        // Slots start positive where a rule takes their square root.
        let fusedSlots = Array.from({ length: c.slots }, (_, i) => tensor(seeded(n, 10 + i, 0, 0.5)));
        let refW = w;
        let refSlots = fusedSlots;
        for (let step = 0; step < 4; step++) {
          const g = tensor(seeded(n, 100 + step, -3, 3));
          const fused = fusedStep(c.rule, [w, g, ...fusedSlots], c.hyper as never);
          expect(fused, `${c.label} n=${n}`).not.toBeNull();
          const ref = opPath(c.rule, [refW, g, ...refSlots], c.hyper);
          expect(fused!).toHaveLength(ref.length);
          fused!.forEach((t, k) => expect(t.dataSync(), `${c.label} n=${n} step ${step + 1} output ${k}`).toEqual(ref[k]!.dataSync()));
          w = fused![0]!;
          fusedSlots = fused!.slice(1);
          refW = ref[0]!;
          refSlots = ref.slice(1);
        }
        // The 4 steps moved w: the comparison was not between two untouched copies.
        expect(Array.from(w.dataSync())).not.toEqual(Array.from(seeded(n, 1, -2, 2)));
      }
    });
  }

  it('declines what it cannot fuse', () => {
    const backend = getWasmBackend();
    const f = tensor([1, 2, 3]);
    const i = tensor([1, 2, 3], [3], 'int32');
    const adagrad = { learningRate: 0.1, epsilon: 1e-7 };
    expect(backend.optimizerStep('adagrad', [f, i, f], adagrad)).toBeNull();
    expect(backend.optimizerStep('adagrad', [f, f, tensor([1, 2])], adagrad)).toBeNull();
    expect(backend.optimizerStep('adagrad', [f, f], adagrad)).toBeNull();
  });

  it('a released input fails with the backend error before any output is allocated', () => {
    const w = tensor([1, 2, 3]);
    const g = mul(w, 2);
    dispose(g);
    const before = wasmMemoryInfo().bytesInUse;
    expect(() => fusedStep('sgd', [w, g], { learningRate: 0.1, momentum: 0, nesterov: false })).toThrow(/storage was released/);
    expect(wasmMemoryInfo().bytesInUse).toBe(before);
  });

  it('outputs are freed with their scope: repeated steps keep memory flat', () => {
    const w = tensor(seeded(257, 3));
    const g = tensor(seeded(257, 4));
    const m = tensor(new Float32Array(257));
    const v = tensor(new Float32Array(257));
    const hyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 0.01 };
    withScope(() => void fusedStep('adam', [w, g, m, v], hyper));
    const before = wasmMemoryInfo();
    for (let i = 0; i < 200; i++) withScope(() => void fusedStep('adam', [w, g, m, v], hyper));
    const after = wasmMemoryInfo();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    dispose([w, g, m, v]);
  });
});

describe('wasm fused Adam split across threads', () => {
  const backend = poolUnderTest();

  it('a variable of several element blocks (and a partial one) gives the op path bit for bit at 1, 2 and 3 threads', async () => {
    setBackend('wasm');
    const n = 3 * 4096 + 13;
    const hyper = CASES[0]!.hyper as FusedUpdateAttrs['adam'];
    const w = tensor(seeded(n, 1, -2, 2));
    const g = tensor(seeded(n, 2, -3, 3));
    const m = tensor(seeded(n, 3, 0, 0.5));
    const v = tensor(seeded(n, 4, 0, 0.5));
    const ref = opPath('adam', [w, g, m, v], hyper).map((t) => t.dataSync());
    backend.threadMinRangeWork = 0;
    const check = (threads: number): void => {
      const fused = fusedStep('adam', [w, g, m, v], hyper)!;
      fused.forEach((t, k) => expect(t.dataSync(), `${threads} thread(s), output ${k}`).toEqual(ref[k]!));
    };
    for (const threads of [1, 2, 3]) {
      backend.setNumThreads(threads);
      const jobs = backend.threadJobs;
      check(threads);
      // Workers start asynchronously (slowly on a busy machine); until one is up the calling thread does
      // everything, also correctly. Repeat until a worker has taken a block, for up to 10 s.
      for (let tries = 0; threads > 1 && backend.threadJobs === jobs && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        check(threads);
      }
      if (threads > 1) expect(backend.threadJobs).toBeGreaterThan(jobs);
    }
  }, 30_000);
});
