import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import { showValue } from './util/show-value.js';

const EDGE = 3;
const MAX_FULL = 1000;

function formatValue(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32') return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/**
 * NumPy-style text: `tensor([[1., 2.], [3., 4.]], shape=[2,2], dtype=float32)`; tensors of more than
 * 1000 elements show only their first and last three entries per axis, with `...` between.
 */
export function formatTensor(shape: Shape, dtype: DType, values: TypedArray): string {
  const elide = values.length > MAX_FULL;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  const cells: string[] = [];
  for (const v of values) if (cells.length < 4096) cells.push(formatValue(v, dtype));
  const width = Math.max(1, ...cells.map((c) => c.length));
  const pad = (str: string): string => str.padStart(width);
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return pad(formatValue(values[offset]!, dtype));
    const n = shape[dim]!;
    const idx: (number | null)[] = [];
    if (elide && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) => (i === null ? '...' : render(dim + 1, offset + i * strides[dim]!, `${indent} `)));
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? formatValue(values[0]!, dtype) : render(0, 0, '       ');
  return `tensor(${body}, shape=[${shape.join(',')}], dtype=${dtype})`;
}

/**
 * An argument as error messages show it: {@link showValue} with its default limits (kept under this
 * name, which the ops and other packages already use). `depth` is the nesting level `value` sits at.
 */
export function formatArg(value: unknown, depth = 0): string {
  return showValue(value, { maxDepth: Math.max(0, 5 - depth) });
}
