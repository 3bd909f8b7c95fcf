import { variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, dispose, eye, getBackend, makeTensor, tensor, withScope, zeros } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { wasmMemoryInfo } from './index.js';
import { seeded } from './test-utils/compare.js';

/**
 * Run enough scoped kernels (whose outputs are freed, so never watched) that every loose tensor made
 * before has gone stale: the engine evicts after 64 kernels without use and once twice a tensor's
 * size was allocated since (each kernel here allocates 4 KiB).
 */
function idle(): void {
  withScope(() => {
    let a = makeTensor(new Float32Array(1024), [1024], 'float32');
    for (let i = 0; i < 160; i++) a = add(a, 1);
  });
}

describe('eviction of loose tensors to host memory', () => {
  it('runs on the wasm backend', () => {
    expect(getBackend().name).toBe('wasm');
  });

  it('frees the wasm block of an idle tensor and keeps its values exact, in every dtype', () => {
    const values = seeded(3000, 7, -100, 100);
    const f = makeTensor(values.slice(), [30, 100], 'float32');
    const i = makeTensor(Int32Array.from(values, (v) => Math.round(v * 1000)), [3000], 'int32');
    const b = makeTensor(Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)), [3000], 'bool');
    const before = wasmMemoryInfo();
    idle();
    const after = wasmMemoryInfo();
    expect(after.evicted - before.evicted).toBeGreaterThanOrEqual(3);
    // The three blocks (12,000 + 12,000 + 3,000 bytes, in size classes) went back to the allocator.
    expect(before.bytesInUse - after.bytesInUse).toBeGreaterThanOrEqual(27000);
    // Read from the host copy, without moving back.
    expect(f.dataSync()).toEqual(values);
    expect(i.dataSync()).toEqual(Int32Array.from(values, (v) => Math.round(v * 1000)));
    expect(b.dataSync()).toEqual(Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)));
    expect(wasmMemoryInfo().restored).toBe(after.restored);
  });

  it('moves an evicted tensor back when a kernel reads it, with the same result as before', () => {
    const x = tensor(Array.from(seeded(500, 3)));
    const expected = add(x, 2).dataSync();
    idle();
    const evicted = wasmMemoryInfo();
    const y = add(x, 2);
    expect(wasmMemoryInfo().restored).toBeGreaterThan(evicted.restored);
    expect(y.dataSync()).toEqual(expected);
    // Reshapes share storage: the alias reads the restored values too.
    expect(x.reshape([20, 25]).dataSync()).toEqual(x.dataSync());
  });

  it('keeps a Variable right when the loose tensor it was assigned from is evicted', () => {
    const start = tensor([1, 2, 3]);
    const v = variable(tensor([0, 0, 0]));
    v.assign(start); // v now shares start's storage
    idle(); // start is idle, so its (shared) storage is moved out
    expect(v.dataSync()).toEqual(new Float32Array([1, 2, 3]));
    v.assign(add(v, 1)); // reading v moves the storage back
    expect(v.dataSync()).toEqual(new Float32Array([2, 3, 4]));
    expect(start.dataSync()).toEqual(new Float32Array([1, 2, 3]));
    dispose(v);
  });

  it('lets the garbage collector take evicted host copies during a synchronous loop', () => {
    // 400 steps each leaving 1 MiB of loose garbage: all of it is evicted to host copies, which must
    // be collectable while the loop runs (a WeakRef to the tensors, for example, would keep every
    // one alive until the loop's job ends: 400 MiB).
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const x = makeTensor(new Float32Array(262144), [512, 512], 'float32');
    for (let i = 0; i < 400; i++) {
      add(x, i);
      if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    expect(peak).toBeLessThan(200 * 2 ** 20);
    expect(wasmMemoryInfo().evicted).toBeGreaterThan(300);
  });

  it('drops the host copy on dispose: the tensor then reads as released', () => {
    const t: Tensor = tensor([5, 6, 7]);
    idle();
    expect(t.dataSync()).toEqual(new Float32Array([5, 6, 7]));
    dispose(t);
    expect(() => t.dataSync()).toThrow(/storage was released/);
    expect(() => add(t, 1)).toThrow(/storage was released/);
  });
});

describe('tensors larger than the wasm memory can hold', () => {
  it('are refused before any allocation, naming the op (the limit is the largest allocator block)', () => {
    const before = wasmMemoryInfo().bytesInUse;
    expect(getBackend().maxBytes).toBe(7 * 2 ** 28);
    // 2e9 bytes: below 2 GiB, but no block of the 2 GiB memory can hold it.
    expect(() => eye(2, 1e9, 'bool')).toThrow(/^eye: shape \[2,1000000000\] of bool needs 2000000000 bytes .*more than the 1879048192 bytes the wasm backend allows per tensor/);
    expect(() => zeros([1e9])).toThrow(/^zeros: /);
    expect(wasmMemoryInfo().bytesInUse).toBe(before);
  });
});
