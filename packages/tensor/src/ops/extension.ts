import { assertLive, getBackend, holdsStorage, trackTensor } from '../engine.js';
import type {
  ExtensionKernelAttrs,
  ExtensionKernelFallback,
  ExtensionKernelImpl,
  ExtensionKernelName,
  ExtensionKernelOptions,
} from '../extension-kernels.js';
import { Tensor } from '../tensor.js';

const NONE: ReadonlySet<number> = new Set();

/**
 * Run extension kernel `name` on the active backend, or `fallback` when the backend has no kernel of
 * that name. Null when neither applies, an input lives on another backend (extension kernels never
 * move data), or the implementation declines; the caller then takes its op path. The outputs are
 * tensors that scopes track like op outputs; with `options.donate`, an output may share the storage
 * of a donated input (see `ExtensionKernelOptions`), which the caller then must not read.
 */
export function runExtensionKernel<K extends ExtensionKernelName>(
  name: K,
  inputs: readonly Tensor[],
  attrs: ExtensionKernelAttrs<K>,
  fallback?: ExtensionKernelFallback<ExtensionKernelAttrs<K>>,
  options?: ExtensionKernelOptions,
): Tensor[] | null {
  for (let i = 0; i < inputs.length; i++) assertLive(inputs[i]!, `${name} (input ${i})`);
  const donated = donatedInputs(name, inputs, options?.donate);
  const backend = getBackend();
  const impl = backend.extensionKernels?.[name] as ExtensionKernelImpl<ExtensionKernelAttrs<K>> | undefined;
  if (impl === undefined && fallback === undefined) return null;
  for (const t of inputs) if (t.backend !== backend) return null;
  const infos = impl !== undefined ? impl(inputs, attrs, donated) : fallback!(backend, inputs, attrs);
  if (infos === null) return null;
  // The same registration runKernel gives a kernel output: counted, and owned by the current scope.
  return infos.map((info) => trackTensor(new Tensor(info, backend)));
}

/** The donated inputs that count towards their storage (an alias that only borrows storage is left out). */
function donatedInputs(name: string, inputs: readonly Tensor[], donate: readonly number[] | undefined): ReadonlySet<number> {
  if (donate === undefined) return NONE;
  if (!Array.isArray(donate)) throw new Error(`${name}: option 'donate' must be an array of input indices, got ${typeof donate}`);
  const out = new Set<number>();
  for (const i of donate as unknown[]) {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= inputs.length) {
      throw new Error(`${name}: option 'donate' must hold input indices in [0, ${inputs.length}), got ${String(i)}`);
    }
    if (out.has(i)) throw new Error(`${name}: option 'donate' names input ${i} twice`);
    out.add(i);
  }
  for (const i of [...out]) if (!holdsStorage(inputs[i]!)) out.delete(i);
  return out;
}
