import type { KernelAttrs, KernelTable, TensorInfo } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';

type Names = 'LSTMSequence' | 'LSTMSequenceGrad' | 'GRUSequence' | 'GRUSequenceGrad';

const F = 4;
const allFloat = (inputs: readonly TensorInfo[]): boolean => inputs.every((t) => t.dtype === 'float32');

/**
 * The fused LSTM/GRU sequences: the whole time loop in one kernel call. Each step runs its recurrent
 * product on the matmul micro-kernels with the recurrent kernel packed once per call (not once per
 * step), then the gate math in one SIMD pass (asm/recurrent.ts). The step products (batch × units ×
 * gates·units) stay on the calling thread: they are too small to split across workers with profit.
 * Layouts in KernelDefs; the ops checked the shapes.
 */
export function recurrentKernels(ctx: Context, fb: Fallback): Pick<KernelTable, Names> {
  const k = ctx.k;

  /** Scratch blocks for one call, freed when `body` returns. */
  const scratch = <R>(body: (alloc: (floats: number) => number) => R): R => {
    const blocks: { ptr: number; cls: number }[] = [];
    try {
      return body((floats) => {
        const s = ctx.scratch(Math.max(floats, 1) * F);
        blocks.push(s);
        return s.ptr;
      });
    } finally {
      for (const s of blocks) ctx.free(s);
    }
  };

  /** B (`kk × n`, element (p, j) at `b + (p·sbk + j·sbn)·4`) packed for the matmul micro-kernel. */
  const pack = (alloc: (floats: number) => number, b: number, sbk: number, sbn: number, n: number, kk: number): number => {
    const dst = alloc(Math.ceil(k.matmulPackedBBytes(n, kk) / F));
    k.packMatrixB(b, sbk, sbn, n, kk, dst);
    return dst;
  };

  /** Dense `c [m, n]` = A·B, A rows at stride `sam` floats, B packed by `pack`. */
  const mm = (a: number, sam: number, packedB: number, c: number, m: number, n: number, kk: number): void => {
    if (m === 0 || n === 0) return;
    k.matmul(a, 0, c, n, kk, sam, 1, 0, 0, 0, 0, m, ctx.workPtr, packedB);
  };

  const lstmCpu = fb.entry('LSTMSequence');
  const lstm = (inputs: [TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'LSTMSequence'>): TensorInfo => {
    if (!allFloat(inputs)) return lstmCpu(inputs, attrs);
    const [xp, init, rk] = inputs;
    const [b, steps, g4] = xp.shape as [number, number, number];
    const u = g4 / 4;
    const w = 6 * u;
    const { info, ptr: out } = ctx.output([b, steps, w], 'float32');
    scratch((alloc) => {
      const z = alloc(b * g4);
      const pu = pack(alloc, ctx.ptr(rk), g4, 1, g4, u);
      const px = ctx.ptr(xp);
      const pi = ctx.ptr(init);
      for (let t = 0; t < steps; t++) {
        const prev = t === 0 ? pi : out + (t - 1) * w * F;
        const prevStride = t === 0 ? 2 * u : steps * w;
        mm(prev, prevStride, pu, z, b, g4, u);
        k.lstmCellF32(px + t * g4 * F, steps * g4, z, prev, prevStride, out + t * w * F, steps * w, b, u);
      }
    });
    return info;
  };

  const lstmGradCpu = fb.entry('LSTMSequenceGrad');
  const lstmGrad = (inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'LSTMSequenceGrad'>): TensorInfo => {
    if (!allFloat(inputs)) return lstmGradCpu(inputs, attrs);
    const [tr, init, rk, d] = inputs;
    const [b, steps, w] = tr.shape as [number, number, number];
    const u = w / 6;
    const stride = steps * w;
    const { info, ptr: out } = ctx.output([b, steps, w], 'float32');
    scratch((alloc) => {
      const dh = alloc(b * u);
      // Uᵀ: element (p, j) = U[j, p].
      const put = pack(alloc, ctx.ptr(rk), 1, 4 * u, u, 4 * u);
      const ptr = ctx.ptr(tr);
      const pi = ctx.ptr(init);
      const pd = ctx.ptr(d);
      for (let t = steps - 1; t >= 0; t--) {
        const prev = t === 0 ? pi : ptr + (t - 1) * w * F;
        const prevStride = t === 0 ? 2 * u : stride;
        const o = out + t * w * F;
        k.lstmCellGradF32(ptr + t * w * F, prev, prevStride, o + w * F, t < steps - 1 ? 1 : 0, pd + t * w * F, o, stride, b, u);
        mm(o, stride, put, dh, b, u, 4 * u);
        k.addRowsF32(dh, o + 4 * u * F, b, u, stride, 0);
      }
    });
    return info;
  };

  const gruCpu = fb.entry('GRUSequence');
  const gru = (inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'GRUSequence'>): TensorInfo => {
    if (!allFloat(inputs)) return gruCpu(inputs, attrs);
    const [xp, h0, rk, rb] = inputs;
    const [b, steps, g3] = xp.shape as [number, number, number];
    const u = g3 / 3;
    const w = 5 * u;
    const stride = steps * w;
    const { info, ptr: out } = ctx.output([b, steps, w], 'float32');
    const after = attrs.resetAfter;
    scratch((alloc) => {
      const inner = alloc(b * g3);
      const pk = ctx.ptr(rk);
      // resetAfter: all of U; else U_zr (columns [0, 2u)) and U_h (columns [2u, 3u)) apart.
      const pu = pack(alloc, pk, g3, 1, after ? g3 : 2 * u, u);
      const puh = after ? 0 : pack(alloc, pk + 2 * u * F, g3, 1, u, u);
      const px = ctx.ptr(xp);
      const ph = ctx.ptr(h0);
      const prb = rb.shape[0]! > 0 ? ctx.ptr(rb) : 0;
      for (let t = 0; t < steps; t++) {
        const prev = t === 0 ? ph : out + (t - 1) * w * F;
        const prevStride = t === 0 ? u : stride;
        const o = out + t * w * F;
        const x = px + t * g3 * F;
        if (after) {
          mm(prev, prevStride, pu, inner, b, g3, u);
          k.gruGatesF32(x, steps * g3, inner, g3, prb, prev, prevStride, o, stride, b, u, 1);
        } else {
          mm(prev, prevStride, pu, inner, b, 2 * u, u);
          k.gruGatesF32(x, steps * g3, inner, 2 * u, 0, prev, prevStride, o, stride, b, u, 0);
          // The candidate's recurrent term (r⊙h_prev)·U_h, from the q columns just written.
          mm(o + 4 * u * F, stride, puh, inner, b, u, u);
          k.gruFinishF32(x, steps * g3, inner, prev, prevStride, o, stride, b, u);
        }
      }
    });
    return info;
  };

  const gruGradCpu = fb.entry('GRUSequenceGrad');
  const gruGrad = (inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'GRUSequenceGrad'>): TensorInfo => {
    if (!allFloat(inputs)) return gruGradCpu(inputs, attrs);
    const [tr, h0, rk, d] = inputs;
    const [b, steps, w] = tr.shape as [number, number, number];
    const u = w / 5;
    const ow = 7 * u;
    const stride = steps * w;
    const oStride = steps * ow;
    const after = attrs.resetAfter;
    const { info, ptr: out } = ctx.output([b, steps, ow], 'float32');
    scratch((alloc) => {
      const s = alloc(b * u);
      const pk = ctx.ptr(rk);
      // Transposes: element (p, j) = U[j, p] (resetAfter: all 3u columns; else U_h and U_zr apart).
      const put = after ? pack(alloc, pk, 1, 3 * u, u, 3 * u) : pack(alloc, pk + 2 * u * F, 1, 3 * u, u, u);
      const puzr = after ? 0 : pack(alloc, pk, 1, 3 * u, u, 2 * u);
      const ptr = ctx.ptr(tr);
      const ph = ctx.ptr(h0);
      const pd = ctx.ptr(d);
      for (let t = steps - 1; t >= 0; t--) {
        const prev = t === 0 ? ph : ptr + (t - 1) * w * F;
        const prevStride = t === 0 ? u : stride;
        const cur = ptr + t * w * F;
        const o = out + t * ow * F;
        k.gruGradF32(cur, pd + t * w * F, stride, prev, prevStride, o + ow * F, t < steps - 1 ? 1 : 0, o, oStride, b, u, after ? 1 : 0);
        if (after) {
          // dh_prev += dInner·Uᵀ.
          mm(o + 3 * u * F, oStride, put, s, b, u, 3 * u);
        } else {
          // dq = dĥ'·U_hᵀ, then dr' and dh_prev += dq⊙r, then dh_prev += [dz' dr']·U_zrᵀ.
          mm(o + 2 * u * F, oStride, put, s, b, u, u);
          k.gruGradResetF32(cur, stride, prev, prevStride, s, o, oStride, b, u);
          mm(o + 3 * u * F, oStride, puzr, s, b, u, 2 * u);
        }
        k.addRowsF32(s, o + 6 * u * F, b, u, oStride, 1);
      }
    });
    return info;
  };

  return { LSTMSequence: lstm, LSTMSequenceGrad: lstmGrad, GRUSequence: gru, GRUSequenceGrad: gruGrad };
}
