import type { DType, KernelName, Shape, TensorInfo } from '@descent/tensor';
import {
  add, clipByValue, CpuBackend, div, log, matMul, mean, mul, neg, relu, runExtensionKernel, setBackend, softmax, sum, tensor,
} from '@descent/tensor';
import type { Tensor } from '@descent/tensor';
import { variable, variableGrads } from '@descent/autograd';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fallbackCounts, getWasmBackend, resetFallbackCounts } from '../index.js';
import type { KernelCase } from '../test-utils/compare.js';
import { mismatch, runBoth, seeded } from '../test-utils/compare.js';
import { opPath } from '../test-utils/optimizer-reference.js';

const SIZES = [1, 7, 33, 1000];
/** Scalar, row, column and rank-3 broadcasting; runs of 16+ bytes so the SIMD paths and their tails both run. */
const BROADCAST: [Shape, Shape][] = [
  [[], [33]],
  [[1000], []],
  [[7, 33], [33]],
  [[7, 33], [7, 1]],
  [[1, 33], [7, 1]],
  [[3, 7, 33], [7, 1]],
  [[3, 1, 33], [1, 7, 1]],
  [[2, 7, 1], [3, 1, 1, 17]],
  [[0, 3], [3]],
];
const SPECIALS = [0, -0, 1, -1, NaN, Infinity, -Infinity, 3.4e38, -1.2e-38, 1e-45, 0.5];

type AnyKernel = (inputs: readonly TensorInfo[], attrs: object) => TensorInfo;

function check(c: KernelCase, seed: number): void {
  const o = runBoth(getWasmBackend(), c, seed);
  expect(mismatch(o, 0, 0), `${c.kernel} ${c.inputs.map((s) => `[${s.shape.join(',')}]`).join(' ')}`).toBeNull();
}

/** Run `kernel` on raw bytes/values on one backend and read the result back. */
function runRaw(backend: CpuBackend | ReturnType<typeof getWasmBackend>, kernel: KernelName, inputs: [Uint8Array | Float32Array, Shape, DType][]) {
  const infos = inputs.map(([v, s, d]) => backend.write(v.slice(), s, d));
  const out = (backend.kernels[kernel] as unknown as AnyKernel)(infos, {});
  return { dtype: out.dtype, shape: out.shape, values: backend.read(out) };
}

describe('logical kernels on wasm', () => {
  beforeEach(() => resetFallbackCounts());
  afterEach(() => expect(fallbackCounts()).toEqual({}));

  it('LogicalAnd/LogicalOr truth tables (by hand)', () => {
    const a = new Uint8Array([1, 1, 0, 0]);
    const b = new Uint8Array([1, 0, 1, 0]);
    const wasm = getWasmBackend();
    const and = runRaw(wasm, 'LogicalAnd', [[a, [4], 'bool'], [b, [4], 'bool']]);
    const or = runRaw(wasm, 'LogicalOr', [[a, [4], 'bool'], [b, [4], 'bool']]);
    expect(and.dtype).toBe('bool');
    expect([...and.values]).toEqual([1, 0, 0, 0]);
    expect([...or.values]).toEqual([1, 1, 1, 0]);
    expect([...runRaw(wasm, 'LogicalNot', [[a, [4], 'bool']]).values]).toEqual([0, 0, 1, 1]);
  });

  it('same-shape operands of odd sizes match the CPU backend', () => {
    for (const kernel of ['LogicalAnd', 'LogicalOr'] as KernelName[]) {
      for (const n of SIZES) check({ kernel, inputs: [{ shape: [n], dtype: 'bool' }, { shape: [n], dtype: 'bool' }] }, n);
    }
  });

  it('broadcast operands (scalar, row, column, rank 3) match the CPU backend', () => {
    for (const kernel of ['LogicalAnd', 'LogicalOr'] as KernelName[]) {
      for (const [a, b] of BROADCAST) {
        check({ kernel, inputs: [{ shape: a, dtype: 'bool' }, { shape: b, dtype: 'bool' }] }, a.length * 31 + b.length);
        check({ kernel, inputs: [{ shape: b, dtype: 'bool' }, { shape: a, dtype: 'bool' }] }, a.length * 17 + b.length);
      }
    }
  });

  it('a broadcast scalar that is false or true gives the all-false/all-true or identity results', () => {
    for (const s of [0, 1]) {
      for (const kernel of ['LogicalAnd', 'LogicalOr'] as KernelName[]) {
        check({ kernel, inputs: [{ shape: [7, 33], dtype: 'bool' }, { shape: [], dtype: 'bool', values: [s] }], label: `scalar ${s}` }, 5);
        check({ kernel, inputs: [{ shape: [], dtype: 'bool', values: [s] }, { shape: [1000], dtype: 'bool' }], label: `scalar ${s}` }, 6);
      }
    }
  });

  it('LogicalNot matches the CPU backend on odd sizes and rank 3', () => {
    for (const n of SIZES) check({ kernel: 'LogicalNot', inputs: [{ shape: [n], dtype: 'bool' }] }, n);
    check({ kernel: 'LogicalNot', inputs: [{ shape: [3, 7, 11], dtype: 'bool' }] }, 3);
    check({ kernel: 'LogicalNot', inputs: [{ shape: [0], dtype: 'bool' }] }, 4);
  });

  it('any nonzero byte counts as true and outputs are exactly 0 or 1', () => {
    // Bytes other than 0/1 can only come from a raw write, but the CPU kernels treat them as true (`!== 0`).
    const n = 37;
    const a = new Uint8Array(n);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = [0, 1, 2, 255, 128][i % 5]!;
      b[i] = [7, 0, 0, 3][i % 4]!;
    }
    const cpu = new CpuBackend();
    const wasm = getWasmBackend();
    const cases: [KernelName, [Uint8Array, Shape, DType][]][] = [
      ['LogicalAnd', [[a, [n], 'bool'], [b, [n], 'bool']]],
      ['LogicalOr', [[a, [n], 'bool'], [b, [n], 'bool']]],
      ['LogicalAnd', [[a, [n], 'bool'], [new Uint8Array([200]), [], 'bool']]],
      ['LogicalOr', [[new Uint8Array([0]), [], 'bool'], [a, [n], 'bool']]],
      ['LogicalNot', [[a, [n], 'bool']]],
    ];
    for (const [kernel, inputs] of cases) {
      const w = runRaw(wasm, kernel, inputs);
      expect([...w.values], kernel).toEqual([...runRaw(cpu, kernel, inputs).values]);
      expect(w.values.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  it('IsNaN/IsFinite match the CPU backend on special values, odd sizes and int32/bool inputs', () => {
    for (const kernel of ['IsNaN', 'IsFinite'] as KernelName[]) {
      for (const n of SIZES) {
        const values = Array.from(seeded(n, n, -5, 5), (v, i) => (i % 3 === 0 ? SPECIALS[(i / 3) % SPECIALS.length]! : v));
        check({ kernel, inputs: [{ shape: [n], values }] }, n);
      }
      check({ kernel, inputs: [{ shape: [3, 11], dtype: 'int32', range: [-9, 9] }], label: 'int32' }, 1);
      check({ kernel, inputs: [{ shape: [5, 7], dtype: 'bool' }], label: 'bool' }, 2);
    }
  });
});

describe('a training step on wasm', () => {
  afterEach(() => setBackend('wasm'));

  /**
   * One step of the bench MLP (Dense relu → Dense softmax, categorical cross-entropy on clipped
   * probabilities, Adam) written with the ops `fit` uses: the clip's gradient builds its mask from
   * GreaterEqual, LessEqual and LogicalAnd.
   */
  function step(): { loss: number; grads: Float32Array[]; weights: Float32Array[] } {
    const x = tensor(seeded(8 * 12, 1), [8, 12]);
    const labels = new Float32Array(8 * 5);
    for (let i = 0; i < 8; i++) labels[i * 5 + ((i * 3) % 5)] = 1;
    const y = tensor(labels, [8, 5]);
    const ws = [
      variable(tensor(seeded(12 * 16, 2, -0.5, 0.5), [12, 16])),
      variable(tensor(seeded(16, 3, -0.1, 0.1), [16])),
      // Large second-layer weights so some probabilities reach the clip bounds and the mask has zeros.
      variable(tensor(seeded(16 * 5, 4, -40, 40), [16, 5])),
      variable(tensor(seeded(5, 5, -0.1, 0.1), [5])),
    ];
    const eps = 1e-7;
    const { value, grads } = variableGrads(() => {
      const h = relu(add(matMul(x, ws[0]!), ws[1]!));
      const p = softmax(add(matMul(h, ws[2]!), ws[3]!));
      const q = clipByValue(div(p, sum(p, -1, true)), eps, 1 - eps);
      return mean(neg(sum(mul(y, log(q)), -1)));
    });
    const hyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 1e-3 };
    const weights = ws.map((w) => {
      const g = grads.get(w)!;
      const zeros = tensor(new Float32Array(w.size), w.shape);
      // The wasm backend's fused kernel; the CPU backend has none, so there the op path is the reference.
      const out = runExtensionKernel('AdamUpdate', [w, g, zeros, zeros], hyper) ?? opPath('adam', [w, g, zeros, zeros], hyper);
      return (out[0] as Tensor).dataSync() as Float32Array;
    });
    return { loss: value.dataSync()[0]!, grads: ws.map((w) => grads.get(w)!.dataSync() as Float32Array), weights };
  }

  it('records no CPU fallback and matches the CPU backend', () => {
    setBackend('wasm');
    resetFallbackCounts();
    const onWasm = step();
    expect(fallbackCounts()).toEqual({});
    setBackend('cpu');
    const onCpu = step();
    expect(onWasm.loss).toBeCloseTo(onCpu.loss, 4);
    // The clip mask zeroes some gradient entries of the saturated layer: the same ones on both backends.
    const zeroed = (g: Float32Array) => g.map((v) => (v === 0 ? 1 : 0));
    expect(onWasm.grads[3]!.some((v) => v === 0) || onWasm.grads[2]!.some((v) => v === 0)).toBe(true);
    for (let i = 0; i < 4; i++) {
      expect(zeroed(onWasm.grads[i]!)).toEqual(zeroed(onCpu.grads[i]!));
      for (let j = 0; j < onCpu.grads[i]!.length; j++) expect(onWasm.grads[i]![j]).toBeCloseTo(onCpu.grads[i]![j]!, 4);
      for (let j = 0; j < onCpu.weights[i]!.length; j++) expect(onWasm.weights[i]![j]).toBeCloseTo(onCpu.weights[i]![j]!, 5);
    }
  });
});
