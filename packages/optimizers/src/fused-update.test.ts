import '@descent/backend-wasm';
import type { Backend, Tensor } from '@descent/tensor';
import { CpuBackend, dispose, getBackend, registerBackend, removeBackend, setBackend, tensor, withScope } from '@descent/tensor';
import { expectClose as closeTo } from '@descent/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedOptimizerStep } from './fused-update.js';

// Runs on both backends: the CPU backend fuses these rules with this package's loops, the wasm
// backend with its own kernels, so the step is never null here.

const W = [1, -2, 0.5];
const G = [0.5, 4, -0.25];

function values(ts: Tensor[] | null): number[][] {
  expect(ts).not.toBeNull();
  return ts!.map((t) => Array.from(t.dataSync()));
}

/** Row by row within 5e-7, the bound of `toBeCloseTo(x, 6)`. */
function expectClose(got: number[][], want: number[][]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((row, i) => closeTo(row, want[i]!, { atol: 5e-7, label: `output ${i}` }));
}

for (const name of ['cpu', 'wasm']) {
  describe(`fusedOptimizerStep on ${name}`, () => {
    let before = 'cpu';
    beforeAll(() => {
      before = getBackend().name;
      setBackend(name);
    });
    afterAll(() => setBackend(before));

    describe('one step by the formula', () => {
      it('adam', () => {
        const [b1, b2, eps, alpha] = [0.9, 0.999, 1e-7, 0.01];
        const m0 = [0.1, 0, -0.3];
        const v0 = [0.2, 1, 0.05];
        const m = m0.map((m, i) => m + (G[i]! - m) * (1 - b1));
        const v = v0.map((v, i) => v + (G[i]! ** 2 - v) * (1 - b2));
        const w = W.map((w, i) => w - (alpha * m[i]!) / (Math.sqrt(v[i]!) + eps));
        const out = fusedOptimizerStep('adam', [tensor(W), tensor(G), tensor(m0), tensor(v0)], { beta1: b1, beta2: b2, epsilon: eps, alpha });
        expectClose(values(out), [w, m, v]);
      });

      it('sgd: plain, momentum and nesterov', () => {
        const lr = 0.1;
        expectClose(values(fusedOptimizerStep('sgd', [tensor(W), tensor(G)], { learningRate: lr, momentum: 0, nesterov: false })), [
          W.map((w, i) => w - lr * G[i]!),
        ]);
        const v0 = [0.3, -0.1, 0];
        const v = v0.map((v, i) => 0.9 * v - lr * G[i]!);
        expectClose(values(fusedOptimizerStep('sgd', [tensor(W), tensor(G), tensor(v0)], { learningRate: lr, momentum: 0.9, nesterov: false })), [
          W.map((w, i) => w + v[i]!),
          v,
        ]);
        expectClose(values(fusedOptimizerStep('sgd', [tensor(W), tensor(G), tensor(v0)], { learningRate: lr, momentum: 0.9, nesterov: true })), [
          W.map((w, i) => w + 0.9 * v[i]! - lr * G[i]!),
          v,
        ]);
      });

      it('rmsprop: plain, momentum, centered', () => {
        const [lr, rho, eps] = [0.01, 0.9, 1e-7];
        const v0 = [0.2, 1, 0.05];
        const m0 = [0.01, -0.02, 0];
        const a0 = [0.1, 0.3, -0.2];
        const v = v0.map((v, i) => rho * v + (1 - rho) * G[i]! ** 2);
        const a = a0.map((a, i) => rho * a + (1 - rho) * G[i]!);
        const plainInc = G.map((g, i) => (lr * g) / Math.sqrt(v[i]! + eps));
        const centeredInc = G.map((g, i) => (lr * g) / Math.sqrt(v[i]! - a[i]! ** 2 + eps));
        const h = { learningRate: lr, rho, epsilon: eps };
        expectClose(values(fusedOptimizerStep('rmsprop', [tensor(W), tensor(G), tensor(v0)], { ...h, momentum: 0, centered: false })), [
          W.map((w, i) => w - plainInc[i]!),
          v,
        ]);
        const m = m0.map((m, i) => 0.5 * m + centeredInc[i]!);
        expectClose(
          values(fusedOptimizerStep('rmsprop', [tensor(W), tensor(G), tensor(v0), tensor(m0), tensor(a0)], { ...h, momentum: 0.5, centered: true })),
          [W.map((w, i) => w - m[i]!), v, m, a],
        );
        expectClose(values(fusedOptimizerStep('rmsprop', [tensor(W), tensor(G), tensor(v0), tensor(a0)], { ...h, momentum: 0, centered: true })), [
          W.map((w, i) => w - centeredInc[i]!),
          v,
          a,
        ]);
      });

      it('adagrad', () => {
        const [lr, eps] = [0.05, 1e-7];
        const acc0 = [0.1, 0.1, 2];
        const acc = acc0.map((a, i) => a + G[i]! ** 2);
        expectClose(values(fusedOptimizerStep('adagrad', [tensor(W), tensor(G), tensor(acc0)], { learningRate: lr, epsilon: eps })), [
          W.map((w, i) => w - (lr * G[i]!) / Math.sqrt(acc[i]! + eps)),
          acc,
        ]);
      });

      it('an empty variable gives empty outputs of its shape', () => {
        const e = tensor([], [0, 3]);
        const out = fusedOptimizerStep('adagrad', [e, e, e], { learningRate: 0.1, epsilon: 1e-7 })!;
        expect(out.map((t) => t.shape)).toEqual([
          [0, 3],
          [0, 3],
        ]);
      });
    });

    describe('when it applies', () => {
      const adam = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 0.01 };

      it('outputs are fresh tensors owned by the current scope, like op outputs', () => {
        const w = tensor(W);
        const inputs = [w, tensor(G), tensor(W), tensor(W)];
        let out: Tensor[] = [];
        const kept = withScope(() => {
          out = fusedOptimizerStep('adam', inputs, adam)!;
          return out[0]!;
        });
        expect(out.every((t) => !inputs.includes(t))).toBe(true);
        expect(kept.dataSync()).toHaveLength(3);
        if (getBackend().disposeData !== undefined) {
          // A manual-memory backend freed the slots that were not returned from the scope.
          expect(() => out[1]!.dataSync()).toThrow(/released/);
        }
        // The inputs were not written.
        expect(Array.from(w.dataSync())).toEqual(W);
      });

      it('is null for a non-float32 tensor, a tensor on another backend, or a backend without the entry point', () => {
        const g = tensor(G);
        expect(fusedOptimizerStep('sgd', [tensor([1, 2, 3], [3], 'int32'), g], { learningRate: 0.1, momentum: 0, nesterov: false })).toBeNull();
        const active = getBackend().name;
        const cpu = new CpuBackend();
        const plain: Backend = { name: 'plain', kernels: cpu.kernels, write: (v, s, d) => cpu.write(v, s, d), read: (i) => cpu.read(i) };
        registerBackend('plain', () => plain, 0);
        registerBackend('other-cpu', () => new CpuBackend(), 0);
        try {
          setBackend('other-cpu');
          expect(fusedOptimizerStep('sgd', [tensor(W), g], { learningRate: 0.1, momentum: 0, nesterov: false })).toBeNull();
          setBackend('plain');
          const p = tensor(W);
          expect(fusedOptimizerStep('sgd', [p, p], { learningRate: 0.1, momentum: 0, nesterov: false })).toBeNull();
        } finally {
          setBackend(active);
          removeBackend('plain');
          removeBackend('other-cpu');
        }
      });

      it('names the problem on bad input', () => {
        const t = tensor(W);
        expect(() => fusedOptimizerStep('adam', [t, t, t], adam)).toThrow(/rule 'adam' .* takes 4 tensors \[w, g, \.\.\.slots\], got 3/);
        expect(() => fusedOptimizerStep('adam', [t, t, t, tensor([1, 2])], adam)).toThrow(/shape of w, \[3\], got \[2\]/);
        expect(() => fusedOptimizerStep('nope' as 'adam', [t, t, t, t], adam)).toThrow(/unknown rule 'nope'/);
        expect(() => fusedOptimizerStep('adam', [t, t, t, t], { ...adam, alpha: Number.NaN })).toThrow(/'alpha' of rule 'adam' must be a finite number, got NaN/);
        expect(() => fusedOptimizerStep('adam', [t, t, t, t], adam, { donate: 'yes' as unknown as boolean })).toThrow(
          "fusedOptimizerStep: option 'donate' must be a boolean, got string",
        );
        expect(() => fusedOptimizerStep('adam', [t, t, t, t], adam, null as unknown as object)).toThrow('fusedOptimizerStep: options must be an object, got null');
      });

      it('refuses a released input before the backend sees it', () => {
        const w = tensor([1, 2, 3]);
        const g = tensor([1, 1, 1]);
        dispose(g);
        expect(() => fusedOptimizerStep('sgd', [w, g], { learningRate: 0.1, momentum: 0, nesterov: false })).toThrow(
          /^fusedOptimizerStep \(input 1\): this tensor's storage was released/,
        );
      });
    });
  });
}
