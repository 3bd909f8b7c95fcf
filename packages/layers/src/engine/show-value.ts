import { isTensor } from '@descent/tensor';

/** A class instance as messages name it: a tensor by dtype and shape, anything else by its class. */
function describeInstance(v: object): string | undefined {
  if (isTensor(v)) return `a ${v.dtype} Tensor of shape [${v.shape.join(',')}]`;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (Array.isArray(v) || proto === Object.prototype || proto === null) return undefined;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

/**
 * A value as error messages show it: JSON for strings, arrays and plain objects, but numbers as
 * themselves, so `NaN` and `Infinity` print as `NaN`/`Infinity` (JSON.stringify writes `null`),
 * also inside arrays and objects. Tensors and other class instances are named, not serialized
 * (serializing a tensor would walk its backend's memory).
 */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  const mark = '\u2063nonfinite:';
  const named = '\u2063named:';
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return `${mark}${String(v)}`;
      if (typeof v === 'object' && v !== null) {
        const d = describeInstance(v);
        if (d !== undefined) return `${named}${d}`;
      }
      return v;
    });
    if (text === undefined) return typeof value === 'function' ? 'a function' : typeof value;
    return text
      .replace(new RegExp(`"${mark}(-?Infinity|NaN)"`, 'g'), '$1')
      .replace(new RegExp(`"${named}([^"]*)"`, 'g'), '$1');
  } catch {
    return typeof value;
  }
}
