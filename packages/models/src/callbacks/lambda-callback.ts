import type { Logs, MaybePromise } from './callback.js';
import { Callback } from './callback.js';

type RunFn = (logs: Logs) => MaybePromise;
type IndexFn = (index: number, logs: Logs) => MaybePromise;

/** The hooks of a `LambdaCallback`: any subset of `Callback`'s hook methods, as plain functions. */
export interface LambdaCallbackHooks {
  /** Called once when `fit` starts. */
  onTrainBegin?: RunFn;
  /** Called once when `fit` ends, with the last epoch's logs. */
  onTrainEnd?: RunFn;
  /** Called at the start of each epoch (from 0). */
  onEpochBegin?: IndexFn;
  /** Called after each epoch with its logs. */
  onEpochEnd?: IndexFn;
  /** Called before each training batch. */
  onBatchBegin?: IndexFn;
  /** Called after each training batch with the running logs. */
  onBatchEnd?: IndexFn;
  /** Called when evaluation starts. */
  onTestBegin?: RunFn;
  /** Called when evaluation ends, with its logs. */
  onTestEnd?: RunFn;
  /** Called before each evaluation batch. */
  onTestBatchBegin?: IndexFn;
  /** Called after each evaluation batch. */
  onTestBatchEnd?: IndexFn;
  /** Called when `predict` starts. */
  onPredictBegin?: RunFn;
  /** Called when `predict` ends. */
  onPredictEnd?: RunFn;
  /** Called before each prediction batch. */
  onPredictBatchBegin?: IndexFn;
  /** Called after each prediction batch. */
  onPredictBatchEnd?: IndexFn;
}

const HOOKS = [
  'onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTestBegin', 'onTestEnd',
  'onTestBatchBegin', 'onTestBatchEnd', 'onPredictBegin', 'onPredictEnd', 'onPredictBatchBegin', 'onPredictBatchEnd',
] as const;

/** A callback made of plain functions: `new LambdaCallback({ onEpochEnd: (epoch, logs) => … })`. */
export class LambdaCallback extends Callback {
  constructor(hooks: LambdaCallbackHooks) {
    super();
    for (const key of Object.keys(hooks)) {
      if (!(HOOKS as readonly string[]).includes(key)) {
        throw new Error(`LambdaCallback: unknown hook '${key}'; valid hooks: ${HOOKS.join(', ')}`);
      }
    }
    for (const name of HOOKS) {
      const fn = hooks[name];
      if (fn === undefined) continue;
      if (typeof fn !== 'function') throw new Error(`LambdaCallback: ${name} must be a function, got ${typeof fn}`);
      // Own properties shadow the base class's no-op methods.
      Object.defineProperty(this, name, { value: fn, writable: true, configurable: true });
    }
  }
}
