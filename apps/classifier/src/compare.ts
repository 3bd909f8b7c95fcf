import type { RunResult } from './train.js';

const last = (values: number[] | undefined): string => (values && values.length > 0 ? values[values.length - 1]!.toFixed(4) : '—');

/** A markdown table of the compared runs: final train/val loss, test accuracy, time per epoch. */
export function compareTable(runs: readonly RunResult[]): string {
  const rows = [
    '| optimizer | learning rate | train loss | val loss | test accuracy | s/epoch |',
    '|---|---|---|---|---|---|',
    ...runs.map((r) => {
      const lr = /learning rate ([^ ]+)/.exec(r.description)?.[1] ?? '';
      return `| ${r.optimizer} | ${lr} | ${last(r.history.loss)} | ${last(r.history.val_loss)} | ${(r.testAccuracy * 100).toFixed(2)}% | ${r.secondsPerEpoch.toFixed(2)} |`;
    }),
  ];
  return rows.join('\n');
}
