import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';

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
 * An argument as error messages show it: JSON-like, but NaN, ±Infinity and undefined print as
 * themselves (JSON.stringify turns NaN into `null`, which hides the actual mistake).
 */
export function formatArg(value: unknown, depth = 0): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) {
    if (depth > 4) return '[...]';
    const items = (value as unknown[]).slice(0, 20).map((v) => formatArg(v, depth + 1));
    if (value.length > 20) items.push(`... ${value.length - 20} more`);
    return `[${items.join(',')}]`;
  }
  if (value === null) return 'null';
  if (typeof value === 'object') {
    if (depth > 4) return '{...}';
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(value);
      const items = keys.slice(0, 20).map((k) => `${JSON.stringify(k)}:${formatArg((value as Record<string, unknown>)[k], depth + 1)}`);
      if (keys.length > 20) items.push(`... ${keys.length - 20} more`);
      return `{${items.join(',')}}`;
    }
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return `a ${typeof value}`;
  }
}
