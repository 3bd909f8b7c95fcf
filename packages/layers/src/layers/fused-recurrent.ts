import { customGrad, grads, isRecording } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import {
  add, concat, gruSequence, gruSequenceGrad, lstmSequence, lstmSequenceGrad, matMul, mul, ones, reshape, sigmoid, slice, split, stack,
  sub, sum, tanh, unstack, zeros,
} from '@descent/tensor';

// The fused LSTM/GRU: one input projection for every step (one matMul), one kernel for the whole
// recurrence (per step: recurrent product, gates, state update), and one tape entry per call: a custom
// gradient that runs the backward recurrence as one kernel, then the weight gradients as a few large
// matMuls over all steps at once.
//
// The kernels' output is the "trace": every step's packed state, `[b, T, S]` (LSTM S = 6u, h in
// columns [0, u), c in [u, 2u); GRU S = 5u, h in [0, u)). The layer slices its outputs out of it, so
// the gradients of any mix of outputs (last h, every h, final c) arrive as one dTrace.
//
// The backward kernels are not differentiable (their rules are null). So when an outer tape records
// the backward itself (a gradient of a gradient is being taken), the custom gradient instead
// differentiates an unfused composition of the same trace (lstmComposed/gruComposed, built from
// differentiable ops) with `grads`, and the outer tape sees every op of the recurrence; otherwise it
// runs the fast kernels.

function flat(x: Tensor): Tensor {
  const [b, t, f] = x.shape as [number, number, number];
  return reshape(x, [b * t, f]);
}

/**
 * `x·W (+ bias)` for every step: `[b, T, cols]`. The bias rides in the matMul as one more row of the
 * kernel against a column of ones (two small concats instead of a pass over the `[b·T, cols]` result).
 */
function project(x: Tensor, kernel: Tensor, bias: Tensor | null): Tensor {
  const [b, t] = x.shape as [number, number, number];
  const cols = kernel.shape[1]!;
  const xp = bias ? matMul(concat([flat(x), ones([b * t, 1])], 1), concat([kernel, reshape(bias, [1, cols])], 0)) : matMul(flat(x), kernel);
  return reshape(xp, [b, t, cols]);
}

/** Columns `[from, from + width)` of `x: [b, T, S]` as `[b·T, width]`. */
function columns(x: Tensor, from: number, width: number): Tensor {
  const [b, t] = x.shape as [number, number, number];
  return reshape(slice(x, [0, 0, from], [b, t, width]), [b * t, width]);
}

/** Columns `[from, from + width)` of the state before each step (`first` for step 0, else the trace's step t−1), as `[b·T, width]`. */
function previous(first: Tensor, trace: Tensor, from: number, width: number): Tensor {
  const [b, t] = trace.shape as [number, number, number];
  const head = reshape(first, [b, 1, width]);
  const seq = t === 1 ? head : concat([head, slice(trace, [0, 0, from], [b, t - 1, width])], 1);
  return reshape(seq, [b * t, width]);
}

/** The LSTM trace (same layout as `lstmSequence`'s) composed step by step from differentiable ops. */
function lstmComposed(x: Tensor, kernel: Tensor, rk: Tensor, bias: Tensor | null, h0: Tensor, c0: Tensor): Tensor {
  let h = h0;
  let c = c0;
  const rows = unstack(project(x, kernel, bias), 1).map((xt) => {
    const [zi, zf, zg, zo] = split(add(xt, matMul(h, rk)), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const i = sigmoid(zi);
    const f = sigmoid(zf);
    const g = tanh(zg);
    const o = sigmoid(zo);
    c = add(mul(f, c), mul(i, g));
    h = mul(o, tanh(c));
    return concat([h, c, i, f, g, o], 1);
  });
  return stack(rows, 1);
}

/** The GRU trace (same layout as `gruSequence`'s) composed step by step from differentiable ops. */
function gruComposed(x: Tensor, kernel: Tensor, rk: Tensor, inputBias: Tensor | null, recurrentBias: Tensor | null, h0: Tensor, resetAfter: boolean): Tensor {
  const u = rk.shape[0]!;
  const [rkZR, rkH] = split(rk, [2 * u, u], 1) as [Tensor, Tensor];
  let h = h0;
  const rows = unstack(project(x, kernel, inputBias), 1).map((xt) => {
    const [xz, xr, xh] = split(xt, 3, 1) as [Tensor, Tensor, Tensor];
    let z: Tensor;
    let r: Tensor;
    let q: Tensor;
    let cand: Tensor;
    if (resetAfter) {
      let inner = matMul(h, rk);
      if (recurrentBias) inner = add(inner, recurrentBias);
      const [iz, ir, ih] = split(inner, 3, 1) as [Tensor, Tensor, Tensor];
      z = sigmoid(add(xz, iz));
      r = sigmoid(add(xr, ir));
      q = ih;
      cand = tanh(add(xh, mul(r, q)));
    } else {
      const [iz, ir] = split(matMul(h, rkZR), 2, 1) as [Tensor, Tensor];
      z = sigmoid(add(xz, iz));
      r = sigmoid(add(xr, ir));
      q = mul(r, h);
      cand = tanh(add(xh, matMul(q, rkH)));
    }
    h = add(mul(z, h), mul(sub(1, z), cand));
    return concat([h, z, r, cand, q], 1);
  });
  return stack(rows, 1);
}

/**
 * LSTM over `x: [b, T, f]` from states `h0`, `c0` (`[b, u]`); `bias` `[4u]` or null. Returns the
 * trace `[b, T, 6u]`, differentiable with respect to every argument.
 */
export function lstmTrace(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, h0: Tensor, c0: Tensor): Tensor {
  const u = recurrentKernel.shape[0]!;
  if (!isRecording()) return lstmSequence(project(x, kernel, bias), concat([h0, c0], 1), recurrentKernel);
  const fused = customGrad((...args: Tensor[]) => {
    const [xI, w, rk] = args as [Tensor, Tensor, Tensor];
    const bI = bias ? args[3]! : null;
    const [hI, cI] = args.slice(bias ? 4 : 3) as [Tensor, Tensor];
    const init = concat([hI, cI], 1);
    const trace = lstmSequence(project(xI, w, bI), init, rk);
    return {
      value: trace,
      gradFunc: (dTrace: Tensor, needs: readonly boolean[]) => {
        if (isRecording()) {
          // A higher-order gradient: differentiate the composition so the outer tape records it.
          const inputs = bI ? [xI, w, rk, bI, hI, cI] : [xI, w, rk, hI, cI];
          return grads((...a: Tensor[]) => (bI ? lstmComposed(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!) : lstmComposed(a[0]!, a[1]!, a[2]!, null, a[3]!, a[4]!)))(inputs, dTrace);
        }
        const b = trace.shape[0]!;
        const [nx, nw, nrk] = needs;
        const [nb, nh, nc] = bI ? needs.slice(3) : [false, ...needs.slice(3)];
        const g = lstmSequenceGrad(trace, init, rk, dTrace);
        const dz = columns(g, 0, 4 * u);
        // Only the gradients the tape needs (the input of a first layer, data, needs none).
        const dx = nx ? reshape(matMul(dz, w, false, true), xI.shape) : null;
        const dw = nw ? matMul(flat(xI), dz, true, false) : null;
        const drk = nrk ? matMul(previous(hI, trace, 0, u), dz, true, false) : null;
        // Step 0 holds dh0 and dc0 in its columns [4u, 6u).
        const dh0 = nh ? reshape(slice(g, [0, 0, 4 * u], [b, 1, u]), [b, u]) : null;
        const dc0 = nc ? reshape(slice(g, [0, 0, 5 * u], [b, 1, u]), [b, u]) : null;
        return bI ? [dx, dw, drk, nb ? sum(dz, 0) : null, dh0, dc0] : [dx, dw, drk, dh0, dc0];
      },
    };
  });
  return fused(...(bias ? [x, kernel, recurrentKernel, bias, h0, c0] : [x, kernel, recurrentKernel, h0, c0]));
}

/**
 * GRU over `x: [b, T, f]` from `h0: [b, u]`. `bias`: `[2, 3u]` (input bias, recurrent bias) with
 * resetAfter, `[3u]` without, or null. Returns the trace `[b, T, 5u]`.
 */
export function gruTrace(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, h0: Tensor, resetAfter: boolean): Tensor {
  const u = recurrentKernel.shape[0]!;
  const g3 = 3 * u;
  const biasParts = (bI: Tensor | null): { inputBias: Tensor | null; recurrentBias: Tensor } => {
    if (bI === null || !resetAfter) return { inputBias: bI, recurrentBias: zeros([0]) };
    return { inputBias: reshape(slice(bI, [0, 0], [1, g3]), [g3]), recurrentBias: reshape(slice(bI, [1, 0], [1, g3]), [g3]) };
  };
  if (!isRecording()) {
    const { inputBias, recurrentBias } = biasParts(bias);
    return gruSequence(project(x, kernel, inputBias), h0, recurrentKernel, recurrentBias, resetAfter);
  }
  const fused = customGrad((...args: Tensor[]) => {
    const [xI, w, rk] = args as [Tensor, Tensor, Tensor];
    const bI = bias ? args[3]! : null;
    const hI = args[bias ? 4 : 3]!;
    const { inputBias, recurrentBias } = biasParts(bI);
    const trace = gruSequence(project(xI, w, inputBias), hI, rk, recurrentBias, resetAfter);
    return {
      value: trace,
      gradFunc: (dTrace: Tensor, needs: readonly boolean[]) => {
        if (isRecording()) {
          // A higher-order gradient: differentiate the composition so the outer tape records it.
          const inputs = bI ? [xI, w, rk, bI, hI] : [xI, w, rk, hI];
          return grads((...a: Tensor[]) => {
            const parts = biasParts(bI ? a[3]! : null);
            const recurrentBias = resetAfter && bI ? parts.recurrentBias : null;
            return gruComposed(a[0]!, a[1]!, a[2]!, parts.inputBias, recurrentBias, a[bI ? 4 : 3]!, resetAfter);
          })(inputs, dTrace);
        }
        const [b, steps] = trace.shape as [number, number, number];
        const [nx, nw, nrk] = needs;
        const [nb, nh] = bI ? needs.slice(3) : [false, needs[3]];
        const g = gruSequenceGrad(trace, hI, rk, dTrace, resetAfter);
        const dxp = columns(g, 0, g3);
        const dInner = columns(g, g3, g3);
        const dx = nx ? reshape(matMul(dxp, w, false, true), xI.shape) : null;
        const dw = nw ? matMul(flat(xI), dxp, true, false) : null;
        let drk: Tensor | null;
        if (!nrk) drk = null;
        else if (resetAfter) drk = matMul(previous(hI, trace, 0, u), dInner, true, false);
        else {
          // z and r multiply h_{t−1}; the candidate multiplies q = r⊙h_{t−1} (trace columns [4u, 5u)).
          const zr = matMul(previous(hI, trace, 0, u), slice(dInner, [0, 0], [b * steps, 2 * u]), true, false);
          const cand = matMul(columns(trace, 4 * u, u), slice(dInner, [0, 2 * u], [b * steps, u]), true, false);
          drk = concat([zr, cand], 1);
        }
        const dh0 = nh ? reshape(slice(g, [0, 0, 6 * u], [b, 1, u]), [b, u]) : null;
        if (!bI) return [dx, dw, drk, dh0];
        const dbIn = nb ? sum(dxp, 0) : null;
        return [dx, dw, drk, dbIn && resetAfter ? stack([dbIn, sum(dInner, 0)], 0) : dbIn, dh0];
      },
    };
  });
  return fused(...(bias ? [x, kernel, recurrentKernel, bias, h0] : [x, kernel, recurrentKernel, h0]));
}
