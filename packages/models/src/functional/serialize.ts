import type { CallKwargs, Layer, Node, RNNCallKwargs, SymbolicTensor } from '@descent/layers';
import { Functional, RNN, ScoresLayer, SymbolicTensor as SymbolicTensorClass } from '@descent/layers';
import type { JsonObject, JsonValue } from '../io/case.js';
import { checkJsonDepth, fromPythonic, isJsonObject, toPythonic } from '../io/case.js';
import type { FunctionalArgs } from '@descent/layers';
import type { Model } from './model.js';

/** The snake_case kwargs of a recorded call, as TF.js writes them in `inbound_nodes` (`{}` or `{ training: true }`). */
function kwargsJson(kwargs: Readonly<CallKwargs>): JsonObject {
  // Symbolic tensors among the kwargs (an RNN's initialState) are saved as inputs of the node instead.
  const plain = Object.entries(kwargs).filter(([, v]) => !(Array.isArray(v) && v.some((t) => t instanceof SymbolicTensorClass)));
  return toPythonic(Object.fromEntries(plain)) as JsonObject;
}

/**
 * The config of a graph model in the form TF.js (and Keras 2) write it: `{ name, layers, input_layers,
 * output_layers }`, each layer `{ class_name, config, name, inbound_nodes }` with
 * `inbound_nodes: [[[layerName, nodeIndex, tensorIndex, kwargs], ...], ...]`, one list per call.
 * `layerConfig` gives a (non-graph) layer's snake_case config.
 */
export function functionalTopologyConfig(model: Functional, layerConfig: (layer: Layer) => JsonObject): JsonObject {
  const layers = model.layers.map((layer): JsonObject => {
    const nodes = model.layerNodes(layer).filter((n: Node) => n.inputs.length > 0);
    return {
      class_name: layer instanceof Functional && layer.className !== 'Sequential' ? 'Functional' : layer.className,
      config: layer instanceof Functional && layer.className !== 'Sequential' ? functionalTopologyConfig(layer, layerConfig) : layerConfig(layer),
      name: layer.name,
      inbound_nodes: nodes.map((n) => n.inputs.map((t: SymbolicTensor) => [...model.tensorKey(t), kwargsJson(n.kwargs)])),
    };
  });
  return {
    name: model.name,
    trainable: model.trainable,
    layers,
    input_layers: model.inputs.map((t) => model.tensorKey(t)),
    output_layers: model.outputs.map((t) => model.tensorKey(t)),
  };
}

/** A reference to one output of one call: `[layerName, nodeIndex, tensorIndex]` (+ kwargs in TF.js's form). */
interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
  kwargs: Record<string, unknown>;
}

function tensorRef(raw: JsonValue, where: string): TensorRef {
  // Keras 3 writes { class_name: '__keras_tensor__', config: { keras_history: [name, node, tensor] } }.
  if (isJsonObject(raw) && raw.class_name === '__keras_tensor__' && isJsonObject(raw.config)) return tensorRef(raw.config.keras_history ?? null, where);
  if (!Array.isArray(raw) || raw.length < 3 || typeof raw[0] !== 'string' || !Number.isInteger(raw[1]) || !Number.isInteger(raw[2])) {
    throw new Error(`${where} must be [layerName, nodeIndex, tensorIndex], got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  const kwargs = raw[3] !== undefined && isJsonObject(raw[3]) ? (fromPythonic(raw[3]) as Record<string, unknown>) : {};
  return { layer: raw[0], node: raw[1] as number, tensor: raw[2] as number, kwargs };
}

/** One call's inputs in either TF.js's list form or Keras 3's `{ args, kwargs }` form; `list` when the layer got an array. */
function nodeRefs(raw: JsonValue, where: string): { refs: TensorRef[]; list: boolean; kwargs: Record<string, unknown> } {
  if (isJsonObject(raw) && Array.isArray(raw.args)) {
    const first = raw.args[0] ?? null;
    const rawKwargs: JsonObject = isJsonObject(raw.kwargs) ? { ...raw.kwargs } : {};
    // An RNN's `initial_state` tensors are inputs of the node, after the sequence (as TF.js lists them).
    const states = Array.isArray(rawKwargs.initial_state) ? rawKwargs.initial_state.map((r, i) => tensorRef(r, `${where} kwargs.initial_state[${i}]`)) : [];
    delete rawKwargs.initial_state;
    const kwargs = fromPythonic(rawKwargs) as Record<string, unknown>;
    if (Array.isArray(first)) return { refs: first.map((r, i) => tensorRef(r, `${where} args[0][${i}]`)), list: true, kwargs };
    return { refs: [tensorRef(first, `${where} args[0]`), ...states], list: false, kwargs };
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${where} must be a non-empty list of [layerName, nodeIndex, tensorIndex, kwargs], got ${JSON.stringify(raw)?.slice(0, 80)}`);
  const refs = raw.map((r, i) => tensorRef(r, `${where}[${i}]`));
  return { refs, list: refs.length > 1, kwargs: refs[0]!.kwargs };
}

/**
 * Rebuild a graph model from its snake_case config: every layer from `makeLayer` (a nested graph
 * from this function), then each recorded call replayed once its inputs exist, as Keras does.
 */
export function functionalFromTopologyConfig(config: JsonValue, where: string, makeModel: (args: FunctionalArgs) => Model, makeLayer: (entry: JsonObject, index: number) => Layer): Model {
  if (!isJsonObject(config) || !Array.isArray(config.layers)) throw new Error(`${where}: a Functional config must be { name, layers, input_layers, output_layers }`);
  const entries = config.layers;
  const layers: Layer[] = [];
  const pending: { layer: Layer; calls: JsonValue[]; next: number }[] = [];
  // Outputs of each call by layer name: outputs.get(name)[nodeIndex][tensorIndex].
  const outputs = new Map<string, SymbolicTensor[][]>();
  entries.forEach((raw, i) => {
    if (!isJsonObject(raw) || typeof raw.class_name !== 'string') throw new Error(`${where}: layer ${i} must be { class_name, config, inbound_nodes }, got ${JSON.stringify(raw)?.slice(0, 80)}`);
    const className = raw.class_name;
    const layer = className === 'Functional' || className === 'Model' ? functionalFromTopologyConfig(raw.config ?? null, `${where}: layer ${i} (nested model)`, makeModel, makeLayer) : makeLayer(raw, i);
    const name = typeof raw.name === 'string' ? raw.name : layer.name;
    if (outputs.has(name)) throw new Error(`${where}: two layers are named '${name}'`);
    layers.push(layer);
    // An InputLayer made from its config is its own call already (node 0).
    // An InputLayer made from its config is its own call already (node 0); so is a nested graph's
    // inputs→outputs (TF.js and Keras 2 number its calls from 1).
    const own =
      layer instanceof Functional && layer.built
        ? [[...layer.outputs]]
        : layer.className === 'Sequential'
          ? [[]]
          : layer.inboundNodes.length > 0 && layer.inboundNodes[0]!.inputs.length === 0
            ? [[layer.inboundNodes[0]!.outputs[0]!]]
            : [];
    outputs.set(name, own);
    const calls = Array.isArray(raw.inbound_nodes) ? raw.inbound_nodes : [];
    pending.push({ layer, calls, next: 0 });
  });
  const lookup = (ref: TensorRef): SymbolicTensor | undefined => outputs.get(ref.layer)?.[ref.node]?.[ref.tensor];
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      while (p.next < p.calls.length) {
        const at = `${where}: layer '${p.layer.name}' inbound_nodes[${p.next}]`;
        const { refs, list, kwargs } = nodeRefs(p.calls[p.next]!, at);
        for (const r of refs) if (!outputs.has(r.layer)) throw new Error(`${at} refers to layer '${r.layer}', which the config does not have`);
        const inputs = refs.map(lookup);
        if (inputs.some((t) => t === undefined)) break;
        const args = inputs as SymbolicTensor[];
        const callKwargs: CallKwargs = typeof kwargs.training === 'boolean' ? { training: kwargs.training } : {};
        let outs: SymbolicTensor[];
        try {
          // An RNN's extra inputs are its initial states (TF.js writes them after the sequence).
          const rnnStates = p.layer instanceof RNN && !p.layer.acceptsInputList && args.length > 1;
          if (rnnStates) (callKwargs as RNNCallKwargs).initialState = args.slice(1);
          const layerInputs = (list || p.layer.acceptsInputList) && !rnnStates ? args : args[0]!;
          // A nested model with several outputs gives them all.
          // So does an RNN with returnState ([output, ...states], its inbound tensor indices 1, 2, …).
          outs =
            p.layer instanceof Functional && p.layer.outputs.length > 1
              ? p.layer.applyOutputs(layerInputs, callKwargs)
              : p.layer instanceof RNN && p.layer.returnState && !Array.isArray(layerInputs)
                ? p.layer.applyWithState(layerInputs, callKwargs)
                : // Attention layers read their call options (causal mask, scores, a mask input) from the saved kwargs.
                  p.layer instanceof ScoresLayer
                  ? p.layer.applySavedCall(args, kwargs)
                  : [p.layer.apply(layerInputs, callKwargs)];
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          throw new Error(`${at}: ${message}`, { cause: err });
        }
        outputs.get(p.layer.name)!.push(outs);
        p.next++;
        progress = true;
      }
    }
  }
  const stuck = pending.find((p) => p.next < p.calls.length);
  if (stuck) throw new Error(`${where}: layer '${stuck.layer.name}' inbound_nodes[${stuck.next}] needs a tensor that no layer of the config produces (the graph has a cycle or a missing layer)`);
  const refList = (raw: JsonValue | undefined, what: string): SymbolicTensor[] => {
    if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${where}: ${what} must be a non-empty list of [layerName, nodeIndex, tensorIndex]`);
    // Keras 3 writes a single input as [name, node, tensor] instead of a list of them.
    const list = typeof raw[0] === 'string' ? [raw] : raw;
    return list.map((r, i) => {
      const ref = tensorRef(r, `${where}: ${what}[${i}]`);
      const t = lookup(ref);
      if (t === undefined) throw new Error(`${where}: ${what}[${i}] refers to ${JSON.stringify(r)}, which the config does not produce`);
      return t;
    });
  };
  const inputs = refList(config.input_layers, 'input_layers');
  const outs = refList(config.output_layers, 'output_layers');
  const model = makeModel({ inputs, outputs: outs, ...(typeof config.name === 'string' ? { name: config.name } : {}) });
  if (config.trainable === false) model.trainable = false;
  return model;
}

/** A snake_case Functional topology (as model.json holds it) with camelCase graph keys (`Model.getConfig`'s form). */
export function camelTopology(t: JsonObject): Record<string, unknown> {
  const layers = Array.isArray(t.layers) ? t.layers : [];
  return {
    name: t.name,
    trainable: t.trainable,
    layers: layers.map((raw) => {
      const l = raw as JsonObject;
      const nested = l.class_name === 'Functional' && isJsonObject(l.config ?? null);
      return { className: l.class_name, config: nested ? camelTopology(l.config as JsonObject) : l.config, name: l.name, inboundNodes: l.inbound_nodes };
    }),
    inputLayers: t.input_layers,
    outputLayers: t.output_layers,
  };
}

/**
 * `Model.getConfig`'s form back to model.json's: graph keys and layer configs to snake_case. A config
 * already in model.json's form (layers with `class_name`) is returned as it is.
 */
function snakeTopology(t: JsonObject): JsonObject {
  if (t.input_layers !== undefined || t.output_layers !== undefined) return t;
  const layers = Array.isArray(t.layers) ? t.layers : [];
  const out: JsonObject = {
    layers: layers.map((raw): JsonValue => {
      if (!isJsonObject(raw) || raw.class_name !== undefined) return raw;
      const nested = raw.className === 'Functional' && isJsonObject(raw.config ?? null);
      return {
        class_name: raw.className ?? null,
        config: nested ? snakeTopology(raw.config as JsonObject) : toPythonic(raw.config ?? {}),
        name: raw.name ?? null,
        inbound_nodes: raw.inboundNodes ?? [],
      };
    }),
    input_layers: t.inputLayers ?? null,
    output_layers: t.outputLayers ?? null,
  };
  if (t.name !== undefined) out.name = t.name;
  if (t.trainable !== undefined) out.trainable = t.trainable;
  return out;
}

/** How a Functional topology becomes a model; set by io/load.ts (which imports this module, so it cannot be imported here). */
let topologyLoader: ((topology: JsonObject, source: string) => Model) | null = null;

/** @internal Register the topology loader `Model.fromConfig` uses (io/load.ts does, when it is loaded). */
export function setTopologyLoader(loader: (topology: JsonObject, source: string) => Model): void {
  topologyLoader = loader;
}

/** `Model.fromConfig`: a graph model from `Model.getConfig()` output or a model.json `Functional` topology's config. */
export function modelFromConfig(config: Record<string, unknown>): Model {
  const source = 'Model.fromConfig';
  if (typeof config !== 'object' || config === null || Array.isArray(config) || !Array.isArray(config.layers)) {
    throw new Error(`${source}: expected { name, layers, inputLayers, outputLayers } (what Model.getConfig() returns), got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config}`);
  }
  if (topologyLoader === null) throw new Error(`${source}: the model loader is not registered (import Model from '@descent/models', not from one of its files)`);
  checkJsonDepth(config, `${source}: config`);
  return topologyLoader({ class_name: 'Functional', config: snakeTopology(config as JsonObject) }, source);
}
