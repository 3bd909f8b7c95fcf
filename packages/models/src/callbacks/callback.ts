import { formatValue } from '../format.js';
import type { AnyModel } from '../training/model-kind.js';

/** Values a hook receives: `loss`, metrics, `val_*`, `learning_rate` … as plain numbers. */
export type Logs = Record<string, number>;

/** What `fit`/`evaluate`/`predict` tell callbacks before they start. */
export interface CallbackParams {
  /** Number of epochs `fit` will run (1 for `evaluate`/`predict`). */
  epochs: number;
  /** Batches per epoch (or per evaluation), when known. */
  steps: number | null;
  /** The run's verbosity: 0 silent, 1 progress bar, 2 one line per epoch. */
  verbose: 0 | 1 | 2;
  /** Names of the values in the logs, in order (`['loss', 'accuracy', 'val_loss', …]`). */
  metrics: string[];
}

/** What a hook returns: nothing, or a promise that `fit` awaits before it goes on. */
export type MaybePromise = void | Promise<void>;

/**
 * Base class for callbacks: override any hook; each may be synchronous or return a promise,
 * which `fit` awaits before it goes on.
 */
export class Callback {
  /** The model being trained, evaluated or run; null until `setModel`. */
  model: AnyModel | null = null;
  /** The run's parameters (epochs, steps, verbosity, log names), set before the first hook. */
  params: CallbackParams = { epochs: 0, steps: null, verbose: 0, metrics: [] };

  /** Attaches the callback to `model`; `fit`/`evaluate`/`predict` call it before the first hook. */
  setModel(model: AnyModel): void {
    this.model = model;
  }

  /** Receives the run's parameters; called once before the first hook. */
  setParams(params: CallbackParams): void {
    this.params = params;
  }

  /** Called once when `fit` starts. */
  onTrainBegin(_logs: Logs): MaybePromise {}
  /** Called once when `fit` ends, with the last epoch's logs. */
  onTrainEnd(_logs: Logs): MaybePromise {}
  /** Called at the start of each epoch (`epoch` counts from 0). */
  onEpochBegin(_epoch: number, _logs: Logs): MaybePromise {}
  /** Called after each epoch with its logs: `loss`, metrics and, with validation data, `val_*`. */
  onEpochEnd(_epoch: number, _logs: Logs): MaybePromise {}
  /** Called before each training batch (`batch` counts from 0 within the epoch). */
  onBatchBegin(_batch: number, _logs: Logs): MaybePromise {}
  /** Called after each training batch with that batch's logs (running means over the epoch so far). */
  onBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  /** Called when `evaluate` (or the validation pass of `fit`) starts. */
  onTestBegin(_logs: Logs): MaybePromise {}
  /** Called when `evaluate` (or the validation pass of `fit`) ends, with its logs. */
  onTestEnd(_logs: Logs): MaybePromise {}
  /** Called before each evaluation batch. */
  onTestBatchBegin(_batch: number, _logs: Logs): MaybePromise {}
  /** Called after each evaluation batch with the running logs. */
  onTestBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  /** Called when `predict` starts. */
  onPredictBegin(_logs: Logs): MaybePromise {}
  /** Called when `predict` ends. */
  onPredictEnd(_logs: Logs): MaybePromise {}
  /** Called before each prediction batch. */
  onPredictBatchBegin(_batch: number, _logs: Logs): MaybePromise {}
  /** Called after each prediction batch. */
  onPredictBatchEnd(_batch: number, _logs: Logs): MaybePromise {}

  /** The model this callback is attached to; throws if used outside `fit`/`evaluate`/`predict`. */
  protected requireModel(who: string): AnyModel {
    if (!this.model) throw new Error(`${who}: this callback is not attached to a model; pass it in fit({ callbacks })`);
    return this.model;
  }
}

type EpochHook = 'onEpochBegin' | 'onEpochEnd';
type BatchHook = 'onBatchBegin' | 'onBatchEnd' | 'onTestBatchBegin' | 'onTestBatchEnd' | 'onPredictBatchBegin' | 'onPredictBatchEnd';
type RunHook = 'onTrainBegin' | 'onTrainEnd' | 'onTestBegin' | 'onTestEnd' | 'onPredictBegin' | 'onPredictEnd';
type HookName = EpochHook | BatchHook | RunHook;

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Call hook `hook` as a method of `cb` (run hooks take logs only, the others an index and logs). */
function invoke(cb: Callback, hook: HookName, a: number | Logs, b: Logs | undefined): MaybePromise {
  const hooks = cb as unknown as Record<HookName, (x: number | Logs, y?: Logs) => MaybePromise>;
  return b === undefined ? hooks[hook](a) : hooks[hook](a, b);
}

/** Runs one hook on every callback in order. */
export class CallbackList {
  /** The callbacks, in the order their hooks run. */
  readonly callbacks: Callback[];

  constructor(callbacks: readonly Callback[], model: AnyModel, params: CallbackParams) {
    this.callbacks = [...callbacks];
    for (const cb of this.callbacks) {
      cb.setModel(model);
      cb.setParams(params);
    }
  }

  /** Await each callback's hook in turn (used by `fit`). */
  async run(hook: RunHook, logs: Logs): Promise<void>;
  async run(hook: EpochHook | BatchHook, index: number, logs: Logs): Promise<void>;
  async run(hook: HookName, a: number | Logs, b?: Logs): Promise<void> {
    for (const cb of this.callbacks) {
      const r = invoke(cb, hook, a, b);
      if (isPromise(r)) await r;
    }
  }

  /**
   * Run a hook synchronously (used by the synchronous `evaluate`/`predict`): a hook that returns
   * a promise cannot be awaited there, so that is an error rather than a silently dropped promise.
   */
  runSync(op: string, hook: RunHook, logs: Logs): void;
  runSync(op: string, hook: BatchHook, index: number, logs: Logs): void;
  runSync(op: string, hook: HookName, a: number | Logs, b?: Logs): void {
    for (const cb of this.callbacks) {
      const r = invoke(cb, hook, a, b);
      if (isPromise(r)) {
        r.catch(() => undefined);
        throw new Error(
          `${op}: callback ${cb.constructor.name}.${hook} returned a Promise, but ${op}() runs callbacks synchronously; ` +
            'use synchronous hooks here (fit awaits asynchronous ones)',
        );
      }
    }
  }
}

/**
 * The `callbacks` option of fit / evaluate / evaluateDataset / predict, checked: undefined means
 * none; otherwise an array whose every entry is a Callback (has setModel and the hook methods).
 */
export function checkCallbacks(op: string, value: unknown): Callback[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(`${op}: callbacks must be an array of Callback objects (e.g. [new EarlyStopping(...)]), got ${formatValue(value)}`);
  }
  for (const [i, cb] of (value as unknown[]).entries()) {
    const c = cb as Partial<Callback> | null;
    if (typeof c !== 'object' || c === null || typeof c.setModel !== 'function' || typeof c.onEpochEnd !== 'function') {
      throw new Error(`${op}: every entry of callbacks must be a Callback (e.g. new EarlyStopping(...) or new LambdaCallback({...})), got ${formatValue(cb)} at index ${i}`);
    }
  }
  return [...(value as Callback[])];
}
