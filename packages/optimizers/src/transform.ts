/**
 * Optimizers as chains of gradient transforms (as optax does): every optimizer step runs one
 * transform, usually a `chain` of small ones (accumulate → clip → decay weights → update rule →
 * moving average), over all the variables it updates. A transform declares its per-variable state as
 * named slots, so the optimizer saves and restores it under those names.
 */
import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { checkOptionNames } from './validate.js';

/** What an update rule sees besides the variable and its gradient. */
export interface StepContext {
  /** The learning rate of this step, after the schedule. */
  readonly learningRate: number;
  /** The step counted from 1 (`iterations + 1`). */
  readonly step: number;
  /** False when the learning rate is a schedule or a function. */
  readonly constantLearningRate: boolean;
  /** The shared scalars of every transform (e.g. Nadam's `uProduct`); kept float32-representable so they save exactly. */
  readonly globals: Record<string, number>;
}

/**
 * The math of one optimizer on one variable, separate from everything the optimizer chains around
 * it (accumulation, clipping, weight decay, averaging, constraints). `fromUpdateRule` makes it a transform.
 */
export interface UpdateRule {
  /** The per-variable state and its initial value, in save order. */
  initSlots(w: Tensor): Record<string, Tensor>;
  /** Shared scalar state, if the rule has any. */
  initGlobals?(): Record<string, number>;
  /** Runs once per update step, before any variable is updated. */
  beginStep?(ctx: StepContext): void;
  /**
   * The new value of `w`; stores the new state tensors into `slots`. The caller (`fromUpdateRule`)
   * replaces `w` and the old slots by what this returns and never reads them again, so a rule may
   * give them up (`fusedOptimizerStep`'s `donate`: its update may overwrite their storage).
   */
  update(w: Tensor, g: Tensor, slots: Record<string, Tensor>, ctx: StepContext): Tensor;
}

/** One variable's state: every slot of every transform of the chain, by slot name. */
export type TransformState = Readonly<Record<string, Tensor>>;

/** What flows through a chain during one step: one entry per variable, in the same order. */
export interface TransformStep {
  /** The variables being updated (for names and exclusion lists); the optimizer assigns `params` to them at the end. */
  readonly variables: readonly Variable[];
  /** The update direction so far: the gradients as the transforms before this one left them. */
  readonly grads: readonly Tensor[];
  /** The variables' values so far (weight decay and update rules replace them). */
  readonly params: readonly Tensor[];
  /** Set by gradient accumulation on steps that only accumulate: then only transforms marked `alwaysRuns` run. */
  readonly deferred: boolean;
}

/** What `update` returns: the step for the next transform, and each variable's new state. */
export interface TransformResult {
  /** What the next transform sees. */
  readonly step: TransformStep;
  /** Each variable's state after this transform, in the order of `step.variables`. */
  readonly states: readonly TransformState[];
}

/**
 * One stage of an optimizer: `init` builds its per-variable state (named slots, saved as
 * `${variable.name}/${slot}`), `update` maps (gradients, parameters, state) to new ones for all the
 * variables of a step. Transforms are pure apart from the shared scalars in `ctx.globals`: they
 * return new tensors and new state records and never change their inputs.
 */
export interface GradientTransform {
  /** Names the transform in errors (`'scaleByAdam'`, `'clipByGlobalNorm'`). */
  readonly name: string;
  /** The variable's initial state, by slot name (absent: no state). */
  init?(param: Tensor): Record<string, Tensor>;
  /** Initial values of shared scalars, by name (saved next to `iterations`). */
  initGlobals?(): Record<string, number>;
  /** Run on deferred (accumulation-only) steps too, like the moving average. */
  readonly alwaysRuns?: boolean;
  /** Where this transform's slots go in saved state: lower first; rules 0 (default), accumulation 1, averages 2. */
  readonly stateOrder?: number;
  /** Maps one step; `states[i]` holds every slot of variable i (other transforms' too: change only yours). */
  update(step: TransformStep, states: readonly TransformState[], ctx: StepContext): TransformResult;
  /** The value `finalizeVariableValues` copies into a variable (the moving average), or null. */
  finalize?(state: TransformState): Tensor | null;
  /** The transforms a `chain` is made of, in order (absent for a single transform). */
  readonly parts?: readonly GradientTransform[];
}

/** True for an object shaped like a `GradientTransform` (a name and an update taking a step). */
export function isGradientTransform(x: unknown): x is GradientTransform {
  if (x === null || typeof x !== 'object') return false;
  const t = x as Partial<GradientTransform> & { initSlots?: unknown };
  return typeof t.name === 'string' && typeof t.update === 'function' && t.initSlots === undefined;
}

function checkTransform(op: string, t: unknown, i: number): GradientTransform {
  if (!isGradientTransform(t)) {
    throw new Error(`${op}: argument ${i} must be a gradient transform ({ name, update, init? }), got ${t === null ? 'null' : typeof t}`);
  }
  return t;
}

/**
 * Run `transforms` one after the other: each sees the gradients and parameters the previous one
 * returned. Nested chains are flattened. The slots of all the transforms share one namespace per
 * variable (two with the same slot name are refused at `init`), listed by `stateOrder`, then in chain order.
 */
export function chain(...transforms: GradientTransform[]): GradientTransform {
  const parts = transforms.flatMap((t, i) => {
    const checked = checkTransform('chain', t, i);
    return checked.parts ?? [checked];
  });
  if (parts.length === 0) throw new Error('chain: expected at least one gradient transform, got none');
  const ordered = parts.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => (a.stateOrder ?? 0) - (b.stateOrder ?? 0) || i - j);
  const finalizer = [...parts].reverse().find((p) => p.finalize !== undefined);
  return {
    name: `chain(${parts.map((p) => p.name).join(', ')})`,
    parts,
    alwaysRuns: parts.some((p) => p.alwaysRuns === true),
    init(param) {
      const out: Record<string, Tensor> = {};
      const owner: Record<string, string> = {};
      for (const [p] of ordered) {
        for (const [slot, value] of Object.entries(p.init?.(param) ?? {})) {
          if (Object.hasOwn(out, slot)) throw new Error(`chain: transforms '${owner[slot]}' and '${p.name}' both keep a slot named '${slot}'`);
          out[slot] = value;
          owner[slot] = p.name;
        }
      }
      return out;
    },
    initGlobals() {
      const out: Record<string, number> = {};
      const owner: Record<string, string> = {};
      for (const p of parts) {
        for (const [key, value] of Object.entries(p.initGlobals?.() ?? {})) {
          if (Object.hasOwn(out, key)) throw new Error(`chain: transforms '${owner[key]}' and '${p.name}' both keep a shared value named '${key}'`);
          out[key] = value;
          owner[key] = p.name;
        }
      }
      return out;
    },
    update(step, states, ctx) {
      let current: TransformResult = { step, states };
      for (const p of parts) {
        if (current.step.deferred && p.alwaysRuns !== true) continue;
        current = p.update(current.step, current.states, ctx);
      }
      return current;
    },
    ...(finalizer ? { finalize: (state: TransformState) => finalizer.finalize!(state) } : {}),
  };
}

/**
 * An `UpdateRule` (the math of one optimizer on one variable) as a transform: it replaces each
 * parameter by the rule's new value and keeps the rule's slots.
 */
export function fromUpdateRule(name: string, rule: UpdateRule): GradientTransform {
  return {
    name,
    init: (param) => rule.initSlots(param),
    ...(rule.initGlobals ? { initGlobals: () => rule.initGlobals!() } : {}),
    update(step, states, ctx) {
      // The step's learning rate is evaluated (and a bad one refused) before the rule runs, even by a rule that ignores it.
      void ctx.learningRate;
      rule.beginStep?.(ctx);
      const nextStates: TransformState[] = [];
      const params = step.params.map((w, i) => {
        const slots = { ...states[i]! };
        const next = rule.update(w, step.grads[i]!, slots, ctx);
        nextStates.push(slots);
        return next;
      });
      return { step: { ...step, params }, states: nextStates };
    },
  };
}

/**
 * A transform that maps each variable on its own: `fn(i)` gets the gradient, the parameter, the
 * variable's state and the variable, and returns what it changes.
 */
export function perVariable(
  name: string,
  options: Pick<GradientTransform, 'init' | 'alwaysRuns' | 'stateOrder' | 'finalize'>,
  fn: (
    grad: Tensor,
    param: Tensor,
    state: TransformState,
    variable: Variable,
    ctx: StepContext,
  ) => { grad?: Tensor; param?: Tensor; state?: Record<string, Tensor> },
): GradientTransform {
  return {
    name,
    ...options,
    update(step, states, ctx) {
      const grads = [...step.grads];
      const params = [...step.params];
      const next = states.map((state, i) => {
        const out = fn(grads[i]!, params[i]!, state, step.variables[i]!, ctx);
        if (out.grad) grads[i] = out.grad;
        if (out.param) params[i] = out.param;
        return out.state ? { ...state, ...out.state } : state;
      });
      return { step: { ...step, grads, params }, states: next };
    },
  };
}

/** The two uses of an update rule made by `ruleTransform`. */
export interface RuleTransform<O extends object> {
  /** The rule's own option names. */
  readonly optionNames: readonly string[];
  /** The rule as a transform, its option values checked with errors naming `owner` (the optimizer class). */
  readonly make: (owner: string, options: O) => GradientTransform;
  /** The public `scaleBy…(options)`: also refuses option names the rule does not take. */
  readonly scaleBy: (options?: O) => GradientTransform;
}

/**
 * An update rule as transform `name` (`'scaleByAdamax'`): `build` checks the rule's own options
 * (errors name `owner`) and returns the rule.
 */
export function ruleTransform<O extends object>(
  name: string,
  optionNames: readonly string[],
  build: (owner: string, options: O) => UpdateRule,
): RuleTransform<O> {
  const make = (owner: string, options: O): GradientTransform => fromUpdateRule(name, build(owner, options));
  return {
    optionNames,
    make,
    scaleBy: (options = {} as O) => {
      checkOptionNames(name, options, optionNames);
      return make(name, options);
    },
  };
}
