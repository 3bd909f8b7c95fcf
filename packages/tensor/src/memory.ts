import type { Backend, TensorInfo } from './backend.js';
import { countAllocation, evictionInfo, kernelStarting, makeLoose, writeStarting } from './eviction.js';
import { FREE, HELD, holdState, KEPT, setHold } from './hold-state.js';
import { formatShape } from './shape.js';
import { holdSlot, Tensor } from './tensor.js';
import { isThenable } from './util/thenable.js';

export { kernelStarting, writeStarting };

// Memory: step scopes, loose tensors and their eviction, keep, dispose. The dispatch point (engine.ts)
// calls in here for every kernel run and write; engine.ts re-exports the public functions.
//
// Backends with manual memory (WASM) count, per storage handle, the tensors that hold it ("holders").
// Every tensor the engine makes is a holder; so is a Variable (via `holdTensor`/`adoptData`).
//
// Who frees a holder depends on where it was made:
// - In a scope (every API call that runs a computation opens one when none is open: `grad`,
//   `variableGrads`, `minimize`, a training step, `predict`): released when the scope ends, unless
//   returned or kept. Scopes are synchronous (withScope rejects an async function), so a scope never
//   stays open across `await` and concurrent async work never lands in another's scope.
// - Outside any scope (user code at top level, and what an API call returns to it): "loose". Only
//   the garbage collector knows when user code drops one, and on manual-memory backends it is the
//   wrong judge: V8 does not count wasm memory as pressure, and a synchronous loop never lets a
//   FinalizationRegistry callback run. So the engine watches loose tensors itself: one that no
//   kernel has read for a while (counted in kernel runs and in bytes allocated since) is evicted —
//   the backend moves its values to ordinary host memory (a typed array) and frees its device block.
//   If user code reads it again, the backend moves it back transparently; if not, the garbage
//   collector reclaims the typed array like any JS object, with no callback needed.
// - Kept (`keep`, Variables, optimizer state): never released by a scope nor evicted by age; freed
//   by `dispose` or when replaced (`adoptData`).
// On the garbage-collected CPU backend all of this is bookkeeping only: nothing is freed or moved.
// The hold states are in hold-state.ts, the clocks and the sweep of loose tensors in eviction.ts.

const scopes: Tensor[][] = [];

/**
 * Throw if an input of kernel `name` was released: the same refusal on every backend, even where (the
 * CPU) its values would still be there. One property read per input.
 */
export function assertInputsLive(name: string, list: readonly Tensor[]): void {
  for (let i = 0; i < list.length; i++) if (holdSlot.get(list[i]!) === FREE) throw releasedError(`${name} (input ${i})`, list[i]!);
}

/** Storage of `t` on `backend`, moving it there first if it was made on another backend. */
export function infoOn(t: Tensor, backend: Backend): TensorInfo {
  if (t.backend !== backend) {
    const values = t.backend.read(t);
    const moved = backend.write(values, t.shape, t.dtype);
    const from = t.backend;
    const old = t.dataId;
    t.backend = backend;
    t.dataId = moved.dataId;
    // A counted holder keeps counting on its new backend and lets go on the old one.
    const state = holdState(t);
    if (state !== FREE) {
      backend.retainData?.(moved.dataId);
      if (state !== HELD) backend.unscopedData?.(moved.dataId);
      from.disposeData?.(old);
    }
  }
  return t;
}

/** Error for a tensor used after its storage was released; `what` names the op or read. */
function releasedError(what: string, t: Tensor): Error {
  return new Error(
    `${what}: this tensor's storage was released (its scope ended or it was disposed) and can no longer be used ` +
      `(tensor #${t.id}, shape ${formatShape(t.shape)}); keep() tensors that must outlive a step, or return them from the scope`,
  );
}

/**
 * Throw unless `t` may still be read; `what` names the read (`dataSync`, `toArray`, ...) or the op and
 * input (`myOp (input 1)`) for the error. Ops that do not go through `runKernel` check their inputs with it.
 */
export function assertLive(t: Tensor, what: string): void {
  if (holdSlot.get(t) === FREE) throw releasedError(what, t);
}

/** What the engine knows about memory (for tests, diagnostics and `apps/bench --soak`). */
export interface EngineMemoryInfo {
  /** Scopes open now (0 whenever no API call is running). */
  readonly scopes: number;
  /** Loose tensors watched for eviction (made outside any scope on a backend that can evict). */
  readonly watched: number;
  /** Loose tensors evicted to host memory so far. */
  readonly evicted: number;
  /** Kernels run so far. */
  readonly kernels: number;
}

/** A snapshot of the engine's memory figures (see `EngineMemoryInfo`). */
export function engineMemoryInfo(): EngineMemoryInfo {
  return { scopes: scopes.length, ...evictionInfo() };
}

/** Register a tensor a kernel or write just made: it joins the current scope, or becomes loose. */
export function created(t: Tensor): void {
  t.backend.retainData?.(t.dataId);
  countAllocation(t);
  const top = scopes[scopes.length - 1];
  if (top !== undefined) {
    setHold(t, HELD);
    top.push(t);
  } else {
    makeLoose(t);
  }
}

/** Count a FREE tensor (an alias) towards its storage; the caller then scopes it or makes it loose. */
function hold(t: Tensor): void {
  if (holdState(t) !== FREE) return;
  setHold(t, HELD);
  t.backend.retainData?.(t.dataId);
}

/** Drop `t`'s hold on its storage (once); the backend frees the storage when no holder is left. */
function releaseHolder(t: Tensor): void {
  if (holdState(t) === FREE) return;
  setHold(t, FREE);
  t.backend.disposeData?.(t.dataId);
}

/**
 * Exempt `t` from every scope: its storage then lives until `dispose(t)` or garbage collection.
 * Long-lived state that is not a Variable (optimizer slots, caches) must be kept. Returns `t`.
 */
export function keep<T extends Tensor>(t: T): T {
  hold(t);
  setHold(t, KEPT);
  t.backend.unscopedData?.(t.dataId);
  return t;
}

/**
 * Register a tensor built with `new Tensor(info, backend)` around existing storage (an alias such as
 * stopGradient's): it then counts towards that storage and belongs to the current scope like any op
 * output (otherwise it stays valid only while a counted holder of the storage lives). Returns `t`.
 */
export function trackTensor<T extends Tensor>(t: T): T {
  if (holdState(t) === FREE) created(t);
  return t;
}

/**
 * Whether `t` was released, by `dispose` or by the scope that made it. Kernels and reads then refuse
 * it on every backend (on a manual-memory one its storage may be gone), so code holding on to a
 * tensor it did not make (a cache, a side table) checks this before using it. A tensor the engine
 * never registered (an alias built with `new Tensor`) is not released: it is valid while a
 * registered holder of its storage lives.
 */
export function isReleased(t: Tensor): boolean {
  return holdSlot.get(t) === FREE;
}

/** Whether `t` counts towards its storage (not released, not an alias built with `new Tensor` that borrows it). */
export function holdsStorage(t: Tensor): boolean {
  return holdState(t) !== FREE;
}

/** The same as `keep`, named for code that builds a `Tensor` around existing storage itself (Variables). */
export function holdTensor<T extends Tensor>(t: T): T {
  return keep(t);
}

/**
 * Point `holder` (a Variable) at `info`'s storage: the new storage gains a holder before the old one
 * loses it, so assigning a value to itself never frees it. The holder is kept (no scope releases it).
 */
export function adoptData(holder: Tensor, info: { readonly dataId: object; readonly backend: Backend }): void {
  const tracked = holdState(holder) !== FREE;
  info.backend.retainData?.(info.dataId);
  info.backend.unscopedData?.(info.dataId);
  const oldBackend = holder.backend;
  const oldData = holder.dataId;
  holder.dataId = info.dataId;
  holder.backend = info.backend;
  if (tracked) oldBackend.disposeData?.(oldData);
  setHold(holder, KEPT);
}

/**
 * Release tensors now (a tensor, or arrays, plain objects and Maps of them). Storage shared with
 * other live tensors (a no-copy reshape, a Variable) stays until its last holder goes. Using or
 * reading a released tensor afterwards throws, on every backend alike (see `runKernel`).
 */
export function dispose(x: unknown): void {
  forEachTensor(x, releaseHolder);
}

/** Open a scope: tensors made until the matching `endScope` are released then, unless kept or returned. */
export function startScope(): void {
  scopes.push([]);
}

/**
 * Close the innermost scope. Tensors found in `result` (a tensor, or arrays, plain objects and Maps
 * holding tensors) survive and move to the enclosing scope, if any; every other tensor made in the
 * scope that was not kept is released.
 */
export function endScope(result?: unknown): void {
  const list = scopes.pop();
  if (list === undefined) throw new Error('endScope: no scope is open (every endScope needs a startScope)');
  const parent = scopes[scopes.length - 1];
  const survivors = new Set<Tensor>();
  forEachTensor(result, (t) => {
    survivors.add(t);
    // A result built around existing storage by hand (an alias) must hold it before the rest is released.
    if (holdState(t) === FREE) {
      hold(t);
      if (parent !== undefined) parent.push(t);
      else makeLoose(t);
    }
  });
  for (const t of list) {
    if (holdState(t) !== HELD) continue;
    if (survivors.has(t)) {
      // Handed to the enclosing scope, or, from the outermost one, to user code.
      if (parent !== undefined) parent.push(t);
      else makeLoose(t);
      continue;
    }
    releaseHolder(t);
  }
}

/**
 * Run `fn` in a scope; what it returns survives (see `endScope`). If it throws, everything it made is
 * released. `fn` must be synchronous: a scope held open across `await` would collect tensors that
 * other async work makes meanwhile, so an async `fn` is refused.
 */
export function withScope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`withScope: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope();
    throw e;
  }
  if (isThenable(result)) {
    endScope();
    throw new Error(
      'withScope: fn returned a Promise; scopes are synchronous (a scope open across await would take in tensors that other async work makes meanwhile) — scope the synchronous parts, or use no scope: tensors made outside scopes are managed for you',
    );
  }
  endScope(result);
  return result;
}

/** How many scopes are open (for tests and diagnostics). */
export function scopeDepth(): number {
  return scopes.length;
}

function forEachTensor(x: unknown, visit: (t: Tensor) => void, depth = 0): void {
  if (x instanceof Tensor) {
    visit(x);
    return;
  }
  if (depth > 8 || x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    for (const v of x as unknown[]) forEachTensor(v, visit, depth + 1);
  } else if (x instanceof Map) {
    for (const [k, v] of x as Map<unknown, unknown>) {
      forEachTensor(k, visit, depth + 1);
      forEachTensor(v, visit, depth + 1);
    }
  } else if (Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) forEachTensor(v, visit, depth + 1);
  }
}
