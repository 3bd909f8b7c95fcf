import type { Logs } from './callback.js';
import { Callback } from './callback.js';

/**
 * Records every epoch's logs; `fit` returns it. As in Keras, a key only gets entries for the epochs
 * that logged it: with `validationFreq: 2`, `history.val_loss` has one value per two epochs.
 */
export class History extends Callback {
  /** The epochs run, 0-based. */
  epoch: number[] = [];
  /** Each logged value (`loss`, metrics, `val_*`, …) by name, one entry per epoch that logged it. */
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
    this.history = {};
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
