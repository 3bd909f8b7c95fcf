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
function formatPerStep(seconds: number): string {
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

function formatValues(values: readonly (readonly [string, number])[]): string {
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

/** How one line of verbose=1 is laid out: the full line, or a shorter one for a narrow terminal. */
interface Layout {
  /** Characters between the brackets, or null for no bar. */
  bar: number | null;
  /** `2s 8ms/step` (true) or just `2s` (false) once the epoch is done; null leaves timing out. */
  perStep: boolean | null;
  /** Shorter metric names (`acc` for `accuracy`). */
  short: boolean;
  /** How many of the values to show, from the first (the loss comes first). */
  keep: number;
}

function compose(p: ProgressLine, layout: Layout): string {
  const perStep = p.current > 0 ? p.elapsed / p.current : 0;
  const done = p.target === null || p.current >= p.target;
  let line = p.target === null ? `${String(p.current).padStart(7)}/Unknown` : `${String(p.current).padStart(String(p.target).length)}/${p.target}`;
  if (p.target !== null && layout.bar !== null) line += ` ${formatBar(p.current, p.target, layout.bar)}`;
  if (layout.perStep !== null) {
    if (!done) line += ` - ETA: ${formatEta(perStep * (p.target! - p.current))}`;
    else line += ` - ${Math.round(p.elapsed)}s${layout.perStep ? ` ${formatPerStep(perStep)}` : ''}`;
  }
  const values = p.values.slice(0, layout.keep);
  return line + formatValues(layout.short ? values.map(([k, v]) => [abbreviateName(k), v] as const) : values);
}

/** The in-progress or final line of verbose=1. */
export function formatProgressLine(p: ProgressLine): string {
  return compose(p, { bar: p.width ?? 30, perStep: true, short: false, keep: p.values.length });
}

// Whole metric names with a well-known short form, and words shortened inside other names.
const SHORT_NAMES: Readonly<Record<string, string>> = {
  mean_squared_error: 'mse',
  mean_absolute_error: 'mae',
  mean_absolute_percentage_error: 'mape',
  mean_squared_logarithmic_error: 'msle',
  root_mean_squared_error: 'rmse',
  kullback_leibler_divergence: 'kld',
};
const SHORT_WORDS: Readonly<Record<string, string>> = { accuracy: 'acc', categorical: 'cat', crossentropy: 'xent', sparse: 'sp', binary: 'bin' };

/**
 * The short name of a log key for a narrow terminal: `acc` for `accuracy`, `val_cat_acc` for
 * `val_categorical_accuracy`, `mse` for `mean_squared_error`; other names stay as they are.
 */
export function abbreviateName(name: string): string {
  const prefix = name.startsWith('val_') ? 'val_' : '';
  const rest = name.slice(prefix.length);
  return prefix + (SHORT_NAMES[rest] ?? rest.split('_').map((w) => SHORT_WORDS[w] ?? w).join('_'));
}

/** Narrowest bar drawn in a fitted line; where even that does not fit, the bar is left out. */
const MIN_BAR = 10;

/**
 * The line of verbose=1 in at most `maxWidth` characters, so a terminal never wraps it (a wrapped
 * line cannot be redrawn in place). Where the full line is too long it degrades step by step: a
 * narrower bar (down to 10 characters), the epoch time without the time per step, short metric
 * names, no bar, fewer values (the last ones go first, the loss stays longest), the step count with
 * the loss or else with the timing, and finally just the step count, cut to the width.
 */
export function fitProgressLine(p: ProgressLine, maxWidth: number): string {
  if (!Number.isInteger(maxWidth) || maxWidth < 1) {
    throw new Error(`fitProgressLine: maxWidth must be a positive integer, got ${String(maxWidth)}`);
  }
  const full = formatProgressLine(p);
  if (full.length <= maxWidth) return full;
  const widest = p.width ?? 30;
  const all = p.values.length;
  // A bar as wide as the room left allows, between MIN_BAR and the configured width.
  const withBar = (layout: Omit<Layout, 'bar'>): string | null => {
    if (p.target === null) return compose(p, { ...layout, bar: null });
    const room = maxWidth - compose(p, { ...layout, bar: 0 }).length;
    return room >= Math.min(MIN_BAR, widest) ? compose(p, { ...layout, bar: Math.min(widest, room) }) : null;
  };
  const candidates: (() => string | null)[] = [
    () => withBar({ perStep: true, short: false, keep: all }),
    () => withBar({ perStep: false, short: false, keep: all }),
    () => withBar({ perStep: false, short: true, keep: all }),
  ];
  for (let keep = all; keep >= 1; keep--) candidates.push(() => compose(p, { bar: null, perStep: false, short: true, keep }));
  candidates.push(
    () => compose(p, { bar: null, perStep: null, short: true, keep: Math.min(1, all) }),
    () => compose(p, { bar: null, perStep: false, short: true, keep: 0 }),
  );
  for (const candidate of candidates) {
    const line = candidate();
    if (line !== null && line.length <= maxWidth) return line;
  }
  return compose(p, { bar: null, perStep: null, short: true, keep: 0 }).trimStart().slice(0, maxWidth);
}

/** The one line of verbose=2 at the end of an epoch: `250/250 - 2s - 8ms/step - loss: 0.4312 - val_loss: 0.5012`. */
export function formatEpochLine(p: Omit<ProgressLine, 'width'>): string {
  const perStep = p.current > 0 ? p.elapsed / p.current : 0;
  const count = p.target === null ? `${p.current}` : `${p.current}/${p.target}`;
  return `${count} - ${Math.round(p.elapsed)}s - ${formatPerStep(perStep)}${formatValues(p.values)}`;
}
