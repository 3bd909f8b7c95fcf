import type { Variable } from '@descent/autograd';
import type { Tensor } from '@descent/tensor';
import { add, concat, conv2d, eye, mul, reshape, split } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { assertRank, checkDataFormat, checkPadding, convOutputLength, formatSymbolic, knownDim, normalizeTuple } from '../engine/shape-utils.js';
import type { ActivationId, ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { activationOf, positiveInt } from './common.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { layerOptions } from '../engine/options.js';

export interface DepthwiseConv2DArgs extends LayerArgs {
  /** Window size: one number for both spatial axes, or `[height, width]`. */
  kernelSize: number | readonly number[];
  /** Step of the window: one number or `[height, width]` (default 1). */
  strides?: number | readonly number[];
  /** `'valid'` (default, no padding) or `'same'` (output size ceil(in / stride)). */
  padding?: string;
  /**
   * Spacing between kernel taps, one number or `[height, width]` (default 1); cannot be combined with
   * strides > 1.
   */
  dilationRate?: number | readonly number[];
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Activation applied to the output: a name, a function or an `Activation`; default none (linear). */
  activation?: ActivationId;
  /** Whether to add a bias vector (default true). */
  useBias?: boolean;
  /** Initializer of the depthwise kernel (default `'glorotUniform'`). */
  depthwiseInitializer?: InitializerId;
  /** Initializer of the bias (default `'zeros'`). */
  biasInitializer?: InitializerId;
  /** Penalty on the depthwise kernel added to the loss (default none). */
  depthwiseRegularizer?: RegularizerOption;
  /** Penalty on the bias added to the loss (default none). */
  biasRegularizer?: RegularizerOption;
  /** Constraint applied to the depthwise kernel after each optimizer step (default none). */
  depthwiseConstraint?: ConstraintOption;
  /** Constraint applied to the bias after each optimizer step (default none). */
  biasConstraint?: ConstraintOption;
  /** Only `'channelsLast'` (NHWC) data is supported; other values are refused. */
  dataFormat?: string;
}

/** Up to this many channels one Conv2D with a block-diagonal kernel beats C small convolutions. */
const BLOCK_DIAGONAL_MAX_CHANNELS = 8;

/**
 * The depthwise kernel `[kh, kw, C, M]` spread into the block-diagonal full kernel
 * `[kh, kw, C, C·M]` (zero between different channels), so one Conv2D computes every channel's
 * own filters and output channel `c·M + m` comes out in Keras order. Built from ops, so the
 * gradient reaches the depthwise kernel through autograd.
 */
function blockDiagonal(depthwise: Tensor): Tensor {
  const [kh, kw, c, m] = depthwise.shape as [number, number, number, number];
  if (c === 1) return depthwise;
  const spread = mul(reshape(depthwise, [kh, kw, c, 1, m]), reshape(eye(c), [1, 1, c, c, 1]));
  return reshape(spread, [kh, kw, c, c * m]);
}

/** Options and checks shared by DepthwiseConv2D and SeparableConv2D. */
abstract class DepthwiseBase extends Layer {
  /** Window size `[height, width]`. */
  readonly kernelSize: number[];
  /** Window step `[height, width]`. */
  readonly strides: number[];
  /** `'valid'` or `'same'`. */
  readonly padding: 'valid' | 'same';
  /** Kernel dilation `[height, width]`. */
  readonly dilationRate: number[];
  /** Output channels per input channel. */
  readonly depthMultiplier: number;
  /** The activation applied to the output (`linear` when none was given). */
  readonly activation: Activation;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** Initializer of the depthwise kernel. */
  declare readonly depthwiseInitializer: Initializer;
  /** Initializer of the bias. */
  declare readonly biasInitializer: Initializer;
  /** Penalty on the depthwise kernel, or null. */
  declare readonly depthwiseRegularizer: Regularizer | null;
  /** Penalty on the bias, or null. */
  declare readonly biasRegularizer: Regularizer | null;
  /** Constraint on the depthwise kernel, or null. */
  declare readonly depthwiseConstraint: Constraint | null;
  /** Constraint on the bias, or null. */
  declare readonly biasConstraint: Constraint | null;
  /** The depthwise kernel `[kh, kw, inChannels, depthMultiplier]`; null until built. */
  depthwiseKernel: Variable | null = null;
  /**
   * The bias (`[inChannels · depthMultiplier]`, SeparableConv2D `[filters]`); null until built or when
   * `useBias` is false.
   */
  bias: Variable | null = null;

  constructor(args: DepthwiseConv2DArgs) {
    super(args);
    const cls = this.className;
    this.kernelSize = normalizeTuple(cls, 'kernelSize', args.kernelSize, 2);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? 1, 2);
    const padding = args.padding ?? 'valid';
    checkPadding(cls, padding);
    this.padding = padding as 'valid' | 'same';
    this.dilationRate = normalizeTuple(cls, 'dilationRate', args.dilationRate ?? 1, 2);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new Error(`${cls}: strides > 1 cannot be combined with dilationRate > 1, got strides ${JSON.stringify(this.strides)} and dilationRate ${JSON.stringify(this.dilationRate)}`);
    }
    this.depthMultiplier = positiveInt(cls, 'depthMultiplier', args.depthMultiplier ?? 1);
    checkDataFormat(cls, args.dataFormat);
    this.activation = activationOf(args.activation, this);
    this.useBias = args.useBias ?? true;
    initWeightOptions(this, args, { depthwise: 'glorotUniform', bias: 'zeros' });
  }

  /** Rank 4; the depthwise kernel fixes the channels (spatial sizes may vary). */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([-1], true);
  }

  /** Creates the depthwise kernel for a rank-4 input shape and returns the input channel count. */
  protected buildDepthwise(inputShape: SymbolicShape): number {
    assertRank(this.className, inputShape, 4, '[batch, height, width, channels]');
    const c = knownDim(this.className, inputShape, -1);
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], weightOptions(this, 'depthwise'));
    return c;
  }

  /** Creates the bias of `size` entries when `useBias` is set. */
  protected buildBias(size: number): void {
    if (this.useBias) this.bias = this.addWeight('bias', [size], weightOptions(this, 'bias'));
  }

  /** Convolves each input channel with its own `depthMultiplier` filters (output channel `c·M + m`). */
  protected depthwise(inputs: Tensor): Tensor {
    if (inputs.rank !== 4) {
      throw new Error(`${this.className}: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(inputs.shape)}`);
    }
    const s: [number, number] = [this.strides[0]!, this.strides[1]!];
    const d: [number, number] = [this.dilationRate[0]!, this.dilationRate[1]!];
    const kernel = this.depthwiseKernel!;
    const c = inputs.shape[3]!;
    if (c <= BLOCK_DIAGONAL_MAX_CHANNELS) return conv2d(inputs, blockDiagonal(kernel), s, this.padding, d);
    // Many channels: the block-diagonal kernel would cost C times the work, so convolve each
    // channel with its own filters and concatenate (channel c's outputs land at c·M … c·M + M − 1).
    const xs = split(inputs, c, 3);
    const ks = split(kernel, c, 2);
    return concat(xs.map((xc, i) => conv2d(xc, ks[i]!, s, this.padding, d)), 3);
  }

  /** Adds the bias (if any) and applies the activation. */
  protected finish(y: Tensor): Tensor {
    return this.activation.apply(this.bias ? add(y, this.bias) : y);
  }

  /** Output height and width for `inputShape` (null where unknown). */
  protected spatialOut(inputShape: SymbolicShape): (number | null)[] {
    return [1, 2].map((axis, i) => convOutputLength(inputShape[axis] ?? null, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      depthMultiplier: this.depthMultiplier,
      activation: this.activation.name,
      useBias: this.useBias,
      ...weightOptionsConfig(this, ['depthwise', 'bias'], { activityRegularizer: true }),
    };
  }
}

/**
 * Convolves each input channel with its own `depthMultiplier` filters (no mixing between
 * channels): depthwise_kernel `[kh, kw, C, M]`, output channels `C·M` (channel c's m-th filter at
 * `c·M + m`), bias `[C·M]`.
 */
export class DepthwiseConv2D extends DepthwiseBase {
  static override className = 'DepthwiseConv2D';
  static override readonly optionKeys = layerOptions<DepthwiseConv2DArgs>({ kernelSize: true, strides: true, padding: true, dilationRate: true, depthMultiplier: true, activation: true, useBias: true, depthwiseInitializer: true, depthwiseRegularizer: true, depthwiseConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true });
  constructor(args: DepthwiseConv2DArgs) {
    super(args);
  }
  override build(inputShape: SymbolicShape): void {
    const c = this.buildDepthwise(inputShape);
    this.buildBias(c * this.depthMultiplier);
    super.build(inputShape);
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return this.finish(this.depthwise(inputs));
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const c = inputShape[3];
    return [inputShape[0] ?? null, ...this.spatialOut(inputShape), c === null || c === undefined ? null : c * this.depthMultiplier];
  }
}

export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  /** Number of output channels of the pointwise (1×1) convolution; a positive integer. */
  filters: number;
  /** Initializer of the pointwise kernel (default `'glorotUniform'`). */
  pointwiseInitializer?: InitializerId;
  /** Penalty on the pointwise kernel added to the loss (default none). */
  pointwiseRegularizer?: RegularizerOption;
  /** Constraint applied to the pointwise kernel after each optimizer step (default none). */
  pointwiseConstraint?: ConstraintOption;
}

/**
 * A depthwise convolution followed by a 1×1 convolution that mixes channels: depthwise_kernel
 * `[kh, kw, C, M]`, pointwise_kernel `[1, 1, C·M, filters]`, bias `[filters]` (Keras order).
 */
export class SeparableConv2D extends DepthwiseBase {
  static override className = 'SeparableConv2D';
  static override readonly optionKeys = layerOptions<SeparableConv2DArgs>({ kernelSize: true, strides: true, padding: true, dilationRate: true, depthMultiplier: true, activation: true, useBias: true, depthwiseInitializer: true, depthwiseRegularizer: true, depthwiseConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true, filters: true, pointwiseInitializer: true, pointwiseRegularizer: true, pointwiseConstraint: true });
  /** Number of output channels. */
  readonly filters: number;
  /** Initializer of the pointwise kernel. */
  declare readonly pointwiseInitializer: Initializer;
  /** Penalty on the pointwise kernel, or null. */
  declare readonly pointwiseRegularizer: Regularizer | null;
  /** Constraint on the pointwise kernel, or null. */
  declare readonly pointwiseConstraint: Constraint | null;
  /** The pointwise kernel `[1, 1, inChannels · depthMultiplier, filters]`; null until built. */
  pointwiseKernel: Variable | null = null;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    this.filters = positiveInt('SeparableConv2D', 'filters', args.filters);
    initWeightOptions(this, args, { pointwise: 'glorotUniform' });
  }
  override build(inputShape: SymbolicShape): void {
    const c = this.buildDepthwise(inputShape);
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, c * this.depthMultiplier, this.filters], weightOptions(this, 'pointwise'));
    this.buildBias(this.filters);
    super.build(inputShape);
  }
  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    return this.finish(conv2d(this.depthwise(inputs), this.pointwiseKernel!, 1, 'valid'));
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.spatialOut(inputShape), this.filters];
  }
  /** The layer's config: the depthwise options plus `filters` and the pointwise weight options. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...weightOptionsConfig(this, ['pointwise']),
    };
  }
}
