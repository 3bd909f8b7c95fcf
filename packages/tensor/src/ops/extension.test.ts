import { describe, expect, it } from 'vitest';
import type { Backend, TensorInfo } from '../backend.js';
import { CpuBackend } from '../cpu/backend.js';
import { dispose, getBackend, registerBackend, removeBackend, setBackend, withScope } from '../engine.js';
import type { OptimizerHyper } from '../extension-kernels.js';
import { tensor } from './convert.js';
import { runExtensionKernel } from './extension.js';

/** A CPU backend whose SGDUpdate extension kernel records its calls and doubles w (or declines when told). */
function recordingBackend(name: string): { backend: Backend; calls: { inputs: number; attrs: OptimizerHyper['sgd'] }[]; decline: { on: boolean } } {
  const cpu = new CpuBackend();
  const calls: { inputs: number; attrs: OptimizerHyper['sgd'] }[] = [];
  const decline = { on: false };
  const backend: Backend = {
    name,
    kernels: cpu.kernels,
    write: (v, s, d) => cpu.write(v, s, d),
    read: (i) => cpu.read(i),
    extensionKernels: {
      SGDUpdate: (inputs: readonly TensorInfo[], attrs) => {
        calls.push({ inputs: inputs.length, attrs });
        if (decline.on) return null;
        return [cpu.kernels.Mul([inputs[0]!, cpu.write(new Float32Array([2]), [], 'float32')], {})];
      },
    },
  };
  return { backend, calls, decline };
}

describe('runExtensionKernel', () => {
  it('dispatches to the active backend table with the typed attrs; outputs belong to the scope', () => {
    const active = getBackend().name;
    const { backend, calls, decline } = recordingBackend('ext-recording');
    registerBackend('ext-recording', () => backend, 0);
    try {
      setBackend('ext-recording');
      const w = tensor([1, -2, 3]);
      const g = tensor([0, 0, 0]);
      const attrs = { learningRate: 0.5, momentum: 0, nesterov: false };
      let inner: number[] = [];
      const kept = withScope(() => {
        const out = runExtensionKernel('SGDUpdate', [w, g], attrs)!;
        inner = Array.from(out[0]!.dataSync());
        return out[0]!;
      });
      expect(inner).toEqual([2, -4, 6]);
      expect(Array.from(kept.dataSync())).toEqual([2, -4, 6]);
      expect(calls).toEqual([{ inputs: 2, attrs }]);
      // A backend that lacks the kernel, or declines these inputs: null, and the caller takes its op path.
      expect(runExtensionKernel('AdamUpdate', [w, g, g, g], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 0.1 })).toBeNull();
      decline.on = true;
      expect(runExtensionKernel('SGDUpdate', [w, g], attrs)).toBeNull();
      expect(calls).toHaveLength(2);
      // Extension kernels never move data: an input made on another backend gives null without a call.
      setBackend('cpu');
      const elsewhere = tensor([1, 2, 3]);
      setBackend('ext-recording');
      expect(runExtensionKernel('SGDUpdate', [w, elsewhere], attrs)).toBeNull();
      expect(calls).toHaveLength(2);
      // A released input is refused by name before the backend is reached.
      dispose(g);
      expect(() => runExtensionKernel('SGDUpdate', [w, g], attrs)).toThrow(/^SGDUpdate \(input 1\): this tensor's storage was released/);
      expect(calls).toHaveLength(2);
    } finally {
      setBackend(active);
      removeBackend('ext-recording');
    }
  });
});
