import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CpuBackend } from './cpu/backend.js';
import {
  add,
  dispose,
  engineMemoryInfo,
  getBackend,
  keep,
  mul,
  registerBackend,
  removeBackend,
  scopeDepth,
  setBackend,
  tensor,
  withScope,
  zeros,
} from './index.js';

/** The CPU backend plus an `evictData` that only records what the engine asked to evict. */
class RecordingBackend extends CpuBackend {
  readonly evicted: object[] = [];
  evictData(dataId: object): void {
    this.evicted.push(dataId);
  }
}

// The engine's policy constants (engine.ts): a loose tensor is stale after AGE kernels without use,
// provided at least twice its size was allocated since; sweeps run every SWEEP_KERNELS kernels.
const AGE = 64;
const SWEEP_KERNELS = 16;

describe('loose tensors (made outside any scope) on a backend that can evict', () => {
  let backend: RecordingBackend;
  let previous: string;

  beforeEach(() => {
    previous = getBackend().name;
    backend = new RecordingBackend();
    registerBackend('recording', () => backend, 0);
    setBackend('recording');
  });

  afterEach(() => {
    setBackend(previous);
    removeBackend('recording');
  });

  /** Run `n` small kernels whose outputs are scoped (so they are never watched themselves). */
  const churn = (n: number): void => {
    withScope(() => {
      let a = tensor([1, 2, 3, 4]);
      for (let i = 0; i < n; i++) a = add(a, 1);
    });
  };

  it('evicts one left unused for a while, and never one used all along', () => {
    const idle = tensor([1, 2, 3]);
    let busy = tensor([0, 0, 0]);
    for (let i = 0; i < AGE + 2 * SWEEP_KERNELS; i++) busy = add(busy, 1);
    expect(backend.evicted).toContain(idle.dataId);
    // Each `busy` was read by the next kernel; the ones before the last went stale in turn, the last never.
    expect(backend.evicted).not.toContain(busy.dataId);
    expect(Array.from(busy.dataSync())).toEqual(Array(3).fill(AGE + 2 * SWEEP_KERNELS));
  });

  it('leaves scoped, kept and disposed tensors to their owners', () => {
    const kept = keep(tensor([1, 2]));
    const disposed = tensor([3, 4]);
    dispose(disposed);
    let inScope: object | null = null;
    withScope(() => {
      inScope = mul(tensor([5, 6]), 2).dataId;
      churn(AGE + 2 * SWEEP_KERNELS);
    });
    churn(AGE + 2 * SWEEP_KERNELS);
    expect(backend.evicted).not.toContain(kept.dataId);
    expect(backend.evicted).not.toContain(disposed.dataId);
    expect(backend.evicted).not.toContain(inScope);
    dispose(kept);
  });

  it('watches what the outermost scope returns: it is user code\'s from then on', () => {
    const out = withScope(() => add(tensor([1, 2]), 1));
    churn(AGE + 2 * SWEEP_KERNELS);
    expect(backend.evicted).toContain(out.dataId);
    // What an inner scope returns belongs to the enclosing scope, which frees it: never evicted.
    let inner: object | null = null;
    withScope(() => {
      inner = withScope(() => add(tensor([1, 2]), 1)).dataId;
      churn(AGE + 2 * SWEEP_KERNELS);
    });
    expect(backend.evicted).not.toContain(inner);
  });

  it('watches an evicted tensor again once it is used again', () => {
    const t = tensor([1, 2, 3]);
    churn(AGE + 2 * SWEEP_KERNELS);
    expect(backend.evicted.filter((d) => d === t.dataId)).toHaveLength(1);
    add(t, 1);
    churn(AGE + 2 * SWEEP_KERNELS);
    expect(backend.evicted.filter((d) => d === t.dataId)).toHaveLength(2);
  });

  it('keeps a large tensor until twice its size has been allocated since its last use', () => {
    const big = zeros([1024, 256]); // 1 MiB
    churn(4 * AGE); // many kernels, but only a few KiB allocated
    expect(backend.evicted).not.toContain(big.dataId);
    withScope(() => {
      for (let i = 0; i < 3; i++) zeros([1024, 256]);
    });
    churn(2 * SWEEP_KERNELS);
    expect(backend.evicted).toContain(big.dataId);
  });

  it('watches a loose tensor made on another backend once it moves here', () => {
    setBackend('cpu');
    const t = tensor([1, 2, 3]);
    setBackend('recording');
    expect(Array.from(add(t, 1).dataSync())).toEqual([2, 3, 4]); // moves t to this backend
    churn(AGE + 2 * SWEEP_KERNELS);
    expect(backend.evicted).toContain(t.dataId);
  });

  it('reports its state, and no scope stays open', () => {
    tensor([1]);
    const info = engineMemoryInfo();
    expect(info.scopes).toBe(0);
    expect(info.watched).toBeGreaterThan(0);
    expect(scopeDepth()).toBe(0);
  });
});

describe('withScope', () => {
  it('refuses an async function, releases what it made, and leaves no scope open', async () => {
    let made = tensor([0]);
    const run = (): unknown =>
      withScope(async () => {
        made = add(tensor([1]), 1);
        await Promise.resolve();
        return made;
      });
    expect(run).toThrow(/withScope: fn returned a Promise; scopes are synchronous/);
    expect(scopeDepth()).toBe(0);
    await Promise.resolve();
    expect(() => withScope(null as unknown as () => void)).toThrow(/withScope: expected a function, got null/);
  });
});

describe('a backend whose eviction fails', () => {
  it('keeps the tensor where it is and never fails the kernel that triggered the sweep', () => {
    class FailingBackend extends CpuBackend {
      tries = 0;
      evictData(): void {
        this.tries++;
        throw new RangeError('Array buffer allocation failed');
      }
    }
    const backend = new FailingBackend();
    const previous = getBackend().name;
    registerBackend('failing', () => backend, 0);
    setBackend('failing');
    try {
      const idle = tensor([1, 2, 3]);
      let a = tensor([0]);
      for (let i = 0; i < AGE + 4 * SWEEP_KERNELS; i++) a = add(a, 1);
      expect(backend.tries).toBeGreaterThan(1); // tried again at later sweeps
      expect(Array.from(idle.dataSync())).toEqual([1, 2, 3]);
      expect(a.item()).toBe(AGE + 4 * SWEEP_KERNELS);
    } finally {
      setBackend(previous);
      removeBackend('failing');
    }
  });
});
