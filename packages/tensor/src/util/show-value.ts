// The one value formatter for error messages, used by every package (layers' `showValue`, models'
// `formatValue` and this package's `formatArg` are presets of it). It is a leaf module: it knows a
// tensor by a brand that `tensor.ts` puts on `Tensor.prototype`, so it imports nothing and the tensor
// class can import it without a cycle.

/**
 * The brand `Tensor.prototype` carries so that code which must not import the class (this formatter)
 * can still recognise a tensor. `Symbol.for`, so tensors of a second copy of the package are
 * recognised too.
 */
export const TENSOR_BRAND: unique symbol = Symbol.for('@descent/tensor.Tensor') as never;

/** Limits for {@link showValue}; every field is optional. */
export interface ShowValueOptions {
  /**
   * Nesting levels shown before an array or object prints as `[...]` / `{...}` (default 5). The top
   * level is level 0.
   */
  maxDepth?: number;
  /** Entries shown per array or object before `... N more` (default 20). */
  maxEntries?: number;
  /** Longest result; a longer one is cut and ends in `...` (default: no limit). */
  maxLength?: number;
}

interface Limits {
  readonly maxDepth: number;
  readonly maxEntries: number;
}

function article(name: string): string {
  return /^[AEIOUaeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** A tensor or class instance by name; undefined for a plain object. */
function describeInstance(v: object): string | undefined {
  const branded = v as { [TENSOR_BRAND]?: unknown; dtype?: unknown; shape?: unknown };
  if (branded[TENSOR_BRAND] === true && Array.isArray(branded.shape)) {
    return `${article(String(branded.dtype))} Tensor of shape [${branded.shape.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype || proto === null) return undefined;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? article(name) : 'an object';
}

function render(value: unknown, depth: number, limits: Limits, path: object[]): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (path.includes(value)) return '[circular]';
  if (Array.isArray(value)) {
    const items = value as unknown[];
    if (depth >= limits.maxDepth) return items.length === 0 ? '[]' : '[...]';
    return `[${entries(items.length, limits, (i) => render(items[i], depth + 1, limits, [...path, items]))}]`;
  }
  const named = describeInstance(value);
  if (named !== undefined) return named;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (depth >= limits.maxDepth) return keys.length === 0 ? '{}' : '{...}';
  return `{${entries(keys.length, limits, (i) => `${JSON.stringify(keys[i])}:${render(record[keys[i]!], depth + 1, limits, [...path, record])}`)}}`;
}

function entries(count: number, limits: Limits, show: (i: number) => string): string {
  const shown = Math.min(count, limits.maxEntries);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) items.push(show(i));
  if (count > shown) items.push(`... ${count - shown} more`);
  return items.join(',');
}

/**
 * A value as error messages show it: JSON-like (`"same"`, `[1,2]`, `{"units":3}`), but numbers as
 * themselves, so NaN, ±Infinity and -0 print as `NaN`, `Infinity`, `-0` (JSON.stringify writes
 * `null`/`0`, which hides the mistake), `undefined` as `undefined`, and tensors and other class
 * instances by name (`a float32 Tensor of shape [2,3]`, `a Map`, `an Int32Array`), never serialized:
 * serializing a tensor would read its backend's memory. Bounded in depth, entries and length (see
 * {@link ShowValueOptions}) and safe on cyclic values and throwing getters.
 *
 * ```ts
 * showValue([1, NaN, 'x']); // '[1,NaN,"x"]'
 * showValue({ kernel: zeros([2, 3]) }); // '{"kernel":a float32 Tensor of shape [2,3]}'
 * ```
 */
export function showValue(value: unknown, options: ShowValueOptions = {}): string {
  const limits: Limits = { maxDepth: options.maxDepth ?? 5, maxEntries: options.maxEntries ?? 20 };
  const maxLength = options.maxLength ?? Infinity;
  let text: string;
  try {
    text = render(value, 0, limits, []);
  } catch {
    text = article(typeof value);
  }
  return text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 3))}...` : text;
}
