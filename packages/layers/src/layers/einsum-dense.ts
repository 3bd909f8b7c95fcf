import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, einsum } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { layerOptions } from '../engine/options.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import { showValue } from '../engine/show-value.js';
import type { ActivationId, ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { activationOf } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';

export interface EinsumDenseArgs extends LayerArgs {
  /**
   * `'<input>,<kernel>-><output>'` in letters, one per axis (`'abc,cd->abd'`); `...` may stand for the
   * leading axes of input and output (`'...b,bc->...c'`) or their trailing axes (`'ab...,bc->ac...'`).
   */
  equation: string;
  /**
   * The output's shape without the batch axis and the `...` axes: an integer or a list (`null` for a
   * size taken from the input).
   */
  outputShape: number | readonly (number | null)[];
  /** Activation applied to the output; default none (linear). */
  activation?: ActivationId;
  /** Letters of the output that get a bias (`'d'`, `'cd'`); default none. */
  biasAxes?: string | null;
  /** Initializer of the kernel (default `'glorotUniform'`). */
  kernelInitializer?: InitializerId;
  /** Initializer of the bias (default `'zeros'`). */
  biasInitializer?: InitializerId;
  /** Penalty on the kernel added to the loss (default none). */
  kernelRegularizer?: RegularizerOption;
  /** Penalty on the bias added to the loss (default none). */
  biasRegularizer?: RegularizerOption;
  /** Constraint applied to the kernel after each optimizer step (default none). */
  kernelConstraint?: ConstraintOption;
  /** Constraint applied to the bias after each optimizer step (default none). */
  biasConstraint?: ConstraintOption;
}

/** What an equation and an input shape give: the weights' shapes and the full output shape. */
export interface EinsumDenseShapes {
  /** Shape of the kernel weight. */
  kernel: number[];
  /** Shape of the bias weight, or null when the layer has no bias (`biasAxes` not given). */
  bias: number[] | null;
  /** Shape of the layer's output (batch dimension included, null where unknown). */
  output: SymbolicShape;
}

/**
 * Keras 3's analysis of an EinsumDense equation for an input of `inputShape`: the kernel shape (each
 * kernel letter sized from the input or the output), the bias shape (from the first bias letter of the
 * output to its end, 1 on the others) and the full output shape.
 */
export function einsumDenseShapes(equation: string, biasAxes: string | null, inputShape: SymbolicShape, outputShape: readonly (number | null)[]): EinsumDenseShapes {
  const op = 'EinsumDense';
  const eq = equation.replace(/\s+/g, '').replace(/\.\.\./g, '0');
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(eq);
  let left = false;
  let right = false;
  if (!m) {
    m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$/.exec(eq);
    left = m !== null;
  }
  if (!m) {
    m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$/.exec(eq);
    right = m !== null;
  }
  if (!m) {
    throw new Error(`${op}: equation must be '<input>,<kernel>-><output>' in letters, with '...' only at the start of input and output or at the end of both (e.g. 'ab,bc->ac', '...b,bc->...c'), got ${showValue(equation)}`);
  }
  const [, inSpec, wSpec, outSpec] = m as unknown as [string, string, string, string];
  const rank = inputShape.length;
  const elided = rank - inSpec.length;
  if (elided < 0 || ((left || right) === false && elided !== 0)) {
    throw new Error(`${op}: equation '${equation}' names ${inSpec.length} input axes, but the input has rank ${rank} (shape ${formatSymbolic(inputShape)})${elided > 0 ? "; use '...' for the others" : ''}`);
  }
  const wantedLength = left ? outSpec.length : outSpec.length - 1;
  if (outputShape.length !== wantedLength) {
    throw new Error(`${op}: outputShape must have ${wantedLength} entr${wantedLength === 1 ? 'y' : 'ies'} for output '${outSpec}'${left ? ' (the ... axes excluded)' : ' (the batch axis excluded)'}, got ${formatSymbolic(outputShape)}`);
  }
  // The full output shape: batch (and the elided axes) around the given sizes.
  const full: SymbolicShape = [inputShape[0] ?? null];
  if (left) for (let i = 1; i < elided; i++) full.push(inputShape[i] ?? null);
  full.push(...outputShape);
  if (right) for (let i = rank - elided; i < rank; i++) full.push(inputShape[i] ?? null);
  const inAxis = (c: string): number => (left ? inSpec.indexOf(c) + elided : inSpec.indexOf(c));
  const outAxis = (c: string): number => (left ? outSpec.indexOf(c) + elided : outSpec.indexOf(c));
  for (const c of inSpec) {
    if (!outSpec.includes(c)) continue;
    const given = full[outAxis(c)];
    const have = inputShape[inAxis(c)] ?? null;
    if (given !== null && given !== undefined && have !== null && given !== have) {
      throw new Error(`${op}: output axis '${c}' is input axis '${c}', so its size must be ${have}, but outputShape gives ${given} (equation '${equation}', input shape ${formatSymbolic(inputShape)})`);
    }
    // A size the input fixes fills an unknown output size.
    if (given === null || given === undefined) full[outAxis(c)] = have;
  }
  for (const c of outSpec) {
    if (!inSpec.includes(c) && !wSpec.includes(c)) throw new Error(`${op}: output axis '${c}' of equation '${equation}' is in neither the input nor the kernel`);
  }
  const kernel = [...wSpec].map((c) => {
    const d = inSpec.includes(c) ? inputShape[inAxis(c)] : outSpec.includes(c) ? full[outAxis(c)] : undefined;
    if (d === undefined) throw new Error(`${op}: kernel axis '${c}' of equation '${equation}' is in neither the input nor the output, so its size is unknown`);
    if (d === null) throw new Error(`${op}: kernel axis '${c}' of equation '${equation}' needs a known size, but it is unknown (input shape ${formatSymbolic(inputShape)}, outputShape ${formatSymbolic(outputShape)})`);
    return d;
  });
  let bias: number[] | null = null;
  if (biasAxes !== null) {
    for (const c of biasAxes) if (!outSpec.includes(c)) throw new Error(`${op}: biasAxes '${biasAxes}' names '${c}', which is not an axis of the output '${outSpec}'`);
    const first = Math.min(...[...biasAxes].map((c) => outSpec.indexOf(c)));
    bias = [...outSpec.slice(first)].map((c) => {
      if (!biasAxes.includes(c)) return 1;
      const d = full[outAxis(c)];
      if (d === null || d === undefined) throw new Error(`${op}: bias axis '${c}' needs a known size, but it is unknown`);
      return d;
    });
    if (right) for (let i = 0; i < elided; i++) bias.push(1);
  }
  return { kernel, bias, output: full };
}

/**
 * A dense layer written as an einsum, Keras 3's `EinsumDense`: `activation(einsum(equation, inputs,
 * kernel) + bias)`. `new EinsumDense({ equation: 'abc,cd->abd', outputShape: [null, 64], biasAxes: 'd' })`
 * is Dense(64) on the last axis; `'abc,cde->abde'` projects to heads as MultiHeadAttention does.
 */
export class EinsumDense extends Layer {
  static override className = 'EinsumDense';
  static override readonly optionKeys = layerOptions<EinsumDenseArgs>({
    equation: true, outputShape: true, activation: true, biasAxes: true,
    kernelInitializer: true, biasInitializer: true, kernelRegularizer: true, biasRegularizer: true, kernelConstraint: true, biasConstraint: true,
  });
  /** The einsum equation. */
  readonly equation: string;
  /** The `outputShape` option (without batch and `...` axes). Named apart from `Layer.outputShape`. */
  readonly partialOutputShape: (number | null)[];
  /** The activation (`linear` when none was given). */
  readonly activation: Activation;
  /** Output letters with a bias, or null. */
  readonly biasAxes: string | null;
  /** Initializer of the kernel. */
  declare readonly kernelInitializer: Initializer;
  /** Initializer of the bias. */
  declare readonly biasInitializer: Initializer;
  /** Penalty on the kernel, or null. */
  declare readonly kernelRegularizer: Regularizer | null;
  /** Penalty on the bias, or null. */
  declare readonly biasRegularizer: Regularizer | null;
  /** Constraint on the kernel, or null. */
  declare readonly kernelConstraint: Constraint | null;
  /** Constraint on the bias, or null. */
  declare readonly biasConstraint: Constraint | null;
  /** The kernel; null until built. */
  kernel: Variable | null = null;
  /** The bias; null until built or without `biasAxes`. */
  bias: Variable | null = null;

  constructor(args: EinsumDenseArgs) {
    super(args);
    const op = 'EinsumDense';
    if (typeof args.equation !== 'string' || args.equation === '') throw new Error(`${op}: equation must be a non-empty string such as 'ab,bc->ac', got ${showValue(args.equation)}`);
    this.equation = args.equation;
    const os: unknown = args.outputShape;
    const list = typeof os === 'number' ? [os] : os;
    if (!Array.isArray(list) || !list.every((d) => d === null || (Number.isInteger(d) && (d as number) > 0))) {
      throw new Error(`${op}: outputShape must be a positive integer or a list of positive integers (null for sizes taken from the input), got ${showValue(os)}`);
    }
    this.partialOutputShape = [...(list as (number | null)[])];
    this.activation = activationOf(args.activation, this);
    const ba: unknown = args.biasAxes;
    if (ba !== undefined && ba !== null && !(typeof ba === 'string' && /^[a-zA-Z]+$/.test(ba))) throw new Error(`${op}: biasAxes must be null or a string of output letters such as 'd', got ${showValue(ba)}`);
    this.biasAxes = (ba) ?? null;
    initWeightOptions(this, args, { kernel: 'glorotUniform', bias: 'zeros' });
    // Parse now, so a malformed equation fails at construction (the input rank is not needed for that).
    if (!/^\s*(\.\.\.)?[a-zA-Z]+(\.\.\.)?\s*,\s*[a-zA-Z]+\s*->\s*(\.\.\.)?[a-zA-Z]+(\.\.\.)?\s*$/.test(this.equation)) {
      throw new Error(`${op}: equation must be '<input>,<kernel>-><output>' in letters (e.g. 'ab,bc->ac', '...b,bc->...c'), got ${showValue(this.equation)}`);
    }
  }

  override build(inputShape: SymbolicShape): void {
    const shapes = this.shapesFor(inputShape);
    this.kernel = this.addWeight('kernel', shapes.kernel, weightOptions(this, 'kernel'));
    if (shapes.bias !== null) this.bias = this.addWeight('bias', shapes.bias, weightOptions(this, 'bias'));
    super.build(inputShape);
  }

  private shapesFor(inputShape: SymbolicShape): EinsumDenseShapes {
    try {
      return einsumDenseShapes(this.equation, this.biasAxes, inputShape, this.partialOutputShape);
    } catch (e) {
      if (e instanceof Error) e.message = e.message.replace(/^EinsumDense:/, `EinsumDense '${this.name}':`);
      throw e;
    }
  }

  /** The kernel fixes the sizes of the input axes it contracts; the equation fixes the rank. */
  protected override inputSpec(): InputSpec | null {
    const built = this.builtInputShape as SymbolicShape | null;
    if (built === null) return null;
    const hasEllipsis = this.equation.includes('...');
    const axes: Record<number, number> = {};
    const d = built[built.length - 1];
    if (d !== null && d !== undefined && !this.equation.trim().split(',')[0]!.endsWith('...')) axes[-1] = d;
    return hasEllipsis ? { minNdim: 2, axes } : { ndim: built.length, axes };
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.dtype === 'bool') throw new Error(`${this.className} '${this.name}': expected a float32 or int32 input, got dtype bool (cast it first)`);
    let y = einsum(this.equation, inputs, this.kernel!);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...this.shapesFor(inputShape).output];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      outputShape: [...this.partialOutputShape],
      equation: this.equation,
      activation: this.activation.name,
      biasAxes: this.biasAxes,
      ...weightOptionsConfig(this, ['kernel', 'bias'], { activityRegularizer: true }),
    };
  }
}
