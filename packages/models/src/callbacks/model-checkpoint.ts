import type { IOHandler } from '../io/artifacts.js';
import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import type { MonitorMode, MonitorName } from './monitor.js';
import { checkValidationAvailable, requireMonitored, resolveMaximize } from './monitor.js';
import { checkOptionKeys, optionNames } from '../training/options.js';

/** Options of `ModelCheckpoint`. */
export interface ModelCheckpointOptions {
  /** Value that decides "best" (default 'val_loss'). */
  monitor?: MonitorName;
  /**
   * `'min'`, `'max'`, or `'auto'` (default): maximize accuracy-like names (acc, auc, precision, recall,
   * f1, top_k), minimize the rest.
   */
  mode?: MonitorMode;
  /** Only save when the monitored value improved on the best so far (default false). */
  saveBestOnly?: boolean;
  /** Save only the weights (`model.saveWeights`) instead of the whole model (default false). */
  saveWeightsOnly?: boolean;
  /** Save optimizer state too, so training can resume exactly (default false; ignored with saveWeightsOnly). */
  includeOptimizer?: boolean;
  /** 1: log each save and each skipped save (default 0). */
  verbose?: 0 | 1;
  /** Where verbose messages go (default console.log). */
  log?: (message: string) => void;
}

/**
 * Fill `{epoch}`, `{epoch:02d}`, `{val_loss}`, `{val_loss:.4f}`, `{loss:.2e}` … in a path template.
 * `epoch` is 1-based, like the "Epoch 3/10" the progress bar shows; other names come from the logs.
 */
export function formatFilepath(template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const value = key === 'epoch' ? epoch + 1 : logs[key];
    if (value === undefined) {
      throw new Error(`ModelCheckpoint: filepath '${template}' uses {${key}}, which is not in the logs (available: epoch, ${Object.keys(logs).join(', ')})`);
    }
    if (spec === undefined || spec === '') return String(value);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfeg])$/.exec(spec);
    if (!m) throw new Error(`ModelCheckpoint: unsupported format '${whole}' in filepath; use forms like {epoch:02d}, {val_loss:.4f}, {loss:.2e}`);
    const [, zero, widthText, precText, type] = m;
    const precision = precText === undefined ? 6 : Number(precText);
    let text: string;
    if (type === 'd') text = String(Math.round(value));
    else if (type === 'f') text = value.toFixed(precision);
    else if (type === 'e') text = value.toExponential(precision);
    else text = String(Number(value.toPrecision(Math.max(1, precision))));
    const width = widthText ? Number(widthText) : 0;
    if (text.length < width) {
      if (zero === '0') {
        const neg = text.startsWith('-');
        text = (neg ? '-' : '') + (neg ? text.slice(1) : text).padStart(width - (neg ? 1 : 0), '0');
      } else text = text.padStart(width, ' ');
    }
    return text;
  });
}

/**
 * Save the model (or its weights) after each epoch, or only when it improved (`saveBestOnly`).
 * `filepath` is a template URL such as `'file://./ckpt/model-{epoch:02d}-{val_loss:.4f}'`, or a
 * function returning a URL or an IOHandler for the epoch.
 */
export class ModelCheckpoint extends Callback {
  /**
   * Template URL of each save, or a function of the epoch (from 0) and logs returning a URL or an
   * `IOHandler`.
   */
  readonly filepath: string | ((epoch: number, logs: Logs) => string | IOHandler);
  /** The logged value that decides "best". */
  readonly monitor: string;
  /**
   * Whether the monitored value should fall (`'min'`), rise (`'max'`) or be judged by its name (`'auto'`).
   */
  readonly mode: MonitorMode;
  /** Whether only improvements are saved. */
  readonly saveBestOnly: boolean;
  /** Whether only the weights are saved. */
  readonly saveWeightsOnly: boolean;
  /** Whether optimizer state is saved with the model. */
  readonly includeOptimizer: boolean;
  /** 1: saves are logged. */
  readonly verbose: 0 | 1;
  private readonly log: (message: string) => void;
  private readonly maximize: boolean;
  /** Best monitored value so far. */
  best: number;

  constructor(filepath: string | ((epoch: number, logs: Logs) => string | IOHandler), options: ModelCheckpointOptions = {}) {
    super();
    checkOptionKeys('ModelCheckpoint', options, CHECKPOINT_OPTIONS);
    if (typeof filepath !== 'string' && typeof filepath !== 'function') {
      throw new Error(`ModelCheckpoint: filepath must be a URL template string or a function, got ${typeof filepath}`);
    }
    this.filepath = filepath;
    this.monitor = options.monitor ?? 'val_loss';
    this.mode = options.mode ?? 'auto';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.includeOptimizer = options.includeOptimizer ?? false;
    this.verbose = options.verbose ?? 0;
    this.log = options.log ?? ((m) => console.log(m));
    this.maximize = resolveMaximize('ModelCheckpoint', this.monitor, this.mode);
    this.best = this.maximize ? -Infinity : Infinity;
  }

  override onTrainBegin(): void {
    if (this.saveBestOnly) checkValidationAvailable('ModelCheckpoint', this.monitor, this.params.metrics);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const model = this.requireModel('ModelCheckpoint');
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        requireMonitored('ModelCheckpoint', this.monitor, logs);
        return;
      }
      const better = this.maximize ? current > this.best : current < this.best;
      if (!better) {
        if (this.verbose > 0) this.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best}`);
        return;
      }
      if (this.verbose > 0) this.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model`);
      this.best = current;
    }
    const target = typeof this.filepath === 'string' ? formatFilepath(this.filepath, epoch, logs) : this.filepath(epoch, logs);
    if (this.saveWeightsOnly) await model.saveWeights(target);
    else await model.save(target, { includeOptimizer: this.includeOptimizer });
    if (this.verbose > 0 && !this.saveBestOnly) this.log(`Epoch ${epoch + 1}: saving model to ${typeof target === 'string' ? target : 'handler'}`);
  }
}

const CHECKPOINT_OPTIONS = optionNames<ModelCheckpointOptions>({
  monitor: true, mode: true, saveBestOnly: true, saveWeightsOnly: true, includeOptimizer: true, verbose: true, log: true,
});
