import type { Tensor } from '@descent/tensor';
import { Generator, bernoulli, mul } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import { rateIn01 } from './common.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Shape of the keep/drop mask, broadcast against the input; `null` entries take the input's size. */
  noiseShape?: readonly (number | null)[] | null;
  /** Seeds the layer's own generator: the same seed gives the same sequence of masks. */
  seed?: number | null;
}

/**
 * Draws per-call seeds from a layer-owned generator, so a seeded layer is reproducible yet draws
 * a new mask on every training step (one fixed seed per call would repeat the same mask).
 */
export class SeedStream {
  private readonly gen: Generator | null;
  constructor(readonly seed: number | null) {
    this.gen = seed === null ? null : new Generator(seed);
  }
  /**
   * A stream for a layer's `seed` option as given: absent or null draws from the global generator; anything
   * but a finite number is refused, the error starting with `owner` (e.g. `Dropout 'dropout_1'`).
   */
  static fromOption(owner: string, seed: unknown): SeedStream {
    if (seed !== undefined && seed !== null && !(typeof seed === 'number' && Number.isFinite(seed))) {
      throw new Error(`${owner}: seed must be null or a finite number, got ${showValue(seed)}`);
    }
    return new SeedStream(seed ?? null);
  }
  next(): number | undefined {
    return this.gen === null ? undefined : this.gen.nextUint32();
  }
}

/** Inverted dropout: in training, zeroes each input with probability `rate` and scales the rest by 1/(1 − rate). */
export class Dropout extends Layer {
  static override className = 'Dropout';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<DropoutArgs>({ rate: true, noiseShape: true, seed: true });
  /** Fraction of the inputs dropped in training, in [0, 1). */
  readonly rate: number;
  /** Shape of the dropout mask (`null` entries follow the input), or null for one value per element. */
  readonly noiseShape: (number | null)[] | null;
  /** Source of the per-call mask seeds. */
  protected readonly seeds: SeedStream;

  constructor(args: DropoutArgs) {
    super(args);
    this.rate = rateIn01(this.className, 'rate', args.rate);
    const ns: unknown = args.noiseShape;
    if (ns !== undefined && ns !== null && !(Array.isArray(ns) && ns.every((d: unknown) => d === null || (typeof d === 'number' && Number.isInteger(d) && d > 0)))) {
      throw new Error(`${this.className} '${this.name}': noiseShape must be null or an array of positive integers (or null), got ${showValue(ns)}`);
    }
    this.noiseShape = args.noiseShape ? [...args.noiseShape] : null;
    this.seeds = SeedStream.fromOption(`${this.className} '${this.name}'`, args.seed);
  }

  /** Shape of the mask for an input of `shape`. */
  protected maskShape(shape: readonly number[]): number[] {
    const ns = this.noiseShape;
    if (ns === null) return [...shape];
    if (ns.length !== shape.length) {
      throw new Error(`${this.className}: noiseShape ${formatSymbolic(ns)} must have the input's rank, got input shape ${formatSymbolic(shape)}`);
    }
    return ns.map((d, i) => {
      const dim = d ?? shape[i]!;
      if (dim !== 1 && dim !== shape[i]) {
        throw new Error(`${this.className}: noiseShape ${formatSymbolic(ns)} does not broadcast to input shape ${formatSymbolic(shape)}`);
      }
      return dim;
    });
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    if (!kwargs.training || this.rate === 0) return inputs;
    const keep = 1 - this.rate;
    const mask = bernoulli(this.maskShape(inputs.shape), keep, this.seeds.next());
    return mul(inputs, mul(mask, 1 / keep));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seeds.seed };
  }
}

/** Options of the spatial dropout layers: those of `Dropout` without `noiseShape`. */
export type SpatialDropoutArgs = Omit<DropoutArgs, 'noiseShape'>;

/** Dropout of whole channels of `[batch, steps, channels]` inputs (one mask value per sample and channel). */
export class SpatialDropout1D extends Dropout {
  static override className = 'SpatialDropout1D';
  static override readonly optionKeys = layerOptions<SpatialDropoutArgs>({ rate: true, seed: true });
  constructor(args: SpatialDropoutArgs) {
    super(args);
  }
  protected override maskShape(shape: readonly number[]): number[] {
    if (shape.length !== 3) throw new Error(`SpatialDropout1D: expected input of rank 3 ([batch, steps, channels]), got shape ${formatSymbolic(shape)}`);
    return [shape[0]!, 1, shape[2]!];
  }
  override getConfig(): Record<string, unknown> {
    const { noiseShape: _n, ...rest } = super.getConfig();
    return rest;
  }
}

/** Dropout of whole feature maps of `[batch, height, width, channels]` inputs. */
export class SpatialDropout2D extends Dropout {
  static override className = 'SpatialDropout2D';
  static override readonly optionKeys = layerOptions<SpatialDropoutArgs>({ rate: true, seed: true });
  constructor(args: SpatialDropoutArgs) {
    super(args);
  }
  protected override maskShape(shape: readonly number[]): number[] {
    if (shape.length !== 4) throw new Error(`SpatialDropout2D: expected input of rank 4 ([batch, height, width, channels]), got shape ${formatSymbolic(shape)}`);
    return [shape[0]!, 1, 1, shape[3]!];
  }
  override getConfig(): Record<string, unknown> {
    const { noiseShape: _n, ...rest } = super.getConfig();
    return rest;
  }
}
