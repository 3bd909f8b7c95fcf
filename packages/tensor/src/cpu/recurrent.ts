import type { TensorInfo } from '../backend.js';
import type { KernelAttrs } from '../kernels.js';
import { gemm } from './matmul.js';
import { allocOutput, floatsOf, output } from './storage.js';

// Reference kernels of the fused LSTM/GRU sequences (layouts in KernelDefs, checks in ops/recurrent.ts).
// Activations use the CPU Sigmoid/Tanh kernels' formulas. Row r of step t of a trace `[b, T, S]`
// starts at (r·T + t)·S; the state before step 0 is the `init`/`h0` input (row stride 2u / u).

function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** `dst (+)= A·B`, A `[m, k]` at `a[aOff + i·aStride + p]`, B element (p, j) at `b[bOff + p·bRs + j·bCs]`, dst dense `[m, n]`. */
function product(
  m: number, n: number, k: number, a: Float32Array, aOff: number, aStride: number,
  b: Float32Array, bOff: number, bRs: number, bCs: number, dst: Float32Array, accumulate = false,
): void {
  gemm(m, n, k, { data: a, off: aOff, rs: aStride, cs: 1 }, { data: b, off: bOff, rs: bRs, cs: bCs }, dst, 0, accumulate);
}

/** Where the state before step t lives: the trace's step t−1, or the initial state. */
function before(t: number, trace: Float32Array, init: Float32Array, steps: number, width: number, initWidth: number) {
  return t === 0 ? { data: init, off: 0, stride: initWidth } : { data: trace, off: (t - 1) * width, stride: steps * width };
}

function lstmSequence(inputs: [TensorInfo, TensorInfo, TensorInfo]): TensorInfo {
  const [xpI, initI, uI] = inputs;
  const [b, steps, g4] = xpI.shape as [number, number, number];
  const u = g4 / 4;
  const w = 6 * u;
  const xp = floatsOf(xpI);
  const init = floatsOf(initI);
  const rk = floatsOf(uI);
  const out = allocOutput('LSTMSequence', 'float32', [b, steps, w]);
  const z = new Float32Array(b * g4);
  for (let t = 0; t < steps; t++) {
    const p = before(t, out, init, steps, w, 2 * u);
    product(b, g4, u, p.data, p.off, p.stride, rk, 0, g4, 1, z);
    for (let r = 0; r < b; r++) {
      const x0 = (r * steps + t) * g4;
      const z0 = r * g4;
      const o0 = (r * steps + t) * w;
      const c0 = p.off + r * p.stride + u;
      for (let j = 0; j < u; j++) {
        const i = sigmoid(xp[x0 + j]! + z[z0 + j]!);
        const f = sigmoid(xp[x0 + u + j]! + z[z0 + u + j]!);
        const g = Math.tanh(xp[x0 + 2 * u + j]! + z[z0 + 2 * u + j]!);
        const o = sigmoid(xp[x0 + 3 * u + j]! + z[z0 + 3 * u + j]!);
        const c = Math.fround(f * p.data[c0 + j]! + i * g);
        out[o0 + j] = o * Math.tanh(c);
        out[o0 + u + j] = c;
        out[o0 + 2 * u + j] = i;
        out[o0 + 3 * u + j] = f;
        out[o0 + 4 * u + j] = g;
        out[o0 + 5 * u + j] = o;
      }
    }
  }
  return output(out, [b, steps, w], 'float32');
}

function lstmSequenceGrad(inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo]): TensorInfo {
  const [trI, initI, uI, dI] = inputs;
  const [b, steps, w] = trI.shape as [number, number, number];
  const u = w / 6;
  const tr = floatsOf(trI);
  const init = floatsOf(initI);
  const rk = floatsOf(uI);
  const d = floatsOf(dI);
  const out = allocOutput('LSTMSequenceGrad', 'float32', [b, steps, w]);
  const dh = new Float32Array(b * u);
  for (let t = steps - 1; t >= 0; t--) {
    const p = before(t, tr, init, steps, w, 2 * u);
    for (let r = 0; r < b; r++) {
      const o0 = (r * steps + t) * w;
      // The later step's dh_t/dc_t (its columns 4u, 5u); none after the last step.
      const k0 = t === steps - 1 ? -1 : o0 + w;
      const c0 = p.off + r * p.stride + u;
      for (let j = 0; j < u; j++) {
        const dh1 = (k0 < 0 ? 0 : out[k0 + 4 * u + j]!) + d[o0 + j]!;
        const c = tr[o0 + u + j]!;
        const i = tr[o0 + 2 * u + j]!;
        const f = tr[o0 + 3 * u + j]!;
        const g = tr[o0 + 4 * u + j]!;
        const o = tr[o0 + 5 * u + j]!;
        const tc = Math.tanh(c);
        const dc = (k0 < 0 ? 0 : out[k0 + 5 * u + j]!) + d[o0 + u + j]! + dh1 * o * (1 - tc * tc);
        out[o0 + j] = dc * g * i * (1 - i);
        out[o0 + u + j] = dc * p.data[c0 + j]! * f * (1 - f);
        out[o0 + 2 * u + j] = dc * i * (1 - g * g);
        out[o0 + 3 * u + j] = dh1 * tc * o * (1 - o);
        out[o0 + 5 * u + j] = dc * f;
      }
    }
    // dh_{t−1} = dz_t·Uᵀ.
    product(b, u, 4 * u, out, t * w, steps * w, rk, 0, 1, 4 * u, dh);
    for (let r = 0; r < b; r++) out.set(dh.subarray(r * u, (r + 1) * u), (r * steps + t) * w + 4 * u);
  }
  return output(out, [b, steps, w], 'float32');
}

function gruSequence(inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'GRUSequence'>): TensorInfo {
  const [xpI, h0I, uI, rbI] = inputs;
  const [b, steps, g3] = xpI.shape as [number, number, number];
  const u = g3 / 3;
  const w = 5 * u;
  const xp = floatsOf(xpI);
  const h0 = floatsOf(h0I);
  const rk = floatsOf(uI);
  const rb = floatsOf(rbI);
  const hasBias = rb.length > 0;
  const after = attrs.resetAfter;
  const out = allocOutput('GRUSequence', 'float32', [b, steps, w]);
  const inner = new Float32Array(b * g3);
  const cand = new Float32Array(b * u);
  const zrStride = after ? g3 : 2 * u;
  for (let t = 0; t < steps; t++) {
    const p = before(t, out, h0, steps, w, u);
    product(b, zrStride, u, p.data, p.off, p.stride, rk, 0, g3, 1, inner);
    for (let r = 0; r < b; r++) {
      const x0 = (r * steps + t) * g3;
      const i0 = r * zrStride;
      const o0 = (r * steps + t) * w;
      const h1 = p.off + r * p.stride;
      for (let j = 0; j < u; j++) {
        out[o0 + u + j] = sigmoid(xp[x0 + j]! + inner[i0 + j]! + (hasBias ? rb[j]! : 0));
        const rr = sigmoid(xp[x0 + u + j]! + inner[i0 + u + j]! + (hasBias ? rb[u + j]! : 0));
        out[o0 + 2 * u + j] = rr;
        out[o0 + 4 * u + j] = after ? inner[i0 + 2 * u + j]! + (hasBias ? rb[2 * u + j]! : 0) : rr * p.data[h1 + j]!;
      }
    }
    // Without resetAfter the candidate's recurrent term is (r⊙h)·U_h, from the q columns just written.
    if (!after) product(b, u, u, out, t * w + 4 * u, steps * w, rk, 2 * u, g3, 1, cand);
    for (let r = 0; r < b; r++) {
      const x0 = (r * steps + t) * g3;
      const o0 = (r * steps + t) * w;
      const h1 = p.off + r * p.stride;
      for (let j = 0; j < u; j++) {
        const z = out[o0 + u + j]!;
        const pre = after ? xp[x0 + 2 * u + j]! + out[o0 + 2 * u + j]! * out[o0 + 4 * u + j]! : xp[x0 + 2 * u + j]! + cand[r * u + j]!;
        const hh = Math.fround(Math.tanh(pre));
        out[o0 + 3 * u + j] = hh;
        out[o0 + j] = z * p.data[h1 + j]! + (1 - z) * hh;
      }
    }
  }
  return output(out, [b, steps, w], 'float32');
}

function gruSequenceGrad(inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'GRUSequenceGrad'>): TensorInfo {
  const [trI, h0I, uI, dI] = inputs;
  const [b, steps, w] = trI.shape as [number, number, number];
  const u = w / 5;
  const ow = 7 * u;
  const tr = floatsOf(trI);
  const h0 = floatsOf(h0I);
  const rk = floatsOf(uI);
  const d = floatsOf(dI);
  const after = attrs.resetAfter;
  const out = allocOutput('GRUSequenceGrad', 'float32', [b, steps, ow]);
  const s = new Float32Array(b * u);
  for (let t = steps - 1; t >= 0; t--) {
    const p = before(t, tr, h0, steps, w, u);
    for (let r = 0; r < b; r++) {
      const c0 = (r * steps + t) * w;
      const o0 = (r * steps + t) * ow;
      const k0 = t === steps - 1 ? -1 : o0 + ow;
      const h1 = p.off + r * p.stride;
      for (let j = 0; j < u; j++) {
        const dh = (k0 < 0 ? 0 : out[k0 + 6 * u + j]!) + d[c0 + j]!;
        const z = tr[c0 + u + j]!;
        const rr = tr[c0 + 2 * u + j]!;
        const hh = tr[c0 + 3 * u + j]!;
        const dz = dh * (p.data[h1 + j]! - hh) * z * (1 - z);
        const dhh = dh * (1 - z) * (1 - hh * hh);
        out[o0 + j] = dz;
        out[o0 + 2 * u + j] = dhh;
        out[o0 + 6 * u + j] = dh * z;
        if (after) {
          const dr = dhh * tr[c0 + 4 * u + j]! * rr * (1 - rr);
          out[o0 + u + j] = dr;
          out[o0 + 3 * u + j] = dz;
          out[o0 + 4 * u + j] = dr;
          out[o0 + 5 * u + j] = dhh * rr;
        }
      }
    }
    if (after) {
      // dh_{t−1} += dInner·Uᵀ.
      product(b, u, 3 * u, out, t * ow + 3 * u, steps * ow, rk, 0, 1, 3 * u, s);
    } else {
      // dq = dĥ'·U_hᵀ; q = r⊙h_{t−1}, so dr = dq⊙h_{t−1} and dh_{t−1} gains dq⊙r; then [dz' dr']·U_zrᵀ.
      product(b, u, u, out, t * ow + 2 * u, steps * ow, rk, 2 * u, 1, 3 * u, s);
      for (let r = 0; r < b; r++) {
        const c0 = (r * steps + t) * w;
        const o0 = (r * steps + t) * ow;
        const h1 = p.off + r * p.stride;
        for (let j = 0; j < u; j++) {
          const rr = tr[c0 + 2 * u + j]!;
          const q = s[r * u + j]!;
          const dr = q * p.data[h1 + j]! * rr * (1 - rr);
          out[o0 + u + j] = dr;
          out[o0 + 6 * u + j] = out[o0 + 6 * u + j]! + q * rr;
          out[o0 + 3 * u + j] = out[o0 + j]!;
          out[o0 + 4 * u + j] = dr;
          out[o0 + 5 * u + j] = out[o0 + 2 * u + j]!;
        }
      }
      product(b, u, 2 * u, out, t * ow + 3 * u, steps * ow, rk, 0, 1, 3 * u, s);
    }
    for (let r = 0; r < b; r++) {
      const o0 = (r * steps + t) * ow + 6 * u;
      for (let j = 0; j < u; j++) out[o0 + j] = out[o0 + j]! + s[r * u + j]!;
    }
  }
  return output(out, [b, steps, ow], 'float32');
}

export const recurrentKernels = {
  LSTMSequence: lstmSequence,
  LSTMSequenceGrad: lstmSequenceGrad,
  GRUSequence: gruSequence,
  GRUSequenceGrad: gruSequenceGrad,
};
