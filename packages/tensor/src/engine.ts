// The engine: the backend registry and the one dispatch point every op goes through (`runKernel`).
// Who owns and frees each tensor's storage (scopes, loose tensors and their eviction, keep/dispose) is
// in memory.ts; its public functions are re-exported here, where callers have always found them.
import type { Backend, TensorInfo } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import type { KernelAttrs, KernelInputs, KernelName } from './kernels.js';
import type { Shape } from './shape.js';
import { assertAllocatable } from './shape.js';
import { CpuBackend } from './cpu/backend.js';
import { assertInputsLive, created, infoOn, kernelStarting, writeStarting } from './memory.js';
import { Tensor } from './tensor.js';

export type { EngineMemoryInfo } from './memory.js';
export { adoptData, assertLive, dispose, endScope, engineMemoryInfo, holdsStorage, holdTensor, isReleased, keep, scopeDepth, startScope, trackTensor, withScope } from './memory.js';

type BackendFactory = () => Backend;

interface Registration {
  factory: BackendFactory;
  priority: number;
  instance: Backend | null;
}

const registry = new Map<string, Registration>();
let active: Backend | null = null;
/** Whether `setBackend` chose `active` (then a backend registered later never replaces it). */
let chosen = false;
/** Backends still loading (a browser fetching its wasm binary); `ready()` waits for them. */
const loading = new Map<string, Promise<unknown>>();

/**
 * Make a backend available under `name`. The registered backend with the highest priority becomes
 * the default the first time a tensor is created, unless `setBackend` chose one. The CPU backend
 * registers itself with priority 1. A backend registered after the default was picked, with a higher
 * priority than it, becomes the new default unless `setBackend` chose one: tensors made before move
 * to it on first use (so a browser page that computes before the wasm binary arrives keeps working).
 */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): void {
  registry.set(name, { factory, priority, instance: null });
  if (active !== null && !chosen) {
    const current = [...registry.values()].find((r) => r.instance === active);
    if (current === undefined || priority > current.priority) active = null;
  }
}

/**
 * Tell the engine that backend `name` is still loading (for example a browser fetching a wasm binary):
 * `ready()` waits until `promise` settles. The loader registers the backend itself when it succeeds.
 */
export function registerBackendLoading(name: string, promise: Promise<unknown>): void {
  const settled = promise.then(
    () => undefined,
    () => undefined,
  );
  loading.set(name, settled);
  void settled.then(() => {
    if (loading.get(name) === settled) loading.delete(name);
  });
}

/**
 * Resolves, once no backend is still loading, to the name of the backend tensors will use (like
 * `tf.ready()`). Where every backend loads synchronously (Node), it resolves at once; in a browser,
 * awaiting it before building a model puts every tensor on the wasm backend from the start.
 */
export async function ready(): Promise<string> {
  while (loading.size > 0) await Promise.all(loading.values());
  return getBackend().name;
}

/**
 * Unregisters the backend `name`; if it was the active one, the next op chooses a backend again (highest
 * priority first).
 */
export function removeBackend(name: string): void {
  const reg = registry.get(name);
  registry.delete(name);
  if (reg?.instance && active === reg.instance) {
    active = null;
    chosen = false;
  }
}

/** Names of the registered backends, in registration order. */
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
  chosen = true;
}

/**
 * The active backend (the highest-priority registered one unless `setBackend` chose). A backend whose
 * factory fails here (say, a wasm binary that cannot be read) is dropped with one warning naming it
 * and the reason, and the next one is used: a missing file never breaks every op.
 */
export function getBackend(): Backend {
  while (!active) {
    let best: [string, Registration] | undefined;
    for (const entry of registry) if (!best || entry[1].priority > best[1].priority) best = entry;
    if (!best) throw new Error('getBackend: no backend is registered');
    try {
      active = instantiate(best[0]);
    } catch (e) {
      if (registry.size === 1) throw e;
      registry.delete(best[0]);
      console.warn(`backend '${best[0]}' failed to start and is skipped: ${(e as Error).message}`);
    }
  }
  return active;
}

/** A record of one kernel run, as seen by a kernel hook (autograd's tape). */
export interface KernelRecord<K extends KernelName = KernelName> {
  /** The kernel's name. */
  readonly kernel: K;
  /** The tensors the kernel read, in input order. */
  readonly inputs: KernelInputs<K, Tensor>;
  /** The kernel's attributes. */
  readonly attrs: KernelAttrs<K>;
  /** The tensor the kernel produced. */
  readonly output: Tensor;
}

/**
 * Called after each kernel run with its record (see `setKernelHook`); autograd's tape installs one while
 * it records.
 */
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

/**
 * The per-tensor byte limit for a backend that does not state its own (`Backend.maxBytes`): 2 GiB,
 * what the CPU backend allows and the most a wasm32 heap of 2 GiB could ever hold.
 */
export const DEFAULT_MAX_BYTES = 2 ** 31 - 1;

/**
 * Check, before anything is allocated, that a tensor of `shape` and `dtype` can exist on the active
 * backend (see `assertAllocatable`: valid entries, at most MAX_RANK axes, a safe element count, and
 * bytes within `Backend.maxBytes`). Every op that can size its output up front calls it, so a huge
 * request fails in microseconds, naming the op, the shape and the bytes, instead of paging memory
 * for seconds first. Returns the element count.
 */
export function checkAllocation(op: string, shape: Shape, dtype: DType): number {
  const backend = getBackend();
  return assertAllocatable(op, shape, dtype, backend.maxBytes ?? DEFAULT_MAX_BYTES, backend.name);
}

/** Run kernel `name` on the active backend: the one dispatch point every op goes through. */
export function runKernel<K extends KernelName>(name: K, inputs: KernelInputs<K, Tensor>, attrs: KernelAttrs<K>): Tensor {
  const list = inputs as readonly Tensor[];
  assertInputsLive(name, list);
  const backend = getBackend();
  const infos = list.map((t) => infoOn(t, backend)) as unknown as KernelInputs<K, TensorInfo>;
  // Inputs count as used now (after any move to this backend), so the sweep never evicts them.
  kernelStarting(list);
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
  writeStarting();
  const t = new Tensor(backend.write(values, shape, dtype), backend);
  created(t);
  return t;
}

registerBackend('cpu', () => new CpuBackend(), 1);
