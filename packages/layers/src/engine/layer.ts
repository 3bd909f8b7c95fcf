import { noGrad, scoped } from '@descent/autograd';
import type { DType, Tensor } from '@descent/tensor';
import { checkBatchInputShape, checkInputKind, checkInputSpecs, singleInputMessage, specFromShape } from './input-spec.js';
import { LayerBase } from './layer-base.js';
import type { CallKwargs, InputMask, InputSpec, LayerArgs, LayerInputs, LayerInputShapes, SymbolicInputs } from './layer-types.js';
import { formatInputShapes, isShapeList } from './layer-types.js';
import { getMask, hasMask, withCarriedMask, withOutputMask } from './mask.js';
import type { SymbolicShape } from './shape-utils.js';
import { showValue } from './show-value.js';
import { isSymbolicInput, Node, nodeAt, nodeInputs, singleNode, SymbolicTensor } from './symbolic.js';

// The Layer base: building, calling, masking and symbolic graphs. What is not about calling (name,
// dtype, weights, penalties, the base config) is in layer-base.ts; the option and shape types in
// layer-types.ts, the input checks in input-spec.ts. Users import all of it from here.
export { LayerBase } from './layer-base.js';
export type { AddWeightOptions, CallKwargs, InputMask, InputSpec, LayerArgs, LayerInputs, LayerInputShapes, RegularizerId, SymbolicInputs } from './layer-types.js';
export { formatInputShapes, isShapeList } from './layer-types.js';
export type { WeightCheck } from './weight-check.js';
export { withWeightCheck } from './weight-check.js';

/**
 * Base of every layer. A layer creates its weights lazily in `build` from the first input's
 * shape, computes in `call`, and describes itself with `getConfig()` so that
 * `deserializeLayer({ className, config })` can rebuild it.
 *
 * Subclass it for your own layers: set `static className`, override `build` (create weights
 * with `addWeight`), `call`, and `computeOutputShape` if the shape changes, and register the class
 * with `registerLayer` if it should deserialize.
 */
export abstract class Layer extends LayerBase {
  /**
   * The input shape the layer was built for (set by the base `build`; one shape per input for a layer
   * that takes a list), or null before it is built.
   */
  builtInputShape: LayerInputShapes | null = null;

  /**
   * The calls of this layer on symbolic tensors, in order (Keras's `inbound_nodes`): one per
   * `apply(symbolic)`; a shared layer has several.
   */
  readonly inboundNodes: Node[] = [];
  /** The calls of other layers that consumed this layer's symbolic outputs. */
  readonly outboundNodes: Node[] = [];

  constructor(args: LayerArgs = {}) {
    super(args);
    // A single-input layer's own computeOutputShape is guarded here once, so none of them has to check
    // that it was not given one shape per input (the graph does not rely on acceptsInputList alone).
    if (this.computeOutputShape !== Layer.prototype.computeOutputShape) {
      const own = this.computeOutputShape.bind(this);
      this.computeOutputShape = (inputShape: LayerInputShapes): SymbolicShape => {
        if (isShapeList(inputShape) && !this.acceptsInputList) {
          throw new Error(`${labelOf(this)}: computeOutputShape takes one input shape, got a list of ${inputShape.length} (${formatInputShapes(inputShape)}); only layers that combine inputs, such as Add or Concatenate, take one shape per input`);
        }
        return own(inputShape);
      };
    }
  }

  /** Layers whose weights this layer owns (wrappers override it). */
  protected override subLayers(): Layer[] {
    return [];
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
    return specFromShape(this.builtInputShape, axes, exactRank);
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
    if (isShapeList(inputShape)) throw new Error(singleInputMessage(labelOf(this), inputShape.length));
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
    checkInputKind(labelOf(this), this.acceptsInputList, inputs);
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
    return withCarriedMask(inputs, kwargs);
  }

  /**
   * @internal Give `output` the mask Keras would: the one `call` attached, else `computeMask` when the
   * layer supports masking, else none (warning once when an input mask is dropped). An output that is
   * one of the inputs (an identity call) is copied first when its mask must differ, since the input
   * keeps its own.
   */
  protected attachMask(inputs: LayerInputs, mask: InputMask, output: Tensor): Tensor {
    const aliased = (Array.isArray(inputs) ? inputs : [inputs]).includes(output);
    if (!aliased && getMask(output) !== null) return output;
    let next: Tensor | null = null;
    if (this.supportsMasking) next = this.computeMask(inputs, hasMask(mask) ? mask : null);
    else if (hasMask(mask) && !this.maskWarned) {
      this.maskWarned = true;
      console.warn(`${this.className} '${this.name}' was given an input with a mask, but does not support masking (supportsMasking is false), so its output carries no mask and later layers will not see it`);
    }
    return withOutputMask(inputs, output, next);
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
      throw new Error(`${labelOf(this)}: inputs[${bad}] must be a symbolic tensor like the others (from Input() or another layer's output), got ${showValue(list[bad])}`);
    }
    if (isList && !this.acceptsInputList) throw new Error(singleInputMessage(labelOf(this), list.length));
    const shapes: LayerInputShapes = isList ? list.map((t) => [...t.shape]) : [...list[0]!.shape];
    if (!isList) checkBatchInputShape(labelOf(this), this.batchInputShape, list[0]!.shape);
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
    return this.hasOwnWeights || this.subLayers().length > 0 ? this.dtype : (inputDtypes[0] ?? this.dtype);
  }

  /** The symbolic input of the layer's only call (an array for a multi-input layer); throws if it was called 0 or several times. */
  get input(): SymbolicTensor | SymbolicTensor[] {
    return nodeInputs(singleNode(labelOf(this), this.inboundNodes, 'input'));
  }

  /** The symbolic output of the layer's only call; throws if it was called 0 or several times (then use `getOutputAt`). */
  get output(): SymbolicTensor {
    return singleNode(labelOf(this), this.inboundNodes, 'output').outputs[0]!;
  }

  /** Input shape of the layer's only symbolic call (one per input for a multi-input layer). */
  get inputShape(): SymbolicShape | SymbolicShape[] {
    return singleNode(labelOf(this), this.inboundNodes, 'inputShape').inputShapes;
  }

  /** Output shape of the layer's only symbolic call. */
  get outputShape(): SymbolicShape {
    return [...singleNode(labelOf(this), this.inboundNodes, 'outputShape').outputs[0]!.shape];
  }

  /** The symbolic input(s) of call `nodeIndex` (negative counts from the end). */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return nodeInputs(nodeAt(labelOf(this), this.inboundNodes, nodeIndex));
  }

  /** The symbolic output of call `nodeIndex` (negative counts from the end). */
  getOutputAt(nodeIndex: number): SymbolicTensor {
    return nodeAt(labelOf(this), this.inboundNodes, nodeIndex).outputs[0]!;
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
    checkBatchInputShape(labelOf(this), this.batchInputShape, inputs.shape);
    if (!this.built) {
      const shape: SymbolicShape = [...inputs.shape];
      noGrad(() => this.build(shape));
      this.built = true;
    }
    this.checkInputSpecs(inputs.shape);
  }

  /** Check the input shape(s) against `inputSpec()` (see `checkInputSpecs`). */
  private checkInputSpecs(shapes: readonly (number | null)[] | readonly (readonly (number | null)[])[]): void {
    checkInputSpecs(labelOf(this), this.builtInputShape, this.inputSpec(), shapes);
  }

  /**
   * @internal Run one recorded call of a graph on real tensors and return every output: one tensor for
   * most layers; layers with several outputs (an RNN with `returnState`, a nested graph) override it.
   */
  applyNode(inputs: LayerInputs, kwargs: CallKwargs): Tensor[] {
    return [this.apply(inputs, kwargs)];
  }
}

/** The layer as messages name it: `Dense 'dense_1'`. */
function labelOf(layer: Layer): string {
  return `${layer.className} '${layer.name}'`;
}
