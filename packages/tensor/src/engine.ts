import type { Backend, TensorInfo } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import type { KernelAttrs, KernelInputs, KernelName } from './kernels.js';
import type { Shape } from './shape.js';
import { CpuBackend } from './cpu/backend.js';
import { Tensor } from './tensor.js';

type BackendFactory = () => Backend;

interface Registration {
  factory: BackendFactory;
  priority: number;
  instance: Backend | null;
}

const registry = new Map<string, Registration>();
let active: Backend | null = null;

/**
 * Make a backend available under `name`. The registered backend with the highest priority becomes
 * the default the first time a tensor is created, unless `setBackend` chose one. The CPU backend
 * registers itself with priority 1.
 */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): void {
  registry.set(name, { factory, priority, instance: null });
}

export function removeBackend(name: string): void {
  const reg = registry.get(name);
  registry.delete(name);
  if (reg?.instance && active === reg.instance) active = null;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}

function instantiate(name: string): Backend {
  const reg = registry.get(name);
  if (!reg) {
    throw new Error(`setBackend: no backend named '${name}' is registered (registered: ${listBackends().join(', ') || 'none'})`);
  }
  reg.instance ??= reg.factory();
  return reg.instance;
}

/** Switch the active backend; tensors made on another backend move on first use. */
export function setBackend(name: string): void {
  active = instantiate(name);
}

/** The active backend (the highest-priority registered one unless `setBackend` chose). */
export function getBackend(): Backend {
  if (active) return active;
  let best: [string, Registration] | undefined;
  for (const entry of registry) if (!best || entry[1].priority > best[1].priority) best = entry;
  if (!best) throw new Error('getBackend: no backend is registered');
  active = instantiate(best[0]);
  return active;
}

/** A record of one kernel run, as seen by a kernel hook (autograd's tape). */
export interface KernelRecord<K extends KernelName = KernelName> {
  readonly kernel: K;
  readonly inputs: KernelInputs<K, Tensor>;
  readonly attrs: KernelAttrs<K>;
  readonly output: Tensor;
}

export type KernelHook = (record: KernelRecord) => void;

let hook: KernelHook | null = null;

/**
 * Install the function called after every kernel run (or `null` to remove it); returns the one it
 * replaces. This is the single point where autograd listens: the tensor package knows nothing of
 * gradients.
 */
export function setKernelHook(next: KernelHook | null): KernelHook | null {
  const prev = hook;
  hook = next;
  return prev;
}

/** Storage of `t` on `backend`, moving it there first if it was made on another backend. */
function infoOn(t: Tensor, backend: Backend): TensorInfo {
  if (t.backend !== backend) {
    const values = t.backend.read(t);
    const moved = backend.write(values, t.shape, t.dtype);
    const from = t.backend;
    const old = t.dataId;
    t.backend = backend;
    t.dataId = moved.dataId;
    // A counted holder keeps counting on its new backend and lets go on the old one.
    if (holdState(t) !== FREE) {
      backend.retainData?.(moved.dataId);
      from.disposeData?.(old);
    }
  }
  return t;
}

/** Run kernel `name` on the active backend: the one dispatch point every op goes through. */
export function runKernel<K extends KernelName>(name: K, inputs: KernelInputs<K, Tensor>, attrs: KernelAttrs<K>): Tensor {
  const backend = getBackend();
  const list = inputs as readonly Tensor[];
  const infos = list.map((t) => infoOn(t, backend)) as unknown as KernelInputs<K, TensorInfo>;
  const impl = backend.kernels[name];
  const info = impl(infos, attrs);
  const output = new Tensor(info, backend);
  created(output);
  if (hook !== null) hook({ kernel: name, inputs, attrs, output });
  return output;
}

/** A tensor holding `values` (already of `dtype`, row-major). The engine takes ownership of `values`. */
export function makeTensor(values: TypedArray, shape: Shape, dtype: DType): Tensor {
  const backend = getBackend();
  const t = new Tensor(backend.write(values, shape, dtype), backend);
  created(t);
  return t;
}

// --- memory: step scopes, keep, dispose --------------------------------------------------------
//
// Backends with manual memory (WASM) count, per storage handle, the tensors that hold it ("holders").
// Every tensor the engine makes is a holder; so is a Variable (via `holdTensor`/`adoptData`). A scope
// releases the holders made while it was innermost, except those returned or kept: releasing drops
// one count, and the backend frees storage when its count reaches zero. Tensors made outside any
// scope are left to the backend's FinalizationRegistry. On the garbage-collected CPU backend this is
// bookkeeping only: nothing is freed and nothing changes behaviour.

// Per-tensor memory state, kept on the tensor itself (a WeakSet lookup per op cost more than the op).
const HOLD = Symbol('descent.hold');
/** Not counted towards its storage (made outside the engine, or released). */
const FREE = 0;
/** Counted: a scope may release it. */
const HELD = 1;
/** Counted and exempt from scopes (`keep`, Variables). */
const KEPT = 2;
type Tracked = Tensor & { [HOLD]?: number };

const scopes: Tensor[][] = [];

function holdState(t: Tensor): number {
  return (t as Tracked)[HOLD] ?? FREE;
}

function setHold(t: Tensor, state: number): void {
  // Non-enumerable, so equality checks and spreads of tensors never see it.
  if (HOLD in t) (t as Tracked)[HOLD] = state;
  else Object.defineProperty(t, HOLD, { value: state, writable: true, enumerable: false, configurable: false });
}

function created(t: Tensor): void {
  setHold(t, HELD);
  t.backend.retainData?.(t.dataId);
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.push(t);
}

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
  return t;
}

/**
 * Register a tensor that was built with `new Tensor(info, backend)` around existing storage (an
 * alias such as stopGradient's): it then counts towards that storage and belongs to the current
 * scope like any op output. Without this, such an alias stays valid only while a counted holder of
 * the same storage lives. Returns `t`.
 */
export function trackTensor<T extends Tensor>(t: T): T {
  if (holdState(t) === FREE) created(t);
  return t;
}

/**
 * Whether `t` was released, by `dispose` or by the scope that made it. On a manual-memory backend its
 * storage may then be gone, so code holding on to a tensor it did not make (a cache, a side table)
 * checks this before using it. A tensor the engine never registered (an alias built with
 * `new Tensor`) is not released: it is valid while a registered holder of its storage lives.
 */
export function isReleased(t: Tensor): boolean {
  return HOLD in t && holdState(t) === FREE;
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
  const oldBackend = holder.backend;
  const oldData = holder.dataId;
  holder.dataId = info.dataId;
  holder.backend = info.backend;
  if (tracked) oldBackend.disposeData?.(oldData);
  setHold(holder, KEPT);
}

/**
 * Release tensors now (a tensor, or arrays, plain objects and Maps of them). Storage shared with
 * other live tensors (a no-copy reshape, a Variable) stays until its last holder goes. Reading a
 * tensor whose storage was freed throws on manual-memory backends.
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
    }
  });
  for (const t of list) {
    if (holdState(t) !== HELD) continue;
    if (survivors.has(t)) {
      if (parent !== undefined) parent.push(t);
      continue;
    }
    releaseHolder(t);
  }
}

/** Run `fn` in a scope; what it returns survives (see `endScope`). If it throws, everything it made is released. */
export function withScope<T>(fn: () => T): T {
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope();
    throw e;
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

registerBackend('cpu', () => new CpuBackend(), 1);
