import type { SymbolicTensor } from '@descent/layers';
import {
  add,
  Dense,
  Dropout,
  EinsumDense,
  GlobalAveragePooling1D,
  Input,
  LayerNormalization,
  MultiHeadAttention,
  Permute,
  Reshape,
} from '@descent/layers';
import { Model } from '@descent/models';
import { RandomShift } from './random-shift.js';

export interface VitOptions {
  /** Side of the square patches the 28×28 image is cut into; must divide 28 (default 7: 16 patches). */
  patchSize?: number;
  /** Width of the token embeddings (default 64). */
  dim?: number;
  /** Number of Transformer encoder blocks (default 2). */
  depth?: number;
  /** Attention heads per block; `dim` must be a multiple (default 4). */
  heads?: number;
  /** Hidden units of each block's MLP (default 2·dim). */
  mlpDim?: number;
  /** Dropout rate after each block's attention and in its MLP (default 0: none; the shift augmentation regularizes). */
  dropout?: number;
  /** Data augmentation in training: each image moves by up to this many pixels on each axis (default 2; 0: none). */
  shift?: number;
}

/**
 * One pre-norm Transformer encoder block: LayerNorm → multi-head self-attention → dropout → residual
 * Add, then LayerNorm → Dense(gelu) → Dropout → Dense → Dropout → residual Add.
 */
function encoderBlock(x: SymbolicTensor, o: Required<VitOptions>, name: string): SymbolicTensor {
  const n1 = new LayerNormalization({ epsilon: 1e-6, name: `${name}_norm1` }).apply(x);
  let a = new MultiHeadAttention({ numHeads: o.heads, keyDim: o.dim / o.heads, name: `${name}_attention` }).apply([n1, n1]);
  if (o.dropout > 0) a = new Dropout({ rate: o.dropout, name: `${name}_attention_dropout` }).apply(a);
  const h = add([x, a], { name: `${name}_add1` });
  const n2 = new LayerNormalization({ epsilon: 1e-6, name: `${name}_norm2` }).apply(h);
  let m = new Dense({ units: o.mlpDim, activation: 'gelu', name: `${name}_mlp1` }).apply(n2);
  if (o.dropout > 0) m = new Dropout({ rate: o.dropout, name: `${name}_mlp_dropout1` }).apply(m);
  m = new Dense({ units: o.dim, name: `${name}_mlp2` }).apply(m);
  if (o.dropout > 0) m = new Dropout({ rate: o.dropout, name: `${name}_mlp_dropout2` }).apply(m);
  return add([h, m], { name: `${name}_add2` });
}

/**
 * A small Vision Transformer for 28×28×1 digits, built with the functional API.
 *
 * Augmentation (training only): `RandomShift` moves each digit by up to `shift` pixels per axis. Patches: Reshape `[28, 28, 1]` → `[g, p, g, p]` (g = 28/p), Permute → `[g, g, p, p]`, Reshape →
 * `[g², p²]`: one row of p² pixels per patch, in raster order. Embedding: one `EinsumDense`
 * (`'abc,cd->abd'`, bias over the patch and feature axes `'bd'`), i.e. a Dense projection of each patch
 * (kernel `[p², dim]`, shared by all patches) plus a learned bias `[g², dim]` of its own per patch
 * position: the learned position embedding (a Dense bias plus Keras's `PatchEncoder` position
 * embedding, folded into one weight, since both are per-position constants added to the projection).
 * Then `depth` pre-norm encoder blocks, a final LayerNorm, global average pooling over the tokens (no
 * class token) and Dense 10 softmax.
 */
export function buildVit(options: VitOptions = {}): Model {
  const o: Required<VitOptions> = { patchSize: 7, dim: 64, depth: 2, heads: 4, mlpDim: 0, dropout: 0, shift: 2, ...options };
  if (o.mlpDim === 0) o.mlpDim = 2 * o.dim;
  const p = o.patchSize;
  if (!Number.isInteger(p) || p < 1 || 28 % p !== 0) throw new Error(`buildVit: patchSize must divide 28 (1, 2, 4, 7, 14 or 28), got ${String(p)}`);
  if (o.dim % o.heads !== 0) throw new Error(`buildVit: dim must be a multiple of heads, got dim ${o.dim} and ${o.heads} heads`);
  const g = 28 / p;
  const input = Input({ shape: [28, 28, 1], name: 'digits' });
  let x: SymbolicTensor = input;
  if (o.shift > 0) x = new RandomShift({ maxShift: o.shift, name: 'random_shift' }).apply(x);
  x = new Reshape({ targetShape: [g, p, g, p], name: 'patch_grid' }).apply(x);
  x = new Permute({ dims: [1, 3, 2, 4], name: 'patch_order' }).apply(x);
  x = new Reshape({ targetShape: [g * g, p * p], name: 'patches' }).apply(x);
  x = new EinsumDense({ equation: 'abc,cd->abd', outputShape: [g * g, o.dim], biasAxes: 'bd', name: 'patch_embedding' }).apply(x);
  for (let i = 0; i < o.depth; i++) x = encoderBlock(x, o, `block${i + 1}`);
  x = new LayerNormalization({ epsilon: 1e-6, name: 'final_norm' }).apply(x);
  x = new GlobalAveragePooling1D({ name: 'token_pool' }).apply(x);
  const output = new Dense({ units: 10, activation: 'softmax', name: 'probs' }).apply(x);
  return new Model({ inputs: input, outputs: output, name: 'mnist_vit' });
}
