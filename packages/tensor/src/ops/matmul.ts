import { checkAllocation, runKernel } from '../engine.js';
import { formatShape } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { toTensor } from './convert.js';

/** Bring both operands to one numeric dtype (int32 with float32 → float32); bool is refused. */
function commonNumeric(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  for (const [arg, t] of [['a', a], ['b', b]] as const) {
    if (t.dtype === 'bool') throw new Error(`${op}: argument '${arg}' must be float32 or int32, got bool`);
  }
  if (a.dtype === b.dtype) return [a, b];
  const toFloat = (t: Tensor): Tensor => (t.dtype === 'float32' ? t : runKernel('Cast', [t], { dtype: 'float32' }));
  return [toFloat(a), toFloat(b)];
}

/**
 * Matrix product of the last two dimensions, `a: [..., m, k]`, `b: [..., k, n]` → `[..., m, n]`,
 * with the leading (batch) dimensions broadcast NumPy-style. `transposeA`/`transposeB` transpose
 * the last two dimensions of an operand first; they cost no copy.
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const op = 'matMul';
  const ta = toTensor(a, op, 'a');
  const tb = toTensor(b, op, 'b', ta);
  for (const [arg, t] of [['a', ta], ['b', tb]] as const) {
    if (t.rank < 2) {
      throw new Error(`${op}: argument '${arg}' must have rank ≥ 2 (use dot for vectors), got shape ${formatShape(t.shape)}`);
    }
  }
  if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') {
    throw new Error(`${op}: transposeA and transposeB must be booleans, got ${String(transposeA)} and ${String(transposeB)}`);
  }
  const innerA = ta.shape[ta.rank - (transposeA ? 2 : 1)]!;
  const innerB = tb.shape[tb.rank - (transposeB ? 1 : 2)]!;
  if (innerA !== innerB) {
    const note = transposeA || transposeB ? ` (transposeA=${transposeA}, transposeB=${transposeB})` : '';
    throw new Error(`${op}: inner dimensions must match, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}${note}`);
  }
  const batchA = ta.shape.slice(0, -2);
  const batchB = tb.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const outShape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    outShape.push(da === 1 ? db : da);
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} cannot be broadcast together ` +
          `(shapes ${formatShape(ta.shape)} and ${formatShape(tb.shape)})`,
      );
    }
  }
  outShape.push(ta.shape[ta.rank - (transposeA ? 1 : 2)]!, tb.shape[tb.rank - (transposeB ? 2 : 1)]!);
  checkAllocation(op, outShape, ta.dtype === 'bool' ? 'float32' : ta.dtype);
  const [x, y] = commonNumeric(op, ta, tb);
  return runKernel('MatMul', [x, y], { transposeA, transposeB });
}

/**
 * Dot product of vectors and matrices: `[k]·[k]` → scalar, `[m,k]·[k]` → `[m]`, `[k]·[k,n]` → `[n]`,
 * `[m,k]·[k,n]` → `[m,n]`.
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const op = 'dot';
  const ta = toTensor(a, op, 'a');
  const tb = toTensor(b, op, 'b', ta);
  for (const [arg, t] of [['a', ta], ['b', tb]] as const) {
    if (t.rank !== 1 && t.rank !== 2) throw new Error(`${op}: argument '${arg}' must be rank 1 or 2, got shape ${formatShape(t.shape)}`);
  }
  const innerA = ta.shape[ta.rank - 1]!;
  const innerB = tb.shape[0]!;
  if (innerA !== innerB) {
    throw new Error(`${op}: inner dimensions must match, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`);
  }
  checkAllocation(op, [ta.rank === 2 ? ta.shape[0]! : 1, tb.rank === 2 ? tb.shape[1]! : 1], 'float32');
  const [x, y] = commonNumeric(op, ta, tb);
  const x2 = x.rank === 1 ? runKernel('Reshape', [x], { shape: [1, innerA] }) : x;
  const y2 = y.rank === 1 ? runKernel('Reshape', [y], { shape: [innerB, 1] }) : y;
  const product = runKernel('MatMul', [x2, y2], { transposeA: false, transposeB: false });
  const outShape = [...(x.rank === 2 ? [x.shape[0]!] : []), ...(y.rank === 2 ? [y.shape[1]!] : [])];
  return x.rank === 2 && y.rank === 2 ? product : runKernel('Reshape', [product], { shape: outShape });
}
