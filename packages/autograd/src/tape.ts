import type { KernelHook, KernelName, KernelRecord } from '@descent/tensor';
import { Tensor, broadcastedAxes, formatShape, runKernel, setKernelHook, shapesEqual } from '@descent/tensor';
import { add } from './kernel-ops.js';
import type { GradContext, GradRule, InputGrads } from './rules.js';
import { gradRules } from './rules.js';
import { Variable } from './variable.js';

/** A hand-written backward step (customGrad, aliases): input gradients from the output's. */
type BackwardFn = (dy: Tensor, needs: readonly boolean[]) => InputGrads;

/** One recorded step: a kernel run, or a custom step when `kernel` is null. */
interface Entry {
  readonly kernel: KernelName | null;
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  readonly output: Tensor;
  readonly backward: BackwardFn | null;
}

/**
 * The record of one gradient computation. It keeps references to the tensors it saw (never copies
 * of their data) and only the steps whose inputs depend on what it watches.
 */
export class Tape {
  readonly entries: Entry[] = [];
  /** Ids of watched tensors and of every recorded output (the tensors that depend on them). */
  readonly tracked = new Set<number>();
  /** Watch every trainable float32 Variable read (variableGrads without a list). */
  watchTrainable = false;
  /** Watch exactly these Variables. */
  watchedVars: ReadonlySet<Variable> | null = null;
  /** Variables read by any kernel while recording, in first-read order. */
  readonly touched = new Set<Variable>();
  /** Snapshot id → the watched Variable it was read from. */
  readonly snapshotOf = new Map<number, Variable>();

  watch(t: Tensor): void {
    this.tracked.add(t.id);
  }

  private watches(v: Variable): boolean {
    if (this.watchedVars !== null) return this.watchedVars.has(v);
    return this.watchTrainable && v.trainable && v.dtype === 'float32';
  }

  /** Record a step if one of its inputs depends on what this tape watches. */
  observe(kernel: KernelName | null, rawInputs: readonly Tensor[], attrs: unknown, output: Tensor, backward: BackwardFn | null): void {
    let depends = false;
    let hasVariable = false;
    for (let i = 0; i < rawInputs.length; i++) {
      const t = rawInputs[i]!;
      if (t instanceof Variable) {
        hasVariable = true;
        this.touched.add(t);
        if (this.watches(t)) depends = true;
      } else if (this.tracked.has(t.id)) depends = true;
    }
    if (!depends) return;
    let inputs = rawInputs;
    if (hasVariable) {
      // Record the variable's current value, so a later assign cannot change what rules read.
      inputs = rawInputs.map((t) => {
        if (!(t instanceof Variable)) return t;
        const snap = t.snapshot();
        if (this.watches(t) && !this.tracked.has(snap.id)) {
          this.tracked.add(snap.id);
          this.snapshotOf.set(snap.id, t);
        }
        return snap;
      });
    }
    this.tracked.add(output.id);
    this.entries.push({ kernel, inputs, attrs, output, backward });
  }

  /**
   * Walk the entries backwards from `output` (whose gradient is `dy`); returns the gradient of
   * every tracked tensor that is not itself a recorded output (the watched sources), by id.
   * Rules produce gradients shaped like each step's (broadcast) output; here they are reduced to
   * each input's shape and fan-out is summed.
   */
  backward(output: Tensor, dy: Tensor): Map<number, Tensor> {
    const grads = new Map<number, Tensor>();
    grads.set(output.id, dy);
    const entries = this.entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      const g = grads.get(e.output.id);
      if (g === undefined) continue;
      grads.delete(e.output.id);
      const n = e.inputs.length;
      const needs = new Array<boolean>(n);
      for (let j = 0; j < n; j++) needs[j] = this.tracked.has(e.inputs[j]!.id);
      const inGrads = e.kernel !== null ? runRule(e, g, needs) : e.backward!(g, needs);
      for (let j = 0; j < n; j++) {
        const gj = inGrads[j];
        if (!needs[j] || gj === null || gj === undefined) continue;
        const input = e.inputs[j]!;
        const reduced = reduceTo(gj, input.shape, e.kernel ?? 'customGrad');
        const prev = grads.get(input.id);
        grads.set(input.id, prev === undefined ? reduced : add(prev, reduced));
      }
    }
    return grads;
  }

  /** Drop every reference the tape holds. */
  release(): void {
    this.entries.length = 0;
    this.tracked.clear();
    this.touched.clear();
    this.snapshotOf.clear();
  }
}

function runRule(e: Entry, dy: Tensor, needs: readonly boolean[]): InputGrads {
  const rule = gradRules[e.kernel!] as GradRule<KernelName>;
  const ctx = { inputs: e.inputs, attrs: e.attrs, output: e.output, needs } as unknown as GradContext<KernelName>;
  return rule(dy, ctx);
}

/** Sum `g` over the axes along which an input of `shape` was broadcast, then give it that shape. */
function reduceTo(g: Tensor, shape: readonly number[], who: string): Tensor {
  if (g.dtype !== 'float32') g = runKernel('Cast', [g], { dtype: 'float32' });
  if (shapesEqual(g.shape, shape)) return g;
  const offset = g.rank - shape.length;
  let ok = offset >= 0;
  for (let i = 0; ok && i < shape.length; i++) {
    const d = shape[i]!;
    if (d !== 1 && d !== g.shape[offset + i]) ok = false;
  }
  if (!ok) {
    throw new Error(
      `autograd: the gradient of ${who} has shape ${formatShape(g.shape)}, which does not reduce to its input's shape ${formatShape(shape)}`,
    );
  }
  const axes = broadcastedAxes(shape, g.shape);
  const summed = axes.length > 0 ? runKernel('Sum', [g], { axes }) : g;
  return shapesEqual(summed.shape, shape) ? summed : runKernel('Reshape', [summed], { shape });
}

// --- the stack of recording tapes and the kernel hook ---

let stack: Tape[] = [];
let installed = false;
let previousHook: KernelHook | null = null;

const hook: KernelHook = (rec: KernelRecord) => {
  if (previousHook !== null) previousHook(rec);
  // Non-differentiable kernels and non-float outputs end every dependency: nothing to record.
  if (gradRules[rec.kernel] === null || rec.output.dtype !== 'float32') return;
  const inputs = rec.inputs as readonly Tensor[];
  for (let i = 0; i < stack.length; i++) stack[i]!.observe(rec.kernel, inputs, rec.attrs, rec.output, null);
};

// The hook is installed only while some tape records, so ops run at full speed otherwise.
function syncHook(): void {
  if (stack.length > 0 && !installed) {
    previousHook = setKernelHook(hook);
    installed = true;
  } else if (stack.length === 0 && installed) {
    setKernelHook(previousHook);
    previousHook = null;
    installed = false;
  }
}

export function pushTape(tape: Tape): void {
  stack.push(tape);
  syncHook();
}

export function popTape(tape: Tape): void {
  const top = stack.pop();
  if (top !== tape) throw new Error('autograd: gradient tapes were closed out of order');
  syncHook();
}

/** Record a hand-written step on every active tape (used by customGrad and for aliases). */
export function recordCustom(inputs: readonly Tensor[], output: Tensor, backward: BackwardFn): void {
  for (let i = 0; i < stack.length; i++) stack[i]!.observe(null, inputs, null, output, backward);
}

/**
 * A new tensor (fresh id, same storage, no copy) that active tapes see as an identity step from
 * `x`. Gradient sources are aliased so that the same tensor passed twice gets two gradients, and a
 * Variable passed as a source is read once.
 */
export function alias(x: Tensor): Tensor {
  const src = x instanceof Variable ? x.snapshot() : x;
  const out = new Tensor(src, src.backend);
  recordCustom([x], out, (dy) => [dy]);
  return out;
}

/** Run `f` with recording paused: nothing it computes carries a gradient. */
export function noGrad<T>(f: () => T): T {
  const saved = stack;
  stack = [];
  syncHook();
  try {
    return f();
  } finally {
    stack = saved;
    syncHook();
  }
}

/** The same values as `t` (no copy) as a constant: gradients do not flow through it. */
export function stopGradient(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`stopGradient: expected a Tensor, got ${typeof t}`);
  const src = t instanceof Variable ? t.snapshot() : t;
  return new Tensor(src, src.backend);
}

/** Whether any gradient is being recorded (for code that wants to skip bookkeeping otherwise). */
export function isRecording(): boolean {
  return stack.length > 0;
}
