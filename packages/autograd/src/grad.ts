import type { TensorLike } from '@descent/tensor';
import { Tensor, cast, formatShape, ones, scopeDepth, shapesEqual, toTensor, withScope, zeros } from '@descent/tensor';
import { add } from './kernel-ops.js';
import { Tape, alias, isRecording, popTape, pushTape } from './tape.js';
import { Variable } from './variable.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Promise) return 'a Promise (f must be synchronous)';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'Object'})` : typeof value;
}

function checkOutput(op: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new Error(`${op}: f must return a Tensor, got ${describe(value)}`);
  if (value.dtype !== 'float32') {
    throw new Error(`${op}: f returned a ${value.dtype} tensor; only float32 outputs can be differentiated`);
  }
  return value;
}

/** The upstream gradient: `dy` when given (shape must match), else 1 for a scalar output. */
function seed(op: string, value: Tensor, dy: TensorLike | undefined): Tensor {
  if (dy === undefined) {
    if (value.size !== 1) {
      throw new Error(
        `${op}: f returned a non-scalar tensor of shape ${formatShape(value.shape)}; ` +
          `pass dy (the upstream gradient, same shape) to differentiate it, or reduce it to a scalar (e.g. with sum)`,
      );
    }
    return ones(value.shape);
  }
  let d = toTensor(dy, op, 'dy');
  if (!shapesEqual(d.shape, value.shape)) {
    throw new Error(`${op}: dy must have the shape of f's output ${formatShape(value.shape)}, got ${formatShape(d.shape)}`);
  }
  if (d.dtype !== 'float32') d = cast(d, 'float32');
  return d;
}

function source(op: string, x: TensorLike, index: number): Tensor {
  const t = toTensor(x, op, `x[${index}]`);
  if (t.dtype !== 'float32') {
    throw new Error(
      `${op}: cannot take the gradient with respect to argument ${index}: it is a ${t.dtype} tensor, and gradients exist ` +
        `only for float32 (integer and bool values are not continuous); cast it to float32 first`,
    );
  }
  return t;
}

/**
 * Run an API call's computation in a scope when nobody else manages memory, so a backend with
 * manual memory frees every intermediate as soon as the call returns (what it returns survives, and
 * is then the caller's). No scope is opened inside a gradient computation (the outer tape still
 * needs those intermediates) nor inside a caller's scope (such as `fit`'s per-batch scope), which
 * then owns everything `run` made, including tensors the caller captured from inside it. Layers,
 * optimizers and models use it for their own top-level calls (`apply`, `minimize`, …).
 */
export function scoped<T>(run: () => T): T {
  return isRecording() || scopeDepth() > 0 ? run() : withScope(run);
}

/** Run `f` on aliases of `xs` under a new tape, then walk it back from the output. */
function differentiate(op: string, f: (...xs: Tensor[]) => unknown, xs: readonly TensorLike[], dy: TensorLike | undefined): {
  value: Tensor;
  grads: Tensor[];
} {
  const inputs = xs.map((x, i) => source(op, x, i));
  const tape = new Tape();
  pushTape(tape);
  let value: Tensor;
  let sources: Tensor[];
  try {
    sources = inputs.map((x) => {
      const a = alias(x);
      tape.watch(a);
      return a;
    });
    value = checkOutput(op, f(...sources));
  } finally {
    popTape(tape);
  }
  const d = seed(op, value, dy);
  try {
    const byId = tape.backward(value, d);
    // A source the output does not depend on has a zero gradient.
    const grads = sources.map((s) => byId.get(s.id) ?? zeros(s.shape));
    return { value, grads };
  } finally {
    tape.release();
  }
}

/** `grad(f)(x, dy?)`: the gradient of `f` at `x` (vector-Jacobian product with `dy` for a non-scalar output). */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor {
  checkFunction('grad', f);
  return (x, dy) => scoped(() => differentiate('grad', f, [x], dy).grads[0]!);
}

/** `grads(f)(xs, dy?)`: the gradient with respect to each argument. */
export function grads(f: (...xs: Tensor[]) => Tensor): (xs: readonly TensorLike[], dy?: TensorLike) => Tensor[] {
  checkFunction('grads', f);
  return (xs, dy) => scoped(() => differentiate('grads', f, checkList('grads', xs), dy).grads);
}

/** `valueAndGrad(f)(x, dy?)`: the value of `f` at `x` together with its gradient (one pass). */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  checkFunction('valueAndGrad', f);
  return (x, dy) =>
    scoped(() => {
      const r = differentiate('valueAndGrad', f, [x], dy);
      return { value: r.value, grad: r.grads[0]! };
    });
}

/**
 * `valueAndGrads(f)(xs, dy?)`: the value of `f` and its gradient with respect to each argument (one pass).
 */
export function valueAndGrads(
  f: (...xs: Tensor[]) => Tensor,
): (xs: readonly TensorLike[], dy?: TensorLike) => { value: Tensor; grads: Tensor[] } {
  checkFunction('valueAndGrads', f);
  return (xs, dy) => scoped(() => differentiate('valueAndGrads', f, checkList('valueAndGrads', xs), dy));
}

/**
 * The value of the scalar `f()` and its gradient with respect to Variables.
 * - Without `vars`: every trainable float32 Variable that `f` read, in first-read order; a variable
 *   read but not on a path to the value gets zeros (never null).
 * - With `vars`: exactly the listed Variables (trainable or not), in that order; a variable the value
 *   does not depend on gets null.
 */
export function variableGrads(f: () => Tensor, vars?: readonly Variable[]): { value: Tensor; grads: Map<Variable, Tensor | null> } {
  return scoped(() => variableGradsUnscoped(f, vars));
}

function variableGradsUnscoped(f: () => Tensor, vars?: readonly Variable[]): { value: Tensor; grads: Map<Variable, Tensor | null> } {
  const op = 'variableGrads';
  checkFunction(op, f);
  const tape = new Tape();
  if (vars === undefined) tape.watchTrainable = true;
  else {
    if (!Array.isArray(vars)) throw new Error(`${op}: vars must be an array of Variables, got ${describe(vars)}`);
    vars.forEach((v: unknown, i) => {
      if (!(v instanceof Variable)) throw new Error(`${op}: vars[${i}] must be a Variable, got ${describe(v)}`);
      if (v.dtype !== 'float32') {
        throw new Error(`${op}: variable '${v.name}' (vars[${i}]) is ${v.dtype}; gradients exist only for float32 variables`);
      }
    });
    tape.watchedVars = new Set(vars);
  }
  pushTape(tape);
  let value: Tensor;
  try {
    const out: unknown = f();
    // A bare Variable as the value still needs one recorded step to carry its gradient.
    value = checkOutput(op, out instanceof Variable ? alias(out) : out);
  } finally {
    popTape(tape);
  }
  try {
    const d = seed(op, value, undefined);
    const byId = tape.backward(value, d);
    const perVar = new Map<Variable, Tensor>();
    for (const [id, v] of tape.snapshotOf) {
      const g = byId.get(id);
      if (g === undefined) continue;
      const prev = perVar.get(v);
      perVar.set(v, prev === undefined ? g : add(prev, g));
    }
    const result = new Map<Variable, Tensor | null>();
    if (vars === undefined) {
      for (const v of tape.touched) if (v.trainable && v.dtype === 'float32') result.set(v, perVar.get(v) ?? zeros(v.shape));
    } else {
      for (const v of vars as readonly Variable[]) result.set(v, perVar.get(v) ?? null);
    }
    return { value, grads: result };
  } finally {
    tape.release();
  }
}

function checkFunction(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new Error(`${op}: expected a function, got ${describe(f)}`);
}

function checkList(op: string, xs: unknown): readonly TensorLike[] {
  if (!Array.isArray(xs)) throw new Error(`${op}: expected an array of inputs, got ${describe(xs)}`);
  return xs as readonly TensorLike[];
}
