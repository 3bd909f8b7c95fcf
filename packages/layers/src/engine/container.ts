import type { Variable } from '@descent/autograd';
import type { DType, Tensor } from '@descent/tensor';
import { formatShape, Tensor as TensorClass } from '@descent/tensor';
import { scoped } from '@descent/autograd';
import type { CallKwargs, LayerInputs, LayerInputShapes, SymbolicInputs } from './layer.js';
import { isShapeList, Layer } from './layer.js';
import type { SymbolicShape } from './shape-utils.js';
import { formatSymbolic } from './shape-utils.js';
import { showValue } from './show-value.js';
import type { Node } from './symbolic.js';
import { isSymbolicInput, SymbolicTensor } from './symbolic.js';
import { getMask, setMask } from './mask.js';
import type { Graph, SymbolicStructure } from './graph.js';
import { EMPTY_GRAPH, makeGraph } from './graph.js';

export type { SymbolicStructure } from './graph.js';

/** Options of a graph model (`new Model({ inputs, outputs, name })`). */
export interface FunctionalArgs {
  /** The graph's inputs: tensors returned by `Input(...)` (one, an array, or an object keyed by name). */
  inputs: SymbolicStructure;
  /** The tensors the model computes (one, an array, or an object keyed by name). */
  outputs: SymbolicStructure;
  /** Name of the model (unique default `functional`, `functional_1`, …). */
  name?: string;
  /** Whether fit updates the model's weights (default true); `false` freezes every layer in it. */
  trainable?: boolean;
}

/** A layer's call inside a graph, as configs and summaries name it: `[layerName, nodeIndex, tensorIndex]`. */
export type TensorKey = [string, number, number];

/**
 * @internal What a subclass passes instead of `{ inputs, outputs }` when its graph is known only
 * later (a `Sequential` before its input shape is): the model starts unbuilt, with no inputs or
 * outputs, until the subclass calls `setGraph`.
 */
export interface DeferredGraphArgs {
  name: string;
  deferGraph: true;
}

/**
 * A graph of layers as one layer (Keras's `Functional`, TF.js's `Container`): built from the
 * symbolic tensors of `Input(...)` and the layers called on them. It runs its nodes in topological
 * order on real tensors, can itself be called on symbolic or real tensors inside another model, and
 * owns the weights of every layer in it (a layer used twice counts once). `Model` in
 * `@descent/models` adds training to it.
 */
export class Functional extends Layer {
  static override className = 'Functional';

  private graph: Graph = EMPTY_GRAPH;
  private nodeIndexes = new Map<Node, number>();
  /** A graph passes masks through its layers itself; see `computeMask`. */
  override supportsMasking = true;

  constructor(args: FunctionalArgs | DeferredGraphArgs) {
    if (typeof args !== 'object' || args === null) throw new Error(`${new.target.className ?? 'Functional'}: expected { inputs, outputs, name? }, got ${showValue(args)}`);
    const layerArgs: { name?: string; trainable?: boolean } = {};
    if (args.name !== undefined) layerArgs.name = args.name;
    super(layerArgs);
    if ('deferGraph' in args && args.deferGraph === true) return;
    const graphArgs = args as FunctionalArgs;
    const op = `${this.className} '${this.name}'`;
    for (const key of Object.keys(graphArgs)) {
      if (!['inputs', 'outputs', 'name', 'trainable'].includes(key)) throw new Error(`${op}: unknown option '${key}'; valid options: inputs, outputs, name, trainable`);
    }
    if (graphArgs.inputs === undefined) throw new Error(`${op}: 'inputs' is required (the tensors returned by Input(...))`);
    if (graphArgs.outputs === undefined) throw new Error(`${op}: 'outputs' is required (the symbolic tensors the model computes)`);
    this.setGraph(graphArgs.inputs, graphArgs.outputs);
    if (graphArgs.trainable === false) this.trainable = false;
  }

  /**
   * @internal Make `inputs` → `outputs` the model's graph (checked as the constructor checks it):
   * what a subclass with a deferred graph calls once it knows it, and again whenever it changes.
   */
  protected setGraph(inputs: SymbolicStructure, outputs: SymbolicStructure): void {
    const op = `${this.className} '${this.name}'`;
    const { graph, nodeIndexes } = makeGraph(op, inputs, outputs, (layer) => layer instanceof Functional || layer.className === 'Sequential');
    this.graph = graph;
    this.nodeIndexes = nodeIndexes;
    const ins = graph.inputs;
    if (ins.length === 1) this.batchInputShape = [...ins[0]!.shape];
    this.builtInputShape = ins.length === 1 ? [...ins[0]!.shape] : ins.map((t) => [...t.shape]);
    this.built = true;
  }

  /** @internal Forget the graph (a subclass with a deferred graph going back to unbuilt). */
  protected clearGraph(): void {
    this.graph = EMPTY_GRAPH;
    this.nodeIndexes = new Map();
    this.builtInputShape = null;
    this.built = false;
  }

  /** The graph's inputs (the outputs of its `Input` layers), in order. */
  get inputs(): SymbolicTensor[] {
    return this.graph.inputs;
  }

  /** The graph's outputs, in order. */
  get outputs(): SymbolicTensor[] {
    return this.graph.outputs;
  }

  /** One name per input: the keys when `inputs` was an object, else the input layers' names. Keys of `x` objects. */
  get inputNames(): string[] {
    return this.graph.inputNames;
  }

  /** One name per output: the keys when `outputs` was an object, else the producing layers' names. Keys of `y` objects and history. */
  get outputNames(): string[] {
    return this.graph.outputNames;
  }

  /** @internal The layer calls to run, in topological order (graph inputs excluded). */
  get graphNodes(): Node[] {
    return this.graph.nodes;
  }

  /** Every layer of the graph, input layers first, each once (a shared layer is listed once). */
  get layers(): Layer[] {
    return [...this.graph.layers];
  }

  /** The input layers, one per input. */
  get inputLayers(): Layer[] {
    return this.inputs.map((t) => t.sourceLayer);
  }

  /** The layers that produce the outputs, one per output. */
  get outputLayers(): Layer[] {
    return this.outputs.map((t) => t.sourceLayer);
  }

  /** A layer by name or by position in `layers` (negative counts from the end). */
  getLayer(nameOrIndex: string | number): Layer {
    const list = this.graph.layers;
    if (typeof nameOrIndex === 'number') {
      const i = nameOrIndex < 0 ? list.length + nameOrIndex : nameOrIndex;
      const layer = Number.isInteger(i) ? list[i] : undefined;
      if (!layer) throw new Error(`getLayer: index ${nameOrIndex} is out of range; model '${this.name}' has ${list.length} layers`);
      return layer;
    }
    const layer = list.find((l) => l.name === nameOrIndex);
    if (!layer) throw new Error(`getLayer: no layer named '${String(nameOrIndex)}' in model '${this.name}' (layers: ${list.map((l) => l.name).join(', ')})`);
    return layer;
  }

  /**
   * Index of `node` among its layer's calls in this graph (calls in other graphs are not counted;
   * a nested graph's calls count from 1), as `inbound_nodes` and the summary's "Connected to" number them.
   */
  nodeIndex(node: Node): number {
    const i = this.nodeIndexes.get(node);
    if (i === undefined) throw new Error(`${this.className} '${this.name}': node of layer '${node.layer.name}' is not in this graph`);
    return i;
  }

  /** The calls of `layer` that belong to this graph, in order (an Input layer's one node included). */
  layerNodes(layer: Layer): Node[] {
    return layer.inboundNodes.filter((n) => this.nodeIndexes.has(n));
  }

  /** `[layerName, nodeIndex, tensorIndex]` of a symbolic tensor of this graph. */
  tensorKey(t: SymbolicTensor): TensorKey {
    return [t.sourceLayer.name, this.nodeIndex(t.node), t.index];
  }

  protected override subLayers(): Layer[] {
    return this.graph.layers;
  }

  override get weights(): Variable[] {
    return unique(super.weights);
  }

  override get trainableWeights(): Variable[] {
    return unique(super.trainableWeights);
  }

  override get nonTrainableWeights(): Variable[] {
    return unique(super.nonTrainableWeights);
  }

  override get acceptsInputList(): boolean {
    return this.inputs.length > 1;
  }

  override build(inputShape: LayerInputShapes): void {
    // A graph is built when it is made; only check what it is given.
    this.checkShapes(isShapeList(inputShape) && this.inputs.length > 1 ? inputShape : [inputShape as SymbolicShape]);
  }

  private checkShapes(shapes: readonly (readonly (number | null)[])[]): void {
    if (shapes.length !== this.inputs.length) {
      throw new Error(`${this.className} '${this.name}': expects ${this.inputs.length} input${this.inputs.length === 1 ? '' : 's'} (${this.inputNames.join(', ')}), got ${shapes.length}`);
    }
    shapes.forEach((shape, i) => {
      const want = this.inputs[i]!.shape;
      const ok = shape.length === want.length && want.every((d, j) => d === null || shape[j] === null || shape[j] === d);
      if (!ok) {
        throw new Error(`${this.className} '${this.name}': input '${this.inputNames[i]}' expects shape ${formatSymbolic(want)}, got ${formatSymbolic([...shape])}`);
      }
    });
  }

  override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    this.requireSingleOutput('computeOutputShape');
    return this.outputShapeFor(0, inputShape);
  }

  /** Output `i`'s shape for inputs of `inputShape`: the graph's, with the inputs' batch size where the graph's is free. */
  private outputShapeFor(i: number, inputShape: LayerInputShapes): SymbolicShape {
    const batch = isShapeList(inputShape) ? (inputShape[0]?.[0] ?? null) : (inputShape[0] ?? null);
    const shape = [...this.outputs[i]!.shape];
    if (shape.length > 0 && shape[0] === null) shape[0] = batch;
    return shape;
  }

  protected override outputDtype(): DType {
    return this.outputs[0]!.dtype;
  }

  protected override symbolicOutputs(inputShapes: LayerInputShapes): { shape: SymbolicShape; dtype: DType }[] {
    return this.outputs.map((t, i) => ({ shape: this.outputShapeFor(i, inputShapes), dtype: t.dtype }));
  }

  /**
   * Call the model inside a graph being built and get every output: `const [a, b] = inner.applyOutputs(x)`
   * (`apply` gives one tensor, so a model with several outputs is nested with this). On real tensors it
   * runs the model and returns one tensor per output.
   */
  applyOutputs(inputs: SymbolicInputs, kwargs?: CallKwargs): SymbolicTensor[];
  applyOutputs(inputs: LayerInputs, kwargs?: CallKwargs): Tensor[];
  applyOutputs(inputs: LayerInputs | SymbolicInputs, kwargs: CallKwargs = {}): Tensor[] | SymbolicTensor[] {
    if (isSymbolicInput(inputs)) {
      if (Array.isArray(inputs) && !this.acceptsInputList) throw new Error(`${this.className} '${this.name}': expects a single input tensor, got a list of ${inputs.length}`);
      return this.recordCall(inputs, kwargs);
    }
    // The outputs' masks leave the scope with them.
    const [outs] = scoped(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const { kwargs: withMask } = this.withInputMask(list.length === 1 ? list[0]! : list, kwargs);
      const values = this.runGraph(list, withMask);
      return [values, values.map((t) => getMask(t))] as [Tensor[], (Tensor | null)[]];
    });
    return outs;
  }

  override apply(inputs: SymbolicInputs, kwargs?: CallKwargs): SymbolicTensor;
  override apply(inputs: LayerInputs, kwargs?: CallKwargs): Tensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs?: CallKwargs): Tensor | SymbolicTensor;
  override apply(inputs: LayerInputs | SymbolicInputs, kwargs: CallKwargs = {}): Tensor | SymbolicTensor {
    this.requireSingleOutput('apply');
    return super.apply(inputs, kwargs);
  }

  /**
   * A graph's output carries the mask its last layer gave it while the graph ran (`runGraph` attaches
   * the input masks to the inputs and every layer passes them on), so there is nothing to add here: an
   * output that no layer masked has no mask.
   */
  override computeMask(): Tensor | null {
    return null;
  }

  /** @internal A nested graph's layers collect with it, so a nested model called twice keeps both calls' penalties. */
  override collectActivity(collect: boolean): void {
    super.collectActivity(collect);
    for (const layer of this.graph.layers) layer.collectActivity(collect);
  }

  /** @internal Every output of one call inside an enclosing graph. */
  override applyNode(inputs: LayerInputs, kwargs: CallKwargs): Tensor[] {
    return this.outputs.length > 1 ? this.applyOutputs(inputs, kwargs) : [this.apply(inputs, kwargs)];
  }

  private requireSingleOutput(op: string): void {
    if (this.outputs.length !== 1) {
      throw new Error(`${this.className} '${this.name}': ${op} gives one tensor, but the model has ${this.outputs.length} outputs (${this.outputNames.join(', ')}); use applyOutputs(), runGraph() or predict(), which return one tensor per output`);
    }
  }

  /** The model's single output for `inputs` (one tensor, or one per input): what `apply` runs on real tensors. */
  call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
    this.requireSingleOutput('apply');
    return this.runGraph(Array.isArray(inputs) ? inputs : [inputs], kwargs)[0]!;
  }

  /**
   * Run the graph on real tensors, one per input in `inputs` order; returns one tensor per output.
   * Each node runs once, after its inputs; the caller owns the scope (`apply`, `predict` and the
   * training step run it inside theirs, so intermediates are released).
   */
  runGraph(inputs: readonly Tensor[], kwargs: CallKwargs = {}): Tensor[] {
    if (inputs.length !== this.inputs.length) {
      throw new Error(`${this.className} '${this.name}': expects ${this.inputs.length} input tensor${this.inputs.length === 1 ? '' : 's'} (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const values = new Map<SymbolicTensor, Tensor>();
    // The graph's input masks ride on its input tensors (`getMask`), as each layer's do; the nodes
    // must not see the graph's own `mask` kwarg, which describes the graph's inputs, not theirs.
    const { mask: inputMasks, ...nodeKwargs } = kwargs;
    this.inputs.forEach((s, i) => {
      let t = inputs[i]!;
      if (!(t instanceof TensorClass)) throw new Error(`${this.className} '${this.name}': input '${this.inputNames[i]}' must be a Tensor, got ${showValue(t)}`);
      const ok = t.rank === s.shape.length && s.shape.every((d, j) => d === null || d === t.shape[j]);
      if (!ok) throw new Error(`${this.className} '${this.name}': input '${this.inputNames[i]}' expects shape ${formatSymbolic(s.shape)}, got ${formatShape(t.shape)}`);
      if (inputMasks !== undefined) {
        const m = Array.isArray(inputMasks) ? (inputMasks[i] ?? null) : i === 0 ? inputMasks : null;
        // A view of the caller's tensor carries the given mask, so the caller's own tensor keeps its own.
        if (getMask(t) !== m) {
          t = t.reshape([...t.shape]);
          setMask(t, m);
        }
      }
      values.set(s, t);
    });
    // A layer called several times (shared) keeps the activity penalty of every call, as Keras sums them.
    const layers = this.graph.layers;
    for (const layer of layers) layer.collectActivity(true);
    try {
      for (const node of this.graphNodes) {
        const args = node.inputs.map((t) => values.get(t)!);
        // A training flag fixed when the graph was built (`layer.apply(x, { training: true })`) wins, as in Keras.
        const callKwargs: CallKwargs = { ...nodeKwargs, ...node.kwargs };
        // Symbolic tensors in the recorded kwargs (an RNN's initialState) become their computed values.
        for (const [k, v] of Object.entries(callKwargs)) {
          if (Array.isArray(v) && v.some((t) => t instanceof SymbolicTensor)) (callKwargs as Record<string, unknown>)[k] = (v as SymbolicTensor[]).map((t) => values.get(t)!);
        }
        const layerInputs = node.inputIsList ? args : args[0]!;
        // One tensor per output: several for a nested model with several outputs or an RNN with returnState.
        const outs = node.layer.applyNode(layerInputs, callKwargs);
        node.outputs.forEach((t, i) => values.set(t, outs[i]!));
      }
    } finally {
      for (const layer of layers) layer.collectActivity(false);
    }
    return this.outputs.map((t) => values.get(t)!);
  }
}


function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

