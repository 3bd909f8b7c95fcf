import type { Tensor } from '@descent/tensor';
import { add, bernoulli, mul, randomNormal, sub } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { DropoutArgs } from './dropout.js';
import { Dropout, SeedStream } from './dropout.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability the noise imitates, in [0, 1): the noise has standard deviation sqrt(rate / (1 − rate)). */
  rate: number;
  /** Seeds the layer's own generator: the same seed gives the same sequence of noise. */
  seed?: number | null;
}

/**
 * Multiplicative Gaussian noise, as Keras's `GaussianDropout`: in training, each input is multiplied by
 * an independent draw from N(1, rate / (1 − rate)), which keeps the mean; in inference the input
 * passes unchanged.
 */
export class GaussianDropout extends Layer {
  static override className = 'GaussianDropout';
  /** Works on each entry alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<GaussianDropoutArgs>({ rate: true, seed: true });
  /** Drop probability imitated, in [0, 1). */
  readonly rate: number;
  private readonly seeds: SeedStream;

  constructor(args: GaussianDropoutArgs) {
    super(args);
    const rate: unknown = args.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`GaussianDropout: rate must be a number in [0, 1), got ${showValue(rate)}`);
    this.rate = rate;
    this.seeds = SeedStream.fromOption(`GaussianDropout '${this.name}'`, args.seed);
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (!kwargs.training || this.rate === 0) return inputs;
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return mul(inputs, randomNormal(inputs.shape, 1, stddev, 'float32', this.seeds.next()));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seeds.seed };
  }
}

/** SELU's constants: the value a dropped unit takes is SELU's negative saturation, −scale·alpha. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Alpha dropout (Klambauer et al., 2017), as Keras's `AlphaDropout`, for self-normalizing networks
 * (SELU activations, LeCun-normal weights): in training, each input is dropped with probability
 * `rate` to SELU's saturation value −scale·alpha, then all are mapped by an affine `a·x + b` chosen so
 * that inputs of zero mean and unit variance keep them. `noiseShape` shares one keep/drop draw along
 * size-1 axes, as in `Dropout`. In inference the input passes unchanged.
 */
export class AlphaDropout extends Dropout {
  static override className = 'AlphaDropout';
  static override readonly optionKeys = layerOptions<DropoutArgs>({ rate: true, noiseShape: true, seed: true });

  constructor(args: DropoutArgs) {
    super(args);
  }

  override call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (!kwargs.training || this.rate === 0) return inputs;
    const alphaP = -SELU_ALPHA * SELU_SCALE;
    const keep = bernoulli(this.maskShape(inputs.shape), 1 - this.rate, this.seeds.next());
    const a = ((1 - this.rate) * (1 + this.rate * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * this.rate;
    // kept: x; dropped: alphaP. Then the affine map a·x + b.
    const x = add(mul(inputs, keep), mul(sub(1, keep), alphaP));
    return add(mul(x, a), b);
  }
}
