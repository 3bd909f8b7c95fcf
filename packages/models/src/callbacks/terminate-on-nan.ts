import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import { checkOptionKeys } from '../training/options.js';

/** Stop training as soon as a batch's loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  private readonly log: (message: string) => void;
  /** The batch that stopped training, or null. */
  terminatedAtBatch: number | null = null;

  constructor(options: { log?: (message: string) => void } = {}) {
    super();
    checkOptionKeys('TerminateOnNaN', options, ['log']);
    this.log = options.log ?? ((m) => console.log(m));
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.terminatedAtBatch = batch;
      this.log(`Batch ${batch}: invalid loss, terminating training`);
      this.requireModel('TerminateOnNaN').stopTraining = true;
    }
  }
}
