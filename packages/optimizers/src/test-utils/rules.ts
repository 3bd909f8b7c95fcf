/**
 * Float64 reference update rules, one per optimizer, written element by element from the formulas of
 * Keras 3's optimizers (not from the package's code). `referenceRun` chains them with the options.
 */
import type { RefRule } from './reference.js';

export function sgdReference(momentum: number, nesterov: boolean): RefRule {
  return {
    slots: (w) => (momentum > 0 ? { v: new Float64Array(w.length) } : {}),
    update(w, g, s, _shape, { lr }) {
      if (momentum === 0) return w.map((x, i) => x - lr * g[i]!);
      const v = s.v!;
      return w.map((x, i) => {
        v[i] = momentum * v[i]! - lr * g[i]!;
        return nesterov ? x + momentum * v[i] - lr * g[i]! : x + v[i];
      });
    },
  };
}

export function adagradReference(init: number, eps: number): RefRule {
  return {
    slots: (w) => ({ acc: new Float64Array(w.length).fill(init) }),
    update(w, g, s, _shape, { lr }) {
      const acc = s.acc!;
      return w.map((x, i) => {
        acc[i] = acc[i]! + g[i]! * g[i]!;
        return x - (lr * g[i]!) / Math.sqrt(acc[i] + eps);
      });
    },
  };
}

export function rmspropReference(rho: number, momentum: number, eps: number, centered: boolean): RefRule {
  return {
    slots: (w) => ({ v: new Float64Array(w.length), m: new Float64Array(w.length), gbar: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr }) {
      const { v, m, gbar } = s as { v: Float64Array<ArrayBuffer>; m: Float64Array<ArrayBuffer>; gbar: Float64Array<ArrayBuffer> };
      return w.map((x, i) => {
        v[i] = rho * v[i]! + (1 - rho) * g[i]! ** 2;
        let den: number;
        if (centered) {
          gbar[i] = rho * gbar[i]! + (1 - rho) * g[i]!;
          den = v[i] - gbar[i] ** 2 + eps;
        } else {
          den = v[i] + eps;
        }
        const inc = (lr * g[i]!) / Math.sqrt(den);
        if (momentum === 0) return x - inc;
        m[i] = momentum * m[i]! + inc;
        return x - m[i];
      });
    },
  };
}

export function adamReference(b1: number, b2: number, eps: number, amsgrad: boolean): RefRule {
  return {
    slots: (w) => ({ m: new Float64Array(w.length), v: new Float64Array(w.length), vmax: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr, t }) {
      const { m, v, vmax } = s as { m: Float64Array<ArrayBuffer>; v: Float64Array<ArrayBuffer>; vmax: Float64Array<ArrayBuffer> };
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      return w.map((x, i) => {
        m[i] = m[i]! + (g[i]! - m[i]!) * (1 - b1);
        v[i] = v[i]! + (g[i]! ** 2 - v[i]!) * (1 - b2);
        let vv = v[i];
        if (amsgrad) {
          vmax[i] = Math.max(vmax[i]!, vv);
          vv = vmax[i]!;
        }
        return x - (alpha * m[i]) / (Math.sqrt(vv) + eps);
      });
    },
  };
}

export function adadeltaReference(rho: number, eps: number): RefRule {
  return {
    slots: (w) => ({ eg: new Float64Array(w.length), edx: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr }) {
      const { eg, edx } = s as { eg: Float64Array<ArrayBuffer>; edx: Float64Array<ArrayBuffer> };
      return w.map((x, i) => {
        eg[i] = rho * eg[i]! + (1 - rho) * g[i]! ** 2;
        const delta = (-Math.sqrt(edx[i]! + eps) / Math.sqrt(eg[i] + eps)) * g[i]!;
        edx[i] = rho * edx[i]! + (1 - rho) * delta ** 2;
        return x + lr * delta;
      });
    },
  };
}

export function adamaxReference(b1: number, b2: number, eps: number): RefRule {
  return {
    slots: (w) => ({ m: new Float64Array(w.length), u: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr, t }) {
      const { m, u } = s as { m: Float64Array<ArrayBuffer>; u: Float64Array<ArrayBuffer> };
      return w.map((x, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        u[i] = Math.max(b2 * u[i]!, Math.abs(g[i]!));
        return x - (lr * m[i]) / ((1 - b1 ** t) * (u[i] + eps));
      });
    },
  };
}

export function nadamReference(b1: number, b2: number, eps: number): RefRule {
  const mu = (t: number): number => b1 * (1 - 0.5 * 0.96 ** t);
  return {
    slots: (w) => ({ m: new Float64Array(w.length), v: new Float64Array(w.length) }),
    globals: () => ({ uProduct: 1 }),
    begin(t, globals) {
      globals.uProduct = globals.uProduct! * mu(t);
    },
    update(w, g, s, _shape, { lr, t, globals }) {
      const { m, v } = s as { m: Float64Array<ArrayBuffer>; v: Float64Array<ArrayBuffer> };
      const ut = mu(t);
      const ut1 = mu(t + 1);
      const up = globals.uProduct!;
      return w.map((x, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        const mHat = (ut1 * m[i]) / (1 - up * ut1) + ((1 - ut) * g[i]!) / (1 - up);
        const vHat = v[i] / (1 - b2 ** t);
        return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
      });
    },
  };
}

export function lionReference(b1: number, b2: number): RefRule {
  return {
    slots: (w) => ({ m: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr }) {
      const m = s.m!;
      return w.map((x, i) => {
        const next = x - lr * Math.sign(b1 * m[i]! + (1 - b1) * g[i]!);
        m[i] = b2 * m[i]! + (1 - b2) * g[i]!;
        return next;
      });
    },
  };
}

export interface FtrlRef {
  lrPower: number;
  init: number;
  l1: number;
  l2: number;
  l2Shrinkage: number;
  beta: number;
}

export function ftrlReference(h: FtrlRef): RefRule {
  const p = -h.lrPower;
  return {
    slots: (w) => ({ n: new Float64Array(w.length).fill(h.init), z: new Float64Array(w.length) }),
    update(w, g, s, _shape, { lr }) {
      const { n, z } = s as { n: Float64Array<ArrayBuffer>; z: Float64Array<ArrayBuffer> };
      const lambda2 = h.l2 + h.beta / (2 * lr);
      return w.map((x, i) => {
        const gt = g[i]! + 2 * h.l2Shrinkage * x;
        const n1 = n[i]! + g[i]! ** 2;
        z[i] = z[i]! + gt - ((n1 ** p - n[i]! ** p) / lr) * x;
        const q = n1 ** p / lr + 2 * lambda2;
        n[i] = n1;
        const clipped = Math.min(h.l1, Math.max(-h.l1, z[i]));
        return (clipped - z[i]) / q;
      });
    },
  };
}

export interface AdafactorRef {
  beta2Decay: number;
  eps1: number;
  eps2: number;
  clipThreshold: number;
  relativeStep: boolean;
}

const rmsOf = (a: Float64Array): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

/** Rank 1 and rank 2 only (what the tests use): rows `r` and columns `c` of the squared gradient. */
export function adafactorReference(h: AdafactorRef): RefRule {
  return {
    slots(w, shape) {
      if (shape.length < 2) return { v: new Float64Array(w.length) };
      return { r: new Float64Array(shape[0]!), c: new Float64Array(shape[1]!), v: new Float64Array(w.length) };
    },
    update(w, g, s, shape, { lr, t, constantLr }) {
      let step = lr;
      if (constantLr && h.relativeStep) step = Math.min(step, 1 / Math.sqrt(t));
      const rho = Math.min(step, 1 / Math.sqrt(t));
      const alpha = Math.max(h.eps2, rmsOf(w)) * rho;
      const g2 = g.map((x) => x * x + h.eps1);
      const b = 1 - t ** h.beta2Decay;
      const v = s.v!;
      if (shape.length >= 2) {
        const [rows, cols] = [shape[0]!, shape[1]!];
        const { r, c } = s as { r: Float64Array<ArrayBuffer>; c: Float64Array<ArrayBuffer> };
        for (let i = 0; i < rows; i++) {
          let mean = 0;
          for (let j = 0; j < cols; j++) mean += g2[i * cols + j]! / cols;
          r[i] = b * r[i]! + (1 - b) * mean;
        }
        for (let j = 0; j < cols; j++) {
          let mean = 0;
          for (let i = 0; i < rows; i++) mean += g2[i * cols + j]! / rows;
          c[j] = b * c[j]! + (1 - b) * mean;
        }
        const rMean = r.reduce((a, x) => a + x, 0) / rows;
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = (r[i]! / rMean) * c[j]!;
      } else {
        for (let i = 0; i < v.length; i++) v[i] = b * v[i]! + (1 - b) * g2[i]!;
      }
      const u = g.map((x, i) => x / Math.sqrt(v[i]!));
      const scale = Math.max(1, rmsOf(u) / h.clipThreshold);
      return w.map((x, i) => x - (alpha * u[i]!) / scale);
    },
  };
}
