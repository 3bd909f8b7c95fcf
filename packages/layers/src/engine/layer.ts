import type { Variable } from '@descent/autograd';
import { noGrad, scoped, variable } from '@descent/autograd';
import type { DType } from '@descent/tensor';
import { isDType, Tensor, tensor } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import { getRegularizer, serializeRegularizer } from '../regularizers/index.js';
import { toSnakeCase, uniqueLayerName } from './naming.js';
import type { SymbolicShape } from './shape-utils.js';
import { checkLayerOptions } from './options.js';
import { formatSymbolic } from './shape-utils.js';
import { showValue } from './show-value.js';
import { isSymbolicInput, Node, SymbolicTensor } from './symbolic.js';
import { carriedMask, getMask, hasMask, setMask } from './mask.js';

/** Called with the layer, the weight's name and shape before a layer creates a weight; it throws to refuse. */
export type WeightCheck = (layer: Layer, name: string, shape: readonly number[]) => void;

let weightCheck: WeightCheck | null = null;

/**
 * Run `fn` with `check` called before every weight any layer creates, so a model loader can compare
 * a config's weight shapes with a file's before an initializer allocates anything. `fn` must be
 * synchronous (layer building is), so the check is never seen by other code; checks nest.
 */
export function withWeightCheck<T>(check: WeightCheck, fn: () => T): T {
  const previous = weightCheck;
  weightCheck = check;
  try {
    return fn();
  } finally {
    weightCheck = previous;
  }
}

/** Options every layer accepts. */
export interface LayerArgs {
  /** Unique default from the class name (`dense`, `dense_1`, ...). */
  name?: string;
  /** Whether the layer's weights are updated by training (default true); see `Layer.trainable`. */
  trainable?: boolean;
  /** Shape of one sample (no batch dimension); only meaningful on a model's first layer. */
  inputShape?: readonly (number | null)[];
  /** Full input shape including the batch dimension (`null` for "any"). */
  batchInputShape?: readonly (number | null)[];
  /** Batch size to combine with `inputShape`. */
  batchSize?: number;
  /** Dtype of the layer's weights (default float32). */
  dtype?: DType;
  /** Penalty on the layer's output, collected by `regularizationLosses()` after each `apply`. */
  activityRegularizer?: RegularizerId;
}

/** A regularizer given by name (`'l2'`), by config object or as an instance; `null` for none. */
export type RegularizerId = Parameters<typeof getRegularizer>[0] | null;

/** Keyword arguments of `Layer.call` and `Layer.apply`. */
export interface CallKwargs {
  /** Training mode: Dropout drops, BatchNormalization uses batch statistics. Default false. */
  training?: boolean;
  /**
   * Masks of the inputs: a bool tensor `[batch, time]` (true = the step holds data) per input, `null`
   * where an input has none; an array (one entry per input) for a layer that takes a list. Set by the
   * graph when an upstream layer produced a mask (`Masking`, `Embedding({ maskZero: true })`); layers
   * that use it (RNNs, attention, `GlobalAveragePooling1D`) read it here.
   */
  mask?: Tensor | null | (Tensor | null)[];
}

/** The masks of a layer's inputs as `computeMask` gets them: one (or null), or one per input of a list. */
export type InputMask = Tensor | null | (Tensor | null)[];

/**
 * What `Layer.apply` and `Layer.call` take: one tensor, or an array of tensors for layers that
 * combine several inputs (`Add`, `Concatenate`, ...; see `Layer.acceptsInputList`).
 */
export type LayerInputs = Tensor | Tensor[];

/** What `Layer.apply` takes while a graph is built: one symbolic tensor, or an array for multi-input layers. */
export type SymbolicInputs = SymbolicTensor | SymbolicTensor[];

/** What `build` and `computeOutputShape` take: one input shape, or one per input for multi-input layers. */
export type LayerInputShapes = SymbolicShape | SymbolicShape[];

/** True when `shape` is a list of input shapes (`[[null, 3], [null, 3]]`), not one shape (`[null, 3]`). */
export function isShapeList(shape: LayerInputShapes): shape is SymbolicShape[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}

/** One shape as `[null,3]`, a list of shapes as `[null,3], [null,4]`: how messages show the input shapes. */
export function formatInputShapes(shape: LayerInputShapes): string {
  return isShapeList(shape) ? shape.map((s) => formatSymbolic(s)).join(', ') : formatSymbolic(shape);
}

/** Options of `Layer.addWeight`: how a weight is initialized, penalized, constrained and trained. */
export interface AddWeightOptions {
  /** Anything that makes the initial value: an `Initializer`, or an object with the same `apply`. */
  initializer: Pick<Initializer, 'apply'>;
  /**
   * Penalty added to the model's loss for this weight (collected by `regularizationLosses()`); default
   * none.
   */
  regularizer?: Regularizer | null;
  /** Projection applied to the weight after each optimizer step (e.g. `maxNorm`); default none. */
  constraint?: Constraint | null;
  /** False for state that is updated by assignment, not gradients (e.g. moving statistics). */
  trainable?: boolean;
  /** Dtype of the weight; defaults to the layer's `dtype`. */
  dtype?: DType;
}

/**
 * What a built layer requires of its input, checked on every `apply` before `call` (as Keras's
 * `InputSpec`): only what the build fixed, so layers that accept varying sizes stay free.
 */
export interface InputSpec {
  /** Exact rank (batch axis included). */
  ndim?: number;
  /** Minimum rank. */
  minNdim?: number;
  /** Dims the weights fixed, by axis; a negative axis counts from the end (`{ [-1]: 4 }`: 4 features). */
  axes?: Readonly<Record<number, number>>;
}

interface OwnWeight {
  variable: Variable;
  trainable: boolean;
  regularizer: Regularizer | null;
}

/**
 * Base of every layer. A layer creates its weights lazily in `build` from the first input's
 * shape, computes in `call`, and describes itself with `getConfig()` so that
 * `deserializeLayer({ className, config })` can rebuild it.
 *
 * Subclass it for your own layers: set `static className`, override `build` (create weights
 * with `addWeight`), `call`, and `computeOutputShape` if the shape changes, and register the class
 * with `registerLayer` if it should deserialize.
 */
export abstract class Layer {
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
  /**
   * The input shape the layer was built for (set by the base `build`; one shape per input for a layer
   * that takes a list), or null before it is built.
   */
  builtInputShape: LayerInputShapes | null = null;
  /** Dtype of the layer's weights (default float32). */
  readonly dtype: DType;
  /** Penalty on the layer's output (from `LayerArgs.activityRegularizer`), or null. */
  readonly activityRegularizer: Regularizer | null;

  /**
   * The calls of this layer on symbolic tensors, in order (Keras's `inbound_nodes`): one per
   * `apply(symbolic)`; a shared layer has several.
   */
  readonly inboundNodes: Node[] = [];
  /** The calls of other layers that consumed this layer's symbolic outputs. */
  readonly outboundNodes: Node[] = [];

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
    // A single-input layer's own computeOutputShape is guarded here once, so none of them has to check
    // that it was not given one shape per input (the graph does not rely on acceptsInputList alone).
    if (this.computeOutputShape !== Layer.prototype.computeOutputShape) {
      const own = this.computeOutputShape.bind(this);
      this.computeOutputShape = (inputShape: LayerInputShapes): SymbolicShape => {
        if (isShapeList(inputShape) && !this.acceptsInputList) {
          throw new Error(`${this.className} '${this.name}': computeOutputShape takes one input shape, got a list of ${inputShape.length} (${formatInputShapes(inputShape)}); only layers that combine inputs, such as Add or Concatenate, take one shape per input`);
        }
        return own(inputShape);
      };
    }
  }

  /**
   * Keras class name used in configs and saved models (the static `className`, else the constructor's
   * name).
   */
  get className(): string {
    const ctor = this.constructor as typeof Layer;
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

  /**
   * Whether the layer passes a mask on (Keras's `supports_masking`). When true, `apply` attaches
   * `computeMask(inputs, mask)` to the output (by default the input's mask, unchanged); when false
   * (the default) an input's mask stops here: the output carries none and, as Keras 3 warns, `apply`
   * warns once per layer. Layers that treat every step on its own (Dense, Dropout, activations,
   * LayerNormalization, …) set it to true.
   */
  supportsMasking = false;
  /** Whether this layer already warned that it drops a mask. */
  private maskWarned = false;

  /**
   * The mask of the output for `inputs` whose masks are `mask` (null or undefined: none). Called by
   * `apply` only when `supportsMasking` is true and `call` did not attach a mask itself. The default
   * passes the input's mask on (for a list of inputs, the first input's, as Keras zips the masks with
   * the outputs); layers that make a mask (`Embedding({ maskZero })`, `Masking`), combine masks (merge
   * layers) or consume it (`GlobalAveragePooling1D`, an RNN without `returnSequences`) override it.
   */
  computeMask(inputs: LayerInputs, mask?: InputMask): Tensor | null {
    void inputs;
    if (!this.supportsMasking || mask === undefined || mask === null) return null;
    return Array.isArray(mask) ? (mask[0] ?? null) : mask;
  }

  /** Layers whose weights this layer owns (wrappers override it). */
  protected subLayers(): Layer[] {
    return [];
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

  /**
   * Whether `apply`/`call` take an array of tensors (layers that combine inputs, such as `Add` and
   * `Concatenate`, return true). Other layers take one tensor, and `apply` refuses an array naming
   * the layer. A subclass that takes a list overrides this getter; its `build` and
   * `computeOutputShape` then receive one shape per input.
   */
  get acceptsInputList(): boolean {
    return false;
  }

  /**
   * Create the weights for inputs of `inputShape` (batch dimension may be null; for a layer that
   * takes a list, one shape per input). The base implementation creates none; `apply` calls it once,
   * before the first `call`.
   */
  build(inputShape: LayerInputShapes): void {
    this.builtInputShape = isShapeList(inputShape) ? inputShape.map((s) => [...s]) : [...inputShape];
    this.built = true;
  }

  /**
   * What the built layer requires of its input (checked on every `apply`), or null for no check
   * (the default). Layers whose weights fix some input dims override it, usually with `specFromBuild`.
   * A layer that takes a list may return one spec per input (null for "any"); a single spec then
   * applies to every input of the list.
   */
  protected inputSpec(): InputSpec | readonly (InputSpec | null)[] | null {
    return null;
  }

  /**
   * The spec that fixes `axes` (negative counts from the end) to their sizes in the shape the layer
   * was built for; with `exactRank`, the rank too (else only a rank high enough to hold those axes
   * after the batch axis). Null for a layer built on a list of inputs (write its per-input specs).
   */
  protected specFromBuild(axes: readonly number[], exactRank: boolean): InputSpec | null {
    const built = this.builtInputShape;
    if (built === null || isShapeList(built)) return null;
    const rank = built.length;
    const fixed: Record<number, number> = {};
    for (const a of axes) {
      const i = a < 0 ? a + rank : a;
      const d = built[i];
      if (d !== null && d !== undefined) fixed[a] = d;
    }
    if (exactRank) return { ndim: rank, axes: fixed };
    // The batch axis comes first, so a fixed last axis needs rank ≥ 2.
    const minNdim = Math.max(...axes.map((a) => (a < 0 ? 1 - a : a + 1)), 2);
    return { minNdim, axes: fixed };
  }

  /**
   * The layer's computation. Called by `apply` after the layer is built, with one tensor, or with an
   * array of tensors when the layer `acceptsInputList`.
   */
  abstract call(inputs: LayerInputs, kwargs: CallKwargs): Tensor;

  /**
   * Shape of the output for an input of `inputShape` (one shape per input for a layer that takes a
   * list); the default keeps the shape.
   */
  computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    if (isShapeList(inputShape)) throw new Error(this.singleInputMessage(inputShape.length));
    return [...inputShape];
  }

  /**
   * Build on first use (from the input's shape, or the shapes of an input list), run `call`, and
   * record the activity penalty.
   */
  apply(inputs: SymbolicInputs, kwargs?: CallKwargs): SymbolicTensor;
  apply(inputs: LayerInputs, kwargs?: CallKwargs): Tensor;
  apply(inputs: LayerInputs | SymbolicInputs, kwargs?: CallKwargs): Tensor | SymbolicTensor;
  apply(inputs: LayerInputs | SymbolicInputs, kwargs: CallKwargs = {}): Tensor | SymbolicTensor {
    if (isSymbolicInput(inputs)) return this.recordCall(inputs, kwargs)[0]!;
    this.checkInputKind(inputs);
    // Called from user code (no gradient recording, no caller's scope), the call frees its own
    // intermediates; the output and the activity penalty it records survive.
    // The penalties of layers nested inside (a model used as a layer) leave the scope with it too.
    // The output's mask leaves the scope with it.
    const [output] = scoped(() => {
      this.ensureBuilt(inputs);
      const { kwargs: callKwargs, mask } = this.withInputMask(inputs, kwargs);
      const out = this.attachMask(inputs, mask, this.call(inputs, callKwargs));
      this.recordActivity(out);
      return [out, this.activityTree(), getMask(out)] as [Tensor, Tensor[], Tensor | null];
    });
    return output;
  }

  /**
   * @internal `kwargs` with `mask` filled in from the masks `inputs` carry (`getMask`) unless the caller
   * gave one (an explicit `mask: null` means none), and that mask.
   */
  protected withInputMask(inputs: LayerInputs, kwargs: CallKwargs): { kwargs: CallKwargs; mask: InputMask } {
    const mask = kwargs.mask !== undefined ? kwargs.mask : carriedMask(inputs);
    if (!hasMask(mask)) {
      if (kwargs.mask === undefined) return { kwargs, mask: null };
      const rest = { ...kwargs };
      delete rest.mask;
      return { kwargs: rest, mask: null };
    }
    return { kwargs: { ...kwargs, mask }, mask };
  }

  /**
   * @internal Give `output` the mask Keras would: the one `call` attached, else `computeMask` when the
   * layer supports masking, else none (warning once when an input mask is dropped). An output that is
   * one of the inputs (an identity call) is copied first when its mask must differ, since the input
   * keeps its own.
   */
  protected attachMask(inputs: LayerInputs, mask: InputMask, output: Tensor): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const aliased = list.includes(output);
    const own = aliased ? null : getMask(output);
    if (own !== null) return output;
    let next: Tensor | null = null;
    if (this.supportsMasking) next = this.computeMask(inputs, hasMask(mask) ? mask : null);
    else if (hasMask(mask) && !this.maskWarned) {
      this.maskWarned = true;
      console.warn(`${this.className} '${this.name}' was given an input with a mask, but does not support masking (supportsMasking is false), so its output carries no mask and later layers will not see it`);
    }
    let out = output;
    if (aliased && getMask(output) !== next) out = output.reshape([...output.shape]);
    if (next !== null) setMask(out, next);
    return out;
  }

  /**
   * Record a call on symbolic tensors (a node), building the layer from their shapes so its
   * weights exist now, as in Keras; returns the symbolic outputs (one for most layers) with the
   * inferred shapes and dtypes.
   */
  protected recordCall(inputs: SymbolicInputs, kwargs: CallKwargs, extraInputs: readonly SymbolicTensor[] = []): SymbolicTensor[] {
    const isList = Array.isArray(inputs);
    const list = isList ? inputs : [inputs];
    const bad = list.findIndex((t) => !(t instanceof SymbolicTensor));
    if (bad >= 0) {
      throw new Error(`${this.className} '${this.name}': inputs[${bad}] must be a symbolic tensor like the others (from Input() or another layer's output), got ${showValue(list[bad])}`);
    }
    if (isList && !this.acceptsInputList) throw new Error(this.singleInputMessage(list.length));
    const shapes: LayerInputShapes = isList ? list.map((t) => [...t.shape]) : [...list[0]!.shape];
    if (!isList) this.checkInputShape(list[0]!.shape);
    if (!this.built) {
      noGrad(() => this.build(shapes));
      this.built = true;
    }
    this.checkInputSpecs(isList ? list.map((t) => t.shape) : list[0]!.shape);
    const specs = this.symbolicOutputs(shapes, list.map((t) => t.dtype));
    // Extra inputs (an RNN's symbolic initial state) are inputs of the node too, so the graph runs
    // their layers first and saved files list them after the main input, as TF.js does.
    const node = new Node(this, [...list, ...extraInputs], isList, { ...kwargs });
    specs.forEach((spec, i) => node.outputs.push(new SymbolicTensor([...spec.shape], spec.dtype, node, i, `${this.name}/${this.inboundNodes.length}${specs.length > 1 ? `/${i}` : ''}`)));
    this.inboundNodes.push(node);
    for (const t of node.inputs) t.node.layer.outboundNodes.push(node);
    return [...node.outputs];
  }

  /**
   * Shape and dtype of each output of a symbolic call on inputs of `inputShapes` and `inputDtypes`:
   * one, from `computeOutputShape` and `outputDtype`. A layer with several outputs (a nested graph
   * model) overrides it.
   */
  protected symbolicOutputs(inputShapes: LayerInputShapes, inputDtypes: readonly DType[]): { shape: SymbolicShape; dtype: DType }[] {
    return [{ shape: this.computeOutputShape(inputShapes), dtype: this.outputDtype(inputDtypes) }];
  }

  /**
   * Dtype of the output for inputs of `inputDtypes` when called on symbolic tensors: the weights'
   * dtype for a layer with weights (Embedding turns int32 ids into float32), else the first
   * input's dtype. Layers that change dtypes otherwise override it.
   */
  protected outputDtype(inputDtypes: readonly DType[]): DType {
    return this.own.length > 0 || this.subLayers().length > 0 ? this.dtype : (inputDtypes[0] ?? this.dtype);
  }

  /** The one call of this layer on symbolic tensors, or an error naming `what` when there are none or several. */
  private singleNode(what: string): Node {
    const n = this.inboundNodes.length;
    if (n === 1) return this.inboundNodes[0]!;
    if (n === 0) throw new Error(`${this.className} '${this.name}': ${what} is only defined once the layer was called on symbolic tensors (Input(...)), and it never was`);
    throw new Error(`${this.className} '${this.name}': the layer was called ${n} times on symbolic tensors, so ${what} is ambiguous; use ${what === 'input' || what === 'inputShape' ? 'getInputAt' : 'getOutputAt'}(nodeIndex)`);
  }

  /** The symbolic input of the layer's only call (an array for a multi-input layer); throws if it was called 0 or several times. */
  get input(): SymbolicTensor | SymbolicTensor[] {
    return nodeInputs(this.singleNode('input'));
  }

  /** The symbolic output of the layer's only call; throws if it was called 0 or several times (then use `getOutputAt`). */
  get output(): SymbolicTensor {
    return this.singleNode('output').outputs[0]!;
  }

  /** Input shape of the layer's only symbolic call (one per input for a multi-input layer). */
  get inputShape(): SymbolicShape | SymbolicShape[] {
    return this.singleNode('inputShape').inputShapes;
  }

  /** Output shape of the layer's only symbolic call. */
  get outputShape(): SymbolicShape {
    return [...this.singleNode('outputShape').outputs[0]!.shape];
  }

  /** The symbolic input(s) of call `nodeIndex` (negative counts from the end). */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return nodeInputs(this.nodeAt(nodeIndex));
  }

  /** The symbolic output of call `nodeIndex` (negative counts from the end). */
  getOutputAt(nodeIndex: number): SymbolicTensor {
    return this.nodeAt(nodeIndex).outputs[0]!;
  }

  private nodeAt(index: number): Node {
    const i = index < 0 ? this.inboundNodes.length + index : index;
    const node = Number.isInteger(i) ? this.inboundNodes[i] : undefined;
    if (!node) throw new Error(`${this.className} '${this.name}': node index ${index} is out of range; the layer was called ${this.inboundNodes.length} times on symbolic tensors`);
    return node;
  }

  private singleInputMessage(count: number): string {
    return `${this.className} '${this.name}': expects a single input tensor, got a list of ${count} (only layers that combine inputs, such as Add or Concatenate, take a list)`;
  }

  /** Throw, naming the layer, unless `inputs` is a Tensor, or an array of Tensors for a layer that takes a list. */
  private checkInputKind(inputs: unknown): void {
    if (inputs instanceof Tensor) return;
    if (Array.isArray(inputs) && inputs.every((t) => t instanceof Tensor)) {
      if (!this.acceptsInputList) throw new Error(this.singleInputMessage(inputs.length));
      return;
    }
    if (Array.isArray(inputs) && this.acceptsInputList) {
      const i = inputs.findIndex((t) => !(t instanceof Tensor));
      throw new Error(`${this.className} '${this.name}': inputs[${i}] must be a Tensor, got ${showValue(inputs[i])}`);
    }
    const wanted = this.acceptsInputList ? 'an array of Tensors' : 'a Tensor';
    throw new Error(`${this.className} '${this.name}': expected ${wanted} as input, got ${showValue(inputs)} (make tensors with tensor(...))`);
  }

  /** @internal Build from `inputs` if not built yet, checking it against `batchInputShape` and the input spec. */
  protected ensureBuilt(inputs: LayerInputs): void {
    if (Array.isArray(inputs)) {
      if (!this.built) {
        const shapes: SymbolicShape[] = inputs.map((t) => [...t.shape]);
        noGrad(() => this.build(shapes));
        this.built = true;
      }
      this.checkInputSpecs(inputs.map((t) => t.shape));
      return;
    }
    this.checkInputShape(inputs.shape);
    if (!this.built) {
      const shape: SymbolicShape = [...inputs.shape];
      noGrad(() => this.build(shape));
      this.built = true;
    }
    this.checkInputSpecs(inputs.shape);
  }

  /**
   * Check the input shape(s) against `inputSpec()`: one spec applies to every input of a list; a list
   * of specs (null for "any") gives one per input, and the inputs must then be as many.
   */
  private checkInputSpecs(shapes: readonly (number | null)[] | readonly (readonly (number | null)[])[]): void {
    const spec = this.inputSpec();
    if (spec === null) return;
    const isList = (x: readonly unknown[]): boolean => x.length > 0 && Array.isArray(x[0]);
    const given = isList(shapes) ? (shapes as readonly (readonly (number | null)[])[]) : null;
    if (!Array.isArray(spec)) {
      if (given === null) this.checkInputSpec(spec as InputSpec, shapes as readonly (number | null)[], '');
      else given.forEach((s, i) => this.checkInputSpec(spec as InputSpec, s, `input ${i}: `));
      return;
    }
    const specs = spec as readonly (InputSpec | null)[];
    if (given === null || given.length !== specs.length) {
      const got = given === null ? 'a single tensor' : `${given.length} tensors`;
      throw new Error(`${this.className} '${this.name}': expects a list of ${specs.length} input tensors, got ${got}`);
    }
    given.forEach((s, i) => {
      const one = specs[i];
      if (one !== null && one !== undefined) this.checkInputSpec(one, s, `input ${i}: `);
    });
  }

  /** Throw, naming the layer (and the input, `which`), when `shape` breaks `spec`. */
  private checkInputSpec(spec: InputSpec, shape: readonly (number | null)[], which: string): void {
    const rank = shape.length;
    let ok = (spec.ndim === undefined || rank === spec.ndim) && (spec.minNdim === undefined || rank >= spec.minNdim);
    const wanted: string[] = [];
    for (const [key, size] of Object.entries(spec.axes ?? {})) {
      const a = Number(key);
      const i = a < 0 ? a + rank : a;
      // An unknown dim (a symbolic tensor's) may be anything, as in Keras.
      if (i < 0 || i >= rank || (shape[i] !== size && shape[i] !== null)) ok = false;
      wanted.push(a === -1 ? `${size} features on the last axis` : `size ${size} on axis ${a}`);
    }
    if (ok) return;
    const rankText = spec.ndim !== undefined ? `rank ${spec.ndim}` : spec.minNdim !== undefined ? `rank ≥ ${spec.minNdim}` : '';
    const what = [rankText, ...wanted].filter((w) => w !== '').join(' and ');
    const built = this.builtInputShape;
    const builtFor = built !== null ? ` (it was built for input shape${isShapeList(built) ? 's' : ''} ${formatInputShapes(built)})` : '';
    throw new Error(`${this.className} '${this.name}': ${which}expected input with ${what}${builtFor}, got input shape ${formatSymbolic(shape)}`);
  }

  /** This layer's activity penalties and those of every layer inside it. */
  private activityTree(): Tensor[] {
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
   * @internal Run one recorded call of a graph on real tensors and return every output: one tensor for
   * most layers; layers with several outputs (an RNN with `returnState`, a nested graph) override it.
   */
  applyNode(inputs: LayerInputs, kwargs: CallKwargs): Tensor[] {
    return [this.apply(inputs, kwargs)];
  }

  private checkInputShape(shape: readonly (number | null)[]): void {
    const expected = this.batchInputShape;
    if (expected === null) return;
    const ok = expected.length === shape.length && expected.every((d, i) => d === null || shape[i] === null || d === shape[i]);
    if (!ok) {
      throw new Error(
        `${this.className} '${this.name}': expected input shape ${formatSymbolic(expected)}, got ${formatSymbolic(shape)}`,
      );
    }
  }

  /**
   * Create a weight named `${scope}/${name}` (e.g. `dense/kernel`) as a Variable. Its
   * regularizer is evaluated by `regularizationLosses()`; its constraint is attached to the
   * Variable so optimizers apply it after each update.
   */
  protected addWeight(name: string, shape: readonly number[], options: AddWeightOptions): Variable {
    weightCheck?.(this, name, shape);
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

/** A call's input(s); an Input's own node (no inputs) gives its output, as Keras's `InputLayer.input`. */
function nodeInputs(node: Node): SymbolicTensor | SymbolicTensor[] {
  if (node.inputs.length === 0) return node.outputs[0]!;
  return node.inputIsList ? [...node.inputs] : node.inputs[0]!;
}

/** Keras 3 writes dtype as a policy object (`{ className: 'DTypePolicy', config: { name: 'float32' } }`). */
function dtypeName(dtype: unknown): unknown {
  if (dtype !== null && typeof dtype === 'object') {
    const name = (dtype as { config?: { name?: unknown } }).config?.name;
    if (name !== undefined) return name;
  }
  return dtype ?? undefined;
}

function resolveBatchInputShape(cls: string, args: LayerArgs): SymbolicShape | null {
  const check = (option: string, shape: readonly (number | null)[]): void => {
    if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
      throw new Error(`${cls}: ${option} must be an array of non-negative integers (or null), got ${showValue(shape)}`);
    }
  };
  if (args.batchInputShape !== undefined && args.batchInputShape !== null) {
    check('batchInputShape', args.batchInputShape);
    return [...args.batchInputShape];
  }
  if (args.inputShape !== undefined && args.inputShape !== null) {
    check('inputShape', args.inputShape);
    const b = args.batchSize ?? null;
    if (b !== null && !(Number.isInteger(b) && b > 0)) throw new Error(`${cls}: batchSize must be a positive integer, got ${showValue(b)}`);
    return [b, ...args.inputShape];
  }
  return null;
}
