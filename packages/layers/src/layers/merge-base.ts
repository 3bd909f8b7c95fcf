import type { Tensor } from '@descent/tensor';
import { logicalOr } from '@descent/tensor';
import type { CallKwargs, InputMask, LayerArgs, LayerInputs, LayerInputShapes, SymbolicInputs } from '../engine/layer.js';
import { formatInputShapes, isShapeList, Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import type { SymbolicTensor } from '../engine/symbolic.js';

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
export function batchSize(shapes: readonly SymbolicShape[], fail: (message: string) => Error): number | null {
  const known = new Set(shapes.map((s) => s[0]).filter((d): d is number => d !== null && d !== undefined));
  if (known.size > 1) throw fail('inputs have different batch sizes');
  return known.size === 1 ? [...known][0]! : null;
}

/** The inputs' masks as a list (one per input), or null when none has one; a mask that is not a list is an error naming the layer. */
export function maskList(layer: Layer, inputs: LayerInputs, mask: InputMask | undefined): (Tensor | null)[] | null {
  if (mask === undefined || mask === null) return null;
  const count = Array.isArray(inputs) ? inputs.length : 1;
  if (!Array.isArray(mask) || mask.length !== count) {
    throw new Error(`${layer.className} '${layer.name}': mask must be a list with one entry (a tensor or null) per input, ${count} in all, got ${Array.isArray(mask) ? `a list of ${mask.length}` : 'a single tensor'}`);
  }
  return mask.some((m) => m !== null) ? mask : null;
}
