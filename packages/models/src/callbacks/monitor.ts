/** Shared by the callbacks that watch one logged value (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau). */
import type { MetricLogName } from '@descent/layers';
import { formatValue } from '../format.js';

/**
 * Whether the monitored value should fall (`'min'`), rise (`'max'`) or be judged by its name (`'auto'`:
 * accuracy-like names rise, the rest fall).
 */
export type MonitorMode = 'auto' | 'min' | 'max';

/**
 * A logged value a callback can watch: `'loss'`, a built-in metric's logged name, or either with
 * the `val_` prefix. Any other string is accepted too (custom metrics log under their own name).
 */
export type MonitorName = 'loss' | 'val_loss' | MetricLogName | `val_${MetricLogName}` | (string & {});

/** Whether larger is better for `monitor` under `mode` ('auto': accuracy-like names are maximized, the rest minimized). */
export function resolveMaximize(op: string, monitor: string, mode: MonitorMode): boolean {
  if (mode === 'min') return false;
  if (mode === 'max') return true;
  if (mode !== 'auto') throw new Error(`${op}: mode must be 'auto', 'min' or 'max', got '${String(mode)}'`);
  const m = monitor.replace(/^val_/, '');
  return /acc|auc|precision|recall|f1|top_k/.test(m);
}

export function checkNonNegative(op: string, name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new Error(`${op}: ${name} must be a finite number ≥ 0, got ${formatValue(v)}`);
  return v;
}

/**
 * Called when `monitor` is missing from an epoch's logs. Validation values are legitimately absent
 * in epochs that skip validation (`validationFreq`), so that is fine; but a name missing while
 * its kind (train or validation) was logged is a typo or a metric that was never compiled.
 */
export function requireMonitored(op: string, monitor: string, logs: Record<string, number>): void {
  const isVal = monitor.startsWith('val_');
  const sameKind = Object.keys(logs).filter((k) => k.startsWith('val_') === isVal);
  if (sameKind.length > 0) {
    throw new Error(`${op}: monitor '${monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`);
  }
}

/** Fail at the start of training when a `val_*` value is monitored but fit has no validation data. */
export function checkValidationAvailable(op: string, monitor: string, loggedNames: readonly string[]): void {
  if (monitor.startsWith('val_') && !loggedNames.some((k) => k.startsWith('val_'))) {
    throw new Error(`${op}: monitor '${monitor}' needs validation data: pass validationData or validationSplit to fit, or monitor a training value such as 'loss'`);
  }
}
