import { variable } from '@descent/autograd';
import type { Variable } from '@descent/autograd';
import { wasmMemoryInfo } from '@descent/backend-wasm';
import type { Backend } from '@descent/tensor';
import { getBackend, randomNormal, registerBackend, removeBackend, setBackend, setKernelHook, tensor, withScope } from '@descent/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { get } from './registry.js';

/** The same backend without its fused update, so optimizers take the op path on it (the reference). */
function opPathOf(name: string): Backend {
  setBackend(name);
  const b = getBackend();
  const out: Backend = { name: `${name}-ops`, kernels: b.kernels, write: (v, s, d) => b.write(v, s, d), read: (i) => b.read(i) };
  return {
    ...out,
    ...(b.disposeData ? { disposeData: (id: object) => b.disposeData!(id) } : {}),
    ...(b.retainData ? { retainData: (id: object) => b.retainData!(id) } : {}),
  };
}

const BACKENDS = ['cpu', 'wasm'];
for (const name of BACKENDS) {
  const ops = opPathOf(name);
  registerBackend(ops.name, () => ops, 0);
}

afterAll(() => {
  setBackend('cpu');
  for (const name of BACKENDS) removeBackend(`${name}-ops`);
});

/** Fixed-seed values in [-1, 1) (an LCG), so every run checks the same data. */
function seeded(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed * 7919 + 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push((s / 2147483648) * 2 - 1);
  }
  return out;
}

// Sizes around the wasm 4-lane loop: tail only, one vector + tail, several vectors + tail, large.
const SIZES = [1, 7, 33, 1000];

/** Five steps of `config` on one variable per size; returns every value (variables, then optimizer state) and the kernels run. */
function train(backend: string, config: { className: string; config: Record<string, unknown> }): { values: number[][]; kernels: number } {
  setBackend(backend);
  const vars: Variable[] = SIZES.map((n, i) => variable(tensor(seeded(n, i + 1), [n]), { name: `w${n}` }));
  const opt: Optimizer = get(config);
  let kernels = 0;
  const prev = setKernelHook((record) => {
    kernels++;
    prev?.(record);
  });
  try {
    for (let step = 0; step < 5; step++) {
      const grads = vars.map((v, i) => tensor(seeded(v.size, 100 * step + i).map((x) => 3 * x), v.shape));
      withScope(() => opt.applyGradients(vars.map((v, i) => [grads[i]!, v] as const)));
    }
  } finally {
    setKernelHook(prev);
  }
  const state = opt.getWeights().slice(1);
  return { values: [...vars, ...state.map((s) => s.tensor)].map((t) => Array.from(t.dataSync())), kernels };
}

const CONFIGS: { className: string; config: Record<string, unknown> }[] = [
  { className: 'adam', config: { learningRate: 0.05 } },
  { className: 'adamw', config: { learningRate: 0.05, weightDecay: 0.1 } },
  { className: 'sgd', config: { learningRate: 0.1 } },
  { className: 'sgd', config: { learningRate: 0.1, momentum: 0.9 } },
  { className: 'sgd', config: { learningRate: 0.1, momentum: 0.9, nesterov: true } },
  { className: 'rmsprop', config: { learningRate: 0.01 } },
  { className: 'rmsprop', config: { learningRate: 0.01, momentum: 0.5 } },
  { className: 'rmsprop', config: { learningRate: 0.01, centered: true } },
  { className: 'rmsprop', config: { learningRate: 0.01, momentum: 0.5, centered: true, rho: 0.8 } },
  { className: 'adagrad', config: { learningRate: 0.1 } },
];

describe('fused optimizer updates equal the op path', () => {
  for (const backend of BACKENDS) {
    for (const c of CONFIGS) {
      it(`${backend}: ${c.className} ${JSON.stringify(c.config)} over 5 steps, sizes ${SIZES.join(', ')}`, () => {
        const reference = train(`${backend}-ops`, c);
        const fused = train(backend, c);
        // The fused path ran: the update's element-wise kernels are gone.
        expect(fused.kernels).toBeLessThan(reference.kernels);
        expect(fused.values).toHaveLength(reference.values.length);
        if (backend === 'wasm') {
          // Same float32 operations in the same order: identical.
          expect(fused.values).toEqual(reference.values);
        } else {
          // float64 intermediates, rounded once per stored value: the last bits differ.
          fused.values.forEach((row, i) => row.forEach((x, j) => expect(x, `value ${i}[${j}]`).toBeCloseTo(reference.values[i]![j]!, 5)));
        }
      });
    }
  }
});

describe('fused Adam through the optimizer', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: one step by the formula`, () => {
      setBackend(backend);
      const w = variable(tensor([1, -2, 0.5]), { name: 'w' });
      const g = [0.5, 4, -0.25];
      const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-7];
      const opt = new Adam({ learningRate: lr });
      opt.applyGradients([[tensor(g), w]]);
      const alpha = (lr * Math.sqrt(1 - b2)) / (1 - b1);
      const m = g.map((x) => (1 - b1) * x);
      const v = g.map((x) => (1 - b2) * x * x);
      const want = [1, -2, 0.5].map((x, i) => x - (alpha * m[i]!) / (Math.sqrt(v[i]!) + eps));
      Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 6));
      const state = opt.getWeights();
      Array.from(state[1]!.tensor.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(m[i]!, 6));
      Array.from(state[2]!.tensor.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(v[i]!, 8));
    });
  }

  it('wasm: the update overwrites the variable and its slots where nothing else holds them, never a tensor sharing the storage', () => {
    setBackend('wasm');
    const w = variable(tensor([0, 0, 0]), { name: 'w' });
    // The variable now shares `init`'s storage: the first step must leave `init` as it is.
    const init = tensor([1, -2, 0.5]);
    w.assign(init);
    const g = tensor([0.5, 4, -0.25]);
    const opt = new Adam({ learningRate: 0.1 });
    withScope(() => opt.applyGradients([[g, w]]));
    expect(Array.from(init.dataSync())).toEqual([1, -2, 0.5]);
    expect(w.dataId).not.toBe(init.dataId);
    // From the second step on the variable alone holds its storage: updated in place, slots too.
    const storage = w.dataId;
    const slotStorage = opt.getWeights().slice(1).map((s) => s.tensor.dataId);
    const before = Array.from(w.dataSync());
    withScope(() => opt.applyGradients([[g, w]]));
    expect(w.dataId).toBe(storage);
    expect(opt.getWeights().slice(1).map((s) => s.tensor.dataId)).toEqual(slotStorage);
    expect(Array.from(w.dataSync())).not.toEqual(before);
  });

  it('wasm: 500 Adam steps keep the wasm heap flat', () => {
    setBackend('wasm');
    const w = variable(randomNormal([33, 17], 0, 0.5, 'float32', 7), { name: 'w' });
    const b = variable(tensor(new Float32Array(17)), { name: 'b' });
    const x = randomNormal([8, 33], 0, 1, 'float32', 8);
    const opt = new Adam({ learningRate: 0.01 });
    const step = (): number => withScope(() => opt.minimize(() => x.matMul(w).add(b).square().mean()).item());
    const first = step();
    for (let i = 0; i < 10; i++) step();
    const before = wasmMemoryInfo();
    let last = first;
    for (let i = 0; i < 500; i++) last = step();
    const after = wasmMemoryInfo();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.bytesReserved).toBe(before.bytesReserved);
    // It trained, so every step read live state.
    expect(last).toBeLessThan(first * 0.5);
  });
});
