import type { Variable } from '@descent/autograd';
import type { FusedActivation, Tensor } from '@descent/tensor';
import { add, conv1d, conv2d, conv2dTranspose, fused, pad, reshape } from '@descent/tensor';
import type { Activation } from '../activations/index.js';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import type { CallKwargs, InputSpec, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import {
  assertRank, checkDataFormat, checkPadding, convOutputLength, deconvOutputLength, formatSymbolic, knownDim, normalizeTuple,
} from '../engine/shape-utils.js';
import type { ActivationId, ConstraintOption, InitializerId, RegularizerOption } from './common.js';
import { activationOf, positiveInt } from './common.js';
import { kernelActivation } from './fused-activation.js';
import { initWeightOptions, weightOptions, weightOptionsConfig } from './weight-options.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface ConvArgs extends LayerArgs {
  /** Number of output channels; a positive integer. */
  filters: number;
  /** Window size: one number for every spatial axis, or one per axis. */
  kernelSize: number | readonly number[];
  /** Step of the window: one number or one per spatial axis (default 1). */
  strides?: number | readonly number[];
  /** `'valid'` (no padding) or `'same'` (output length ceil(in / stride)); Conv1D also `'causal'`. */
  padding?: string;
  /**
   * Spacing between kernel taps, one number or one per spatial axis (default 1); cannot be combined with
   * strides > 1.
   */
  dilationRate?: number | readonly number[];
  /** Activation applied to the output: a name, a function or an `Activation`; default none (linear). */
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
  /** Only channels-last data is supported. */
  dataFormat?: string;
  /** Keras writes `groups: 1`; grouped convolution is not supported, so other values are refused with an error. */
  groups?: number;
}

/** Shared options, weights and config of Conv1D, Conv2D and Conv2DTranspose (NHWC / NWC data). */
export abstract class BaseConv extends Layer {
  /** Number of spatial axes: 1 for Conv1D, 2 for Conv2D and Conv2DTranspose. */
  readonly rank: number;
  /** Number of output channels. */
  readonly filters: number;
  /** Window size per spatial axis. */
  readonly kernelSize: number[];
  /** Window step per spatial axis. */
  readonly strides: number[];
  /** `'valid'`, `'same'` or (Conv1D) `'causal'`. */
  readonly padding: string;
  /** Kernel dilation per spatial axis. */
  readonly dilationRate: number[];
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
  /**
   * The kernel `[...kernelSize, inChannels, filters]` (Conv2DTranspose: `[kh, kw, filters, inChannels]`);
   * null until built.
   */
  kernel: Variable | null = null;
  /** The bias `[filters]`; null until built or when `useBias` is false. */
  bias: Variable | null = null;

  constructor(rank: number, args: ConvArgs, paddings: readonly string[] = ['valid', 'same']) {
    super(args);
    const cls = this.className;
    this.rank = rank;
    this.filters = positiveInt(cls, 'filters', args.filters);
    this.kernelSize = normalizeTuple(cls, 'kernelSize', args.kernelSize, rank);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? 1, rank);
    this.padding = args.padding ?? 'valid';
    checkPadding(cls, this.padding, paddings);
    this.dilationRate = normalizeTuple(cls, 'dilationRate', args.dilationRate ?? 1, rank);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new Error(`${cls}: strides > 1 cannot be combined with dilationRate > 1, got strides ${JSON.stringify(this.strides)} and dilationRate ${JSON.stringify(this.dilationRate)}`);
    }
    checkDataFormat(cls, args.dataFormat);
    if (args.groups !== undefined && args.groups !== null && args.groups !== 1) {
      throw new Error(`${cls}: groups must be 1 (grouped convolution is not supported), got ${showValue(args.groups)}`);
    }
    this.activation = activationOf(args.activation, this);
    this.useBias = args.useBias ?? true;
    initWeightOptions(this, args, { kernel: 'glorotUniform', bias: 'zeros' });
  }

  /** Kernel shape for `inChannels` input channels (Keras layout). */
  protected kernelShape(inChannels: number): number[] {
    return [...this.kernelSize, inChannels, this.filters];
  }

  override build(inputShape: SymbolicShape): void {
    const what = this.rank === 1 ? '[batch, steps, channels]' : '[batch, height, width, channels]';
    assertRank(this.className, inputShape, this.rank + 2, what);
    const inChannels = knownDim(this.className, inputShape, -1);
    this.kernel = this.addWeight('kernel', this.kernelShape(inChannels), weightOptions(this, 'kernel'));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], weightOptions(this, 'bias'));
    super.build(inputShape);
  }

  /** Rank fixed; the kernel fixes the channels (spatial sizes may vary). */
  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([-1], true);
  }

  /** The convolution of `inputs` with the kernel (no bias, no activation); each subclass supplies its own. */
  protected abstract convolve(inputs: Tensor): Tensor;

  /** Convolution, bias and activation as one fused op, or null where the layer has none (the default). */
  protected convolveFused(_inputs: Tensor, _bias: Tensor, _activation: FusedActivation): Tensor | null {
    return null;
  }

  /** Throw, naming the layer, when a 'valid' window does not fit in the input's spatial axes. */
  protected checkWindowFits(inputs: Tensor): void {
    if (this.padding === 'valid') {
      for (let i = 0; i < this.rank; i++) {
        const window = (this.kernelSize[i]! - 1) * this.dilationRate[i]! + 1;
        const len = inputs.shape[1 + i]!;
        if (len < window) {
          throw new Error(
            `${this.className} '${this.name}': input shape ${formatSymbolic(inputs.shape)} is too small for the window of ${window} on spatial axis ${i + 1} (kernelSize ${showValue(this.kernelSize)}, dilationRate ${showValue(this.dilationRate)}, padding 'valid')`,
          );
        }
      }
    }
  }

  call(inputs: Tensor, _kwargs: CallKwargs): Tensor {
    if (inputs.rank !== this.rank + 2) {
      throw new Error(`${this.className}: expected input of rank ${this.rank + 2}, got shape ${formatSymbolic(inputs.shape)}`);
    }
    if (inputs.dtype !== 'float32') {
      throw new Error(`${this.className} '${this.name}': expected a float32 input, got dtype ${inputs.dtype} (cast it first)`);
    }
    if (this.bias) {
      // Convolution, bias and (built-in relu/linear) activation in one kernel where the layer has one;
      // any other activation is applied to the fused convolution + bias.
      const fusedActivation = kernelActivation(this.activation);
      const fusedY = this.convolveFused(inputs, this.bias, fusedActivation ?? 'linear');
      if (fusedY !== null) return fusedActivation === null ? this.activation.apply(fusedY) : fusedY;
    }
    let y = this.convolve(inputs);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const spatial = inputShape.slice(1, 1 + this.rank).map((len, i) =>
      convOutputLength(len, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]),
    );
    return [inputShape[0] ?? null, ...spatial, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: this.activation.name,
      useBias: this.useBias,
      ...weightOptionsConfig(this, ['kernel', 'bias'], { activityRegularizer: true }),
    };
  }
}

/** 1-D convolution over `[batch, steps, channels]`; kernel `[kernelSize, in, filters]`. Padding `'causal'` pads on the left only. */
export class Conv1D extends BaseConv {
  static override className = 'Conv1D';
  static override readonly optionKeys = layerOptions<ConvArgs>({ filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true, groups: true });
  constructor(args: ConvArgs) {
    super(1, args, ['valid', 'same', 'causal']);
  }
  protected convolve(inputs: Tensor): Tensor {
    this.checkWindowFits(inputs);
    const k = this.kernelSize[0]!;
    const d = this.dilationRate[0]!;
    const s = this.strides[0]!;
    if (this.padding === 'causal') {
      // Causal: output t sees inputs ≤ t only, so all the padding goes before the sequence.
      const padded = pad(inputs, [[0, 0], [(k - 1) * d, 0], [0, 0]]);
      return conv1d(padded, this.kernel!, s, 'valid', d);
    }
    return conv1d(inputs, this.kernel!, s, this.padding as 'same' | 'valid', d);
  }
}

/** 2-D convolution over NHWC `[batch, height, width, channels]`; kernel `[kh, kw, in, filters]`. */
export class Conv2D extends BaseConv {
  static override className = 'Conv2D';
  static override readonly optionKeys = layerOptions<ConvArgs>({ filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true, groups: true });
  constructor(args: ConvArgs) {
    super(2, args);
  }
  protected convolve(inputs: Tensor): Tensor {
    this.checkWindowFits(inputs);
    return conv2d(inputs, this.kernel!, [this.strides[0]!, this.strides[1]!], this.padding as 'same' | 'valid', [this.dilationRate[0]!, this.dilationRate[1]!]);
  }
  /** The same numbers as convolve + bias + activation, in one kernel (FusedConv2D). */
  protected override convolveFused(inputs: Tensor, bias: Tensor, activation: FusedActivation): Tensor {
    this.checkWindowFits(inputs);
    const strides: [number, number] = [this.strides[0]!, this.strides[1]!];
    const dilations: [number, number] = [this.dilationRate[0]!, this.dilationRate[1]!];
    return fused.conv2d({ x: inputs, filter: this.kernel!, strides, pad: this.padding as 'same' | 'valid', dilations, bias, activation });
  }
}

export interface Conv2DTransposeArgs extends ConvArgs {
  /**
   * Extra rows/columns added at the end of the output, one number or one per spatial axis; each must be
   * smaller than the stride on its axis. With it the output length is exactly
   * `(in − 1)·stride + dk − 2·pad + outputPadding`, where `dk` is the dilated kernel size and `pad`
   * is `floor(dk / 2)` for 'same', 0 for 'valid' (Keras's rule). Default null: the length follows from
   * padding and strides alone.
   */
  outputPadding?: number | readonly number[] | null;
}

/** Options of `Conv1DTranspose`: those of `Conv2DTranspose`, one number per option for the single spatial axis. */
export type Conv1DTransposeArgs = Conv2DTransposeArgs;

/**
 * Output length of a transposed convolution along one axis, as Keras computes it: with no output
 * padding `in·stride` ('same') or `in·stride + max(dk − stride, 0)` ('valid'); with one,
 * `(in − 1)·stride + dk − 2·pad + outputPadding`.
 */
export function convTransposeOutputLength(
  length: number | null,
  kernel: number,
  padding: string,
  stride: number,
  dilation: number,
  outputPadding: number | null,
): number | null {
  if (length === null) return null;
  if (outputPadding === null) return deconvOutputLength(length, kernel, padding, stride, dilation);
  const dk = (kernel - 1) * dilation + 1;
  const pad = padding === 'same' ? Math.floor(dk / 2) : 0;
  return (length - 1) * stride + dk - 2 * pad + outputPadding;
}

/** Shared by the transposed convolutions: kernel `[...kernelSize, filters, in]`, output padding, output shape. */
abstract class BaseConvTranspose extends BaseConv {
  /** Extra size at the end of each spatial output axis, or null when the output size follows from padding and strides. */
  readonly outputPadding: number[] | null;

  constructor(rank: number, args: Conv2DTransposeArgs) {
    super(rank, args);
    const cls = this.className;
    const op = args.outputPadding ?? null;
    if (op === null) this.outputPadding = null;
    else {
      const list = typeof op === 'number' ? new Array<number>(rank).fill(op) : Array.isArray(op) ? [...(op as number[])] : [];
      if (list.length !== rank || !list.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
        throw new Error(`${cls}: outputPadding must be null, a non-negative integer or ${rank} of them, got ${showValue(op)}`);
      }
      list.forEach((v, i) => {
        if (v >= this.strides[i]!) {
          throw new Error(`${cls}: outputPadding must be smaller than the stride on each axis, got outputPadding ${showValue(list)} with strides ${showValue(this.strides)}`);
        }
      });
      this.outputPadding = list;
    }
  }

  protected override kernelShape(inChannels: number): number[] {
    return [...this.kernelSize, this.filters, inChannels];
  }

  /** Output length of spatial axis `i` for an input length. */
  protected outputLength(length: number | null, i: number): number | null {
    return convTransposeOutputLength(length, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!, this.outputPadding?.[i] ?? null);
  }

  /** `[batch, ...spatial output lengths, filters]`, each length by Keras's rule (see `convTransposeOutputLength`). */
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const spatial = inputShape.slice(1, 1 + this.rank).map((len, i) => this.outputLength(len ?? null, i));
    return [inputShape[0] ?? null, ...spatial, this.filters];
  }

  /** The NHWC transposed convolution of a rank-4 input with a `[kh, kw, filters, in]` kernel and the per-axis settings given. */
  protected transpose2d(x: Tensor, kernel: Tensor, outHW: [number, number], strides: [number, number], dilations: [number, number]): Tensor {
    const n = x.shape[0]!;
    const outputShape = [n, outHW[0], outHW[1], this.filters];
    try {
      return conv2dTranspose(x, kernel, outputShape, strides, this.padding as 'same' | 'valid', dilations);
    } catch (e) {
      if (e instanceof Error) {
        const hint = this.outputPadding === null ? '' : ` (outputPadding ${showValue(this.outputPadding)} with padding '${this.padding}' gives an output that a convolution does not map back to the input; TF refuses it too)`;
        e.message = `${this.className} '${this.name}': ${e.message}${hint}`;
      }
      throw e;
    }
  }

  /** The convolution options of `BaseConv.getConfig` plus `outputPadding` (null or one number per spatial axis). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), outputPadding: this.outputPadding === null ? null : [...this.outputPadding] };
  }
}

/**
 * Transposed 2-D convolution (the gradient of Conv2D with respect to its input), for upsampling.
 * Kernel `[kh, kw, filters, in]` as in Keras; output length `in·stride` ('same') or
 * `in·stride + max(dk − stride, 0)` ('valid'), or Keras's exact formula when `outputPadding` is set
 * (see `Conv2DTransposeArgs`). `dilationRate` spreads the kernel taps (with strides 1).
 */
export class Conv2DTranspose extends BaseConvTranspose {
  static override className = 'Conv2DTranspose';
  static override readonly optionKeys = layerOptions<Conv2DTransposeArgs>({ filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true, groups: true, outputPadding: true });
  constructor(args: Conv2DTransposeArgs) {
    super(2, args);
  }
  protected convolve(inputs: Tensor): Tensor {
    const [, h, w] = inputs.shape as [number, number, number, number];
    const outHW: [number, number] = [this.outputLength(h, 0)!, this.outputLength(w, 1)!];
    return this.transpose2d(inputs, this.kernel!, outHW, [this.strides[0]!, this.strides[1]!], [this.dilationRate[0]!, this.dilationRate[1]!]);
  }
}

/**
 * Transposed 1-D convolution over `[batch, steps, channels]`, as Keras's `Conv1DTranspose`: kernel
 * `[kernelSize, filters, in]`; output length as for `Conv2DTranspose` along its one spatial axis.
 */
export class Conv1DTranspose extends BaseConvTranspose {
  static override className = 'Conv1DTranspose';
  static override readonly optionKeys = layerOptions<Conv1DTransposeArgs>({ filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, useBias: true, kernelInitializer: true, kernelRegularizer: true, kernelConstraint: true, biasInitializer: true, biasRegularizer: true, biasConstraint: true, dataFormat: true, groups: true, outputPadding: true });
  constructor(args: Conv1DTransposeArgs) {
    super(1, args);
  }
  protected convolve(inputs: Tensor): Tensor {
    const [n, steps, c] = inputs.shape as [number, number, number];
    const k = this.kernelSize[0]!;
    // As a 2-D transposed convolution over a height of 1.
    const x = reshape(inputs, [n, 1, steps, c]);
    const kernel = reshape(this.kernel!, [1, k, this.filters, c]);
    const y = this.transpose2d(x, kernel, [1, this.outputLength(steps, 0)!], [1, this.strides[0]!], [1, this.dilationRate[0]!]);
    return reshape(y, [n, y.shape[2]!, this.filters]);
  }
}
