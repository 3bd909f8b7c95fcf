/**
 * A value as error messages show it: JSON-like and bounded (depth, entries, length), never
 * `[object Object]`; NaN, ±Infinity and undefined print as themselves. Safe on deep, cyclic,
 * null-prototype and throwing-getter values (a hostile model.json or options object).
 */
export function formatValue(value: unknown, maxLength = 80): string {
  let s: string;
  try {
    s = render(value, 0);
  } catch {
    s = `a ${typeof value}`;
  }
  return s.length > maxLength ? `${s.slice(0, maxLength - 3)}...` : s;
}

const MAX_DEPTH = 3;
const MAX_ENTRIES = 8;

function render(value: unknown, depth: number): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return value.length === 0 ? '[]' : '[...]';
    const items: string[] = [];
    for (let i = 0; i < Math.min(value.length, MAX_ENTRIES); i++) items.push(render((value as unknown[])[i], depth + 1));
    if (value.length > MAX_ENTRIES) items.push(`... ${value.length - MAX_ENTRIES} more`);
    return `[${items.join(',')}]`;
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor?.name ?? 'typed array'}`;
  const keys = Object.keys(value);
  if (depth >= MAX_DEPTH) return keys.length === 0 ? '{}' : '{...}';
  const items = keys.slice(0, MAX_ENTRIES).map((k) => `${JSON.stringify(k)}:${render((value as Record<string, unknown>)[k], depth + 1)}`);
  if (keys.length > MAX_ENTRIES) items.push(`... ${keys.length - MAX_ENTRIES} more`);
  return `{${items.join(',')}}`;
}
