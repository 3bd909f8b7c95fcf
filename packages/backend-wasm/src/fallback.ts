import type { Backend, KernelName, KernelTable, TensorInfo } from '@descent/tensor';
import { CpuBackend } from '@descent/tensor';

type AnyKernel = (inputs: readonly TensorInfo[], attrs: object) => TensorInfo;

/**
 * Runs a kernel on the CPU backend: copy the inputs out of wasm memory, run the reference kernel,
 * copy the result back in. Used for rare kernels and dtypes; every call is counted so the bench can
 * show how often it happens.
 */
export class Fallback {
  readonly counts = new Map<string, number>();
  private readonly cpu = new CpuBackend();

  constructor(private readonly wasm: Pick<Backend, 'read' | 'write'>) {}

  kernel<K extends KernelName>(name: K): (inputs: readonly TensorInfo[], attrs: object) => TensorInfo {
    const impl = this.cpu.kernels[name] as unknown as AnyKernel;
    return (inputs, attrs) => {
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      const moved = inputs.map((t) => this.cpu.write(this.wasm.read(t), t.shape, t.dtype));
      const result = impl(moved, attrs);
      return this.wasm.write(this.cpu.read(result), result.shape, result.dtype);
    };
  }

  /** A whole-kernel fallback typed as the table entry. */
  entry<K extends KernelName>(name: K): KernelTable[K] {
    return this.kernel(name);
  }
}
