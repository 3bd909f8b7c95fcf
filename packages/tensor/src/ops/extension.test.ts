import { describe, expect, it } from 'vitest';
import type { Backend, TensorInfo } from '../backend.js';
import { CpuBackend } from '../cpu/backend.js';
import { dispose, getBackend, registerBackend, removeBackend, setBackend, withScope } from '../engine.js';
import { Tensor } from '../tensor.js';
import type { ExtensionKernelFallback } from '../extension-kernels.js';
import { tensor } from './convert.js';
import { runExtensionKernel } from './extension.js';

// Two extension kernels declared the way a package declares its own (this file's only).
declare module '../extension-kernels.js' {
  interface ExtensionKernelDefs {
    TestScale: { readonly factor: number };
    TestMissing: { readonly flag: boolean };
  }
}

type ScaleAttrs = { readonly factor: number };

/** A CPU backend whose TestScale extension kernel records its calls and multiplies x by `factor` (or declines when told). */
function recordingBackend(name: string): { backend: Backend; calls: { inputs: number; attrs: ScaleAttrs; donated?: number[] }[]; decline: { on: boolean } } {
  const cpu = new CpuBackend();
  const calls: { inputs: number; attrs: ScaleAttrs; donated?: number[] }[] = [];
  const decline = { on: false };
  const backend: Backend = {
    name,
    kernels: cpu.kernels,
    write: (v, s, d) => cpu.write(v, s, d),
    read: (i) => cpu.read(i),
    extensionKernels: {
      TestScale: (inputs: readonly TensorInfo[], attrs: ScaleAttrs, donated: ReadonlySet<number>) => {
        calls.push(donated.size > 0 ? { inputs: inputs.length, attrs, donated: [...donated] } : { inputs: inputs.length, attrs });
        if (decline.on) return null;
        return [cpu.kernels.Mul([inputs[0]!, cpu.write(new Float32Array([attrs.factor]), [], 'float32')], {})];
      },
    },
  };
  return { backend, calls, decline };
}

/** Run `fn` with `backend` registered and active as `name`; the backend active before is active again after. */
function usingBackend(name: string, backend: Backend, fn: () => void): void {
  const active = getBackend().name;
  registerBackend(name, () => backend, 0);
  try {
    setBackend(name);
    fn();
  } finally {
    setBackend(active);
    removeBackend(name);
  }
}

describe('runExtensionKernel', () => {
  it('dispatches to the active backend table with the typed attrs; outputs belong to the scope', () => {
    const { backend, calls, decline } = recordingBackend('ext-recording');
    usingBackend('ext-recording', backend, () => {
      const w = tensor([1, -2, 3]);
      const g = tensor([0, 0, 0]);
      const attrs = { factor: 2 };
      let inner: number[] = [];
      const kept = withScope(() => {
        const out = runExtensionKernel('TestScale', [w, g], attrs)!;
        inner = Array.from(out[0]!.dataSync());
        return out[0]!;
      });
      expect(inner).toEqual([2, -4, 6]);
      expect(Array.from(kept.dataSync())).toEqual([2, -4, 6]);
      expect(calls).toEqual([{ inputs: 2, attrs }]);
      // A backend that lacks the kernel, or declines these inputs: null, and the caller takes its op path.
      expect(runExtensionKernel('TestMissing', [w, g], { flag: true })).toBeNull();
      decline.on = true;
      expect(runExtensionKernel('TestScale', [w, g], attrs)).toBeNull();
      expect(calls).toHaveLength(2);
      // Extension kernels never move data: an input made on another backend gives null without a call.
      setBackend('cpu');
      const elsewhere = tensor([1, 2, 3]);
      setBackend('ext-recording');
      expect(runExtensionKernel('TestScale', [w, elsewhere], attrs)).toBeNull();
      expect(calls).toHaveLength(2);
      // A released input is refused by name before the backend is reached.
      dispose(g);
      expect(() => runExtensionKernel('TestScale', [w, g], attrs)).toThrow(/^TestScale \(input 1\): this tensor's storage was released/);
      expect(calls).toHaveLength(2);
    });
  });

  it('runs the fallback only where the backend has no kernel of that name, with the backend to read from and write to', () => {
    const { backend, calls } = recordingBackend('ext-fallback');
    const seen: { backend: string; inputs: number; flag: boolean }[] = [];
    // Negates the first input through the backend's own storage calls.
    const negate: ExtensionKernelFallback<{ readonly flag: boolean }> = (b, inputs, attrs) => {
      seen.push({ backend: b.name, inputs: inputs.length, flag: attrs.flag });
      if (!attrs.flag) return null;
      const x = b.read(inputs[0]!);
      return [b.write(x.map((v) => -v), inputs[0]!.shape, 'float32')];
    };
    usingBackend('ext-fallback', backend, () => {
      const x = tensor([1, -2, 3]);
      let inner: number[] = [];
      const kept = withScope(() => {
        const out = runExtensionKernel('TestMissing', [x], { flag: true }, negate)!;
        inner = Array.from(out[0]!.dataSync());
        return out[0]!;
      });
      expect(inner).toEqual([-1, 2, -3]);
      expect(Array.from(kept.dataSync())).toEqual([-1, 2, -3]);
      expect(seen).toEqual([{ backend: 'ext-fallback', inputs: 1, flag: true }]);
      // A fallback that declines gives null; the inputs were not written.
      expect(runExtensionKernel('TestMissing', [x], { flag: false }, negate)).toBeNull();
      expect(Array.from(x.dataSync())).toEqual([1, -2, 3]);
      // The backend's own kernel wins over the fallback.
      const scaled = runExtensionKernel('TestScale', [x], { factor: 3 }, () => {
        throw new Error('the fallback must not run');
      })!;
      expect(Array.from(scaled[0]!.dataSync())).toEqual([3, -6, 9]);
      expect(calls).toHaveLength(1);
      // Inputs on another backend: null before the fallback runs.
      setBackend('cpu');
      const elsewhere = tensor([1, 2, 3]);
      setBackend('ext-fallback');
      expect(runExtensionKernel('TestMissing', [elsewhere], { flag: true }, negate)).toBeNull();
      expect(seen).toHaveLength(2);
    });
  });

  it("passes the donated inputs that hold their storage (not a borrowing alias) and refuses a bad 'donate' by name", () => {
    const { backend, calls } = recordingBackend('ext-donate');
    usingBackend('ext-donate', backend, () => {
      const w = tensor([1, 2]);
      const g = tensor([3, 4]);
      const borrowed = new Tensor(w, w.backend);
      runExtensionKernel('TestScale', [w, g, borrowed], { factor: 1 }, undefined, { donate: [0, 2] });
      runExtensionKernel('TestScale', [w, g], { factor: 1 }, undefined, { donate: [] });
      runExtensionKernel('TestScale', [w, g], { factor: 1 });
      expect(calls).toEqual([
        { inputs: 3, attrs: { factor: 1 }, donated: [0] },
        { inputs: 2, attrs: { factor: 1 } },
        { inputs: 2, attrs: { factor: 1 } },
      ]);
      const run = (donate: unknown) => () => runExtensionKernel('TestScale', [w, g], { factor: 1 }, undefined, { donate: donate as number[] });
      expect(run([2])).toThrow("TestScale: option 'donate' must hold input indices in [0, 2), got 2");
      expect(run([0.5])).toThrow("TestScale: option 'donate' must hold input indices in [0, 2), got 0.5");
      expect(run([-1])).toThrow(/got -1$/);
      expect(run([1, 1])).toThrow("TestScale: option 'donate' names input 1 twice");
      expect(run(1)).toThrow("TestScale: option 'donate' must be an array of input indices, got number");
      expect(calls).toHaveLength(3);
    });
  });
});
