import type { Optimizer } from '@descent/optimizers';
import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import type { MonitorMode, MonitorName } from './monitor.js';
import { checkNonNegative, checkValidationAvailable, requireMonitored, resolveMaximize } from './monitor.js';
import { formatValue } from '../format.js';
import { checkOptionKeys, optionNames } from '../training/options.js';

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** Logged value to watch (default `'val_loss'`). */
  monitor?: MonitorName;
  /** New rate = rate · factor (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /**
   * `'min'`, `'max'`, or `'auto'` (default): maximize accuracy-like names (acc, auc, precision, recall,
   * f1, top_k), minimize the rest.
   */
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate (default 0). */
  minLr?: number;
  /** 1: log each reduction (default 0). */
  verbose?: 0 | 1;
  /** Where verbose messages go (default console.log). */
  log?: (message: string) => void;
}

/** The compiled optimizer, whose learning rate must be a plain number for callbacks to change it. */
export function numericLearningRate(op: string, optimizer: Optimizer | null): Optimizer {
  if (!optimizer) throw new Error(`${op}: the model has no optimizer; call compile() first`);
  if (typeof optimizer.learningRate !== 'number') {
    throw new Error(`${op}: the optimizer's learning rate is a schedule or function, which ${op} cannot change; give the optimizer a number learning rate`);
  }
  return optimizer;
}

/** Lower the learning rate when the monitored value has stopped improving. Adds `learning_rate` to the logs. */
export class ReduceLROnPlateau extends Callback {
  /** The logged value watched. */
  readonly monitor: string;
  /** Multiplier applied to the learning rate at each reduction. */
  readonly factor: number;
  /** Epochs without improvement before a reduction. */
  readonly patience: number;
  /**
   * Whether the monitored value should fall (`'min'`), rise (`'max'`) or be judged by its name (`'auto'`).
   */
  readonly mode: MonitorMode;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs after a reduction before waiting starts again. */
  readonly cooldown: number;
  /** Lower bound on the learning rate. */
  readonly minLr: number;
  /** 1: reductions are logged. */
  readonly verbose: 0 | 1;
  private readonly log: (message: string) => void;
  private readonly maximize: boolean;
  /** Best monitored value so far. */
  best = Infinity;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    const op = 'ReduceLROnPlateau';
    checkOptionKeys(op, options, REDUCE_LR_OPTIONS);
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1) || !(this.factor >= 0)) throw new Error(`${op}: factor must be in [0, 1), got ${formatValue(this.factor)}`);
    this.patience = checkNonNegative(op, 'patience', options.patience ?? 10);
    this.mode = options.mode ?? 'auto';
    this.minDelta = checkNonNegative(op, 'minDelta', options.minDelta ?? 1e-4);
    this.cooldown = checkNonNegative(op, 'cooldown', options.cooldown ?? 0);
    this.minLr = checkNonNegative(op, 'minLr', options.minLr ?? 0);
    this.verbose = options.verbose ?? 0;
    this.log = options.log ?? ((m) => console.log(m));
    this.maximize = resolveMaximize(op, this.monitor, this.mode);
  }

  override onTrainBegin(): void {
    checkValidationAvailable('ReduceLROnPlateau', this.monitor, this.params.metrics);
    this.best = this.maximize ? -Infinity : Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = numericLearningRate('ReduceLROnPlateau', this.requireModel('ReduceLROnPlateau').optimizer);
    logs.learning_rate = optimizer.currentLearningRate();
    const current = logs[this.monitor];
    if (current === undefined) {
      requireMonitored('ReduceLROnPlateau', this.monitor, logs);
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    const improved = this.maximize ? current > this.best + this.minDelta : current < this.best - this.minDelta;
    if (improved) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const old = optimizer.currentLearningRate();
    if (old > this.minLr) {
      const next = Math.max(old * this.factor, this.minLr);
      optimizer.learningRate = next;
      if (this.verbose > 0) this.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}

const REDUCE_LR_OPTIONS = optionNames<ReduceLROnPlateauOptions>({
  monitor: true, factor: true, patience: true, mode: true, minDelta: true, cooldown: true, minLr: true, verbose: true, log: true,
});
