import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { cast, dispose, formatShape, isTensor, keep, mul, scalar, shapesEqual } from '@descent/tensor';
import type { GradientTransform, TransformState } from './transform.js';

/** One entry of the optimizer's saved state (`getWeights`/`setWeights`): a state tensor and its name. */
export interface NamedTensor {
  /** State name: `'iterations'`, or the variable's name followed by the slot (`dense/kernel/m`). */
  name: string;
  /** The state's value. */
  tensor: Tensor;
}

const ITERATIONS = 'iterations';

/**
 * Optimizer state outlives the step scope it was computed in (`fit` runs each batch in a scope), so
 * on manual-memory backends a new state tensor is kept and the one it replaces is freed at once:
 * memory stays flat without waiting for garbage collection.
 */
export function replaced(next: Tensor, prev: Tensor | null | undefined): Tensor {
  if (next !== prev) {
    keep(next);
    if (prev) dispose(prev);
  }
  return next;
}

function entryError(op: string, entry: unknown): Error {
  const what =
    entry === null ? 'null' : typeof entry === 'object' ? `an object with keys ${Object.keys(entry).join(', ')}` : typeof entry;
  return new Error(`${op}: expected { name: string, tensor: Tensor } entries, got ${what}`);
}

function isEntry(entry: unknown): entry is NamedTensor {
  return entry !== null && typeof entry === 'object' && typeof (entry as NamedTensor).name === 'string' && isTensor((entry as NamedTensor).tensor);
}

/**
 * The state of one optimizer: `iterations`, the transforms' shared scalars and every variable's
 * slots (built on first use by the transform's `init`), with save and restore by name.
 */
export class OptimizerStateStore {
  iterations = 0;
  readonly globals: Record<string, number>;
  readonly states = new Map<Variable, TransformState>();
  /** Restored state of variables this optimizer has not met yet, by saved name. */
  private readonly pending = new Map<string, Tensor>();

  constructor(
    private readonly className: string,
    private readonly transform: GradientTransform,
  ) {
    this.globals = transform.initGlobals?.() ?? {};
  }

  /** The variable's state, built (and kept) on first use, with any restored values waiting for it installed. */
  stateOf(v: Variable): TransformState {
    const known = this.states.get(v);
    if (known) return known;
    const state = this.transform.init?.(v) ?? {};
    for (const slot of Object.values(state)) keep(slot);
    this.states.set(v, state);
    this.restorePending(v);
    return this.states.get(v)!;
  }

  /** Install the step's new state of `v`: new tensors are kept, the ones they replace freed. */
  commit(v: Variable, next: TransformState): void {
    const before = this.states.get(v) ?? {};
    for (const key of Object.keys(next)) replaced(next[key]!, before[key]);
    this.states.set(v, next);
  }

  private unknownStateError(op: string, name: string): Error {
    return new Error(`${op}: unknown state '${name}' (expected 'iterations', ${Object.keys(this.globals).map((k) => `'${k}', `).join('')}or 'variableName/slot')`);
  }

  private noSlotError(op: string, v: Variable, slot: string): Error {
    const known = Object.keys(this.states.get(v) ?? {});
    return new Error(`${op}: variable '${v.name}' has no state '${slot}' in this optimizer (it has: ${known.join(', ') || 'none'})`);
  }

  /** See `Optimizer.getWeights`. */
  getWeights(): NamedTensor[] {
    const out: NamedTensor[] = [{ name: ITERATIONS, tensor: scalar(this.iterations, 'int32') }];
    for (const [key, value] of Object.entries(this.globals)) out.push({ name: key, tensor: scalar(value, 'float32') });
    const names = new Map<string, Variable>();
    for (const [v, s] of this.states) {
      const other = names.get(v.name);
      if (other !== undefined && other !== v) {
        throw new Error(`${this.className}.getWeights: two variables share the name '${v.name}'; give variables unique names to save optimizer state`);
      }
      names.set(v.name, v);
      for (const [slot, tensor] of Object.entries(s)) out.push({ name: `${v.name}/${slot}`, tensor });
    }
    return out;
  }

  /** See `Optimizer.setWeights`. */
  setWeights(weights: readonly NamedTensor[]): void {
    const op = `${this.className}.setWeights`;
    const byName = new Map<string, Variable>();
    for (const v of this.states.keys()) byName.set(v.name, v);
    for (const entry of weights) {
      if (!isEntry(entry)) throw entryError(op, entry);
      const { name, tensor } = entry;
      if (name === ITERATIONS) {
        const value = tensor.item();
        if (!Number.isInteger(value) || value < 0) throw new Error(`${op}: iterations must be a non-negative integer, got ${value}`);
        this.iterations = value;
      } else if (Object.hasOwn(this.globals, name)) {
        this.globals[name] = tensor.item();
      } else {
        const cut = name.lastIndexOf('/');
        if (cut <= 0) throw this.unknownStateError(op, name);
        const v = byName.get(name.slice(0, cut));
        if (v) this.setSlot(v, name.slice(cut + 1), tensor);
        else this.pending.set(name, tensor);
      }
    }
  }

  /** See `Optimizer.restoreState`. */
  restoreState(weights: readonly NamedTensor[], variables: readonly Variable[]): void {
    const op = `${this.className}.restoreState`;
    const states = variables.map((v) => [v, this.stateOf(v)] as const);
    if (weights.length === 0) return;
    const given = new Map<string, Tensor>();
    for (const entry of weights) {
      if (!isEntry(entry)) throw entryError(op, entry);
      if (given.has(entry.name)) throw new Error(`${op}: the saved state lists '${entry.name}' twice`);
      if (!entry.name.includes('/') && entry.name !== ITERATIONS && !Object.hasOwn(this.globals, entry.name)) {
        throw this.unknownStateError(op, entry.name);
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
      for (const [slot, current] of Object.entries(s)) {
        if (!given.has(`${v.name}/${slot}`)) missing.push(`'${v.name}/${slot}' ${formatShape(current.shape)}`);
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
      const current = Object.hasOwn(s, slot) ? s[slot] : null;
      if (!current) throw this.noSlotError(op, v, slot);
      if (!shapesEqual(current.shape, tensor.shape)) {
        throw new Error(`${op}: state '${name}' must have shape ${formatShape(current.shape)} (that of variable '${v.name}'), but the saved state has ${formatShape(tensor.shape)}`);
      }
    }
    this.setWeights(weights);
  }

  private restorePending(v: Variable): void {
    const prefix = `${v.name}/`;
    for (const [name, tensor] of this.pending) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes('/')) {
        this.setSlot(v, name.slice(prefix.length), tensor);
        this.pending.delete(name);
      }
    }
  }

  private setSlot(v: Variable, slot: string, tensor: Tensor): void {
    const op = `${this.className}.setWeights`;
    const state = this.states.get(v)!;
    const current = Object.hasOwn(state, slot) ? state[slot] : undefined;
    if (current === undefined) throw this.noSlotError(op, v, slot);
    if (!shapesEqual(current.shape, tensor.shape)) {
      throw new Error(
        `${op}: state '${v.name}/${slot}' has shape ${formatShape(current.shape)} (that of variable '${v.name}'), got ${formatShape(tensor.shape)} in the saved state`,
      );
    }
    // A copy: the caller keeps its tensor, and the state may be freed when the next step replaces it.
    const value = replaced(tensor.dtype === 'float32' ? mul(tensor, 1) : cast(tensor, 'float32'), current);
    this.states.set(v, { ...state, [slot]: value });
  }
}
