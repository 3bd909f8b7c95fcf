import type { Tensor } from '@descent/tensor';
import { cast, matMul, maximum, mul, reshape, rsqrt, square, sum, transpose } from '@descent/tensor';
import type { LayerArgs } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import { batchSize, Merge } from './merge-base.js';

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
  return mul(xf, rsqrt(maximum(sum(square(xf), axis, true), 1e-14)));
}

/** Options of the functional `dot`: `DotArgs` with `axes` defaulting to -1, as in Keras's `keras.layers.dot`. */
export type DotFunctionArgs = Omit<DotArgs, 'axes'> & { axes?: DotArgs['axes'] };

/** The per-sample dot product of two inputs: `new Dot({ axes: -1, ...args }).apply(inputs)`. */
export function dot<T extends Tensor | SymbolicTensor>(inputs: T[], args: DotFunctionArgs = {}): T {
  return new Dot({ ...args, axes: args.axes ?? -1 }).apply(inputs as Tensor[] | SymbolicTensor[]) as T;
}
