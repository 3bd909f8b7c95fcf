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
    t.backend = backend;
    t.dataId = moved.dataId;
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
  if (hook !== null) hook({ kernel: name, inputs, attrs, output });
  return output;
}

/** A tensor holding `values` (already of `dtype`, row-major). The engine takes ownership of `values`. */
export function makeTensor(values: TypedArray, shape: Shape, dtype: DType): Tensor {
  const backend = getBackend();
  return new Tensor(backend.write(values, shape, dtype), backend);
}

registerBackend('cpu', () => new CpuBackend(), 1);
