import type { DType, Tensor } from '@descent/tensor';
import { any, broadcastTo, cast, concat, expandDims, ones, upcastType } from '@descent/tensor';
import type { InputMask, LayerArgs, LayerInputs } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { maskList, Merge } from './merge-base.js';

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

/** `inputs` joined along `axis` (default -1): `new Concatenate(args).apply(inputs)`. */
export function concatenate<T extends Tensor | SymbolicTensor>(inputs: T[], args: ConcatenateArgs = {}): T {
  return new Concatenate(args).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}
