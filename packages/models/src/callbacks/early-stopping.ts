import type { Tensor } from '@descent/tensor';
import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import type { MonitorMode, MonitorName } from './monitor.js';
import { checkNonNegative, checkValidationAvailable, requireMonitored, resolveMaximize } from './monitor.js';
import { checkOptionKeys, optionNames } from '../training/options.js';

/** Options of `EarlyStopping`. */
export interface EarlyStoppingOptions {
  /** Logged value to watch (default 'val_loss'). */
  monitor?: MonitorName;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /**
   * `'min'`, `'max'`, or `'auto'` (default): maximize accuracy-like names (acc, auc, precision, recall,
   * f1, top_k), minimize the rest.
   */
  mode?: MonitorMode;
  /** The value must beat this too before patience resets (default none). */
  baseline?: number | null;
  /** Put back the weights of the best epoch when training ends (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all, e.g. during warm-up (default 0). */
  startFromEpoch?: number;
  /** 1: say when and why training stopped. */
  verbose?: 0 | 1;
  /** Where verbose messages go (default console.log). */
  log?: (message: string) => void;
}

/**
 * Stop training when the monitored value stops improving. With `restoreBestWeights`, the best
 * epoch's weights are put back when it stops — and also when training runs to its last epoch
 * without stopping, so the model always ends at its best epoch.
 */
export class EarlyStopping extends Callback {
  /** The logged value watched. */
  readonly monitor: string;
  /** Smallest change that counts as an improvement (absolute value). */
  readonly minDelta: number;
  /** Epochs without improvement before training stops. */
  readonly patience: number;
  /**
   * Whether the monitored value should fall (`'min'`), rise (`'max'`) or be judged by its name (`'auto'`).
   */
  readonly mode: MonitorMode;
  /** Value the monitored value must beat, or null. */
  readonly baseline: number | null;
  /** Whether the best epoch's weights are put back when training ends. */
  readonly restoreBestWeights: boolean;
  /** Epochs ignored before watching starts. */
  readonly startFromEpoch: number;
  /** 1: say when and why training stopped. */
  readonly verbose: 0 | 1;
  private readonly log: (message: string) => void;
  private maximize = false;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch (from 0) at which training was stopped; 0 if it was not. */
  stoppedEpoch = 0;
  /** Best monitored value so far. */
  best = Infinity;
  /** The epoch (from 0) that had the best value. */
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;
  private lastEpoch = -1;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    const op = 'EarlyStopping';
    checkOptionKeys(op, options, EARLY_STOPPING_OPTIONS);
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = checkNonNegative(op, 'patience', options.patience ?? 0);
    this.mode = options.mode ?? 'auto';
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = checkNonNegative(op, 'startFromEpoch', options.startFromEpoch ?? 0);
    this.verbose = options.verbose ?? 0;
    this.log = options.log ?? ((m) => console.log(m));
    this.maximize = resolveMaximize(op, this.monitor, this.mode);
  }

  private improved(current: number, reference: number): boolean {
    return this.maximize ? current - this.minDelta > reference : current + this.minDelta < reference;
  }

  override onTrainBegin(): void {
    checkValidationAvailable('EarlyStopping', this.monitor, this.params.metrics);
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.maximize ? -Infinity : Infinity;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.lastEpoch = -1;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.lastEpoch = epoch;
    const current = logs[this.monitor];
    if (current === undefined) {
      requireMonitored('EarlyStopping', this.monitor, logs);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const model = this.requireModel('EarlyStopping');
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.improved(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      if (this.baseline === null || this.improved(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    const model = this.model;
    if (this.stoppedEpoch > 0 && this.verbose > 0) this.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (model && this.restoreBestWeights && this.bestWeights !== null && this.bestEpoch !== this.lastEpoch) {
      if (this.verbose > 0) this.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      model.setWeights(this.bestWeights);
    }
  }
}

const EARLY_STOPPING_OPTIONS = optionNames<EarlyStoppingOptions>({
  monitor: true, minDelta: true, patience: true, mode: true, baseline: true, restoreBestWeights: true, startFromEpoch: true, verbose: true, log: true,
});
