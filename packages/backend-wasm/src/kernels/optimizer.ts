import type { ExtensionKernelTable, TensorInfo } from '@descent/tensor';
import { shapesEqual } from '@descent/tensor';
import type { Context } from '../context.js';
import { SGD_MODE } from '../exports.js';
import { BLOCK, f32Bits } from './unary.js';

/**
 * The attributes of the fused optimizer updates this backend implements, by rule: the contract that
 * `@descent/optimizers` defines (its `OptimizerHyper`, documented there with each rule's math and
 * slot order), restated here because a backend does not depend on the optimizers package. Where both
 * packages are in one program, TypeScript checks that the two declarations of each extension kernel
 * below are identical.
 */
export interface FusedUpdateAttrs {
  /** Adam; slots `[m, v]`. */
  adam: { readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly alpha: number };
  /** SGD, plain (no slot), momentum or Nesterov; slots `[v]` when momentum > 0. */
  sgd: { readonly learningRate: number; readonly momentum: number; readonly nesterov: boolean };
  /** RMSprop; slots `[v]`, then `m` if momentum > 0, then the average gradient if centered. */
  rmsprop: { readonly learningRate: number; readonly rho: number; readonly momentum: number; readonly epsilon: number; readonly centered: boolean };
  /** Adagrad; slots `[acc]`. */
  adagrad: { readonly learningRate: number; readonly epsilon: number };
}

/** A rule this backend fuses. */
export type FusedUpdateRule = keyof FusedUpdateAttrs;

// The kernels as @descent/optimizers declares them (documented there), with this file's attribute types.
declare module '@descent/tensor' {
  interface ExtensionKernelDefs {
    AdamUpdate: FusedUpdateAttrs['adam'];
    SGDUpdate: FusedUpdateAttrs['sgd'];
    RMSpropUpdate: FusedUpdateAttrs['rmsprop'];
    AdagradUpdate: FusedUpdateAttrs['adagrad'];
  }
}

/**
 * The fused update of one rule over `[w, g, ...slots]`: the new `w` and slots, or null when it declines.
 * `donated`: inputs whose storage the caller gives up (see `ExtensionKernelImpl`).
 */
export type OptimizerStep = <R extends FusedUpdateRule>(
  rule: R,
  inputs: readonly TensorInfo[],
  hyper: FusedUpdateAttrs[R],
  donated?: ReadonlySet<number>,
) => TensorInfo[] | null;

/** How many inputs `[w, g, ...slots]` a rule takes with these attributes. */
function inputCount<R extends FusedUpdateRule>(rule: R, hyper: FusedUpdateAttrs[R]): number {
  if (rule === 'adam') return 4;
  if (rule === 'adagrad') return 3;
  const h = hyper as FusedUpdateAttrs['rmsprop'] & FusedUpdateAttrs['sgd'];
  const withMomentum = h.momentum > 0 ? 1 : 0;
  return rule === 'sgd' ? 2 + withMomentum : 3 + withMomentum + (h.centered ? 1 : 0);
}

/**
 * The backend's fused optimizer update (asm/optimizer.ts), behind its extension kernels `AdamUpdate`,
 * `SGDUpdate`, ...: one pass over `[w, g, ...slots]`, writing the new `w` and each new slot over the
 * old one's storage where it was donated and has no other holder, else into a fresh block. (Every
 * loop reads an element's inputs before writing that element, so updating in place gives the same
 * floats. In place, a large model's step touches half the memory: at 100k parameters the update's
 * seven blocks no longer fit the 2 MiB L2 cache of this kind of machine with the rest of a step.)
 * Constants are handed over as float32 — the values the op path's scalar tensors hold — so the
 * result equals the op path's on this backend. Null for anything but float32 inputs of one shape in
 * the rule's count.
 */
export function optimizerStep(ctx: Context): OptimizerStep {
  return (rule, inputs, hyper, donated) => {
    if (inputs.length !== inputCount(rule, hyper)) return null;
    const shape = inputs[0]!.shape;
    for (const t of inputs) if (t.dtype !== 'float32' || !shapesEqual(t.shape, shape)) return null;
    // Resolve input pointers first: a released input fails before any output is allocated.
    const p = inputs.map((t) => ctx.ptr(t));
    // Output j replaces input 0 (w) or input j + 1 (a slot; input 1 is the gradient).
    const outs = inputs.slice(1).map((_, j) => {
      const from = j === 0 ? 0 : j + 1;
      return donated?.has(from) === true && soleHolder(ctx, inputs, from)
        ? { info: { dataId: inputs[from]!.dataId, shape, dtype: 'float32' as const }, ptr: p[from]! }
        : ctx.output(shape, 'float32');
    });
    const n = ctx.data(outs[0]!.info).size;
    const o = outs.map((x) => x.ptr);
    if (n > 0) {
      const k = ctx.k;
      switch (rule) {
        case 'adam': {
          const h = hyper as FusedUpdateAttrs['adam'];
          // Element blocks split across threads (a large variable is ~28 bytes of traffic per element).
          const args = [p[0]!, p[1]!, p[2]!, p[3]!, o[0]!, o[1]!, o[2]!, n, BLOCK, f32Bits(1 - h.beta1), f32Bits(1 - h.beta2), f32Bits(h.alpha), f32Bits(h.epsilon)];
          ctx.pool.range('adamRange', Math.ceil(n / BLOCK), 1, n * 28, args, ctx.workPtr);
          break;
        }
        case 'sgd': {
          const h = hyper as FusedUpdateAttrs['sgd'];
          const mode = h.momentum > 0 ? (h.nesterov ? SGD_MODE.Nesterov : SGD_MODE.Momentum) : SGD_MODE.Plain;
          // Plain SGD has no slot: the velocity pointers are never read (w's stand in).
          k.sgdF32(mode, p[0]!, p[1]!, p[2] ?? p[0]!, o[0]!, o[1] ?? o[0]!, n, h.learningRate, h.momentum);
          break;
        }
        case 'rmsprop': {
          const h = hyper as FusedUpdateAttrs['rmsprop'];
          const hasMomentum = h.momentum > 0;
          // Slots after v: m (momentum), then the average gradient (centered); an absent one is never read or written.
          const mi = hasMomentum ? 3 : -1;
          const ai = h.centered ? (hasMomentum ? 4 : 3) : -1;
          const at = (list: readonly number[], i: number): number => (i < 0 ? 0 : list[i]!);
          k.rmspropF32(
            hasMomentum ? 1 : 0,
            h.centered ? 1 : 0,
            p[0]!,
            p[1]!,
            p[2]!,
            at(p, mi),
            at(p, ai),
            o[0]!,
            o[1]!,
            at(o, mi - 1),
            at(o, ai - 1),
            n,
            h.learningRate,
            h.rho,
            1 - h.rho,
            h.momentum,
            h.epsilon,
          );
          break;
        }
        case 'adagrad': {
          const h = hyper as FusedUpdateAttrs['adagrad'];
          k.adagradF32(p[0]!, p[1]!, p[2]!, o[0]!, o[1]!, n, h.learningRate, h.epsilon);
          break;
        }
        default:
          // Unreachable for the closed rule set; give the storage back before declining.
          for (const x of outs) if (!inputs.some((t) => t.dataId === x.info.dataId)) ctx.storage.releaseNow(ctx.data(x.info).block);
          return null;
      }
    }
    return outs.map((x) => x.info);
  };
}

/** Whether input `i` is the one holder of its storage (not a view, and viewed by none) and no other input reads that storage. */
function soleHolder(ctx: Context, inputs: readonly TensorInfo[], i: number): boolean {
  const d = ctx.data(inputs[i]!);
  if (d.holders !== 1 || d.base !== null || d.views > 0) return false;
  for (let j = 0; j < inputs.length; j++) if (j !== i && inputs[j]!.dataId === d) return false;
  return true;
}

/** The extension kernel of each rule, under the names `@descent/optimizers` gives them. */
export const FUSED_UPDATE_KERNELS = { adam: 'AdamUpdate', sgd: 'SGDUpdate', rmsprop: 'RMSpropUpdate', adagrad: 'AdagradUpdate' } as const;

/** The backend's extension kernels: `step` behind each rule's kernel name. */
export function fusedUpdateKernels(step: OptimizerStep): ExtensionKernelTable {
  const rules = Object.keys(FUSED_UPDATE_KERNELS) as FusedUpdateRule[];
  return Object.fromEntries(
    rules.map((rule) => [FUSED_UPDATE_KERNELS[rule], (inputs: readonly TensorInfo[], attrs: FusedUpdateAttrs[typeof rule], donated: ReadonlySet<number>) => step(rule, inputs, attrs, donated),
    ]),
  );
}
