/**
 * Extension kernels: kernels outside the closed `KernelDefs` set, declared by the packages that use
 * them. An extension kernel may have several outputs, is never differentiated (no gradient rule) and
 * is optional: a backend lists those it implements in `Backend.extensionKernels`, and the op that runs
 * one through `runExtensionKernel` takes its own fallback or op path when the backend has none. The
 * tensor core names none of them: a package declares each name and its attributes by declaration
 * merging (the fused optimizer updates of `@descent/optimizers` are an example):
 *
 * ```ts
 * declare module '@descent/tensor' {
 *   interface ExtensionKernelDefs {
 *     ScaleShift: { readonly scale: number; readonly shift: number };
 *   }
 * }
 * ```
 */
import type { Backend, TensorInfo } from './backend.js';

/**
 * The attributes of every declared extension kernel, by name. Empty here: packages add entries by
 * module augmentation (see above), which types `runExtensionKernel`'s `attrs` for that name.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in the packages that declare kernels
export interface ExtensionKernelDefs {}

/** The name of a declared extension kernel. */
export type ExtensionKernelName = keyof ExtensionKernelDefs;

/** The attributes of extension kernel `K`. */
export type ExtensionKernelAttrs<K extends ExtensionKernelName> = ExtensionKernelDefs[K];

/**
 * A backend's implementation of an extension kernel with attributes `A`: the outputs (fresh storage of
 * this backend), or null when it cannot run these inputs (the caller then takes its op path).
 */
export type ExtensionKernelImpl<A> = (inputs: readonly TensorInfo[], attrs: A) => TensorInfo[] | null;

/**
 * The extension kernels a backend provides, keyed by name; any may be absent. Open: a backend may
 * implement kernels that a package it does not depend on declares, so values are checked against
 * `ExtensionKernelDefs` where that package's declaration is in the program.
 */
export interface ExtensionKernelTable {
  readonly [name: string]: ExtensionKernelImpl<never> | undefined;
}

/**
 * What `runExtensionKernel` runs when the active backend has no kernel of that name: given that
 * backend, the inputs and attributes, the outputs as fresh storage of that backend (made with its
 * `write`), or null to let the caller take its op path.
 */
export type ExtensionKernelFallback<A> = (backend: Backend, inputs: readonly TensorInfo[], attrs: A) => TensorInfo[] | null;
