/**
 * Float32 fast paths of the arithmetic binary kernels for the two shapes training hits most: equal
 * shapes and one operand a scalar (optimizer updates, loss scaling). Separate functions typed to
 * Float32Array keep V8's element access monomorphic, which the general strided walk in
 * binary.ts (shared by every dtype) cannot; measured ~2–3× faster per element there.
 */

type FastBinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Maximum' | 'Minimum' | 'SquaredDifference';

export function isFastBinaryOp(op: string): op is FastBinaryOp {
  return op === 'Add' || op === 'Sub' || op === 'Mul' || op === 'Div' || op === 'Maximum' || op === 'Minimum' || op === 'SquaredDifference';
}

/** `out[i] = a[i] op b[i]` over `n` elements. */
export function floatSameShape(op: FastBinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      return;
    case 'Sub':
      for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      return;
    case 'Mul':
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      return;
    case 'Div':
      for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      return;
    case 'Maximum':
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, b[i]!);
      return;
    case 'Minimum':
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, b[i]!);
      return;
    case 'SquaredDifference':
      for (let i = 0; i < n; i++) {
        const d = a[i]! - b[i]!;
        out[i] = d * d;
      }
      return;
  }
}

/** `out[i] = a[i] op s` (or `s op a[i]` when `scalarFirst`) over `n` elements. */
export function floatWithScalar(op: FastBinaryOp, a: Float32Array, s: number, scalarFirst: boolean, out: Float32Array, n: number): void {
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++) out[i] = a[i]! + s;
      return;
    case 'Sub':
      if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s - a[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! - s;
      return;
    case 'Mul':
      for (let i = 0; i < n; i++) out[i] = a[i]! * s;
      return;
    case 'Div':
      if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s / a[i]!;
      else for (let i = 0; i < n; i++) out[i] = a[i]! / s;
      return;
    case 'Maximum':
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, s);
      return;
    case 'Minimum':
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, s);
      return;
    case 'SquaredDifference':
      for (let i = 0; i < n; i++) {
        const d = a[i]! - s;
        out[i] = d * d;
      }
      return;
  }
}
