import type { Tensor } from '@descent/tensor';
import { reshape } from '@descent/tensor';
import type { CallKwargs, LayerArgs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { LayerSpec } from '../engine/registry.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { formatSymbolic } from '../engine/shape-utils.js';
import { layerOptions } from '../engine/options.js';

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every time step (an instance or `{ className, config }`). */
  layer: Layer | LayerSpec;
}

/**
 * Applies one layer to every step of `[batch, steps, ...]` independently, with shared weights
 * (steps are folded into the batch, run through the layer, and unfolded).
 */
export class TimeDistributed extends Layer {
  static override className = 'TimeDistributed';
  /** Works on each step alone, so the input's mask passes through to the output (Keras's `supports_masking`). */
  override supportsMasking = true;
  static override readonly optionKeys = layerOptions<TimeDistributedArgs>({ layer: true });
  /** The layer applied to every step. */
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args);
    if (args.layer === undefined || args.layer === null) throw new Error("TimeDistributed: the 'layer' option is required");
    this.layer = args.layer instanceof Layer ? args.layer : deserializeLayer(args.layer);
    if (!this.layer.built) this.layer.weightScope = this.name;
    if (args.trainable === false) this.trainable = false;
  }

  protected override subLayers(): Layer[] {
    return [this.layer];
  }

  private stepShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 3) {
      throw new Error(`TimeDistributed: expected input of rank ≥ 3 ([batch, steps, ...]), got shape ${formatSymbolic(inputShape)}`);
    }
    const [b, t] = inputShape;
    return [b === null || t === null || b === undefined || t === undefined ? null : b * t, ...inputShape.slice(2)];
  }

  override build(inputShape: SymbolicShape): void {
    const inner = this.stepShape(inputShape);
    if (!this.layer.built) {
      this.layer.build(inner);
      this.layer.built = true;
    }
    super.build(inputShape);
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    const [b, t] = inputs.shape as [number, number];
    this.stepShape([...inputs.shape]);
    // The inner layer sees steps as samples, so it gets the mask of its samples: [b, t, …] → [b·t, …]
    // (Keras gives each step's call mask[:, i]).
    const { mask, ...rest } = kwargs;
    const stepMask = mask === undefined || mask === null || Array.isArray(mask) ? null : reshape(mask, [b * t, ...mask.shape.slice(2)]);
    const y = this.layer.apply(reshape(inputs, [b * t, ...inputs.shape.slice(2)]), { ...rest, mask: stepMask });
    return reshape(y, [b, t, ...y.shape.slice(1)]);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const inner = this.layer.computeOutputShape(this.stepShape(inputShape));
    return [inputShape[0] ?? null, inputShape[1] ?? null, ...inner.slice(1)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }
}
