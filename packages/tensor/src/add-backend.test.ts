import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, KernelTable, TensorInfo } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import type { DType, TypedArray } from './dtype.js';
import type { KernelName } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';
import { getBackend, registerBackend, removeBackend, setBackend } from './engine.js';
import { add, matMul, mul, relu, sum, tensor } from './index.js';
import type { Shape } from './shape.js';

// CONTRIBUTING.md's "Add a backend" walkthrough, done as it is written: a backend with storage of its
// own, every kernel bridged to the CPU reference (step 2), one kernel replaced by a native one (step 3),
// registered and selected (step 4), checked against the CPU backend (step 5).

/** Step 1: the backend's own storage handle (a real backend keeps device memory here). */
class Block {
  constructor(readonly values: TypedArray) {}
}

class ExampleBackend implements Backend {
  readonly name = 'example';
  readonly bridged = new Map<KernelName, number>();
  nativeRelu = 0;
  private readonly cpu = new CpuBackend();
  readonly kernels: KernelTable;

  constructor() {
    // Step 2: every kernel through the CPU reference — copy in, run, copy out — and counted.
    const table: Record<string, unknown> = {};
    for (const name of KERNEL_NAMES) table[name] = this.bridge(name);
    // Step 3: a native kernel replaces its bridge.
    table.Relu = ([x]: readonly [TensorInfo]): TensorInfo => {
      this.nativeRelu++;
      const v = this.read(x);
      const out = new Float32Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = v[i]! > 0 || v[i]! !== v[i]! ? v[i]! : 0; // NaN stays NaN
      return this.write(out, x.shape, x.dtype);
    };
    this.kernels = table as unknown as KernelTable;
  }

  write(values: TypedArray, shape: Shape, dtype: DType): TensorInfo {
    return { dataId: new Block(values), shape, dtype };
  }

  read(info: TensorInfo): TypedArray {
    return (info.dataId as Block).values.slice();
  }

  private bridge(name: KernelName) {
    const cpuKernel = this.cpu.kernels[name] as (inputs: readonly TensorInfo[], attrs: unknown) => TensorInfo;
    return (inputs: readonly TensorInfo[], attrs: unknown): TensorInfo => {
      this.bridged.set(name, (this.bridged.get(name) ?? 0) + 1);
      const out = cpuKernel(inputs.map((t) => this.cpu.write(this.read(t), t.shape, t.dtype)), attrs);
      return this.write(this.cpu.read(out), out.shape, out.dtype);
    };
  }
}

function step(): number[] {
  const x = tensor([[1, -2, 3], [-4, 5, -6]]);
  const w = tensor([[0.5, -1], [2, 0.25], [-0.75, 1.5]]);
  return Array.from(sum(mul(relu(add(matMul(x, w), 0.5)), 2), 0).dataSync());
}

afterAll(() => {
  removeBackend('example');
  setBackend('cpu');
});

describe('CONTRIBUTING.md: add a backend', () => {
  it('a backend registered and selected by name computes what the CPU reference computes, through its native and bridged kernels', () => {
    setBackend('cpu');
    const expected = step();
    // Step 4: register (a priority below the CPU's, so only an explicit setBackend picks it) and select.
    const made = new ExampleBackend();
    registerBackend('example', () => made, 0);
    setBackend('example');
    expect(getBackend().name).toBe('example');
    // Step 5: the same results as the reference, and the counts say which path ran.
    expect(step()).toEqual(expected);
    expect(made.nativeRelu).toBe(1);
    expect(made.bridged.get('MatMul')).toBe(1);
    expect(made.bridged.has('Relu')).toBe(false);
  });
});
