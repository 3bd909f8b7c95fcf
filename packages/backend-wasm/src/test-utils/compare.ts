import type { Backend, DType, KernelName, Shape, TensorInfo, TypedArray } from '@descent/tensor';
import { CpuBackend } from '@descent/tensor';
import { seededFloats } from '@descent/test-utils';

/** Uniform floats in [lo, hi) from a fixed-seed generator (mulberry32), so every run checks the same data. */
export const seeded = seededFloats;

export interface InputSpec {
  shape: Shape;
  dtype?: DType;
  /** Value range for random data (floats; ints are floored). */
  range?: [number, number];
  /** Explicit values instead of random ones. */
  values?: readonly number[];
}

export interface KernelCase {
  kernel: KernelName;
  inputs: InputSpec[];
  attrs?: object;
  /** Relative and absolute tolerance for float outputs (default 2e-6 / 1e-6). */
  rtol?: number;
  atol?: number;
  label?: string;
}

function valuesFor(spec: InputSpec, seed: number): TypedArray {
  let n = 1;
  for (const d of spec.shape) n *= d;
  const dtype = spec.dtype ?? 'float32';
  const src = spec.values !== undefined ? Float32Array.from(spec.values) : seeded(n, seed, ...(spec.range ?? [-1, 1]));
  if (src.length !== n) throw new Error(`test case: ${src.length} values for shape [${spec.shape.join(',')}]`);
  if (dtype === 'float32') return src;
  if (dtype === 'int32') return Int32Array.from(src, (v) => Math.floor(v));
  return Uint8Array.from(src, (v) => (spec.values !== undefined ? (v !== 0 ? 1 : 0) : v > 0 ? 1 : 0));
}

export interface Outcome {
  cpu: { shape: Shape; dtype: DType; values: TypedArray };
  wasm: { shape: Shape; dtype: DType; values: TypedArray };
}

type AnyKernel = (inputs: readonly TensorInfo[], attrs: object) => TensorInfo;

/** Run one kernel on the CPU reference and on `wasm` with the same inputs. */
export function runBoth(wasm: Backend, c: KernelCase, seed: number): Outcome {
  const cpu = new CpuBackend();
  const data = c.inputs.map((s, i) => ({ s, v: valuesFor(s, seed + i * 7919) }));
  const run = (b: Backend): { shape: Shape; dtype: DType; values: TypedArray } => {
    const infos = data.map(({ s, v }) => b.write(v.slice(), s.shape, s.dtype ?? 'float32'));
    const out = (b.kernels[c.kernel] as unknown as AnyKernel)(infos, c.attrs ?? {});
    return { shape: out.shape, dtype: out.dtype, values: b.read(out) };
  };
  return { cpu: run(cpu), wasm: run(wasm) };
}

/** The first mismatch between reference and wasm outputs, or null. */
export function mismatch(o: Outcome, rtol: number, atol: number): string | null {
  if (o.cpu.dtype !== o.wasm.dtype) return `dtype ${o.wasm.dtype}, expected ${o.cpu.dtype}`;
  if (o.cpu.shape.join(',') !== o.wasm.shape.join(',')) return `shape [${o.wasm.shape.join(',')}], expected [${o.cpu.shape.join(',')}]`;
  const a = o.wasm.values;
  const b = o.cpu.values;
  if (a.length !== b.length) return `length ${a.length}, expected ${b.length}`;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return `element ${i}: ${x}, expected ${y}`;
      continue;
    }
    if (o.cpu.dtype !== 'float32' || !Number.isFinite(y)) {
      if (x !== y) return `element ${i}: ${x}, expected ${y}`;
      continue;
    }
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return `element ${i}: ${x}, expected ${y} (|diff| ${Math.abs(x - y)})`;
  }
  return null;
}
