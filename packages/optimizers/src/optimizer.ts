import type { Variable } from '@descent/autograd';
import { noGrad, scoped, variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { cast, formatShape, isTensor, shapesEqual } from '@descent/tensor';
import { optionsFromConfig } from './config.js';
import type { BaseDefaults, OptimizerOptions } from './optimizer-options.js';
import { checkBaseOptions, checkLearningRate, keraslikeChain } from './optimizer-options.js';
import type { NamedTensor } from './optimizer-state.js';
import { OptimizerStateStore } from './optimizer-state.js';
import type { LearningRate } from './schedules.js';
import { LearningRateSchedule, serializeSchedule } from './schedules.js';
import type { GradientTransform, StepContext, TransformStep, UpdateRule } from './transform.js';
import { fromUpdateRule, isGradientTransform } from './transform.js';

export type { BaseDefaults, OptimizerOptions } from './optimizer-options.js';
export type { NamedTensor } from './optimizer-state.js';
export type { StepContext, UpdateRule } from './transform.js';

/** Gradient/variable pairs (Keras order: gradient first) or the map `variableGrads` returns. */
export type GradsAndVars = ReadonlyMap<Variable, Tensor | null> | ReadonlyArray<readonly [Tensor | null, Variable]>;

/**
 * An optimizer: Keras 3 semantics for `applyGradients` (the order is in this package's README), a
 * learning rate that may be a number, a schedule or a function, and state that saves and restores
 * by variable name. Subclasses only supply their update rule and their own options.
 */
export abstract class Optimizer {
  /** The Keras class name ('Adam', 'SGD', ...), used by `getConfig` consumers and `get()`. */
  readonly className: string;
  /** The optimizer's name (`OptimizerOptions.name`). */
  readonly name: string;
  /** Decoupled weight decay rate, or null for none. */
  readonly weightDecay: number | null;
  /** Per-gradient L2-norm clip, or null. */
  readonly clipnorm: number | null;
  /** Per-element gradient clip, or null. */
  readonly clipvalue: number | null;
  /** Global L2-norm clip over all gradients, or null. */
  readonly globalClipnorm: number | null;
  /** Whether an exponential moving average of the variables is kept. */
  readonly useEma: boolean;
  /** Momentum of the variables' moving average. */
  readonly emaMomentum: number;
  /** Steps between copies of the averages into the variables, or null. */
  readonly emaOverwriteFrequency: number | null;
  /** Calls whose gradients are averaged into one update, or null for none. */
  readonly gradientAccumulationSteps: number | null;

  /** The whole step: accumulate → clip → decay → the rule → moving average, as the options ask. */
  readonly transform: GradientTransform;

  private lr: LearningRate;
  private readonly store: OptimizerStateStore;
  private readonly decayExcludedVars = new Set<Variable>();
  private readonly decayExcludedNames: (string | RegExp)[] = [];

  /**
   * `rule` is the optimizer's own math: a transform (`scaleByAdam(...)`, a `chain(...)`) or an
   * `UpdateRule`; the base options (accumulation, clipping, weight decay, moving average) are chained
   * around it in Keras's order.
   */
  protected constructor(
    className: string,
    options: OptimizerOptions,
    ownOptionNames: readonly string[],
    defaults: BaseDefaults,
    rule: UpdateRule | GradientTransform,
  ) {
    const s = checkBaseOptions(className, options, ownOptionNames, defaults);
    this.className = className;
    this.name = s.name;
    this.lr = s.learningRate;
    this.weightDecay = s.weightDecay;
    this.clipnorm = s.clipnorm;
    this.clipvalue = s.clipvalue;
    this.globalClipnorm = s.globalClipnorm;
    this.useEma = s.useEma;
    this.emaMomentum = s.emaMomentum;
    this.emaOverwriteFrequency = s.emaOverwriteFrequency;
    this.gradientAccumulationSteps = s.gradientAccumulationSteps;
    const inner = isGradientTransform(rule) ? rule : fromUpdateRule(className, rule);
    this.transform = keraslikeChain(s, inner, (v) => !this.usesWeightDecay(v));
    this.store = new OptimizerStateStore(className, this.transform);
  }

  /** Number of `applyGradients` calls so far (accumulation-only calls included, as in Keras). */
  get iterations(): number {
    return this.store.iterations;
  }

  /** The learning rate as set: a number, a schedule, or a function. */
  get learningRate(): LearningRate {
    return this.lr;
  }

  /** Change the learning rate at any time (e.g. `ReduceLROnPlateau`). */
  set learningRate(value: LearningRate) {
    this.lr = checkLearningRate(this.className, value);
  }

  /** The learning rate the next update uses: the schedule or function evaluated at `iterations`. */
  currentLearningRate(): number {
    const lr = this.lr;
    const value = typeof lr === 'number' ? lr : lr instanceof LearningRateSchedule ? lr.call(this.store.iterations) : lr();
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${this.className}: the learning rate at step ${this.store.iterations} must be a finite number >= 0, got ${String(value)}`);
    }
    return value;
  }

  /**
   * Keep decoupled weight decay off some variables (typically biases and normalization
   * weights): the listed variables, and every variable whose name contains one of `varNames`
   * (a string) or matches it (a RegExp).
   */
  excludeFromWeightDecay(spec: { variables?: readonly Variable[]; varNames?: readonly (string | RegExp)[] }): void {
    for (const v of spec.variables ?? []) this.decayExcludedVars.add(v);
    for (const n of spec.varNames ?? []) {
      if (typeof n !== 'string' && !(n instanceof RegExp)) {
        throw new Error(`${this.className}.excludeFromWeightDecay: varNames must hold strings or RegExps, got ${String(n)}`);
      }
      this.decayExcludedNames.push(n);
    }
  }

  private usesWeightDecay(v: Variable): boolean {
    if (this.decayExcludedVars.has(v)) return false;
    return !this.decayExcludedNames.some((n) => (typeof n === 'string' ? v.name.includes(n) : n.test(v.name)));
  }

  /** Update the variables from their gradients: one optimizer step. Null gradients are skipped. */
  applyGradients(gradsAndVars: GradsAndVars): void {
    // Called from user code, the step owns and frees its intermediates (the new values live on in
    // the variables and the kept optimizer state).
    scoped(() => {
      const [vars, grads] = this.collect(gradsAndVars);
      noGrad(() => this.step(vars, grads));
    });
  }

  /** Compute the gradients of `loss` (w.r.t. `vars`, or every trainable variable it touches), apply them, and return the loss. */
  minimize(loss: () => Tensor, vars?: Variable[]): Tensor {
    return scoped(() => {
      const { value, grads } = vars === undefined ? variableGrads(loss) : variableGrads(loss, vars);
      if (grads.size === 0) {
        throw new Error(`${this.className}.minimize: the loss uses no trainable variable; make some variables trainable or pass the ones to optimize`);
      }
      this.applyGradients(grads);
      return value;
    });
  }

  /** With `useEma` (or an `exponentialMovingAverage` transform), copy the moving averages into the variables (at the end of training). */
  finalizeVariableValues(vars?: readonly Variable[]): void {
    const transform = this.transform;
    if (transform.finalize === undefined) return;
    for (const v of vars ?? [...this.store.states.keys()]) {
      const state = this.store.states.get(v);
      const value = state ? transform.finalize(state) : null;
      if (value) v.assign(value);
    }
  }

  private collect(gradsAndVars: GradsAndVars): [Variable[], Tensor[]] {
    const op = `${this.className}.applyGradients`;
    const entries: [Tensor | null, Variable][] = [];
    if (gradsAndVars instanceof Map) {
      for (const [v, g] of gradsAndVars as ReadonlyMap<Variable, Tensor | null>) entries.push([g, v]);
    } else if (Array.isArray(gradsAndVars)) {
      (gradsAndVars as ReadonlyArray<readonly [Tensor | null, Variable]>).forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new Error(`${op}: expected [gradient, variable] pairs, element ${i} is ${String(pair)}`);
        }
        entries.push([pair[0], pair[1]]);
      });
    } else {
      throw new Error(`${op}: expected a Map of variable → gradient or an array of [gradient, variable] pairs, got ${typeof gradsAndVars}`);
    }
    const vars: Variable[] = [];
    const grads: Tensor[] = [];
    const seen = new Set<Variable>();
    for (const [g, v] of entries) {
      if (!isTensor(v) || typeof (v as Partial<Variable>).assign !== 'function') {
        throw new Error(`${op}: expected a Variable, got ${String(v)}`);
      }
      if (seen.has(v)) throw new Error(`${op}: variable '${v.name}' appears more than once`);
      seen.add(v);
      if (g === null || g === undefined) continue;
      if (!isTensor(g)) throw new Error(`${op}: the gradient of variable '${v.name}' must be a Tensor or null, got ${String(g)}`);
      if (v.dtype !== 'float32') throw new Error(`${op}: variable '${v.name}' must be float32 to be optimized, got ${v.dtype}`);
      if (!shapesEqual(g.shape, v.shape)) {
        throw new Error(`${op}: the gradient of variable '${v.name}' has shape ${formatShape(g.shape)}, expected ${formatShape(v.shape)}`);
      }
      vars.push(v);
      grads.push(g.dtype === 'float32' ? g : cast(g, 'float32'));
    }
    if (vars.length === 0) {
      throw new Error(
        entries.length === 0 ? `${op}: no variables given` : `${op}: no gradients provided for any variable (all ${entries.length} are null)`,
      );
    }
    return [vars, grads];
  }

  private step(vars: Variable[], grads: Tensor[]): void {
    const states = vars.map((v) => this.store.stateOf(v));
    const t = this.store.iterations + 1;
    let learningRate: number | undefined;
    const current = (): number => (learningRate ??= this.currentLearningRate());
    const ctx: StepContext = {
      // Evaluated when a transform first asks (never on accumulation-only steps), as Keras does.
      get learningRate(): number {
        return current();
      },
      step: t,
      constantLearningRate: typeof this.lr === 'number',
      globals: this.store.globals,
    };
    const start: TransformStep = { variables: vars, grads, params: vars, deferred: false };
    const { step, states: next } = this.transform.update(start, states, ctx);
    vars.forEach((v, i) => {
      this.store.commit(v, next[i]!);
      if (step.params[i] !== v) v.assign(step.params[i]!);
    });
    for (const v of vars) if (v.constraint) v.assign(v.constraint(v));
    this.store.iterations = t;
  }

  /**
   * The optimizer's state: `iterations`, the transforms' shared scalars, then every slot of every
   * variable as `${variable.name}/${slot}` (the rule's slots, then `accumulatedGradient` and
   * `average` when those options are on), in the order the variables were first updated.
   */
  getWeights(): NamedTensor[] {
    return this.store.getWeights();
  }

  /**
   * Restore state saved by `getWeights`. Slots of variables this optimizer has not met yet are
   * kept and installed the first time that variable (matched by name) is updated.
   */
  setWeights(weights: readonly NamedTensor[]): void {
    this.store.setWeights(weights);
  }

  /**
   * Restore saved state for a known set of variables (a model's trainable weights) and check
   * that it is complete, so a damaged save fails now rather than silently restarting a slot or
   * failing at the first update. Every variable's state is built at once; then, unless the saved
   * state is that of an untrained optimizer (no slots, `iterations` 0), it must hold `iterations`, the rule's
   * shared scalars and every slot of every variable, each with the variable's shape. State of
   * variables not in `variables` is kept for later, as `setWeights` does. The checks run before
   * any state is changed.
   */
  restoreState(weights: readonly NamedTensor[], variables: readonly Variable[]): void {
    this.store.restoreState(weights, variables);
  }

  /** The constructor options (a schedule as `{ className, config }`; a function learning rate as its current value). */
  getConfig(): Record<string, unknown> {
    const lr = this.lr;
    return {
      name: this.name,
      learningRate: typeof lr === 'number' ? lr : lr instanceof LearningRateSchedule ? serializeSchedule(lr) : this.currentLearningRate(),
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      globalClipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      useEma: this.useEma,
      emaMomentum: this.emaMomentum,
      emaOverwriteFrequency: this.emaOverwriteFrequency,
      gradientAccumulationSteps: this.gradientAccumulationSteps,
    };
  }

  /** Build an optimizer of this class from `getConfig()` output (camelCase or Keras snake_case keys). */
  static fromConfig<T extends Optimizer>(this: new (options: never) => T, config: Record<string, unknown>): T {
    return new this(optionsFromConfig(config) as never);
  }
}

