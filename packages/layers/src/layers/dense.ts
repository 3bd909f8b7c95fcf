import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, fused, matMul } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic, knownDim } from '../engine/shape-utils.js';
import type { ActivationId, ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { activationOf, positiveInt } from './common.js';
import { kernelActivation } from './fused-activation.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { layerOptions } from '../engine/options.js';

export interface DenseArgs extends LayerArgs {
  /** Number of output features (the size of the last output axis); a positive integer. */
  units: number;
  /**
   * Activation applied to the output: a name (`'relu'`), a function or an `Activation`; default none
   * (linear).
   */
  activation?: ActivationId;
  /** Whether to add a bias vector (default true). */
  useBias?: boolean;
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
  /** Shorthand for `inputShape: [inputDim]`. */
  inputDim?: number;
}

/** `activation(inputs · kernel + bias)` on the last axis; kernel `[in, units]`, bias `[units]`. */
export class Dense extends Layer {
  static override className = 'Dense';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<DenseArgs>({ units: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, inputDim: true });
  /** Number of output features. */
  readonly units: number;
  /** The activation applied to the output (`linear` when none was given). */
  readonly activation: Activation;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
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
  /** The kernel `[inFeatures, units]`; null until the layer is built. */
  kernel: Variable | null = null;
  /** The bias `[units]`; null until the layer is built or when `useBias` is false. */
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    const withShape: LayerArgs =
      args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined
        ? { ...args, inputShape: [args.inputDim] }
        : args;
    super(withShape);
    this.units = positiveInt('Dense', 'units', args.units);
    this.activation = activationOf(args.activation, this);
    this.useBias = args.useBias ?? true;
    initWeightOptions(this, args, { kernel: 'glorotUniform', bias: 'zeros' });
  }

  override build(inputShape: SymbolicShape): void {
    if (inputShape.length < 2) {
      throw new Error(`Dense: expected input of rank ≥ 2 ([batch, ..., features]), got shape ${formatSymbolic(inputShape)}`);
    }
    const inDim = knownDim('Dense', inputShape, -1);
    this.kernel = this.addWeight('kernel', [inDim, this.units], weightOptions(this, 'kernel'));
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], weightOptions(this, 'bias'));
    super.build(inputShape);
  }

  /** The kernel fixes the features (last axis); any rank ≥ 2 goes, as in Keras. */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([-1], false);
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.dtype === 'bool') throw new Error(`${this.className} '${this.name}': expected a float32 or int32 input, got dtype bool (cast it first)`);
    if (this.bias) {
      // Product, bias and (built-in relu/linear) activation in one kernel — the same numbers as the ops
      // below; any other activation is applied to the fused product + bias.
      const fusedActivation = kernelActivation(this.activation);
      const y = fused.matMul({ a: inputs, b: this.kernel!, bias: this.bias, activation: fusedActivation ?? 'linear' });
      return fusedActivation === null ? this.activation.apply(y) : y;
    }
    let y = matMul(inputs, this.kernel!);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      ...weightOptionsConfig(this, ['kernel', 'bias'], { activityRegularizer: true }),
    };
  }
}
