import type { Tensor } from '@descent/tensor';
import { add, randomNormal } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { SeedStream } from './dropout.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise; ≥ 0. */
  stddev: number;
  /**
   * Seed of the noise, for the same noise sequence on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/** Adds zero-mean normal noise of standard deviation `stddev`, in training only (a regularizer). */
export class GaussianNoise extends Layer {
  static override className = 'GaussianNoise';
  /** Works on each entry alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<GaussianNoiseArgs>({ stddev: true, seed: true });
  /** Standard deviation of the noise. */
  readonly stddev: number;
  private readonly seeds: SeedStream;

  constructor(args: GaussianNoiseArgs) {
    super(args);
    if (typeof args.stddev !== 'number' || !(args.stddev >= 0)) {
      throw new Error(`GaussianNoise: stddev must be a non-negative number, got ${showValue(args.stddev)}`);
    }
    this.stddev = args.stddev;
    this.seeds = new SeedStream(args.seed ?? null);
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (!kwargs.training || this.stddev === 0) return inputs;
    return add(inputs, randomNormal(inputs.shape, 0, this.stddev, 'float32', this.seeds.next()));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seeds.seed };
  }
}
