import { variable } from '@descent/autograd';
import { withHolderCounts } from '@descent/test-utils';
import { CpuBackend, registerBackend, removeBackend, setBackend, tensor, withScope } from '@descent/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import type { Optimizer } from './optimizer.js';
import { get } from './registry.js';

/** The CPU backend plus a manual-memory backend's holder counts: storage with no holder would be freed. */
class CountingBackend extends withHolderCounts(CpuBackend) {}

afterEach(() => {
  setBackend('cpu');
  removeBackend('counting');
});

const CASES: [string, Record<string, unknown>][] = [
  ['adam', {}],
  ['adam', { amsgrad: true, useEma: true, gradientAccumulationSteps: 2 }],
  ['rmsprop', { momentum: 0.9, centered: true }],
  ['sgd', { momentum: 0.9 }],
  ['nadam', {}],
  ['adafactor', {}],
];

describe('optimizer state across step scopes', () => {
  for (const [name, config] of CASES) {
    it(`${name} ${JSON.stringify(config)}: state survives each step's scope, replaced state is freed`, () => {
      const backend = new CountingBackend();
      registerBackend('counting', () => backend, 0);
      setBackend('counting');
      const w = variable(tensor([0.5, -1.2, 0.8, 1.5, -0.3, 0.9], [2, 3]), { name: 'w' });
      const b = variable(tensor([0.1, -0.7, 2.0], [3]), { name: 'b' });
      const opt: Optimizer = get({ className: name, config: { learningRate: 0.01, ...config } });
      const live: number[] = [];
      for (let i = 0; i < 6; i++) {
        // What fit does per batch: everything made in the step is released when it ends, unless kept.
        withScope(() => void opt.minimize(() => w.square().sum().add(b.mul(w.sum()).sum())));
        withScope(() => {
          const state = opt.getWeights().slice(1);
          expect(state.length).toBeGreaterThan(0);
          for (const { name: stateName, tensor: t } of state) expect(backend.alive(t), `${stateName} after step ${i + 1}`).toBe(true);
        });
        live.push(backend.counts.size);
      }
      // The same number of held storages after every step: variables and state, nothing else.
      expect(new Set(live.slice(1)).size).toBe(1);
    });
  }
});
