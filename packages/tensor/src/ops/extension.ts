import { assertLive, getBackend, trackTensor } from '../engine.js';
import type { ExtensionKernelAttrs, ExtensionKernelDefs, ExtensionKernelName } from '../extension-kernels.js';
import { Tensor } from '../tensor.js';

/**
 * Run extension kernel `name` on the active backend. Null when the backend does not provide it, an
 * input lives on another backend (extension kernels never move data), or the backend declines; the
 * caller then takes its op path. The outputs are fresh tensors that scopes track like op outputs.
 */
export function runExtensionKernel<K extends ExtensionKernelName>(
  name: K,
  inputs: ExtensionKernelDefs<Tensor>[K]['inputs'],
  attrs: ExtensionKernelAttrs<K>,
): Tensor[] | null {
  const list = inputs as readonly Tensor[];
  for (let i = 0; i < list.length; i++) assertLive(list[i]!, `${name} (input ${i})`);
  const backend = getBackend();
  const impl = backend.extensionKernels?.[name];
  if (impl === undefined) return null;
  for (const t of list) if (t.backend !== backend) return null;
  const infos = impl(list, attrs);
  if (infos === null) return null;
  // The same registration runKernel gives a kernel output: counted, and owned by the current scope.
  return infos.map((info) => trackTensor(new Tensor(info, backend)));
}
