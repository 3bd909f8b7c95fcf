import type { Backend, TensorInfo } from '@descent/tensor';
import { CpuBackend } from '@descent/tensor';
import type { OptimizerHyper, OptimizerRule } from './fused-update.js';

// The fused updates on the CPU backend, which leaves them to this package: one pass per variable
// instead of the op path's 3–12 element-wise kernels (each a pass over memory and a fresh array).
// Intermediates are float64; every stored value is rounded to float32 once, so results differ from
// the op path (which rounds after every op) only in the last bits. Slots are rounded before they
// feed the variable's update so the next step starts from exactly what getWeights shows.

function adam(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: OptimizerHyper['adam']): Float32Array[] {
  const n = w.length;
  const wOut = new Float32Array(n);
  const mOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  const c1 = 1 - h.beta1;
  const c2 = 1 - h.beta2;
  const { alpha, epsilon } = h;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = Math.fround(m[i]! + (gi - m[i]!) * c1);
    const vi = Math.fround(v[i]! + (gi * gi - v[i]!) * c2);
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i]! - (mi * alpha) / (Math.sqrt(vi) + epsilon);
  }
  return [wOut, mOut, vOut];
}

function sgd(w: Float32Array, g: Float32Array, v: Float32Array | undefined, h: OptimizerHyper['sgd']): Float32Array[] {
  const n = w.length;
  const wOut = new Float32Array(n);
  const lr = h.learningRate;
  if (v === undefined) {
    for (let i = 0; i < n; i++) wOut[i] = w[i]! - g[i]! * lr;
    return [wOut];
  }
  const vOut = new Float32Array(n);
  const mu = h.momentum;
  if (h.nesterov) {
    for (let i = 0; i < n; i++) {
      const step = g[i]! * lr;
      const vi = Math.fround(mu * v[i]! - step);
      vOut[i] = vi;
      wOut[i] = w[i]! + (mu * vi - step);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const vi = Math.fround(mu * v[i]! - g[i]! * lr);
      vOut[i] = vi;
      wOut[i] = w[i]! + vi;
    }
  }
  return [wOut, vOut];
}

function rmsprop(
  w: Float32Array,
  g: Float32Array,
  v: Float32Array,
  m: Float32Array | undefined,
  avg: Float32Array | undefined,
  h: OptimizerHyper['rmsprop'],
): Float32Array[] {
  const n = w.length;
  const wOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  const mOut = m === undefined ? undefined : new Float32Array(n);
  const avgOut = avg === undefined ? undefined : new Float32Array(n);
  const { rho, learningRate: lr, epsilon, momentum: mu } = h;
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const vi = Math.fround(rho * v[i]! + c * gi * gi);
    vOut[i] = vi;
    let den = vi + epsilon;
    if (avg !== undefined) {
      const ai = Math.fround(rho * avg[i]! + c * gi);
      avgOut![i] = ai;
      den = vi - ai * ai + epsilon;
    }
    const inc = (gi * lr) / Math.sqrt(den);
    if (m !== undefined) {
      const mi = Math.fround(mu * m[i]! + inc);
      mOut![i] = mi;
      wOut[i] = w[i]! - mi;
    } else {
      wOut[i] = w[i]! - inc;
    }
  }
  const out = [wOut, vOut];
  if (mOut !== undefined) out.push(mOut);
  if (avgOut !== undefined) out.push(avgOut);
  return out;
}

function adagrad(w: Float32Array, g: Float32Array, acc: Float32Array, h: OptimizerHyper['adagrad']): Float32Array[] {
  const n = w.length;
  const wOut = new Float32Array(n);
  const accOut = new Float32Array(n);
  const { learningRate: lr, epsilon } = h;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const ai = Math.fround(acc[i]! + gi * gi);
    accOut[i] = ai;
    wOut[i] = w[i]! - (gi * lr) / Math.sqrt(ai + epsilon);
  }
  return [wOut, accOut];
}

/**
 * One fused update of `rule` over `backend`'s arrays, its outputs written back as fresh storage of
 * that backend (`write`). `fusedOptimizerStep` has checked the inputs: `[w, g, ...slots]`
 * in the count the rule needs, all float32 of one shape.
 */
export function cpuOptimizerStep<R extends OptimizerRule>(backend: Backend, rule: R, inputs: readonly TensorInfo[], hyper: OptimizerHyper[R]): TensorInfo[] | null {
  const shape = inputs[0]!.shape;
  // The loops only read their inputs: on a CpuBackend they read its arrays in place, elsewhere copies.
  const [w, g, s0, s1, s2] = inputs.map((t) => (backend instanceof CpuBackend ? backend.readValues(t) : backend.read(t)) as Float32Array);
  let out: Float32Array[];
  switch (rule) {
    case 'adam':
      out = adam(w!, g!, s0!, s1!, hyper as OptimizerHyper['adam']);
      break;
    case 'sgd':
      out = sgd(w!, g!, s0, hyper as OptimizerHyper['sgd']);
      break;
    case 'rmsprop': {
      const h = hyper as OptimizerHyper['rmsprop'];
      const m = h.momentum > 0 ? s1 : undefined;
      const avg = h.centered ? (h.momentum > 0 ? s2 : s1) : undefined;
      out = rmsprop(w!, g!, s0!, m, avg, h);
      break;
    }
    case 'adagrad':
      out = adagrad(w!, g!, s0!, hyper as OptimizerHyper['adagrad']);
      break;
    default:
      return null;
  }
  return out.map((values) => backend.write(values, shape, 'float32'));
}
