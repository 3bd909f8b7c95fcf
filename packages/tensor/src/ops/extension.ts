import { assertLive, getBackend, trackTensor } from '../engine.js';
import type { ExtensionKernelAttrs, ExtensionKernelFallback, ExtensionKernelImpl, ExtensionKernelName } from '../extension-kernels.js';
import { Tensor } from '../tensor.js';

/**
 * Run extension kernel `name` on the active backend, or `fallback` when the backend has no kernel of
 * that name. Null when neither applies, an input lives on another backend (extension kernels never
 * move data), or the implementation declines; the caller then takes its op path. The outputs are
 * fresh tensors that scopes track like op outputs.
 */
export function runExtensionKernel<K extends ExtensionKernelName>(
  name: K,
  inputs: readonly Tensor[],
  attrs: ExtensionKernelAttrs<K>,
  fallback?: ExtensionKernelFallback<ExtensionKernelAttrs<K>>,
): Tensor[] | null {
  for (let i = 0; i < inputs.length; i++) assertLive(inputs[i]!, `${name} (input ${i})`);
  const backend = getBackend();
  const impl = backend.extensionKernels?.[name] as ExtensionKernelImpl<ExtensionKernelAttrs<K>> | undefined;
  if (impl === undefined && fallback === undefined) return null;
  for (const t of inputs) if (t.backend !== backend) return null;
  const infos = impl !== undefined ? impl(inputs, attrs) : fallback!(backend, inputs, attrs);
  if (infos === null) return null;
  // The same registration runKernel gives a kernel output: counted, and owned by the current scope.
  return infos.map((info) => trackTensor(new Tensor(info, backend)));
}
