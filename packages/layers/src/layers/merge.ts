import type { Tensor } from '@descent/tensor';
// Aliased: this module exports Keras's functional helpers `add`, `maximum`, `minimum` (layers, not ops).
import { add as addOp, div, expandDims, logicalOr, maximum as maximumOp, minimum as minimumOp, mul, reshape, sub, where } from '@descent/tensor';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import type { MergeArgs } from './merge-base.js';
import { batchSize, Merge } from './merge-base.js';

// The merge layers: the element-wise ones here, their base in merge-base.ts, Concatenate and Dot in
// concatenate.ts and dot.ts. Every one of them (and its functional form) is exported from this module.
export type { MergeArgs } from './merge-base.js';
export { Merge } from './merge-base.js';
export type { ConcatenateArgs } from './concatenate.js';
export { Concatenate, concatenate } from './concatenate.js';
export type { DotArgs, DotFunctionArgs } from './dot.js';
export { Dot, dot } from './dot.js';

/**
 * Merges that combine the inputs element by element (Keras's `Merge`): the inputs broadcast against each
 * other after the batch axis, and an input of lower rank gets size-1 axes inserted after its batch axis
 * (`[b, 3]` with `[b, 4, 3]` acts as `[b, 1, 3]`). Batch sizes must agree.
 */
abstract class ElementwiseMerge extends Merge {
  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    const fail = (message: string): Error => this.shapeError(message, shapes);
    if (shapes.some((s) => s.length === 0)) throw fail('every input needs a batch axis (rank ≥ 1)');
    const batch = batchSize(shapes, fail);
    let out: SymbolicShape = shapes[0]!.slice(1);
    for (const shape of shapes.slice(1)) {
      const rest = shape.slice(1);
      const rank = Math.max(out.length, rest.length);
      const next: SymbolicShape = [];
      for (let k = 0; k < rank; k++) {
        // Aligned from the end; a missing axis acts as size 1.
        const a = k < rank - out.length ? 1 : out[k - (rank - out.length)]!;
        const b = k < rank - rest.length ? 1 : rest[k - (rank - rest.length)]!;
        if (a === null || b === null) {
          // An unknown size broadcasts to the known one unless that is 1 (then it stays unknown).
          const known = a ?? b;
          next.push(known === null || known === 1 ? null : known);
        } else if (a === 1 || b === 1 || a === b) {
          next.push(a === 1 ? b : a);
        } else {
          throw fail(`inputs cannot be broadcast together (sizes ${a} and ${b} on axis ${k - rank} counted from the end)`);
        }
      }
      out = next;
    }
    return [batch, ...out];
  }

  protected merge(inputs: Tensor[], masks: (Tensor | null)[] | null): Tensor {
    const rank = Math.max(...inputs.map((t) => t.rank));
    // Size-1 axes go after the batch axis (not before it, as plain broadcasting would put them).
    const aligned = inputs.map((t) => (t.rank === rank ? t : reshape(t, [t.shape[0]!, ...new Array<number>(rank - t.rank).fill(1), ...t.shape.slice(1)])));
    // Masks over every axis but the last (`[batch, steps]` for `[batch, steps, features]`), as `combine` may use them.
    const fit = masks !== null && inputs.every((t, i) => t.rank === rank && (masks[i] === null || masks[i]!.rank === rank - 1));
    return this.combine(aligned, fit ? masks.map((m) => (m === null ? null : expandDims(m, -1))) : null);
  }

  /**
   * Combine inputs of equal rank (broadcasting size-1 axes). `masks` (one per input, null where none,
   * each with a size-1 last axis) is given when the inputs carry masks.
   */
  protected abstract combine(inputs: Tensor[], masks: (Tensor | null)[] | null): Tensor;
}

function fold(inputs: readonly Tensor[], op: (a: Tensor, b: Tensor) => Tensor): Tensor {
  let out = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) out = op(out, inputs[i]!);
  return out;
}

/**
 * `fold` where masked positions take no part (Keras's `Maximum`/`Minimum`: there is no identity value to
 * put there): a masked entry of one side takes the other side's value before `op`, so a step masked
 * in every input keeps the first input's value.
 */
function maskedFold(inputs: readonly Tensor[], masks: readonly (Tensor | null)[], op: (a: Tensor, b: Tensor) => Tensor): Tensor {
  let out = inputs[0]!;
  let outMask = masks[0] ?? null;
  for (let i = 1; i < inputs.length; i++) {
    let x = inputs[i]!;
    const m = masks[i] ?? null;
    if (m !== null) x = where(m, x, out);
    if (outMask !== null) out = where(outMask, out, x);
    outMask = m !== null && outMask !== null ? logicalOr(outMask, m) : null;
    out = op(out, x);
  }
  return out;
}

/**
 * Sums its inputs element by element (Keras `Add`), broadcasting as in `ElementwiseMerge`. The output
 * takes the inputs' common dtype (int32 stays int32; any float32 input makes it float32).
 */
export class Add extends ElementwiseMerge {
  static override className = 'Add';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[]): Tensor {
    return fold(inputs, addOp);
  }
}

/** `inputs[0] − inputs[1]` (Keras `Subtract`): exactly two inputs. */
export class Subtract extends ElementwiseMerge {
  static override className = 'Subtract';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  protected override readonly maxInputs: number = 2;
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[]): Tensor {
    return sub(inputs[0]!, inputs[1]!);
  }
}

/** Multiplies its inputs element by element (Keras `Multiply`). */
export class Multiply extends ElementwiseMerge {
  static override className = 'Multiply';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[]): Tensor {
    return fold(inputs, mul);
  }
}

/** The element-wise mean of its inputs (Keras `Average`); always float32. */
export class Average extends ElementwiseMerge {
  static override className = 'Average';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[]): Tensor {
    return div(fold(inputs, addOp), inputs.length);
  }
}

/** The element-wise maximum of its inputs (Keras `Maximum`). */
export class Maximum extends ElementwiseMerge {
  static override className = 'Maximum';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[], masks: (Tensor | null)[] | null): Tensor {
    return masks === null ? fold(inputs, maximumOp) : maskedFold(inputs, masks, maximumOp);
  }
}

/** The element-wise minimum of its inputs (Keras `Minimum`). */
export class Minimum extends ElementwiseMerge {
  static override className = 'Minimum';
  static override readonly optionKeys = layerOptions<MergeArgs>({});
  constructor(args: MergeArgs = {}) {
    super(args);
  }
  protected combine(inputs: Tensor[], masks: (Tensor | null)[] | null): Tensor {
    return masks === null ? fold(inputs, minimumOp) : maskedFold(inputs, masks, minimumOp);
  }
}



// Keras's functional forms: each applies a fresh layer to `inputs` (real tensors) and returns its output.

/** The element-wise sum of `inputs`: `new Add(args).apply(inputs)` (Keras `keras.layers.add`). */
export function add<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Add(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** `inputs[0] − inputs[1]`: `new Subtract(args).apply(inputs)`. */
export function subtract<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Subtract(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** The element-wise product of `inputs`: `new Multiply(args).apply(inputs)`. */
export function multiply<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Multiply(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** The element-wise mean of `inputs`: `new Average(args).apply(inputs)`. */
export function average<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Average(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** The element-wise maximum of `inputs`: `new Maximum(args).apply(inputs)`. */
export function maximum<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Maximum(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** The element-wise minimum of `inputs`: `new Minimum(args).apply(inputs)`. */
export function minimum<T extends Tensor | SymbolicTensor>(inputs: T[], args: MergeArgs = {}): T {
  return new Minimum(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}
