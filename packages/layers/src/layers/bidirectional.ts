import type { Tensor } from '@descent/tensor';
import { add, concat, mul, reverse } from '@descent/tensor';
import type { CallKwargs, InputMask, InputSpec, LayerArgs, LayerInputs } from '../engine/layer.js';
import { Layer } from '../engine/layer.js';
import type { LayerSpec } from '../engine/registry.js';
import { deserializeLayer, serializeLayer } from '../engine/registry.js';
import type { SymbolicShape } from '../engine/shape-utils.js';
import { RNN } from './rnn.js';
import { showValue } from '../engine/show-value.js';
import { layerOptions } from '../engine/options.js';

/**
 * How `Bidirectional` combines the two directions: concatenation along the last axis, sum, product or
 * average.
 */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
const MERGE_MODES: readonly string[] = ['concat', 'sum', 'mul', 'ave'];

export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer to run in both directions (an instance or `{ className, config }`). */
  layer: RNN | LayerSpec;
  /** How the two directions' outputs combine (default 'concat' along the last axis). */
  mergeMode?: MergeMode;
}

/**
 * Runs a copy of an RNN forwards (`forward_<name>`) and another backwards (`backward_<name>`)
 * and merges their outputs; with returnSequences the backward output is reversed back into
 * time order first. Weights: the forward layer's, then the backward layer's, named
 * `<bidirectional>/forward_<name>/kernel` etc.
 */
export class Bidirectional extends Layer {
  static override className = 'Bidirectional';
  static override readonly optionKeys = layerOptions<BidirectionalArgs>({ layer: true, mergeMode: true });
  /** The copy of the wrapped RNN that runs forwards. */
  readonly forwardLayer: RNN;
  /** The copy of the wrapped RNN that runs backwards. */
  readonly backwardLayer: RNN;
  /** How the two directions' outputs combine. */
  readonly mergeMode: MergeMode;
  private readonly spec: LayerSpec;
  /** Both directions skip masked steps (the mask reaches them through `call`'s kwargs). */
  override supportsMasking = true;

  constructor(args: BidirectionalArgs) {
    super(args);
    if (args.layer === undefined || args.layer === null) throw new Error("Bidirectional: the 'layer' option (an RNN layer) is required");
    const spec = args.layer instanceof Layer ? serializeLayer(args.layer) : args.layer;
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (typeof mode !== 'string' || !MERGE_MODES.includes(mode)) {
      throw new Error(`Bidirectional: mergeMode must be one of ${MERGE_MODES.map((m) => `'${m}'`).join(', ')} (separate outputs, null, are not supported), got ${showValue(args.mergeMode)}`);
    }
    this.mergeMode = mode;
    const config = spec.config ?? {};
    const baseName = typeof config['name'] === 'string' ? config['name'] : 'rnn';
    const copy = (prefix: string, flip: boolean): RNN => {
      const layer = deserializeLayer({
        className: spec.className,
        // The forward copy keeps the config as given, so a non-recurrent layer fails below as such,
        // not on the goBackwards option it does not take.
        config: flip ? { ...config, name: `${prefix}_${baseName}`, goBackwards: !config['goBackwards'] } : { ...config, name: `${prefix}_${baseName}` },
      });
      if (!(layer instanceof RNN)) throw new Error(`Bidirectional: layer must be a recurrent layer (SimpleRNN, LSTM, GRU), got ${spec.className}`);
      if (layer.returnState) throw new Error('Bidirectional: the wrapped layer must not set returnState');
      layer.weightScope = `${this.name}/${layer.name}`;
      return layer;
    };
    this.spec = { className: spec.className, config: { ...config } };
    this.forwardLayer = copy('forward', false);
    this.backwardLayer = copy('backward', true);
    if (args.trainable === false) this.trainable = false;
  }

  protected override subLayers(): Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  override build(inputShape: SymbolicShape): void {
    for (const l of this.subLayers()) {
      if (!l.built) {
        l.build(inputShape);
        l.built = true;
      }
    }
    super.build(inputShape);
  }

  protected override inputSpec(): InputSpec | null {
    return this.specFromBuild([-1], true);
  }

  call(inputs: Tensor, kwargs: CallKwargs): Tensor {
    const yF = this.forwardLayer.apply(inputs, kwargs);
    let yB = this.backwardLayer.apply(inputs, kwargs);
    if (this.backwardLayer.returnSequences) yB = reverse(yB, 1);
    switch (this.mergeMode) {
      case 'concat': return concat([yF, yB], -1);
      case 'sum': return add(yF, yB);
      case 'mul': return mul(yF, yB);
      case 'ave': return mul(add(yF, yB), 0.5);
    }
  }

  /** The input mask when every step is returned, else none. */
  override computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    return this.forwardLayer.computeMask(inputs, mask);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const out = this.forwardLayer.computeOutputShape(inputShape);
    if (this.mergeMode === 'concat') {
      const last = out[out.length - 1];
      out[out.length - 1] = last === null || last === undefined ? null : 2 * last;
    }
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { className: this.spec.className, config: { ...this.spec.config } }, mergeMode: this.mergeMode };
  }
}
