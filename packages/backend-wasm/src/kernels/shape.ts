// Shape arithmetic the wasm kernels share (broadcasting walks come from @descent/tensor's broadcastWalk).

/** Product of `xs[from:to]` (element counts of a shape or of part of it). */
export function product(xs: readonly number[], from = 0, to = xs.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= xs[i]!;
  return p;
}
