import type { DType } from '@descent/tensor';
import type { CallKwargs, Layer } from './layer.js';
import type { SymbolicShape } from './shape-utils.js';
import { formatSymbolic } from './shape-utils.js';

let nextTensorId = 0;

/**
 * A placeholder for a tensor in a graph under construction (Keras's `KerasTensor`, TF.js's
 * `SymbolicTensor`): what `Input(...)` returns and what a layer returns when it is called on
 * symbolic tensors. It holds no data, only the shape (batch axis `null` unless fixed), the dtype
 * and the node that produced it, so that `new Model({ inputs, outputs })` can find the graph.
 */
export class SymbolicTensor {
  /** Unique id, in creation order. */
  readonly id: number;

  constructor(
    /** Shape with `null` for unknown dims (usually the batch axis). */
    readonly shape: SymbolicShape,
    /** Dtype of the tensor the graph will compute here. */
    readonly dtype: DType,
    /** The call of a layer that produces this tensor. */
    readonly node: Node,
    /** Which output of that call this is (0 for single-output layers). */
    readonly index: number,
    /** `layerName/outputIndex`, or the Input's name for graph inputs. */
    readonly name: string,
  ) {
    this.id = nextTensorId++;
  }

  /** The layer whose call produced this tensor (an `InputLayer` for a graph input). */
  get sourceLayer(): Layer {
    return this.node.layer;
  }

  /** Number of axes, batch axis included. */
  get rank(): number {
    return this.shape.length;
  }

  /** A readable description: `SymbolicTensor(name=…, shape=[null,784], dtype=float32)`. */
  toString(): string {
    return `SymbolicTensor(name=${this.name}, shape=${formatSymbolic(this.shape)}, dtype=${this.dtype})`;
  }
}

/** True for a symbolic tensor or a non-empty array of them. */
export function isSymbolicInput(value: unknown): value is SymbolicTensor | SymbolicTensor[] {
  if (value instanceof SymbolicTensor) return true;
  return Array.isArray(value) && value.length > 0 && value.some((v) => v instanceof SymbolicTensor);
}

/**
 * One call of a layer on symbolic tensors (Keras's `Node`): the layer, the tensors it was called
 * on and those it returned. A layer called twice has two nodes and one set of weights.
 */
export class Node {
  /** The symbolic tensors the call returned, filled in by the layer when it records the call. */
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    /** The layer that was called. */
    readonly layer: Layer,
    /** The tensors it was called on (empty for an Input's node). */
    readonly inputs: readonly SymbolicTensor[],
    /** True when the layer was given an array (`add([a, b])`), false for one tensor. */
    readonly inputIsList: boolean,
    /** The keyword arguments of the call (replayed when the graph runs, except `training`). */
    readonly kwargs: Readonly<CallKwargs> = {},
  ) {}

  /** The layers that produced this call's inputs. */
  get inboundLayers(): Layer[] {
    return this.inputs.map((t) => t.node.layer);
  }

  /** Input shapes as the layer saw them (one shape, or one per input for a list). */
  get inputShapes(): SymbolicShape | SymbolicShape[] {
    // An Input's own node has no inputs: its shape is its output's.
    if (this.inputs.length === 0) return [...this.outputs[0]!.shape];
    return this.inputIsList ? this.inputs.map((t) => [...t.shape]) : [...this.inputs[0]!.shape];
  }
}

/** A call's input(s); an Input's own node (no inputs) gives its output, as Keras's `InputLayer.input`. */
export function nodeInputs(node: Node): SymbolicTensor | SymbolicTensor[] {
  if (node.inputs.length === 0) return node.outputs[0]!;
  return node.inputIsList ? [...node.inputs] : node.inputs[0]!;
}

/**
 * The one node of `nodes` (a layer's calls on symbolic tensors), or an error naming the layer (`label`)
 * and `what` was asked for when there are none or several.
 */
export function singleNode(label: string, nodes: readonly Node[], what: string): Node {
  const n = nodes.length;
  if (n === 1) return nodes[0]!;
  if (n === 0) throw new Error(`${label}: ${what} is only defined once the layer was called on symbolic tensors (Input(...)), and it never was`);
  throw new Error(`${label}: the layer was called ${n} times on symbolic tensors, so ${what} is ambiguous; use ${what === 'input' || what === 'inputShape' ? 'getInputAt' : 'getOutputAt'}(nodeIndex)`);
}

/** Node `index` of `nodes` (negative counts from the end), or an error naming the layer (`label`). */
export function nodeAt(label: string, nodes: readonly Node[], index: number): Node {
  const i = index < 0 ? nodes.length + index : index;
  const node = Number.isInteger(i) ? nodes[i] : undefined;
  if (!node) throw new Error(`${label}: node index ${index} is out of range; the layer was called ${nodes.length} times on symbolic tensors`);
  return node;
}
