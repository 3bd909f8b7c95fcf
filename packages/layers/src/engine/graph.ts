import { Tensor as TensorClass } from '@descent/tensor';
import type { Layer } from './layer.js';
import { showValue } from './show-value.js';
import type { Node } from './symbolic.js';
import { SymbolicTensor } from './symbolic.js';

// How a graph model finds its graph: from its inputs and outputs back through the layers' calls
// (`makeGraph`), checked as `new Model({ inputs, outputs })` promises.

/** Graph inputs or outputs: one symbolic tensor, an array, or an object keyed by name. */
export type SymbolicStructure = SymbolicTensor | readonly SymbolicTensor[] | Readonly<Record<string, SymbolicTensor>>;

/** @internal A graph's inputs and outputs (with their names), its nodes in running order and its layers. */
export interface Graph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  inputNames: string[];
  outputNames: string[];
  nodes: Node[];
  layers: Layer[];
}

/** @internal The graph of a model whose graph is not known yet. */
export const EMPTY_GRAPH: Graph = { inputs: [], outputs: [], inputNames: [], outputNames: [], nodes: [], layers: [] };

/**
 * @internal The graph from `inputs` to `outputs` (each one symbolic tensor, an array or an object of
 * them), checked, with each node's index among its layer's calls in this graph. `op` names the model in
 * errors; `isNestedModel` tells the models among the layers, whose calls count from 1.
 */
export function makeGraph(op: string, inputs: SymbolicStructure, outputs: SymbolicStructure, isNestedModel: (layer: Layer) => boolean): { graph: Graph; nodeIndexes: Map<Node, number> } {
  const ins = flatten(op, 'inputs', inputs);
  const outs = flatten(op, 'outputs', outputs);
  ins.tensors.forEach((t, i) => {
    if (t.node.inputs.length > 0) {
      throw new Error(`${op}: inputs[${i}] is the output of layer '${t.sourceLayer.name}', not a graph input; a model's inputs must come from Input(...)`);
    }
  });
  if (new Set(ins.tensors).size !== ins.tensors.length) throw new Error(`${op}: the same Input is listed twice in inputs`);
  const { nodes, layers } = walk(op, ins.tensors, outs.tensors);
  const names = new Map<string, Layer>();
  const nodeIndexes = new Map<Node, number>();
  const graphNodeSet = new Set([...ins.tensors.map((t) => t.node), ...nodes]);
  for (const layer of layers) {
    const other = names.get(layer.name);
    if (other !== undefined && other !== layer) {
      throw new Error(`${op}: two different layers are named '${layer.name}'; layer names must be unique in a model (give one another name)`);
    }
    names.set(layer.name, layer);
    // As in TF.js and Keras 2, a nested model's (graph or Sequential) own inputs→outputs call is its
    // node 0, so its calls in this graph count from 1; saved files depend on it.
    let k = isNestedModel(layer) ? 1 : 0;
    for (const node of layer.inboundNodes) if (graphNodeSet.has(node)) nodeIndexes.set(node, k++);
  }
  const graph: Graph = {
    inputs: ins.tensors,
    outputs: outs.tensors,
    inputNames: ins.keys ?? ins.tensors.map((t) => t.sourceLayer.name),
    outputNames: outs.keys ?? uniqueNames(outs.tensors.map((t) => t.sourceLayer.name)),
    nodes,
    layers,
  };
  return { graph, nodeIndexes };
}

/** The tensors of a `SymbolicStructure`, and its keys when it is an object; `op` and `what` name it in errors. */
function flatten(op: string, what: string, value: SymbolicStructure): { tensors: SymbolicTensor[]; keys: string[] | null } {
  const fail = (): Error =>
    new Error(`${op}: ${what} must be a symbolic tensor (from Input() or a layer called on one), an array of them or an object of them by name, got ${showValue(value)}`);
  if (value instanceof SymbolicTensor) return { tensors: [value], keys: null };
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    if (list.length === 0) throw fail();
    list.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        const hint = t instanceof TensorClass ? ' (a real Tensor: graphs are built from Input(...), not from data)' : '';
        throw new Error(`${op}: ${what}[${i}] must be a symbolic tensor${hint}, got ${showValue(t)}`);
      }
    });
    return { tensors: [...(list as SymbolicTensor[])], keys: null };
  }
  if (typeof value === 'object' && value !== null && !(value instanceof TensorClass)) {
    const entries = Object.entries(value);
    if (entries.length === 0) throw fail();
    for (const [k, t] of entries) if (!(t instanceof SymbolicTensor)) throw new Error(`${op}: ${what}.${k} must be a symbolic tensor, got ${showValue(t)}`);
    return { tensors: entries.map(([, t]) => t), keys: entries.map(([k]) => k) };
  }
  throw fail();
}

/** Depth-first from the outputs back to the inputs: the nodes in an order that runs each after its inputs. */
function walk(op: string, inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): { nodes: Node[]; layers: Layer[] } {
  const inputSet = new Set(inputs);
  const done = new Set<Node>();
  const nodes: Node[] = [];
  const visit = (t: SymbolicTensor, path: readonly string[]): void => {
    if (inputSet.has(t)) return;
    const node = t.node;
    if (node.inputs.length === 0) {
      const names = inputs.map((i) => `'${i.name}'`).join(', ');
      throw new Error(`${op}: output ${path[0] ?? ''} depends on input '${t.name}', which is not among the model's inputs (${names}); pass it in inputs`);
    }
    if (done.has(node)) return;
    done.add(node);
    for (const i of node.inputs) visit(i, path);
    nodes.push(node);
  };
  outputs.forEach((t, i) => visit(t, [`${i} ('${t.name}')`]));
  const layers: Layer[] = [];
  const seen = new Set<Layer>();
  for (const node of [...inputs.map((t) => t.node), ...nodes]) {
    if (!seen.has(node.layer)) {
      seen.add(node.layer);
      layers.push(node.layer);
    }
  }
  return { nodes, layers };
}

/** Names made unique by suffixes (`dense`, `dense_1`) where one layer produces two outputs. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : `${n}_${k}`;
  });
}
