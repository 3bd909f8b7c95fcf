import type { Variable } from '@descent/autograd';
import { noGrad, scoped, variableGrads } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, cast, dispose, div, formatShape, isTensor, keep, mul, scalar, shapesEqual, zerosLike } from '@descent/tensor';
import { optionsFromConfig } from './config.js';
import type { LearningRate } from './schedules.js';
import { LearningRateSchedule, serializeSchedule } from './schedules.js';
import type { ClipSpec } from './transforms.js';
import { clipGradients, decayWeights, movingAverage } from './transforms.js';
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

/** What an update rule sees besides the variable and its gradient. */
export interface StepContext {
  /** The learning rate of this step, after the schedule. */
  readonly learningRate: number;
  /** The step counted from 1 (`iterations + 1`). */
  readonly step: number;
  /** False when the learning rate is a schedule or a function. */
  readonly constantLearningRate: boolean;
  /** The rule's shared scalars (e.g. Nadam's `uProduct`); kept float32-representable so they save exactly. */
  readonly globals: Record<string, number>;
}

/**
 * The math of one optimizer, separate from everything the base class chains around it
 * (accumulation, clipping, weight decay, averaging, constraints).
 */
export interface UpdateRule {
  /** The per-variable state and its initial value, in save order. */
  initSlots(w: Tensor): Record<string, Tensor>;
  /** Shared scalar state, if the rule has any. */
  initGlobals?(): Record<string, number>;
  /** Runs once per update step, before any variable is updated. */
  beginStep?(ctx: StepContext): void;
  /** The new value of `w`; stores the new state tensors into `slots`. */
  update(w: Tensor, g: Tensor, slots: Record<string, Tensor>, ctx: StepContext): Tensor;
}

/** Gradient/variable pairs (Keras order: gradient first) or the map `variableGrads` returns. */
export type GradsAndVars = ReadonlyMap<Variable, Tensor | null> | ReadonlyArray<readonly [Tensor | null, Variable]>;

/** One entry of the optimizer's saved state (`getWeights`/`setWeights`): a state tensor and its name. */
export interface NamedTensor {
  /** State name: `'iterations'`, or the variable's name followed by the slot (`dense/kernel/m`). */
  name: string;
  /** The state's value. */
  tensor: Tensor;
}

interface VariableState {
  slots: Record<string, Tensor>;
  accumulator: Tensor | null;
  average: Tensor | null;
}

/**
 * Optimizer state outlives the step scope it was computed in (`fit` runs each batch in a scope), so
 * on manual-memory backends a new state tensor is kept and the one it replaces is freed at once:
 * memory stays flat without waiting for garbage collection.
 */
function replaced(next: Tensor, prev: Tensor | null | undefined): Tensor {
  if (next !== prev) {
    keep(next);
    if (prev) dispose(prev);
  }
  return next;
}

function snapshotSlots(state: VariableState): Record<string, Tensor> {
  return { ...state.slots };
}

function retainSlots(state: VariableState, before: Record<string, Tensor>): void {
  for (const key of Object.keys(state.slots)) replaced(state.slots[key]!, before[key]);
}

const ITERATIONS = 'iterations';
const ACCUMULATOR = 'accumulatedGradient';
const AVERAGE = 'average';

/** Where an option's default is declared, so the subclass decides it (AdamW's weight decay). */
export interface BaseDefaults {
  /** Default learning rate of the subclass. */
  learningRate: number;
  /** Default name of the subclass. */
  name: string;
  /** Default weight decay of the subclass (AdamW: 0.004); none when absent. */
  weightDecay?: number | null;
}

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

  private lr: LearningRate;
  private readonly rule: UpdateRule;
  private readonly clip: ClipSpec;
  private iters = 0;
  private readonly globals: Record<string, number>;
  private readonly states = new Map<Variable, VariableState>();
  /** Restored state of variables this optimizer has not met yet, by saved name. */
  private readonly pending = new Map<string, Tensor>();
  private readonly decayExcludedVars = new Set<Variable>();
  private readonly decayExcludedNames: (string | RegExp)[] = [];

  protected constructor(
    className: string,
    options: OptimizerOptions,
    ownOptionNames: readonly string[],
    defaults: BaseDefaults,
    rule: UpdateRule,
  ) {
    if (options === null || typeof options !== 'object') {
      throw new Error(`${className}: options must be an object, got ${String(options)}`);
    }
    checkOptionNames(className, options, [...BASE_OPTION_NAMES, ...ownOptionNames]);
    this.className = className;
    this.name = options.name ?? defaults.name;
    if (typeof this.name !== 'string') throw new Error(`${className}: name must be a string, got ${String(this.name)}`);
    this.lr = checkLearningRate(className, options.learningRate ?? defaults.learningRate);
    const wd = options.weightDecay === undefined ? defaults.weightDecay : options.weightDecay;
    this.weightDecay = checkOptionalNumber(className, 'weightDecay', wd, { min: 0 });
    this.clipnorm = checkOptionalNumber(className, 'clipnorm', options.clipnorm, { min: 0, minInclusive: false });
    this.clipvalue = checkOptionalNumber(className, 'clipvalue', options.clipvalue, { min: 0, minInclusive: false });
    this.globalClipnorm = checkOptionalNumber(className, 'globalClipnorm', options.globalClipnorm, { min: 0, minInclusive: false });
    const clips = (['clipnorm', 'clipvalue', 'globalClipnorm'] as const).filter((k) => this[k] !== null);
    if (clips.length > 1) {
      throw new Error(
        `${className}: only one of clipnorm, clipvalue and globalClipnorm can be set, got ${clips.map((k) => `${k} ${this[k]}`).join(' and ')}`,
      );
    }
    this.clip =
      this.clipnorm !== null
        ? { kind: 'norm', value: this.clipnorm }
        : this.globalClipnorm !== null
          ? { kind: 'globalNorm', value: this.globalClipnorm }
          : this.clipvalue !== null
            ? { kind: 'value', value: this.clipvalue }
            : null;
    this.useEma = checkBoolean(className, 'useEma', options.useEma ?? false);
    this.emaMomentum = checkNumber(className, 'emaMomentum', options.emaMomentum ?? 0.99, { min: 0, max: 1 });
    this.emaOverwriteFrequency = checkOptionalNumber(className, 'emaOverwriteFrequency', options.emaOverwriteFrequency, { min: 1, integer: true });
    this.gradientAccumulationSteps = checkOptionalNumber(className, 'gradientAccumulationSteps', options.gradientAccumulationSteps, {
      min: 2,
      integer: true,
    });
    this.rule = rule;
    this.globals = rule.initGlobals?.() ?? {};
  }

  /** Number of `applyGradients` calls so far (accumulation-only calls included, as in Keras). */
  get iterations(): number {
    return this.iters;
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
    const value = typeof lr === 'number' ? lr : lr instanceof LearningRateSchedule ? lr.call(this.iters) : lr();
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${this.className}: the learning rate at step ${this.iters} must be a finite number >= 0, got ${String(value)}`);
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

  /** With `useEma`, copy the moving averages into the variables (at the end of training). */
  finalizeVariableValues(vars?: readonly Variable[]): void {
    if (!this.useEma) return;
    for (const v of vars ?? [...this.states.keys()]) {
      const avg = this.states.get(v)?.average;
      if (avg) v.assign(avg);
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

  private stateOf(v: Variable): VariableState {
    let state = this.states.get(v);
    if (state) return state;
    state = {
      slots: this.rule.initSlots(v),
      accumulator: this.gradientAccumulationSteps !== null ? keep(zerosLike(v)) : null,
      // A snapshot of the current value; the first average step overwrites it anyway.
      average: this.useEma ? keep(mul(v, 1)) : null,
    };
    for (const slot of Object.values(state.slots)) keep(slot);
    this.states.set(v, state);
    this.restorePending(v, state);
    return state;
  }

  private step(vars: Variable[], rawGrads: Tensor[]): void {
    const states = vars.map((v) => this.stateOf(v));
    const t = this.iters + 1;
    let grads = rawGrads;
    let update = true;
    const n = this.gradientAccumulationSteps;
    if (n !== null) {
      if (t % n !== 0) {
        states.forEach((s, i) => (s.accumulator = replaced(add(s.accumulator!, grads[i]!), s.accumulator)));
        update = false;
      } else {
        grads = grads.map((g, i) => div(add(g, states[i]!.accumulator!), n));
        states.forEach((s, i) => (s.accumulator = replaced(zerosLike(vars[i]!), s.accumulator)));
      }
    }
    if (update) {
      grads = clipGradients(grads, this.clip);
      const lr = this.currentLearningRate();
      if (this.weightDecay !== null && this.weightDecay > 0) {
        const rate = this.weightDecay * lr;
        for (const v of vars) if (this.usesWeightDecay(v)) v.assign(decayWeights(v, rate));
      }
      const ctx: StepContext = { learningRate: lr, step: t, constantLearningRate: typeof this.lr === 'number', globals: this.globals };
      this.rule.beginStep?.(ctx);
      vars.forEach((v, i) => {
        const state = states[i]!;
        const before = snapshotSlots(state);
        v.assign(this.rule.update(v, grads[i]!, state.slots, ctx));
        retainSlots(state, before);
      });
    }
    if (this.useEma) {
      const momentum = this.iters === 0 ? 0 : this.emaMomentum;
      const overwrite = this.emaOverwriteFrequency !== null && t % this.emaOverwriteFrequency === 0;
      vars.forEach((v, i) => {
        const s = states[i]!;
        s.average = replaced(movingAverage(s.average!, v, momentum), s.average);
        if (overwrite) v.assign(s.average);
      });
    }
    for (const v of vars) if (v.constraint) v.assign(v.constraint(v));
    this.iters = t;
  }

  /**
   * The optimizer's state: `iterations`, the rule's shared scalars, then every slot of every
   * variable as `${variable.name}/${slot}` (plus `accumulatedGradient` and `average` when those
   * options are on), in the order the variables were first updated.
   */
  getWeights(): NamedTensor[] {
    const out: NamedTensor[] = [{ name: ITERATIONS, tensor: scalar(this.iters, 'int32') }];
    for (const [key, value] of Object.entries(this.globals)) out.push({ name: key, tensor: scalar(value, 'float32') });
    const names = new Map<string, Variable>();
    for (const [v, s] of this.states) {
      const other = names.get(v.name);
      if (other !== undefined && other !== v) {
        throw new Error(`${this.className}.getWeights: two variables share the name '${v.name}'; give variables unique names to save optimizer state`);
      }
      names.set(v.name, v);
      for (const [slot, tensor] of Object.entries(s.slots)) out.push({ name: `${v.name}/${slot}`, tensor });
      if (s.accumulator) out.push({ name: `${v.name}/${ACCUMULATOR}`, tensor: s.accumulator });
      if (s.average) out.push({ name: `${v.name}/${AVERAGE}`, tensor: s.average });
    }
    return out;
  }

  /**
   * Restore state saved by `getWeights`. Slots of variables this optimizer has not met yet are
   * kept and installed the first time that variable (matched by name) is updated.
   */
  setWeights(weights: readonly NamedTensor[]): void {
    const op = `${this.className}.setWeights`;
    const byName = new Map<string, Variable>();
    for (const v of this.states.keys()) byName.set(v.name, v);
    for (const entry of weights) {
      if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string' || !isTensor(entry.tensor)) {
        throw new Error(`${op}: expected { name: string, tensor: Tensor } entries, got ${entry === null ? 'null' : typeof entry === 'object' ? `an object with keys ${Object.keys(entry).join(', ')}` : typeof entry}`);
      }
      const { name, tensor } = entry;
      if (name === ITERATIONS) {
        const value = tensor.item();
        if (!Number.isInteger(value) || value < 0) throw new Error(`${op}: iterations must be a non-negative integer, got ${value}`);
        this.iters = value;
      } else if (Object.hasOwn(this.globals, name)) {
        this.globals[name] = tensor.item();
      } else {
        const cut = name.lastIndexOf('/');
        if (cut <= 0) throw new Error(`${op}: unknown state '${name}' (expected 'iterations', ${Object.keys(this.globals).map((k) => `'${k}', `).join('')}or 'variableName/slot')`);
        const v = byName.get(name.slice(0, cut));
        if (v) this.setSlot(v, this.states.get(v)!, name.slice(cut + 1), tensor);
        else this.pending.set(name, tensor);
      }
    }
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
    const op = `${this.className}.restoreState`;
    const states = variables.map((v) => [v, this.stateOf(v)] as const);
    if (weights.length === 0) return;
    const given = new Map<string, Tensor>();
    for (const entry of weights) {
      if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string' || !isTensor(entry.tensor)) {
        throw new Error(`${op}: expected { name: string, tensor: Tensor } entries, got ${entry === null ? 'null' : typeof entry === 'object' ? `an object with keys ${Object.keys(entry).join(', ')}` : typeof entry}`);
      }
      if (given.has(entry.name)) throw new Error(`${op}: the saved state lists '${entry.name}' twice`);
      if (!entry.name.includes('/') && entry.name !== ITERATIONS && !Object.hasOwn(this.globals, entry.name)) {
        throw new Error(`${op}: unknown state '${entry.name}' (expected 'iterations', ${Object.keys(this.globals).map((k) => `'${k}', `).join('')}or 'variableName/slot')`);
      }
      given.set(entry.name, entry.tensor);
    }
    // A model saved before it was trained: nothing to check.
    const iters = given.get(ITERATIONS);
    if (![...given.keys()].some((k) => k.includes('/')) && (iters === undefined || (iters.size === 1 && iters.item() === 0))) {
      this.setWeights(weights);
      return;
    }
    const missing: string[] = [];
    for (const name of [ITERATIONS, ...Object.keys(this.globals)]) if (!given.has(name)) missing.push(`'${name}' []`);
    for (const [v, s] of states) {
      const expected: [string, Tensor | null][] = [...Object.entries(s.slots), [ACCUMULATOR, s.accumulator], [AVERAGE, s.average]];
      for (const [slot, current] of expected) {
        if (current !== null && !given.has(`${v.name}/${slot}`)) missing.push(`'${v.name}/${slot}' ${formatShape(current.shape)}`);
      }
    }
    if (missing.length > 0) {
      throw new Error(
        `${op}: the saved optimizer state is incomplete: it has no ${missing.join(', ')} (expected by ${this.className} for ${variables.length} variable${variables.length === 1 ? '' : 's'}; the saved state has ${[...given.keys()].map((k) => `'${k}'`).join(', ')})`,
      );
    }
    // Shapes and slot names are checked by setSlot; check them all before changing anything.
    const byName = new Map<string, Variable>(variables.map((v) => [v.name, v]));
    for (const [name, tensor] of given) {
      const cut = name.lastIndexOf('/');
      const v = cut > 0 ? byName.get(name.slice(0, cut)) : undefined;
      if (v === undefined) continue;
      const s = this.states.get(v)!;
      const slot = name.slice(cut + 1);
      const current = slot === ACCUMULATOR ? s.accumulator : slot === AVERAGE ? s.average : Object.hasOwn(s.slots, slot) ? s.slots[slot] : null;
      if (!current) {
        const known = [...Object.keys(s.slots), ...(s.accumulator ? [ACCUMULATOR] : []), ...(s.average ? [AVERAGE] : [])];
        throw new Error(`${op}: variable '${v.name}' has no state '${slot}' in this optimizer (it has: ${known.join(', ') || 'none'})`);
      }
      if (!shapesEqual(current.shape, tensor.shape)) {
        throw new Error(`${op}: state '${name}' must have shape ${formatShape(current.shape)} (that of variable '${v.name}'), but the saved state has ${formatShape(tensor.shape)}`);
      }
    }
    this.setWeights(weights);
  }

  private restorePending(v: Variable, state: VariableState): void {
    const prefix = `${v.name}/`;
    for (const [name, tensor] of this.pending) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes('/')) {
        this.setSlot(v, state, name.slice(prefix.length), tensor);
        this.pending.delete(name);
      }
    }
  }

  private setSlot(v: Variable, state: VariableState, slot: string, tensor: Tensor): void {
    const op = `${this.className}.setWeights`;
    let current: Tensor | null | undefined;
    if (slot === ACCUMULATOR) current = state.accumulator;
    else if (slot === AVERAGE) current = state.average;
    else current = state.slots[slot];
    if (current === undefined || current === null) {
      const known = [...Object.keys(state.slots), ...(state.accumulator ? [ACCUMULATOR] : []), ...(state.average ? [AVERAGE] : [])];
      throw new Error(`${op}: variable '${v.name}' has no state '${slot}' in this optimizer (it has: ${known.join(', ') || 'none'})`);
    }
    if (!shapesEqual(current.shape, tensor.shape)) {
      throw new Error(
        `${op}: state '${v.name}/${slot}' has shape ${formatShape(current.shape)} (that of variable '${v.name}'), got ${formatShape(tensor.shape)} in the saved state`,
      );
    }
    // A copy: the caller keeps its tensor, and the state may be freed when the next step replaces it.
    const value = replaced(tensor.dtype === 'float32' ? mul(tensor, 1) : cast(tensor, 'float32'), current);
    if (slot === ACCUMULATOR) state.accumulator = value;
    else if (slot === AVERAGE) state.average = value;
    else state.slots[slot] = value;
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

function checkLearningRate(owner: string, value: unknown): LearningRate {
  if (value instanceof LearningRateSchedule || typeof value === 'function') return value as LearningRate;
  return checkNumber(owner, 'learningRate', value, { min: 0 });
}
