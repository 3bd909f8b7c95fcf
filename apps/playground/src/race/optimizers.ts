// Optimizers of the race: any name of the @descent/optimizers registry, built by that registry's
// own classes (`get(name)` for the defaults, the class's `fromConfig` for edited hyperparameters).
import type { LearningRateSchedule, Optimizer } from '@descent/optimizers';
import { CosineDecay, ExponentialDecay, InverseTimeDecay, PolynomialDecay, get, list } from '@descent/optimizers';

/** One racer: an optimizer name and the hyperparameters that differ from its Keras defaults. */
export interface RacerSpec {
  name: string;
  /** Overrides of `get(name).getConfig()`: numbers and booleans only. */
  options: Record<string, number | boolean>;
}

export type ScheduleKind = 'constant' | 'exponential' | 'cosine' | 'inverseTime' | 'polynomial';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'exponential', 'cosine', 'inverseTime', 'polynomial'];

/** A learning-rate schedule applied to every racer, starting from that racer's own learning rate. */
export interface ScheduleSpec {
  kind: ScheduleKind;
  /** Steps over which the rate decays (decaySteps). */
  steps: number;
  /** decayRate for exponential/inverse time, alpha (the final fraction) for cosine, the end rate's fraction for polynomial. */
  rate: number;
}

export const DEFAULT_SCHEDULE: ScheduleSpec = { kind: 'constant', steps: 100, rate: 0.5 };

/** The hyperparameters a racer's table shows: options that are plain numbers or booleans in the defaults. */
const SHOWN = new Set([
  'learningRate', 'momentum', 'nesterov', 'rho', 'centered', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'initialAccumulatorValue',
  'weightDecay', 'clipnorm', 'globalClipnorm', 'clipvalue', 'learningRatePower', 'l1RegularizationStrength',
  'l2RegularizationStrength', 'beta', 'beta2Decay', 'epsilon2', 'clipThreshold', 'relativeStep',
]);

/** The names of every registered optimizer, as `list()` gives them. */
export function optimizerNames(): string[] {
  return list();
}

/** The Keras defaults of `name` restricted to the hyperparameters the page edits (clip options included, as null). */
export function editableDefaults(name: string): Record<string, number | boolean | null> {
  const config = get(name).getConfig();
  const out: Record<string, number | boolean | null> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!SHOWN.has(k)) continue;
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return out;
}

function schedule(spec: ScheduleSpec, lr: number): LearningRateSchedule | null {
  switch (spec.kind) {
    case 'constant':
      return null;
    case 'exponential':
      return new ExponentialDecay(lr, spec.steps, spec.rate);
    case 'cosine':
      return new CosineDecay(lr, spec.steps, spec.rate);
    case 'inverseTime':
      return new InverseTimeDecay(lr, spec.steps, spec.rate);
    case 'polynomial':
      return new PolynomialDecay(lr, spec.steps, lr * spec.rate);
  }
}

/**
 * The optimizer of one racer: the registry's instance for `name`, rebuilt by its class from its
 * config with the racer's options, and the schedule (if any) set as its learning rate.
 */
export function buildOptimizer(spec: RacerSpec, sched: ScheduleSpec = DEFAULT_SCHEDULE): Optimizer {
  const defaults = get(spec.name);
  const config: Record<string, unknown> = { ...defaults.getConfig() };
  for (const [k, v] of Object.entries(spec.options)) {
    if (!(k in config)) {
      throw new Error(`race: optimizer '${spec.name}' has no option '${k}' (its options: ${Object.keys(config).join(', ')})`);
    }
    config[k] = v;
  }
  const ctor = defaults.constructor as unknown as { fromConfig(c: Record<string, unknown>): Optimizer };
  const opt = ctor.fromConfig(config);
  const s = schedule(sched, config.learningRate as number);
  if (s !== null) opt.learningRate = s;
  return opt;
}

/** The label of a racer in legends: the name and the options that differ from the defaults. */
export function racerLabel(spec: RacerSpec): string {
  const parts = Object.entries(spec.options).map(([k, v]) => `${k} ${String(v)}`);
  return parts.length > 0 ? `${spec.name} (${parts.join(', ')})` : spec.name;
}

/** The seed five (SGD, Momentum, Adagrad, RMSprop, Adam) at their Keras defaults. */
export const PRESET_KERAS: readonly RacerSpec[] = [
  { name: 'sgd', options: {} },
  { name: 'momentum', options: {} },
  { name: 'adagrad', options: {} },
  { name: 'rmsprop', options: {} },
  { name: 'adam', options: {} },
];

/** The usual "hyperparameters for tuning" of the seed five. */
export const PRESET_TUNING: readonly RacerSpec[] = [
  { name: 'sgd', options: { learningRate: 0.01 } },
  { name: 'momentum', options: { learningRate: 0.01, momentum: 0.9 } },
  { name: 'adagrad', options: { learningRate: 0.01, initialAccumulatorValue: 0.1 } },
  { name: 'rmsprop', options: { learningRate: 0.001, rho: 0.9 } },
  { name: 'adam', options: { learningRate: 0.001, beta1: 0.9, beta2: 0.999 } },
];

export const PRESETS = { keras: PRESET_KERAS, tuning: PRESET_TUNING } as const;
export type PresetName = keyof typeof PRESETS;
