import type { DType, Tensor } from '@descent/tensor';
// Aliased: this module exports Keras's functional helpers `add`, `maximum`, `minimum` (layers, not ops).
import { add as addOp, any, broadcastTo, cast, concat, div, expandDims, logicalOr, ones, where, matMul, maximum as maximumOp, minimum as minimumOp, mul, reshape, rsqrt, square, sub, sum, transpose, upcastType } from '@descent/tensor';
import type { CallKwargs, InputMask, LayerArgs, LayerInputs, LayerInputShapes, SymbolicInputs } from '../engine/layer.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { formatInputShapes, isShapeList, Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';

/** Options of the merge layers without options of their own (`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`). */
export type MergeArgs = LayerArgs;

/**
 * Base of the layers that combine a list of inputs into one tensor (`Add`, `Concatenate`, `Dot`, ...).
 * `apply`/`call` take an array of tensors, `build` and `computeOutputShape` one shape per input; the
 * shapes are checked when the layer is built and again on every call, with errors that name the layer
 * and every input shape. Merge layers have no weights.
 */
export abstract class Merge extends Layer {
  /** Fewest inputs the layer takes. */
  protected readonly minInputs: number = 2;
  /** Most inputs the layer takes (`Subtract` and `Dot`: exactly 2). */
  protected readonly maxInputs: number = Infinity;

  /** Always true: merge layers take an array of tensors. */
  override get acceptsInputList(): boolean {
    return true;
  }

  /** A merge layer; it passes masks on (Keras's `Merge` supports masking). */
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  /**
   * The output's mask from the inputs' masks (Keras): element-wise merges OR them, and give none unless
   * every input has one; `Concatenate` and `Dot` override it.
   */
  override computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    const masks = maskList(this, inputs, mask);
    if (masks === null || masks.some((m) => m === null)) return null;
    return (masks as Tensor[]).reduce((a, b) => logicalOr(a, b));
  }

  /** Shape of the output for inputs of these shapes; throws naming the layer and every shape when they do not fit together. */
  protected abstract outputShapeFor(shapes: SymbolicShape[]): SymbolicShape;

  /**
   * Combine the inputs (their number and shapes already checked); `masks` holds the inputs' masks (one
   * per input, null where none) when any has one, for the layers whose values depend on them.
   */
  protected abstract merge(inputs: Tensor[], masks: (Tensor | null)[] | null): Tensor;

  /** `Add 'add': <message>: got input shapes [2,3], [2,4]`. */
  protected shapeError(message: string, shapes: readonly (readonly (number | null)[])[]): Error {
    return new Error(`${this.className} '${this.name}': ${message}: got input shapes ${shapes.map((s) => formatSymbolic(s)).join(', ')}`);
  }

  private countText(): string {
    return this.maxInputs === this.minInputs ? `exactly ${this.minInputs}` : `at least ${this.minInputs}`;
  }

  private checkCount(count: number): void {
    if (count < this.minInputs || count > this.maxInputs) {
      throw new Error(`${this.className} '${this.name}': expects a list of ${this.countText()} input tensors, got ${count}`);
    }
  }

  /** The input shapes as a list of the right length, or an error naming the layer. */
  private shapeList(inputShape: LayerInputShapes): SymbolicShape[] {
    if (!isShapeList(inputShape)) {
      throw new Error(`${this.className} '${this.name}': expects a list of ${this.countText()} input tensors, got a single input of shape ${formatInputShapes(inputShape)}`);
    }
    this.checkCount(inputShape.length);
    return inputShape;
  }

  /** The merged output of `inputs`, an array of tensors (building the layer on first use). */
  override apply(inputs: SymbolicInputs, kwargs?: CallKwargs): SymbolicTensor;
  override apply(inputs: LayerInputs, kwargs?: CallKwargs): Tensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs?: CallKwargs): Tensor | SymbolicTensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs: CallKwargs = {}): Tensor | SymbolicTensor {
    // An empty array would otherwise reach `build` looking like the shape of a scalar.
    if (Array.isArray(inputs)) this.checkCount(inputs.length);
    return super.apply(inputs, kwargs);
  }

  /** Checks the input shapes (one per input) fit together; merge layers create no weights. */
  override build(inputShape: LayerInputShapes): void {
    const shapes = this.shapeList(inputShape);
    this.outputShapeFor(shapes);
    super.build(shapes);
  }

  /** Checks the number and shapes of `inputs`, then merges them. */
  call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
    if (!Array.isArray(inputs)) {
      throw new Error(`${this.className} '${this.name}': expects a list of ${this.countText()} input tensors, got a single input of shape ${formatSymbolic(inputs.shape)}`);
    }
    this.checkCount(inputs.length);
    this.outputShapeFor(inputs.map((t) => [...t.shape]));
    return this.merge(inputs, maskList(this, inputs, kwargs.mask));
  }

  /** Shape of the output for inputs of these shapes (one per input); throws when they do not fit together. */
  override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    return this.outputShapeFor(this.shapeList(inputShape));
  }
}

/** The one batch size the shapes agree on (null when none is known), or an error naming the layer. */
function batchSize(shapes: readonly SymbolicShape[], fail: (message: string) => Error): number | null {
  const known = new Set(shapes.map((s) => s[0]).filter((d): d is number => d !== null && d !== undefined));
  if (known.size > 1) throw fail('inputs have different batch sizes');
  return known.size === 1 ? [...known][0]! : null;
}

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

/** Options of `Concatenate`. */
export interface ConcatenateArgs extends LayerArgs {
  /** Axis to join along (default -1, the features); negative counts from the end. */
  axis?: number;
}

/**
 * Joins its inputs along `axis` (Keras `Concatenate`): all inputs have the same rank and the same sizes
 * on every other axis. Inputs of different dtypes are cast to their common dtype first.
 */
export class Concatenate extends Merge {
  static override className = 'Concatenate';
  static override readonly optionKeys = layerOptions<ConcatenateArgs>({ axis: true });
  /** The axis the inputs are joined along (as given: negative counts from the end). */
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new Error(`Concatenate: axis must be an integer, got ${showValue(args.axis)}`);
    this.axis = axis;
  }

  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    const fail = (message: string): Error => this.shapeError(message, shapes);
    const rank = shapes[0]!.length;
    if (shapes.some((s) => s.length !== rank)) throw fail('inputs must all have the same rank');
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (rank === 0 || a < 0 || a >= rank) throw fail(`axis ${this.axis} is out of range for inputs of rank ${rank}`);
    const out: SymbolicShape = [...shapes[0]!];
    for (const shape of shapes.slice(1)) {
      for (let d = 0; d < rank; d++) {
        const x = out[d]!;
        const y = shape[d]!;
        if (d === a) out[d] = x === null || y === null ? null : x + y;
        else if (x === null) out[d] = y;
        else if (y !== null && x !== y) throw fail(`inputs must have the same size on every axis but the concatenation axis ${this.axis} (sizes ${x} and ${y} on axis ${d})`);
      }
    }
    return out;
  }

  protected merge(inputs: Tensor[]): Tensor {
    const dtype = inputs.reduce<DType>((d, t) => (t.dtype === d ? d : upcastType(d, t.dtype)), inputs[0]!.dtype);
    return concat(inputs.map((t) => (t.dtype === dtype ? t : cast(t, dtype))), this.axis < 0 ? this.axis + inputs[0]!.rank : this.axis);
  }

  /**
   * Keras's rule: each input's mask is widened to the input's shape (all true for an input without
   * one), the widened masks are joined along `axis` like the inputs, and a position of the result is
   * masked only where every feature on the last axis is: joining sequences along the steps joins their
   * masks; joining features keeps a step while any input keeps it.
   */
  override computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    const masks = maskList(this, inputs, mask);
    if (masks === null || !Array.isArray(inputs)) return null;
    const wide = inputs.map((x, i) => {
      const m = masks[i] ?? null;
      if (m === null) return ones(x.shape, 'bool');
      return m.rank < x.rank ? broadcastTo(expandDims(m, -1), x.shape) : m;
    });
    return any(concat(wide, this.axis < 0 ? this.axis + inputs[0]!.rank : this.axis), -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Options of `Dot`. */
export interface DotArgs extends LayerArgs {
  /**
   * The axis to contract: one integer for both inputs, or `[axisOfFirst, axisOfSecond]`. Negative counts
   * from the end; the batch axis 0 cannot be contracted.
   */
  axes: number | readonly [number, number];
  /** L2-normalize both inputs along their contracted axis first, so the result is the cosine similarity (default false). */
  normalize?: boolean;
}

/**
 * The per-sample dot product of two inputs (Keras `Dot`): for `x: [b, ...]` and `y: [b, ...]`, sums
 * `x` along `axes[0]` against `y` along `axes[1]`. The output is `[b, ...x's other axes, ...y's other
 * axes]`, or `[b, 1]` when nothing else remains (two `[b, n]` inputs). Inputs are float32 or int32.
 */
export class Dot extends Merge {
  static override className = 'Dot';
  static override readonly optionKeys = layerOptions<DotArgs>({ axes: true, normalize: true });
  protected override readonly maxInputs: number = 2;
  /** The axes as given: one for both inputs, or one per input. */
  readonly axes: number | readonly [number, number];
  /** Whether the inputs are L2-normalized along the contracted axes first. */
  readonly normalize: boolean;
  constructor(args: DotArgs) {
    super(args);
    const axes: unknown = args.axes;
    const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
    if (isInt(axes)) this.axes = axes;
    else if (Array.isArray(axes) && axes.length === 2 && axes.every(isInt)) this.axes = [axes[0] as number, axes[1] as number];
    else throw new Error(`Dot: axes must be an integer or a list of 2 integers (one axis per input), got ${showValue(axes)}`);
    const normalize = args.normalize ?? false;
    if (typeof normalize !== 'boolean') throw new Error(`Dot: normalize must be true or false, got ${showValue(args.normalize)}`);
    this.normalize = normalize;
  }

  /** The contracted axis of each input, counted from the front. */
  private resolveAxes(rank1: number, rank2: number): [number, number] {
    const [a1, a2] = typeof this.axes === 'number' ? [this.axes, this.axes] : this.axes;
    return [a1 < 0 ? a1 + rank1 : a1, a2 < 0 ? a2 + rank2 : a2];
  }

  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    const fail = (message: string): Error => this.shapeError(message, shapes);
    const [s1, s2] = [shapes[0]!, shapes[1]!];
    if (s1.length < 2 || s2.length < 2) throw fail('both inputs need rank ≥ 2 (a batch axis and an axis to contract)');
    const batch = batchSize(shapes, fail);
    const [a1, a2] = this.resolveAxes(s1.length, s2.length);
    const shown = showValue(this.axes);
    if (a1 < 0 || a1 >= s1.length || a2 < 0 || a2 >= s2.length) throw fail(`axes ${shown} are out of range for inputs of ranks ${s1.length} and ${s2.length}`);
    if (a1 === 0 || a2 === 0) throw fail(`axes ${shown} cannot contract the batch axis 0`);
    const d1 = s1[a1]!;
    const d2 = s2[a2]!;
    if (d1 !== null && d2 !== null && d1 !== d2) throw fail(`axes ${shown} contract sizes ${d1} (axis ${a1} of the first input) and ${d2} (axis ${a2} of the second), which differ`);
    const rest = [...s1.filter((_, i) => i !== 0 && i !== a1), ...s2.filter((_, i) => i !== 0 && i !== a2)];
    return [batch, ...(rest.length === 0 ? [1] : rest)];
  }

  protected merge(inputs: Tensor[]): Tensor {
    let [x, y] = [inputs[0]!, inputs[1]!];
    for (const [i, t] of [x, y].entries()) {
      if (t.dtype === 'bool') throw new Error(`${this.className} '${this.name}': inputs must be float32 or int32, got bool (input ${i}); cast it first`);
    }
    const [a1, a2] = this.resolveAxes(x.rank, y.rank);
    if (this.normalize) {
      x = l2Normalize(x, a1);
      y = l2Normalize(y, a2);
    }
    // x → [b, (other axes), k] and y → [b, k, (other axes)]: one batched matMul contracts k.
    const xRest = x.shape.filter((_, i) => i !== 0 && i !== a1);
    const yRest = y.shape.filter((_, i) => i !== 0 && i !== a2);
    const b = x.shape[0]!;
    const k = x.shape[a1]!;
    const size = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);
    const xPerm = [0, ...x.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a1), a1];
    const yPerm = [0, a2, ...y.shape.map((_, i) => i).filter((i) => i !== 0 && i !== a2)];
    const x3 = reshape(transpose(x, xPerm), [b, size(xRest), k]);
    const y3 = reshape(transpose(y, yPerm), [b, k, size(yRest)]);
    const rest = [...xRest, ...yRest];
    return reshape(matMul(x3, y3), [b, ...(rest.length === 0 ? [1] : rest)]);
  }

  /** The contracted axes are gone, so is the mask (Keras's `Dot` gives none). */
  override computeMask(): Tensor | null {
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: typeof this.axes === 'number' ? this.axes : [...this.axes], normalize: this.normalize };
  }
}

/** `x / max(‖x‖₂, 1e-7)` along `axis`, as Keras's `normalize` (an all-zero vector stays zero, with finite gradients). */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const xf = x.dtype === 'float32' ? x : cast(x, 'float32');
  return mul(xf, rsqrt(maximumOp(sum(square(xf), axis, true), 1e-14)));
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

/** `inputs` joined along `axis` (default -1): `new Concatenate(args).apply(inputs)`. */
export function concatenate<T extends Tensor | SymbolicTensor>(inputs: T[], args: ConcatenateArgs = {}): T {
  return new Concatenate(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** Options of the functional `dot`: `DotArgs` with `axes` defaulting to -1, as in Keras's `keras.layers.dot`. */
export type DotFunctionArgs = Omit<DotArgs, 'axes'> & { axes?: DotArgs['axes'] };

/** The per-sample dot product of two inputs: `new Dot({ axes: -1, ...args }).apply(inputs)`. */
export function dot<T extends Tensor | SymbolicTensor>(inputs: T[], args: DotFunctionArgs = {}): T {
  return new Dot({ ...args, axes: args.axes ?? -1 }).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}

/** The inputs' masks as a list (one per input), or null when none has one; a mask that is not a list is an error naming the layer. */
function maskList(layer: Layer, inputs: LayerInputs, mask: InputMask | undefined): (Tensor | null)[] | null {
  if (mask === undefined || mask === null) return null;
  const count = Array.isArray(inputs) ? inputs.length : 1;
  if (!Array.isArray(mask) || mask.length !== count) {
    throw new Error(`${layer.className} '${layer.name}': mask must be a list with one entry (a tensor or null) per input, ${count} in all, got ${Array.isArray(mask) ? `a list of ${mask.length}` : 'a single tensor'}`);
  }
  return mask.some((m) => m !== null) ? mask : null;
}
