import type { Tensor } from '@descent/tensor';
import { reshape, transpose } from '@descent/tensor';
import { formatSymbolic } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';

// MultiHeadAttention's axes: which axes of the inputs the attention runs over (`attentionAxes`), and
// how the projected heads are laid out for the batched products.

/** How the query's axes split for the attention: batch-like axes and attention axes, by index in the projected `[b, …, heads, dim]` tensor. */
export interface AxisPlan {
  /** Axes of the projected tensor that act as batch axes (batch first), heads excluded. */
  batch: number[];
  /** The attention axes, in increasing order. */
  attn: number[];
}

/** Batch-like and attention axes (`attentionAxes` as given, null: all) for inputs of rank `rank` (the projected tensors have one axis more: heads before the last). */
export function axisPlan(op: string, rank: number, attentionAxes: readonly number[] | null): AxisPlan {
  const index = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  let attn: number[];
  if (attentionAxes === null) attn = index;
  else {
    attn = attentionAxes.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (!(n >= 1 && n <= rank - 2)) throw new Error(`${op}: attentionAxes ${formatSymbolic(attentionAxes)} must lie between 1 and ${rank - 2} (or −${rank - 1} … −2) for inputs of rank ${rank}, got ${a}`);
      return n;
    });
    attn = [...new Set(attn)].sort((x, y) => x - y);
  }
  return { batch: [0, ...index.filter((i) => !attn.includes(i))], attn };
}

/**
 * `[b, …, heads, d]` → `[P, heads, T, d]`: batch-like axes first (flattened to P), then the heads, then
 * the attention axes (flattened to T).
 */
export function toHeads(x: Tensor, plan: AxisPlan): Tensor {
  const r = x.rank;
  const perm = [...plan.batch, r - 2, ...plan.attn, r - 1];
  const p = plan.batch.reduce((acc, a) => acc * x.shape[a]!, 1);
  const t = plan.attn.reduce((acc, a) => acc * x.shape[a]!, 1);
  return reshape(transpose(x, perm), [p, x.shape[r - 2]!, t, x.shape[r - 1]!]);
}

/** An integer or a list of integers (null/undefined: null); `min` (when given) bounds every entry. */
export function intList(op: string, option: string, value: unknown, min: number | null): number[] | null {
  if (value === undefined || value === null) return null;
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((d) => Number.isInteger(d) && (min === null || d >= min))) {
    throw new Error(`${op}: ${option} must be ${min === null ? 'an integer' : 'a positive integer'} or a non-empty list of them, got ${showValue(value)}`);
  }
  return [...(list as number[])];
}
