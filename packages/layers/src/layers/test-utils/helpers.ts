// Shared by the layer tests only (excluded from the published package).
import { gradCheck, variableGrads } from '@descent/autograd';
import type { NestedArray, Tensor } from '@descent/tensor';
import { mul, sum, tensor } from '@descent/tensor';
import { expect } from 'vitest';
import type { CallKwargs, Layer } from '../../engine/layer.js';
import { getMask } from '../../engine/mask.js';
import type { RNN } from '../rnn.js';

/** Flatten nested arrays of numbers. */
export function flat(x: NestedArray): number[] {
  return Array.isArray(x) ? (x as NestedArray[]).flatMap(flat) : [Number(x)];
}

/** Compare a tensor's shape and values to the expected ones within `tol`. */
export function expectTensor(actual: Tensor, shape: readonly number[], expected: NestedArray | readonly number[], tol = 1e-5): void {
  expect([...actual.shape]).toEqual([...shape]);
  const got = Array.from(actual.dataSync());
  const want = flat(expected);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)))) {
      throw new Error(`element ${i}: got ${got[i]}, expected ${want[i]} (tol ${tol}); got ${JSON.stringify(got)}`);
    }
  }
}

/** Deterministic values in [-1, 1) (a tiny LCG), for inputs and weights that are not hand-picked. */
export function pseudo(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.round(((s / 4294967296) * 2 - 1) * 1000) / 1000);
  }
  return out;
}

export function pseudoTensor(shape: readonly number[], seed = 1, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(pseudo(n, seed).map((v) => v * scale), shape);
}

/** Give every weight of a built layer deterministic pseudo-random values. */
export function setPseudoWeights(layer: Layer, seed = 7, scale = 0.5): void {
  layer.setWeights(
    layer.weights.map((w, i) => {
      const t = pseudoTensor(w.shape, seed + i, scale);
      // A variance must stay positive.
      return w.name.endsWith('moving_variance') ? tensor(Array.from(t.dataSync(), (v) => Math.abs(v) + 0.5), w.shape) : t;
    }),
  );
}

export interface GradOptions extends CallKwargs {
  eps?: number;
  rtol?: number;
  atol?: number;
}

/**
 * Check the layer's gradients: with respect to its input through autograd's `gradCheck`, and
 * with respect to every trainable weight by comparing `variableGrads` with central finite
 * differences of L = Σ w·layer(x) (w fixed pseudo-random, L accumulated in float64), perturbing
 * each weight element through `assign`.
 */
export function checkLayerGrads(layer: Layer, x: Tensor, opts: GradOptions = {}): void {
  const { eps = 1e-2, rtol = 2e-2, atol = 2e-3 } = opts;
  const kw: CallKwargs = opts.training === undefined ? {} : { training: opts.training };
  const out0 = layer.apply(x, kw);
  if (x.dtype === 'float32') gradCheck((xi: Tensor) => layer.apply(xi, kw), [x], { eps, rtol, atol });
  const w = pseudo(out0.size, 99);
  const wT = tensor(w, out0.shape);
  const project = (): number => {
    const y = layer.apply(x, kw).dataSync();
    let acc = 0;
    for (let k = 0; k < y.length; k++) acc += w[k]! * y[k]!;
    return acc;
  };
  const vars = layer.trainableWeights;
  expect(vars.length).toBeGreaterThan(0);
  const { grads } = variableGrads(() => sum(mul(layer.apply(x, kw), wT)), vars);
  for (const v of vars) {
    const g = grads.get(v);
    if (!g) throw new Error(`no gradient for ${v.name}`);
    const analytic = g.dataSync();
    const values = v.dataSync() as Float32Array;
    for (let j = 0; j < values.length; j++) {
      const orig = values[j]!;
      values[j] = orig + eps;
      const hi = values[j]!;
      v.assign(tensor(values.slice(), v.shape));
      const lp = project();
      values[j] = orig - eps;
      const lo = values[j]!;
      v.assign(tensor(values.slice(), v.shape));
      const lm = project();
      values[j] = orig;
      v.assign(tensor(values.slice(), v.shape));
      const numeric = (lp - lm) / (hi - lo);
      if (!(Math.abs(analytic[j]! - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradient of ${v.name}[${j}]: analytic ${analytic[j]}, numeric ${numeric}`);
      }
    }
  }
}

// --- plain-array math for the recurrent reference implementations ---

export type Mat = number[][];
export const sig = (v: number): number => 1 / (1 + Math.exp(-v));

export function mat(t: Tensor): Mat {
  return t.toArray() as Mat;
}
/** Row vector times matrix, columns [from, from + n). */
export function vm(v: number[], m: Mat, from: number, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < v.length; i++) for (let j = 0; j < n; j++) out[j]! += v[i]! * m[i]![from + j]!;
  return out;
}
export function addv(...vs: number[][]): number[] {
  return vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0));
}
export function rnnWeights(layer: RNN): { W: Mat; U: Mat; b: number[] | Mat } {
  return { W: mat(layer.kernel!), U: mat(layer.recurrentKernel!), b: layer.bias!.toArray() as number[] | Mat };
}

/** A mask as nested booleans (bool tensors read back as 0/1). */
export const bools = (x: unknown): unknown => (Array.isArray(x) ? x.map(bools) : x === 1 || x === true);

/** The mask `t` carries, as nested booleans; null when it has none. */
export function maskOf(t: Tensor): unknown {
  const m = getMask(t);
  return m === null ? null : bools(m.toArray());
}
