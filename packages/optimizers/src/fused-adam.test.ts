import { variable } from '@descent/autograd';
import type { Backend } from '@descent/tensor';
import { CpuBackend, registerBackend, removeBackend, setBackend, tensor } from '@descent/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { fusedAdamStep } from './fused-adam.js';

/** The CPU kernels behind a backend that is not a CpuBackend, so optimizers take the op path on it. */
function opPathBackend(): Backend {
  const cpu = new CpuBackend();
  return { name: 'op-path', kernels: cpu.kernels, write: (v, s, d) => cpu.write(v, s, d), read: (i) => cpu.read(i) };
}

afterEach(() => {
  setBackend('cpu');
  removeBackend('op-path');
});

const W = [0.5, -1.2, 0.8, 1.5, -0.3, 0.9, 0.02, -2.5];
const B = [0.1, -0.7, 2.0, 1e-4];

/** Five Adam steps on a small quadratic-ish loss; returns the variables and every slot. */
function train(backend: string): number[][] {
  setBackend(backend);
  const w = variable(tensor(W, [2, 4]), { name: 'w' });
  const b = variable(tensor(B, [4]), { name: 'b' });
  const opt = new Adam({ learningRate: 0.05 });
  const c = tensor([[1, -2, 0.5, 3]]);
  for (let i = 0; i < 5; i++) opt.minimize(() => w.mul(c).add(b).square().sum().add(w.sum().mul(b.sum())));
  return [w, b, ...opt.getWeights().slice(1).map((s) => s.tensor)].map((t) => Array.from(t.dataSync()));
}

describe('fused Adam on the CPU backend', () => {
  it('matches the op path (another backend) step for step', () => {
    registerBackend('op-path', opPathBackend, 0);
    const opPath = train('op-path');
    const fused = train('cpu');
    expect(fused).toHaveLength(opPath.length);
    fused.forEach((values, i) => {
      values.forEach((x, j) => expect(x).toBeCloseTo(opPath[i]![j]!, 5));
    });
  });

  it('computes one step by the formula', () => {
    setBackend('cpu');
    const [b1, b2, eps, alpha] = [0.9, 0.999, 1e-7, 0.01];
    const out = fusedAdamStep(tensor([1, -2]), tensor([0.5, 4]), tensor([0.1, 0]), tensor([0.2, 1]), b1, b2, eps, alpha)!;
    const m = [0.1 + (0.5 - 0.1) * 0.1, 0 + (4 - 0) * 0.1];
    const v = [0.2 + (0.25 - 0.2) * 0.001, 1 + (16 - 1) * 0.001];
    const w = [1 - (m[0]! * alpha) / (Math.sqrt(v[0]!) + eps), -2 - (m[1]! * alpha) / (Math.sqrt(v[1]!) + eps)];
    [out.m, out.v, out.w].forEach((t, k) => {
      const want = [m, v, w][k]!;
      Array.from(t.dataSync()).forEach((x, j) => expect(x).toBeCloseTo(want[j]!, 6));
    });
  });

  it('declines tensors that are not on the active CPU backend', () => {
    registerBackend('op-path', opPathBackend, 0);
    setBackend('op-path');
    const t = tensor([1, 2]);
    expect(fusedAdamStep(t, t, t, t, 0.9, 0.999, 1e-7, 0.01)).toBeNull();
  });
});
