/**
 * Text of the Keras progress bar: `12/250 [==>...........................] - ETA: 3s - loss: 0.4312`.
 * Pure formatting, so the exact text can be tested; ProgbarLogger decides when to write it.
 */

/** A log value with at least 4 significant digits (`0.4312`, `0.01234`, `1.2346e-5`, `1234.5678`). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a === 0) return '0.0000';
  if (a >= 0.1 && a < 1e12) return v.toFixed(4);
  if (a >= 1e-4 && a < 0.1) return v.toPrecision(4);
  return v.toExponential(4);
}

/** ETA the way Keras shows it: `3s`, `1:05`, `1:02:03`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

/** Time per step: `8ms/step`, `2s/step`, `350us/step`. */
export function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${Math.round(seconds)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

/** `[==>.......]` for `current` of `target` steps, `width` characters between the brackets. */
export function formatBar(current: number, target: number, width = 30): string {
  const filled = Math.min(width, Math.floor((width * current) / target));
  let bar = '';
  if (filled > 0) bar = '='.repeat(filled - 1) + (current < target ? '>' : '=');
  return `[${bar}${'.'.repeat(width - filled)}]`;
}

export function formatValues(values: readonly (readonly [string, number])[]): string {
  let out = '';
  for (const [k, v] of values) out += ` - ${k}: ${formatValue(v)}`;
  return out;
}

export interface ProgressLine {
  current: number;
  /** Steps in the epoch, or null when unknown (a dataset without `stepsPerEpoch`, first epoch). */
  target: number | null;
  /** Seconds since the epoch started. */
  elapsed: number;
  values: readonly (readonly [string, number])[];
  width?: number;
}

/** The in-progress or final line of verbose=1. */
export function formatProgressLine(p: ProgressLine): string {
  const perStep = p.current > 0 ? p.elapsed / p.current : 0;
  if (p.target === null) {
    return `${String(p.current).padStart(7)}/Unknown - ${Math.round(p.elapsed)}s ${formatPerStep(perStep)}${formatValues(p.values)}`;
  }
  const digits = String(p.target).length;
  const head = `${String(p.current).padStart(digits)}/${p.target} ${formatBar(p.current, p.target, p.width)}`;
  const timing = p.current < p.target ? `ETA: ${formatEta(perStep * (p.target - p.current))}` : `${Math.round(p.elapsed)}s ${formatPerStep(perStep)}`;
  return `${head} - ${timing}${formatValues(p.values)}`;
}

/** The one line of verbose=2 at the end of an epoch: `250/250 - 2s - 8ms/step - loss: 0.4312 - val_loss: 0.5012`. */
export function formatEpochLine(p: Omit<ProgressLine, 'width'>): string {
  const perStep = p.current > 0 ? p.elapsed / p.current : 0;
  const count = p.target === null ? `${p.current}` : `${p.current}/${p.target}`;
  return `${count} - ${Math.round(p.elapsed)}s - ${formatPerStep(perStep)}${formatValues(p.values)}`;
}
