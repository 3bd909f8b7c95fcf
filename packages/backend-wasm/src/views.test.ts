import type { Tensor } from '@descent/tensor';
import { add, dispose, runExtensionKernel, setBackend, slice, tensor, withScope } from '@descent/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { getWasmBackend, wasmMemoryInfo } from './index.js';
import type { WasmData } from './data.js';

beforeAll(() => setBackend('wasm'));

const data = (t: Tensor): WasmData => t.dataId as WasmData;

/** [rows, cols] with x[r][c] = r * cols + c. */
function grid(rows: number, cols: number): Tensor {
  return tensor(Float32Array.from({ length: rows * cols }, (_, i) => i), [rows, cols]);
}

/** The values x[r0..r0+rows) as `grid` made them. */
function rowsOf(r0: number, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => r0 * cols + i);
}

describe('contiguous slices are views of their base', () => {
  it('a batch of rows inside a scope reads the base without a copy; columns and small slices are copied', () => {
    const x = grid(100, 64);
    withScope(() => {
      const before = wasmMemoryInfo().bytesInUse;
      const rows = slice(x, [10, 0], [32, 64]);
      expect(data(rows).base).toBe(data(x));
      expect(wasmMemoryInfo().bytesInUse).toBe(before);
      expect(rows.dataSync()).toEqual(rowsOf(10, 32, 64));
      // A view of a view reads the same base.
      const inner = slice(rows, [4, 0], [20, 64]);
      expect(data(inner).base).toBe(data(x));
      expect(inner.dataSync()).toEqual(rowsOf(14, 20, 64));
      // Kernels read through the offset.
      expect(add(inner, 1).dataSync()).toEqual(rowsOf(14, 20, 64).map((v) => v + 1));
      // Not one run of memory, or under 1,024 elements: a copy.
      const cols = slice(x, [0, 8], [100, 32]);
      expect(data(cols).base).toBeNull();
      expect(Array.from(cols.dataSync().subarray(0, 3))).toEqual([8, 9, 10]);
      expect(data(slice(x, [3, 0], [2, 64])).base).toBeNull();
    });
    dispose(x);
  });

  it('a view that leaves the scope takes a copy of its own, so its base can be freed', () => {
    const x = grid(200, 64);
    const blocks = wasmMemoryInfo().blocksInUse;
    const kept = withScope(() => slice(x, [50, 0], [100, 64]));
    expect(data(kept).base).toBeNull();
    expect(data(x).views).toBe(0);
    expect(wasmMemoryInfo().blocksInUse).toBe(blocks + 1);
    dispose(x);
    expect(wasmMemoryInfo().blocksInUse).toBe(blocks);
    expect(kept.dataSync()).toEqual(rowsOf(50, 100, 64));
    dispose(kept);
  });

  it('a base disposed while a view lives stays until the view goes; it is never evicted under a view', () => {
    const backend = getWasmBackend();
    const x = grid(200, 64);
    const blocks = wasmMemoryInfo().blocksInUse;
    withScope(() => {
      const v = slice(x, [100, 0], [50, 64]);
      expect(backend.evictData(x.dataId)).toBe(false);
      dispose(x);
      expect(wasmMemoryInfo().blocksInUse).toBe(blocks);
      expect(v.dataSync()).toEqual(rowsOf(100, 50, 64));
    });
    // The scope released the view, the view its hold on the base: the base's block is free.
    expect(wasmMemoryInfo().blocksInUse).toBe(blocks - 1);
  });

  it('a base with no view left is evicted and restored as usual', () => {
    const backend = getWasmBackend();
    const x = grid(100, 64);
    withScope(() => void slice(x, [0, 0], [50, 64]));
    expect(data(x).views).toBe(0);
    expect(backend.evictData(x.dataId)).toBe(true);
    expect(withScope(() => slice(x, [20, 0], [30, 64]).dataSync())).toEqual(rowsOf(20, 30, 64));
    dispose(x);
  });

  it('an optimizer update never writes in place over a view or over storage a view reads', () => {
    const x = grid(64, 32);
    const hyper = { learningRate: 0.5, momentum: 0, nesterov: false };
    withScope(() => {
      const w = slice(x, [0, 0], [32, 32]);
      const g = add(w, 0);
      const [viewOut] = runExtensionKernel('SGDUpdate' as never, [w, g], hyper as never, undefined, { donate: [0] })!;
      expect(viewOut!.dataId).not.toBe(w.dataId);
      const other = slice(x, [32, 0], [32, 32]);
      const [baseOut] = runExtensionKernel('SGDUpdate' as never, [x, add(x, 0)], hyper as never, undefined, { donate: [0] })!;
      expect(baseOut!.dataId).not.toBe(x.dataId);
      expect(other.dataSync()).toEqual(rowsOf(32, 32, 32));
      expect(viewOut!.dataSync()).toEqual(rowsOf(0, 32, 32).map((v) => v - 0.5 * v));
    });
    expect(x.dataSync()).toEqual(rowsOf(0, 64, 32));
    dispose(x);
  });
});
