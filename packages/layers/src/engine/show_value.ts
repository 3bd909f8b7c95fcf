/**
 * A value as error messages show it: JSON for strings, arrays and objects, but numbers as
 * themselves, so `NaN` and `Infinity` print as `NaN`/`Infinity` (JSON.stringify writes `null`),
 * also inside arrays and objects.
 */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  const mark = '\u2063nonfinite:';
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${mark}${String(v)}` : v));
    if (text === undefined) return typeof value === 'function' ? 'a function' : typeof value;
    return text.replace(new RegExp(`"${mark}(-?Infinity|NaN)"`, 'g'), '$1');
  } catch {
    return typeof value;
  }
}
