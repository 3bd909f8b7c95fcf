import type { Variable } from '@descent/autograd';
import type { LearningRate } from './schedules.js';
import { LearningRateSchedule } from './schedules.js';
import type { GradientTransform } from './transform.js';
import { chain } from './transform.js';
import { accumulateGradients, addDecayedWeights, clipTransform, exponentialMovingAverage } from './transforms.js';
import type { ClipSpec } from './transforms.js';
import { checkBoolean, checkNumber, checkOptionalNumber, checkOptionNames } from './validate.js';

/** Options every optimizer takes (Keras's base optimizer, camelCase). */
export interface OptimizerOptions {
  /**
   * Step size: a number, a `LearningRateSchedule` or a function of the step; the default depends on the
   * optimizer (0.001 for Adam).
   */
  learningRate?: LearningRate;
  /** Decoupled weight decay: `w -= w · weightDecay · learningRate` before each update. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip each gradient element to `[-clipvalue, clipvalue]`. */
  clipvalue?: number | null;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number | null;
  /** Keep an exponential moving average of the variables (see `finalizeVariableValues`). */
  useEma?: boolean;
  /** Momentum of the moving average when `useEma` is set (default 0.99). */
  emaMomentum?: number;
  /** Every this many steps, copy the averages into the variables. */
  emaOverwriteFrequency?: number | null;
  /** Sum gradients over this many calls and update once, with their mean. */
  gradientAccumulationSteps?: number | null;
  /** Name of the optimizer (default: its Keras name, e.g. `'adam'`, `'SGD'`). */
  name?: string;
}

export const BASE_OPTION_NAMES = [
  'learningRate',
  'weightDecay',
  'clipnorm',
  'clipvalue',
  'globalClipnorm',
  'useEma',
  'emaMomentum',
  'emaOverwriteFrequency',
  'gradientAccumulationSteps',
  'name',
] as const;

/** Where an option's default is declared, so the subclass decides it (AdamW's weight decay). */
export interface BaseDefaults {
  /** Default learning rate of the subclass. */
  learningRate: number;
  /** Default name of the subclass. */
  name: string;
  /** Default weight decay of the subclass (AdamW: 0.004); none when absent. */
  weightDecay?: number | null;
}

/** The checked base options. */
export interface BaseSettings {
  name: string;
  learningRate: LearningRate;
  weightDecay: number | null;
  clipnorm: number | null;
  clipvalue: number | null;
  globalClipnorm: number | null;
  useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  gradientAccumulationSteps: number | null;
}

/** A learning rate option checked: a schedule or a function as is, else a number >= 0. */
export function checkLearningRate(owner: string, value: unknown): LearningRate {
  if (value instanceof LearningRateSchedule || typeof value === 'function') return value as LearningRate;
  return checkNumber(owner, 'learningRate', value, { min: 0 });
}

/** Check the base options (and that no option outside them and `ownOptionNames` is given), with Keras's defaults. */
export function checkBaseOptions(className: string, options: OptimizerOptions, ownOptionNames: readonly string[], defaults: BaseDefaults): BaseSettings {
  if (options === null || typeof options !== 'object') {
    throw new Error(`${className}: options must be an object, got ${String(options)}`);
  }
  checkOptionNames(className, options, [...BASE_OPTION_NAMES, ...ownOptionNames]);
  const name = options.name ?? defaults.name;
  if (typeof name !== 'string') throw new Error(`${className}: name must be a string, got ${String(name)}`);
  const learningRate = checkLearningRate(className, options.learningRate ?? defaults.learningRate);
  const wd = options.weightDecay === undefined ? defaults.weightDecay : options.weightDecay;
  const s: BaseSettings = {
    name,
    learningRate,
    weightDecay: checkOptionalNumber(className, 'weightDecay', wd, { min: 0 }),
    clipnorm: checkOptionalNumber(className, 'clipnorm', options.clipnorm, { min: 0, minInclusive: false }),
    clipvalue: checkOptionalNumber(className, 'clipvalue', options.clipvalue, { min: 0, minInclusive: false }),
    globalClipnorm: checkOptionalNumber(className, 'globalClipnorm', options.globalClipnorm, { min: 0, minInclusive: false }),
    useEma: false,
    emaMomentum: 0.99,
    emaOverwriteFrequency: null,
    gradientAccumulationSteps: null,
  };
  const clips = (['clipnorm', 'clipvalue', 'globalClipnorm'] as const).filter((k) => s[k] !== null);
  if (clips.length > 1) {
    throw new Error(
      `${className}: only one of clipnorm, clipvalue and globalClipnorm can be set, got ${clips.map((k) => `${k} ${s[k]}`).join(' and ')}`,
    );
  }
  s.useEma = checkBoolean(className, 'useEma', options.useEma ?? false);
  s.emaMomentum = checkNumber(className, 'emaMomentum', options.emaMomentum ?? 0.99, { min: 0, max: 1 });
  s.emaOverwriteFrequency = checkOptionalNumber(className, 'emaOverwriteFrequency', options.emaOverwriteFrequency, { min: 1, integer: true });
  s.gradientAccumulationSteps = checkOptionalNumber(className, 'gradientAccumulationSteps', options.gradientAccumulationSteps, {
    min: 2,
    integer: true,
  });
  return s;
}

/** The clip the settings ask for (at most one is set), or null. */
function clipOf(s: BaseSettings): ClipSpec {
  if (s.clipnorm !== null) return { kind: 'norm', value: s.clipnorm };
  if (s.globalClipnorm !== null) return { kind: 'globalNorm', value: s.globalClipnorm };
  if (s.clipvalue !== null) return { kind: 'value', value: s.clipvalue };
  return null;
}

/**
 * The whole step of a Keras optimizer as one chain, in Keras's order: accumulate → clip → decoupled
 * weight decay → `rule` → moving average (each only when its option is on).
 */
export function keraslikeChain(s: BaseSettings, rule: GradientTransform, excludedFromDecay: (v: Variable) => boolean): GradientTransform {
  const parts: GradientTransform[] = [];
  if (s.gradientAccumulationSteps !== null) parts.push(accumulateGradients(s.gradientAccumulationSteps));
  const clip = clipOf(s);
  if (clip !== null) parts.push(clipTransform(clip.kind === 'norm' ? 'clipByNorm' : clip.kind === 'globalNorm' ? 'clipByGlobalNorm' : 'clipValues', clip));
  if (s.weightDecay !== null && s.weightDecay > 0) parts.push(addDecayedWeights(s.weightDecay, { exclude: excludedFromDecay }));
  parts.push(rule);
  if (s.useEma) parts.push(exponentialMovingAverage({ momentum: s.emaMomentum, overwriteFrequency: s.emaOverwriteFrequency }));
  return chain(...parts);
}
