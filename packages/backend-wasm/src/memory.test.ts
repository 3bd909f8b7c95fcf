import { stopGradient, variable, variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { Tensor as TensorClass, add, dispose, endScope, keep, trackTensor, logSoftmax, matMul, mean, mul, randomNormal, relu, scopeDepth, startScope, sub, sum, tensor, withScope } from '@descent/tensor';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { wasmMemoryInfo } from './index.js';

// A callable gc without --expose-gc: turn the flag on, then fetch gc from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function inUse(): number {
  return wasmMemoryInfo().bytesInUse;
}

describe('step scopes', () => {
  it('release every intermediate of a training step: memory stays flat over 3000 steps', () => {
    const w1 = variable(randomNormal([32, 64], 0, 0.2, 'float32', 1));
    const b1 = variable(tensor(new Float32Array(64)));
    const w2 = variable(randomNormal([64, 10], 0, 0.2, 'float32', 2));
    const x = randomNormal([16, 32], 0, 1, 'float32', 3);
    const labels = tensor(Array.from({ length: 16 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i % 10 === j ? 1 : 0))));
    // Adam-like first moments: long-lived state that is not a Variable, so it must be kept.
    const moments = new Map([w1, b1, w2].map((v) => [v, keep(tensor(new Float32Array(v.size), v.shape))]));
    const step = (): number =>
      withScope(() => {
        const { value, grads } = variableGrads(() =>
          mean(sum(mul(labels, logSoftmax(matMul(relu(add(matMul(x, w1), b1)), w2))), 1)).neg(),
        );
        for (const [v, g] of grads) {
          const m = keep(add(mul(moments.get(v)!, 0.9), mul(g!, 0.1)));
          dispose(moments.get(v)!);
          moments.set(v, m);
          v.assign(sub(v, mul(m, 0.05)));
        }
        return value.item();
      });
    const first = step();
    for (let i = 0; i < 50; i++) step();
    const before = wasmMemoryInfo();
    let last = first;
    for (let i = 0; i < 3000; i++) last = step();
    const after = wasmMemoryInfo();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.bytesReserved).toBe(before.bytesReserved);
    // It trained: the loss went down, so every step read live values.
    expect(last).toBeLessThan(first * 0.5);
    expect(scopeDepth()).toBe(0);
    // Leave nothing loose behind: the next tests count bytes exactly, and a loose tensor left unused
    // would be evicted (moved to host memory) in the middle of them.
    dispose([x, labels, w1, b1, w2, [...moments.values()]]);
  });

  it('returned and kept tensors survive; the rest is freed and reading it throws a clear error', () => {
    const base = inUse();
    let inner: Tensor | null = null;
    let kept: Tensor | null = null;
    const out = withScope(() => {
      const a = tensor([1, 2, 3]);
      inner = mul(a, 2);
      kept = keep(add(a, 1));
      return { result: [add(inner, 1)] };
    });
    expect(out.result[0]!.dataSync()).toEqual(new Float32Array([3, 5, 7]));
    expect(kept!.dataSync()).toEqual(new Float32Array([2, 3, 4]));
    expect(() => inner!.dataSync()).toThrow(/storage was released.*keep\(\)/);
    expect(() => withScope(() => add(inner!, 1))).toThrow(/storage was released/);
    dispose([out.result[0], kept]);
    expect(inUse()).toBe(base);
  });

  it('nested scopes hand results to the enclosing scope', () => {
    const base = inUse();
    startScope();
    const y = withScope(() => mul(tensor([1, 2]), 3));
    expect(inUse()).toBeGreaterThan(base);
    endScope();
    expect(inUse()).toBe(base);
    expect(() => y.dataSync()).toThrow(/released/);
  });

  it('storage shared by a no-copy reshape lives until its last holder is released', () => {
    const base = inUse();
    const outer = withScope(() => {
      const a = tensor([1, 2, 3, 4]);
      const r = a.reshape([2, 2]);
      dispose(a);
      // `a` is gone but `r` still holds the block.
      expect(r.dataSync()).toEqual(new Float32Array([1, 2, 3, 4]));
      return r;
    });
    expect(outer.toArray()).toEqual([[1, 2], [3, 4]]);
    dispose(outer);
    expect(inUse()).toBe(base);
  });

  it('a Variable keeps storage made inside a scope, and assign frees the value it replaces', () => {
    const v = withScope(() => variable(mul(tensor([1, 2, 3]), 2)));
    expect(v.dataSync()).toEqual(new Float32Array([2, 4, 6]));
    const base = inUse();
    for (let i = 0; i < 20; i++) withScope(() => v.assign(add(v, 1)));
    expect(v.dataSync()).toEqual(new Float32Array([22, 24, 26]));
    expect(inUse()).toBe(base);
    // Assigning a variable's own value to it must not free it.
    v.assign(v);
    expect(v.dataSync()).toEqual(new Float32Array([22, 24, 26]));
  });

  it('aliases built around existing storage survive when returned or tracked', () => {
    const base = inUse();
    // stopGradient builds a second Tensor on the same storage; returning it makes the scope count it.
    const alias = withScope(() => stopGradient(mul(tensor([1, 2, 3]), 2)));
    expect(alias.dataSync()).toEqual(new Float32Array([2, 4, 6]));
    dispose(alias);
    expect(inUse()).toBe(base);
    // A tracked alias belongs to the scope and holds the storage by itself.
    const kept = withScope(() => {
      const src = mul(tensor([1, 2]), 3);
      const view = trackTensor(new TensorClass(src, src.backend));
      dispose(src);
      return keep(view);
    });
    expect(kept.dataSync()).toEqual(new Float32Array([3, 6]));
    dispose(kept);
    expect(inUse()).toBe(base);
  });

  it('a scope whose function throws releases what it made', () => {
    const base = inUse();
    expect(() =>
      withScope(() => {
        add(tensor([1, 2]), 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(inUse()).toBe(base);
    expect(scopeDepth()).toBe(0);
    expect(() => endScope()).toThrow(/no scope is open/);
  });
});

describe('tensors dropped without a scope', () => {
  it('loose ones left idle when a loop ends are evicted by the work that follows', () => {
    const before = wasmMemoryInfo();
    (() => {
      for (let i = 0; i < 200; i++) add(tensor(new Float32Array(1000)), 1);
    })();
    // The last few dozen are still resident: nothing has run since they went idle.
    expect(wasmMemoryInfo().blocksInUse).toBeGreaterThan(before.blocksInUse);
    // Later work (here 200 scoped kernels) lets the engine evict them too.
    withScope(() => {
      let a = tensor(new Float32Array(1024));
      for (let i = 0; i < 200; i++) a = add(a, 1);
    });
    const after = wasmMemoryInfo();
    expect(after.blocksInUse).toBeLessThanOrEqual(before.blocksInUse);
    expect(after.evicted - before.evicted).toBeGreaterThanOrEqual(400);
  });

  it('the FinalizationRegistry frees the storage of kept tensors the collector took (Variables of a dropped model)', async () => {
    const before = wasmMemoryInfo();
    (() => {
      // As a layer builds its weights: the initial value is made in the call's scope, so only the
      // Variable holds the storage afterwards.
      for (let i = 0; i < 50; i++) withScope(() => variable(tensor(new Float32Array(1000))));
    })();
    expect(wasmMemoryInfo().blocksInUse).toBeGreaterThanOrEqual(before.blocksInUse + 50);
    // Finalizers run on later turns after a collection.
    for (let i = 0; i < 10 && wasmMemoryInfo().blocksInUse > before.blocksInUse; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const after = wasmMemoryInfo();
    expect(after.blocksInUse).toBeLessThanOrEqual(before.blocksInUse);
    expect(after.collectedByGc - before.collectedByGc).toBeGreaterThanOrEqual(50);
  });

  it('registers with the FinalizationRegistry only storage that leaves every scope (a kept, returned or loose tensor)', () => {
    const tracked = (t: Tensor): boolean => (t.dataId as { tracked: boolean }).tracked;
    let inside = true;
    let keptTracked = false;
    const survivor = withScope(() => {
      const scoped = add(tensor(new Float32Array(300)), 1);
      const kept = keep(mul(scoped, 2));
      inside = tracked(scoped);
      keptTracked = tracked(kept);
      dispose(kept);
      return mul(scoped, 3);
    });
    // Made and released inside the scope: never registered (the scope's end freed it); kept, or
    // returned to user code: registered, so the collector frees it if it is dropped unreleased (the
    // Variables of the test above).
    expect(inside).toBe(false);
    expect(keptTracked).toBe(true);
    expect(tracked(survivor)).toBe(true);
    expect(tracked(add(survivor, 1))).toBe(true);
  });
});
