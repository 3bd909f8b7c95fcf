import type { Logs, MaybePromise } from './callback.js';
import { Callback } from './callback.js';

type RunFn = (logs: Logs) => MaybePromise;
type IndexFn = (index: number, logs: Logs) => MaybePromise;

export interface LambdaCallbackHooks {
  onTrainBegin?: RunFn;
  onTrainEnd?: RunFn;
  onEpochBegin?: IndexFn;
  onEpochEnd?: IndexFn;
  onBatchBegin?: IndexFn;
  onBatchEnd?: IndexFn;
  onTestBegin?: RunFn;
  onTestEnd?: RunFn;
  onTestBatchBegin?: IndexFn;
  onTestBatchEnd?: IndexFn;
  onPredictBegin?: RunFn;
  onPredictEnd?: RunFn;
  onPredictBatchBegin?: IndexFn;
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
