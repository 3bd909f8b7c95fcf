import { afterAll, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from './cpu/backend.js';
import { getBackend, listBackends, ready, registerBackend, registerBackendLoading, removeBackend, setBackend, tensor } from './index.js';

// The engine's backend choice when backends arrive late (a browser fetching wasm) or fail to start.
// The test matrix's setup chose a backend with setBackend; each case below starts from an engine
// where nothing was chosen yet, by removing what was registered and registering named CPU backends.

/** A CPU backend under another name. */
function named(tag: string): CpuBackend {
  return Object.defineProperty(new CpuBackend(), 'name', { value: tag });
}

function reset(): void {
  for (const name of listBackends()) removeBackend(name);
}

// Each test file runs in a fresh module graph; still, leave the CPU backend registered.
afterAll(() => {
  reset();
  registerBackend('cpu', () => new CpuBackend(), 1);
});

describe('backend choice', () => {
  it('a higher-priority backend registered after the default was picked takes over; older tensors move on first use', () => {
    reset();
    registerBackend('slow', () => named('slow'), 1);
    const a = tensor([1, 2, 3]);
    expect(getBackend().name).toBe('slow');
    registerBackend('fast', () => named('fast'), 2);
    expect(getBackend().name).toBe('fast');
    const b = a.add(1);
    expect(b.backend.name).toBe('fast');
    expect(a.backend.name).toBe('fast');
    expect([...b.dataSync()]).toEqual([2, 3, 4]);
  });

  it('a lower-priority backend registered later does not take over', () => {
    reset();
    registerBackend('fast', () => named('fast'), 2);
    expect(getBackend().name).toBe('fast');
    registerBackend('slow', () => named('slow'), 1);
    expect(getBackend().name).toBe('fast');
  });

  it('a backend chosen with setBackend stays chosen when a better one registers later', () => {
    reset();
    registerBackend('slow', () => named('slow'), 1);
    setBackend('slow');
    registerBackend('fast', () => named('fast'), 2);
    expect(getBackend().name).toBe('slow');
  });

  it('ready() waits for backends still loading, resolves to the backend in use, and survives a failed load', async () => {
    reset();
    registerBackend('slow', () => named('slow'), 1);
    let finish!: () => void;
    const loading = new Promise<void>((resolve) => (finish = resolve));
    registerBackendLoading('fast', loading.then(() => registerBackend('fast', () => named('fast'), 2)));
    let resolved: string | null = null;
    const waiting = ready().then((name) => (resolved = name));
    await Promise.resolve();
    expect(resolved).toBeNull();
    finish();
    await waiting;
    expect(resolved).toBe('fast');

    registerBackendLoading('broken', Promise.reject(new Error('404')));
    await expect(ready()).resolves.toBe('fast');
  });

  it('a backend whose factory fails when picked by default is skipped with one warning naming it and why', () => {
    reset();
    registerBackend('slow', () => named('slow'), 1);
    registerBackend('broken', () => {
      throw new Error('cannot read kernels.wasm');
    }, 2);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(getBackend().name).toBe('slow');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/backend 'broken' failed to start.*cannot read kernels\.wasm/);
      expect(listBackends()).not.toContain('broken');
      expect([...tensor([1, 2]).mul(2).dataSync()]).toEqual([2, 4]);
    } finally {
      warn.mockRestore();
    }
  });

  it('setBackend of a backend whose factory fails throws its error', () => {
    reset();
    registerBackend('slow', () => named('slow'), 1);
    registerBackend('broken', () => {
      throw new Error('cannot read kernels.wasm');
    }, 2);
    expect(() => setBackend('broken')).toThrow(/cannot read kernels\.wasm/);
  });
});
