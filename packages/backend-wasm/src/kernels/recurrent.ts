import type { KernelAttrs, KernelTable, TensorInfo } from '@descent/tensor';
import type { Context } from '../context.js';
import type { Fallback } from '../fallback.js';
import type { RangeKernel } from '../threads.js';

type Names = 'LSTMSequence' | 'LSTMSequenceGrad' | 'GRUSequence' | 'GRUSequenceGrad';

const F = 4;
const allFloat = (inputs: readonly TensorInfo[]): boolean => inputs.every((t) => t.dtype === 'float32');

/**
 * The fused LSTM/GRU sequences: the whole time loop in one kernel call. Each step runs its recurrent
 * product on the matmul micro-kernels with the recurrent kernel packed once per call (not once per
 * step), then the gate math in one SIMD pass (asm/recurrent.ts). The batch rows are independent
 * sequences, so the thread pool splits them once per call (range kernels over rows, chunks of whole
 * matmul tiles) and each thread runs every step of its rows; a per-step split would hand off 2·T times.
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

  /** Runs range kernel `name` over the `b` batch rows; `macs` the multiply-adds of the whole call. */
  const rows = (name: RangeKernel, b: number, macs: number, args: readonly number[]): void => {
    ctx.pool.range(name, b, k.matmulTileRows(), macs, args, ctx.workPtr);
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
      rows('lstmSequenceRange', b, b * steps * u * g4, [ctx.ptr(xp), ctx.ptr(init), pu, z, out, steps, u]);
    });
    return info;
  };

  const lstmGradCpu = fb.entry('LSTMSequenceGrad');
  const lstmGrad = (inputs: [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs: KernelAttrs<'LSTMSequenceGrad'>): TensorInfo => {
    if (!allFloat(inputs)) return lstmGradCpu(inputs, attrs);
    const [tr, init, rk, d] = inputs;
    const [b, steps, w] = tr.shape as [number, number, number];
    const u = w / 6;
    const { info, ptr: out } = ctx.output([b, steps, w], 'float32');
    scratch((alloc) => {
      const dh = alloc(b * u);
      // Uᵀ: element (p, j) = U[j, p].
      const put = pack(alloc, ctx.ptr(rk), 1, 4 * u, u, 4 * u);
      rows('lstmSequenceGradRange', b, b * steps * u * 4 * u, [ctx.ptr(tr), ctx.ptr(init), put, ctx.ptr(d), dh, out, steps, u]);
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
    const { info, ptr: out } = ctx.output([b, steps, w], 'float32');
    const after = attrs.resetAfter;
    scratch((alloc) => {
      const inner = alloc(b * g3);
      const pk = ctx.ptr(rk);
      // resetAfter: all of U; else U_zr (columns [0, 2u)) and U_h (columns [2u, 3u)) apart.
      const pu = pack(alloc, pk, g3, 1, after ? g3 : 2 * u, u);
      const puh = after ? 0 : pack(alloc, pk + 2 * u * F, g3, 1, u, u);
      const prb = rb.shape[0]! > 0 ? ctx.ptr(rb) : 0;
      rows('gruSequenceRange', b, b * steps * u * g3, [ctx.ptr(xp), ctx.ptr(h0), pu, puh, prb, inner, out, steps, u, after ? 1 : 0]);
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
    const after = attrs.resetAfter;
    const { info, ptr: out } = ctx.output([b, steps, ow], 'float32');
    scratch((alloc) => {
      const s = alloc(b * u);
      const pk = ctx.ptr(rk);
      // Transposes: element (p, j) = U[j, p] (resetAfter: all 3u columns; else U_h and U_zr apart).
      const put = after ? pack(alloc, pk, 1, 3 * u, u, 3 * u) : pack(alloc, pk + 2 * u * F, 1, 3 * u, u, u);
      const puzr = after ? 0 : pack(alloc, pk, 1, 3 * u, u, 2 * u);
      rows('gruSequenceGradRange', b, b * steps * u * 3 * u, [ctx.ptr(tr), ctx.ptr(h0), ctx.ptr(d), put, puzr, s, out, steps, u, after ? 1 : 0]);
    });
    return info;
  };

  return { LSTMSequence: lstm, LSTMSequenceGrad: lstmGrad, GRUSequence: gru, GRUSequenceGrad: gruGrad };
}
