import type { Tensor } from '@descent/tensor';
import { cpuFloatsOf, makeTensor } from '@descent/tensor';

export interface AdamStep {
  readonly w: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
}

/**
 * Adam's update in one pass over the CPU backend's arrays: the op path takes 12 element-wise ops
 * (12 passes over memory and 12 fresh arrays per variable), which dominated a small MLP's step.
 * Returns null unless every operand is float32 on the active CPU backend; the caller then takes the
 * op path, so other backends are unaffected. Intermediates are float64 (rounded once per output),
 * which differs from the op path only in the last bits.
 */
export function fusedAdamStep(w: Tensor, g: Tensor, m: Tensor, v: Tensor, beta1: number, beta2: number, epsilon: number, alpha: number): AdamStep | null {
  const wv = cpuFloatsOf(w);
  const gv = cpuFloatsOf(g);
  const mv = cpuFloatsOf(m);
  const vv = cpuFloatsOf(v);
  if (wv === null || gv === null || mv === null || vv === null) return null;
  const n = wv.length;
  if (gv.length !== n || mv.length !== n || vv.length !== n) return null;
  const mOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  const wOut = new Float32Array(n);
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const gi = gv[i]!;
    // Rounded to float32 as stored, so the next step starts from exactly what getWeights shows.
    const mi = Math.fround(mv[i]! + (gi - mv[i]!) * c1);
    const vi = Math.fround(vv[i]! + (gi * gi - vv[i]!) * c2);
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = wv[i]! - (mi * alpha) / (Math.sqrt(vi) + epsilon);
  }
  return { w: makeTensor(wOut, w.shape, 'float32'), m: makeTensor(mOut, m.shape, 'float32'), v: makeTensor(vOut, v.shape, 'float32') };
}
