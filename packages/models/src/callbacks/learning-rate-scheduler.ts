import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import { numericLearningRate } from './reduce-lr-on-plateau.js';
import { checkOptionKeys } from '../training/options.js';

/** The learning rate for `epoch` (0-based), given the current rate. */
export type EpochSchedule = (epoch: number, learningRate: number) => number;

/**
 * Set the learning rate at the start of each epoch to `schedule(epoch, currentRate)` (epoch is
 * 0-based, as in Keras). Adds `learning_rate` to the epoch logs.
 */
export class LearningRateScheduler extends Callback {
  private readonly schedule: EpochSchedule;
  /** 1: log each change of the learning rate. */
  readonly verbose: 0 | 1;
  private readonly log: (message: string) => void;

  constructor(schedule: EpochSchedule, options: { verbose?: 0 | 1; log?: (message: string) => void } = {}) {
    super();
    checkOptionKeys('LearningRateScheduler', options, ['verbose', 'log']);
    if (typeof schedule !== 'function') throw new Error(`LearningRateScheduler: schedule must be a function (epoch, lr) => lr, got ${typeof schedule}`);
    this.schedule = schedule;
    this.verbose = options.verbose ?? 0;
    this.log = options.log ?? ((m) => console.log(m));
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = numericLearningRate('LearningRateScheduler', this.requireModel('LearningRateScheduler').optimizer);
    const next = this.schedule(epoch, optimizer.currentLearningRate());
    if (typeof next !== 'number' || !Number.isFinite(next)) {
      throw new Error(`LearningRateScheduler: the schedule must return a finite number, got ${String(next)} for epoch ${epoch}`);
    }
    optimizer.learningRate = next;
    if (this.verbose > 0) this.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${next}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    const optimizer = this.requireModel('LearningRateScheduler').optimizer;
    if (optimizer) logs.learning_rate = optimizer.currentLearningRate();
  }
}
