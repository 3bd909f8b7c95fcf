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
 *
 * `donated` lists the inputs (by index) that the caller handed over with `runExtensionKernel`'s
 * `donate` option and that count towards their storage. The kernel may write an output into a donated
 * input's storage instead of fresh storage (returning a TensorInfo with that input's `dataId`), but
 * only where its own records show that input as the storage's one holder (nothing else, no alias,
 * would see the change), no other input shares that storage, and the output's elements are each
 * written after the same elements of the input were read. Empty when nothing was donated.
 */
export type ExtensionKernelImpl<A> = (inputs: readonly TensorInfo[], attrs: A, donated: ReadonlySet<number>) => TensorInfo[] | null;

/** Options of `runExtensionKernel`. */
export interface ExtensionKernelOptions {
  /**
   * Inputs (by index) whose storage the caller gives up: the caller replaces each by an output right
   * after the call (an optimizer replacing a variable's value and slots by their updates) and reads
   * none of them again. A backend may then write that output over the input's storage when nothing
   * else holds it, saving an allocation and, for large tensors, cache traffic. Each must be a tensor
   * the engine counts (not an alias built with `new Tensor`).
   */
  readonly donate?: readonly number[];
}

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
