import { NameRegistry } from '@descent/tensor';

/**
 * A learning rate that depends on the step (`optimizer.iterations`, 0 on the first update).
 * Subclasses are pure functions of the step, so a restored `iterations` resumes the schedule exactly.
 */
export abstract class LearningRateSchedule {
  /** The Keras class name written into optimizer configs ('ExponentialDecay', 'CosineDecay', ...). */
  abstract readonly className: string;
  /** The learning rate at `step`. */
  abstract call(step: number): number;
  /** Constructor arguments by name, as Keras writes them in the schedule's config. */
  abstract getConfig(): Record<string, unknown>;
}

/** What `learningRate` accepts: a constant, a schedule, or a function read at every step. */
export type LearningRate = number | LearningRateSchedule | (() => number);

function requireFinite(cls: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${cls}: ${option} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function requirePositive(cls: string, option: string, value: unknown): number {
  const v = requireFinite(cls, option, value);
  if (v <= 0) throw new Error(`${cls}: ${option} must be > 0, got ${v}`);
  return v;
}

function requireNonNegative(cls: string, option: string, value: unknown): number {
  const v = requireFinite(cls, option, value);
  if (v < 0) throw new Error(`${cls}: ${option} must be >= 0, got ${v}`);
  return v;
}

/** `initialLearningRate · decayRate^(step / decaySteps)`, the exponent floored when `staircase`. */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  /** Learning rate at step 0. */
  readonly initialLearningRate: number;
  /** Steps over which the rate decays by one factor of `decayRate`. */
  readonly decaySteps: number;
  /** Factor applied per `decaySteps` steps. */
  readonly decayRate: number;
  /** Whether the exponent is floored, so the rate changes in steps. */
  readonly staircase: boolean;

  constructor(initialLearningRate: number, decaySteps: number, decayRate: number, staircase = false) {
    super();
    this.initialLearningRate = requireNonNegative(this.className, 'initialLearningRate', initialLearningRate);
    this.decaySteps = requirePositive(this.className, 'decaySteps', decaySteps);
    this.decayRate = requirePositive(this.className, 'decayRate', decayRate);
    this.staircase = staircase;
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

/** `values[0]` up to and including `boundaries[0]`, `values[i]` for `boundaries[i-1] < step <= boundaries[i]`, the last value after. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  /** Increasing step boundaries between the constant pieces. */
  readonly boundaries: readonly number[];
  /** The rate of each piece: one more value than `boundaries`. */
  readonly values: readonly number[];

  constructor(boundaries: readonly number[], values: readonly number[]) {
    super();
    // Checked through `unknown` so that the narrowing does not turn the arrays into any[].
    const bs: unknown = boundaries;
    const vs: unknown = values;
    if (!Array.isArray(bs) || !Array.isArray(vs)) {
      throw new Error(`${this.className}: boundaries and values must be arrays, got ${typeof boundaries} and ${typeof values}`);
    }
    if (values.length !== boundaries.length + 1) {
      throw new Error(
        `${this.className}: values must have one more element than boundaries, got ${values.length} values and ${boundaries.length} boundaries`,
      );
    }
    boundaries.forEach((b, i) => requireFinite(this.className, `boundaries[${i}]`, b));
    values.forEach((v, i) => requireNonNegative(this.className, `values[${i}]`, v));
    for (let i = 1; i < boundaries.length; i++) {
      if (boundaries[i]! <= boundaries[i - 1]!) {
        throw new Error(`${this.className}: boundaries must be strictly increasing, got [${boundaries.join(', ')}]`);
      }
    }
    this.boundaries = [...boundaries];
    this.values = [...values];
  }

  call(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) {
      if (step <= this.boundaries[i]!) return this.values[i]!;
    }
    return this.values[this.values.length - 1]!;
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values] };
  }
}

/**
 * `(lr0 − end)·(1 − s/decaySteps)^power + end`, with `s` capped at `decaySteps`; with `cycle` the
 * decay period grows to the first multiple of `decaySteps` past the step instead.
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay';
  /** Learning rate at step 0. */
  readonly initialLearningRate: number;
  /** Steps over which the rate falls to `endLearningRate`. */
  readonly decaySteps: number;
  /** Learning rate at the end of the decay (default 1e-4). */
  readonly endLearningRate: number;
  /** Exponent of the polynomial (default 1, linear). */
  readonly power: number;
  /**
   * Whether the decay restarts after `decaySteps` with a longer period instead of staying at the end
   * value.
   */
  readonly cycle: boolean;

  constructor(initialLearningRate: number, decaySteps: number, endLearningRate = 1e-4, power = 1, cycle = false) {
    super();
    this.initialLearningRate = requireNonNegative(this.className, 'initialLearningRate', initialLearningRate);
    this.decaySteps = requirePositive(this.className, 'decaySteps', decaySteps);
    this.endLearningRate = requireNonNegative(this.className, 'endLearningRate', endLearningRate);
    this.power = requireFinite(this.className, 'power', power);
    this.cycle = cycle;
  }

  call(step: number): number {
    let s = step;
    let steps = this.decaySteps;
    if (this.cycle) {
      steps *= s === 0 ? 1 : Math.ceil(s / this.decaySteps);
    } else {
      s = Math.min(s, steps);
    }
    const p = s / steps;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }

  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      endLearningRate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
    };
  }
}

/** `lr0 / (1 + decayRate · step / decaySteps)`, the ratio floored when `staircase`. */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay';
  /** Learning rate at step 0. */
  readonly initialLearningRate: number;
  /** Steps per unit of the denominator's growth. */
  readonly decaySteps: number;
  /** How fast the rate falls. */
  readonly decayRate: number;
  /** Whether `step / decaySteps` is floored, so the rate changes in steps. */
  readonly staircase: boolean;

  constructor(initialLearningRate: number, decaySteps: number, decayRate: number, staircase = false) {
    super();
    this.initialLearningRate = requireNonNegative(this.className, 'initialLearningRate', initialLearningRate);
    this.decaySteps = requirePositive(this.className, 'decaySteps', decaySteps);
    this.decayRate = requireNonNegative(this.className, 'decayRate', decayRate);
    this.staircase = staircase;
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }

  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

function cosineFactor(fraction: number, alpha: number): number {
  return (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha;
}

/**
 * Optional linear warmup from `initialLearningRate` to `warmupTarget` over `warmupSteps`, then a
 * cosine from the peak down to `alpha · peak` over `decaySteps`, constant afterwards.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  /** Learning rate at step 0 (the start of the warmup when there is one). */
  readonly initialLearningRate: number;
  /** Steps of the cosine decay (after the warmup). */
  readonly decaySteps: number;
  /** The final rate as a fraction of the peak. */
  readonly alpha: number;
  /** Peak rate reached by the linear warmup, or null for no warmup. */
  readonly warmupTarget: number | null;
  /** Steps of the linear warmup (0 for none). */
  readonly warmupSteps: number;

  constructor(initialLearningRate: number, decaySteps: number, alpha = 0, warmupTarget: number | null = null, warmupSteps = 0) {
    super();
    this.initialLearningRate = requireNonNegative(this.className, 'initialLearningRate', initialLearningRate);
    this.decaySteps = requirePositive(this.className, 'decaySteps', decaySteps);
    this.alpha = requireNonNegative(this.className, 'alpha', alpha);
    if (this.alpha > 1) throw new Error(`${this.className}: alpha must be in [0, 1], got ${alpha}`);
    this.warmupTarget = warmupTarget === null ? null : requireNonNegative(this.className, 'warmupTarget', warmupTarget);
    this.warmupSteps = requireNonNegative(this.className, 'warmupSteps', warmupSteps);
    if (this.warmupTarget !== null && this.warmupSteps === 0) {
      throw new Error(`${this.className}: warmupTarget needs warmupSteps > 0, got warmupSteps ${warmupSteps}`);
    }
  }

  call(step: number): number {
    if (this.warmupTarget === null) {
      const s = Math.min(step, this.decaySteps);
      return this.initialLearningRate * cosineFactor(s / this.decaySteps, this.alpha);
    }
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.warmupTarget * cosineFactor((s - this.warmupSteps) / this.decaySteps, this.alpha);
  }

  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      alpha: this.alpha,
      warmupTarget: this.warmupTarget,
      warmupSteps: this.warmupSteps,
    };
  }
}

/**
 * Cosine decay with warm restarts (SGDR): the i-th period lasts `firstDecaySteps · tMul^i` steps and
 * starts from `initialLearningRate · mMul^i`.
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly className = 'CosineDecayRestarts';
  /** Learning rate at the start of the first period. */
  readonly initialLearningRate: number;
  /** Length of the first period, in steps. */
  readonly firstDecaySteps: number;
  /** Factor by which each period is longer than the one before. */
  readonly tMul: number;
  /** Factor by which each period's starting rate is smaller than the one before. */
  readonly mMul: number;
  /** The minimum rate of each period as a fraction of its starting rate. */
  readonly alpha: number;

  constructor(initialLearningRate: number, firstDecaySteps: number, tMul = 2, mMul = 1, alpha = 0) {
    super();
    this.initialLearningRate = requireNonNegative(this.className, 'initialLearningRate', initialLearningRate);
    this.firstDecaySteps = requirePositive(this.className, 'firstDecaySteps', firstDecaySteps);
    this.tMul = requirePositive(this.className, 'tMul', tMul);
    this.mMul = requireNonNegative(this.className, 'mMul', mMul);
    this.alpha = requireNonNegative(this.className, 'alpha', alpha);
    if (this.alpha > 1) throw new Error(`${this.className}: alpha must be in [0, 1], got ${alpha}`);
  }

  call(step: number): number {
    let fraction = step / this.firstDecaySteps;
    let restart: number;
    if (this.tMul === 1) {
      restart = Math.floor(fraction);
      fraction -= restart;
    } else {
      // Periods grow geometrically: the restart index solves Σ_{j<i} tMul^j ≤ fraction.
      restart = Math.floor(Math.log(1 - fraction * (1 - this.tMul)) / Math.log(this.tMul));
      const done = (1 - Math.pow(this.tMul, restart)) / (1 - this.tMul);
      fraction = (fraction - done) / Math.pow(this.tMul, restart);
    }
    const cosine = 0.5 * Math.pow(this.mMul, restart) * (1 + Math.cos(Math.PI * fraction));
    return this.initialLearningRate * ((1 - this.alpha) * cosine + this.alpha);
  }

  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      firstDecaySteps: this.firstDecaySteps,
      tMul: this.tMul,
      mMul: this.mMul,
      alpha: this.alpha,
    };
  }
}

type ScheduleFactory = (config: Record<string, unknown>) => LearningRateSchedule;

// Config values are passed through unchecked: each constructor validates its own arguments.
const n = (config: Record<string, unknown>, key: string): number => config[key] as number;
const opt = <T>(config: Record<string, unknown>, key: string, fallback: T): T => (config[key] ?? fallback) as T;

const schedules = new NameRegistry<ScheduleFactory>('learning-rate schedule');

/** Make a schedule class available to `deserializeSchedule` (and so to optimizer configs). */
export function registerSchedule(className: string, make: ScheduleFactory): void {
  schedules.register(className, make, { fn: 'registerSchedule', callable: 'factory' });
}

/** The class names `deserializeSchedule` accepts, in registration order. */
export function listSchedules(): string[] {
  return schedules.list();
}

/** The built-in schedules by Keras class name; `ScheduleClassName` is read from this table. */
const BUILTIN_SCHEDULES = {
  ExponentialDecay: (c) => new ExponentialDecay(n(c, 'initialLearningRate'), n(c, 'decaySteps'), n(c, 'decayRate'), opt(c, 'staircase', false)),
  PiecewiseConstantDecay: (c) => new PiecewiseConstantDecay(c.boundaries as number[], c.values as number[]),
  PolynomialDecay: (c) =>
    new PolynomialDecay(n(c, 'initialLearningRate'), n(c, 'decaySteps'), opt(c, 'endLearningRate', 1e-4), opt(c, 'power', 1), opt(c, 'cycle', false)),
  InverseTimeDecay: (c) => new InverseTimeDecay(n(c, 'initialLearningRate'), n(c, 'decaySteps'), n(c, 'decayRate'), opt(c, 'staircase', false)),
  CosineDecay: (c) =>
    new CosineDecay(n(c, 'initialLearningRate'), n(c, 'decaySteps'), opt(c, 'alpha', 0), opt<number | null>(c, 'warmupTarget', null), opt(c, 'warmupSteps', 0)),
  CosineDecayRestarts: (c) =>
    new CosineDecayRestarts(n(c, 'initialLearningRate'), n(c, 'firstDecaySteps'), opt(c, 'tMul', 2), opt(c, 'mMul', 1), opt(c, 'alpha', 0)),
} as const satisfies Readonly<Record<string, ScheduleFactory>>;
for (const [className, make] of Object.entries(BUILTIN_SCHEDULES)) registerSchedule(className, make);

/** The class name of every built-in learning-rate schedule (other casings resolve too). */
export type ScheduleClassName = keyof typeof BUILTIN_SCHEDULES;

/** `{ className, config }` for a schedule, as optimizer configs store it. */
export function serializeSchedule(schedule: LearningRateSchedule): { className: string; config: Record<string, unknown> } {
  return { className: schedule.className, config: schedule.getConfig() };
}

/** Rebuild a schedule from `{ className, config }` (config keys camelCase). */
export function deserializeSchedule(spec: { className: ScheduleClassName | (string & {}); config?: Record<string, unknown> }): LearningRateSchedule {
  return schedules.get(spec.className)(spec.config ?? {});
}

/** True when `x` is an instance of `LearningRateSchedule`. */
export function isLearningRateSchedule(x: unknown): x is LearningRateSchedule {
  return x instanceof LearningRateSchedule;
}
