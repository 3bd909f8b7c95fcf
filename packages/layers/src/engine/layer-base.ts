import type { Variable } from '@descent/autograd';
import { noGrad, variable } from '@descent/autograd';
import type { DType, Tensor } from '@descent/tensor';
import { isDType, tensor } from '@descent/tensor';
import type { Regularizer } from '../regularizers/index.js';
import { getRegularizer, serializeRegularizer } from '../regularizers/index.js';
import type { Layer } from './layer.js';
import { dtypeName, resolveBatchInputShape } from './layer-args.js';
import type { AddWeightOptions, LayerArgs } from './layer-types.js';
import { toSnakeCase, uniqueLayerName } from './naming.js';
import { checkLayerOptions } from './options.js';
import type { SymbolicShape } from './shape-utils.js';
import { formatSymbolic } from './shape-utils.js';
import { showValue } from './show-value.js';
import { checkNewWeight } from './weight-check.js';

interface OwnWeight {
  variable: Variable;
  trainable: boolean;
  regularizer: Regularizer | null;
}

/**
 * The part of every layer that is not about calling it: its name, dtype and declared input shape, the
 * weights it creates (`addWeight`) and owns, freezing, regularization penalties and the base config.
 * Extend `Layer`, which adds building, calling, masking and symbolic graphs on top; this class exists
 * to keep those two halves in files of their own.
 */
export abstract class LayerBase {
  /** Keras class name used in saved configs; subclasses set it (defaults to the JS class name). */
  static className?: string;
  /**
   * The class's own constructor option names (beyond `LayerArgs`), set with `layerOptions<Args>(…)`.
   * When a class sets it, its constructor rejects any other key (`new Dense({ unit: 10 })` fails
   * with a did-you-mean); a subclass that does not set it is not checked.
   */
  static optionKeys?: readonly string[];

  /** Unique name of the layer, prefix of its weights' names (`dense_1/kernel`). */
  readonly name: string;
  /** True once `build` has created the weights. */
  built = false;
  /**
   * Input shape with the batch axis declared through `inputShape`/`batchInputShape`, or null when not
   * given.
   */
  batchInputShape: SymbolicShape | null;
  /** Dtype of the layer's weights (default float32). */
  readonly dtype: DType;
  /** Penalty on the layer's output (from `LayerArgs.activityRegularizer`), or null. */
  readonly activityRegularizer: Regularizer | null;

  private trainableFlag: boolean;
  private readonly own: OwnWeight[] = [];
  private activityLosses: Tensor[] = [];
  /** How many graph runs (`Functional.runGraph`) are collecting this layer's activity penalties, one per call. */
  private activityCollectors = 0;
  /**
   * Prefix of this layer's weight names. Wrappers (Bidirectional) nest their inner layers' weights
   * under their own name, as Keras name scopes do.
   * @internal
   */
  weightScope: string;

  constructor(args: LayerArgs = {}) {
    const cls = this.className;
    const ctor = new.target;
    if (Object.prototype.hasOwnProperty.call(ctor, 'optionKeys') && ctor.optionKeys !== undefined) checkLayerOptions(cls, args, ctor.optionKeys);
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new Error(`${cls}: name must be a non-empty string, got ${showValue(args.name)}`);
    }
    this.name = args.name ?? uniqueLayerName(toSnakeCase(cls));
    this.weightScope = this.name;
    this.trainableFlag = args.trainable ?? true;
    const dtype = dtypeName(args.dtype);
    if (dtype !== undefined && !isDType(dtype)) {
      throw new Error(`${cls}: dtype must be 'float32', 'int32' or 'bool', got ${showValue(args.dtype)}`);
    }
    this.dtype = dtype ?? 'float32';
    this.batchInputShape = resolveBatchInputShape(cls, args);
    this.activityRegularizer = args.activityRegularizer ? getRegularizer(args.activityRegularizer) : null;
  }

  /**
   * Keras class name used in configs and saved models (the static `className`, else the constructor's
   * name).
   */
  get className(): string {
    const ctor = this.constructor as typeof LayerBase;
    return Object.prototype.hasOwnProperty.call(ctor, 'className') && ctor.className ? ctor.className : ctor.name;
  }

  /** Frozen layers (`trainable = false`) keep their weights out of `trainableWeights` and out of gradients. */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  /** Freezes (`false`) or unfreezes the layer and every layer it owns. */
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const w of this.own) w.variable.trainable = value && w.trainable;
    for (const l of this.subLayers()) l.trainable = value;
  }

  /** Layers whose weights this layer owns (wrappers override it). */
  protected subLayers(): LayerBase[] {
    return [];
  }

  /** @internal Whether the layer created weights of its own (not counting the layers it owns). */
  protected get hasOwnWeights(): boolean {
    return this.own.length > 0;
  }

  /** Every weight, in Keras order (the order of `getWeights`/`setWeights` and saved files). */
  get weights(): Variable[] {
    return [...this.own.map((w) => w.variable), ...this.subLayers().flatMap((l) => l.weights)];
  }

  /** Weights updated by gradients: empty when the layer is frozen. */
  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    return [...this.own.filter((w) => w.trainable).map((w) => w.variable), ...this.subLayers().flatMap((l) => l.trainableWeights)];
  }

  /** Weights not updated by gradients (moving statistics, or every weight of a frozen layer). */
  get nonTrainableWeights(): Variable[] {
    if (!this.trainable) return this.weights;
    return [...this.own.filter((w) => !w.trainable).map((w) => w.variable), ...this.subLayers().flatMap((l) => l.nonTrainableWeights)];
  }

  /** @internal This layer's activity penalties and those of every layer inside it. */
  protected activityTree(): Tensor[] {
    return [...this.activityLosses, ...this.subLayers().flatMap((l) => l.activityTree())];
  }

  /** @internal */
  protected recordActivity(output: Tensor): void {
    // Keras 3 adds the raw penalty of the output (it no longer divides by the batch size). Inside a
    // graph run a shared layer's penalties add up over its calls, as Keras sums them.
    const penalty = this.activityRegularizer ? [this.activityRegularizer.apply(output)] : [];
    this.activityLosses = this.activityCollectors > 0 ? [...this.activityLosses, ...penalty] : penalty;
  }

  /**
   * @internal A graph run starts (`collect` true) or ends (false) collecting this layer's activity
   * penalties: the outermost start forgets the previous run's, and until it ends every call adds its own.
   */
  collectActivity(collect: boolean): void {
    if (collect) {
      if (this.activityCollectors === 0) this.activityLosses = [];
      this.activityCollectors++;
    } else {
      this.activityCollectors = Math.max(0, this.activityCollectors - 1);
    }
  }

  /**
   * Create a weight named `${scope}/${name}` (e.g. `dense/kernel`) as a Variable. Its
   * regularizer is evaluated by `regularizationLosses()`; its constraint is attached to the
   * Variable so optimizers apply it after each update.
   */
  protected addWeight(name: string, shape: readonly number[], options: AddWeightOptions): Variable {
    // Every layer is a Layer (this class is only its base), which is what weight checks are given.
    checkNewWeight(this as unknown as Layer, name, shape);
    const dtype = options.dtype ?? this.dtype;
    const trainable = options.trainable ?? true;
    const constraint = options.constraint ?? null;
    let v: Variable;
    try {
      const initial = noGrad(() => options.initializer.apply(shape, dtype));
      v = variable(initial, {
        name: `${this.weightScope}/${name}`,
        trainable: trainable && this.trainable,
        dtype,
        constraint: constraint ? (w: Tensor) => constraint.apply(w) : null,
      });
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith(`${this.className}:`) && !e.message.startsWith(`${this.className} '`)) {
        e.message = `${this.className} '${this.name}': cannot create weight '${name}' of shape ${formatSymbolic(shape)}: ${e.message}`;
      }
      throw e;
    }
    this.own.push({ variable: v, trainable, regularizer: options.regularizer ?? null });
    return v;
  }

  /**
   * Penalties to add to the loss: weight regularizers evaluated on the current weights (so they
   * are differentiable when called inside a gradient function) plus the activity penalties of the
   * last `apply`.
   */
  regularizationLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const w of this.own) if (w.regularizer) out.push(w.regularizer.apply(w.variable));
    out.push(...this.activityLosses);
    for (const l of this.subLayers()) out.push(...l.regularizationLosses());
    return out;
  }

  /** Total number of scalars in the layer's weights; throws before the layer is built. */
  countParams(): number {
    if (!this.built) {
      throw new Error(`${this.className} '${this.name}': countParams needs the layer to be built (call it on data or build(inputShape) first)`);
    }
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** `${layer.name}/${weight}` for every weight, in `weights` order. */
  getWeightNames(): string[] {
    return this.weights.map((w) => w.name);
  }

  /** Copies of the weights' current values, in `weights` order (later updates do not change them). */
  getWeights(): Tensor[] {
    // Snapshots: a Variable's value changes under assign, the returned tensors must not.
    return this.weights.map((w) => tensor(w.dataSync(), w.shape, w.dtype));
  }

  /** Replace the weights' values (same order, shapes and dtypes as `weights`). */
  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`${this.className} '${this.name}': setWeights expected ${ws.length} tensors (${this.getWeightNames().join(', ')}), got ${values.length}`);
    }
    for (let i = 0; i < ws.length; i++) ws[i]!.assign(values[i]!);
  }

  /** The layer's constructor options, camelCase, JSON-safe; `new Cls(getConfig())` rebuilds it. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape !== null) config['batchInputShape'] = [...this.batchInputShape];
    if (this.activityRegularizer !== null) config['activityRegularizer'] = serializeRegularizer(this.activityRegularizer);
    return config;
  }
}
