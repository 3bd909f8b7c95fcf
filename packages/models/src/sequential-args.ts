// What a \`Sequential\` takes (constructor and \`compile\` arguments, default names) and the small checks
// and conversions its methods share.
import type { CallKwargs, Layer, LayerInputs, LayerInputShapes, LossIdentifier, MetricIdentifier, SymbolicShape } from '@descent/layers';
import type { OptimizerIdentifier } from '@descent/optimizers';
import type { Tensor } from '@descent/tensor';
import { formatShape, makeTensor } from '@descent/tensor';
import type { BatchData } from './training/data.js';
import { checkOptionKeys, COMPILE_ARGS } from './training/options.js';

// The registries' own identifier types, so `compile` autocompletes every built-in name ('adam',
// 'categoricalCrossentropy', 'accuracy', ...) in both spellings and still takes registered custom names.
export type { LossIdentifier, MetricIdentifier, OptimizerIdentifier };

/** What `compile` takes: how the model is trained and measured. */
export interface CompileArgs {
  /** An optimizer name (`'adam'`), config (`{ className, config }`) or `Optimizer` instance. */
  optimizer: OptimizerIdentifier;
  /**
   * A loss name (`'categoricalCrossentropy'`, snake_case accepted), `Loss` instance or function `(yTrue,
   * yPred) → per-sample losses`.
   */
  loss: LossIdentifier;
  /**
   * Metrics reported during `fit`/`evaluate`: names (`'accuracy'`), `Metric` instances or functions;
   * default none.
   */
  metrics?: readonly MetricIdentifier[];
}

/** Options of the `Sequential` constructor in object form. */
export interface SequentialArgs {
  /** Name of the model (default `sequential`, `sequential_1`, …). */
  name?: string;
  /** The layers, in order (more can be added with `add`). */
  layers?: readonly Layer[];
}

let sequentialCount = 0;

/** Reset the default-name counter ('sequential', 'sequential_1', …), e.g. between tests. */
export function resetSequentialNames(): void {
  sequentialCount = 0;
}

/** The next default name: 'sequential', then 'sequential_1', … */
export function defaultSequentialName(): string {
  const name = sequentialCount === 0 ? 'sequential' : `sequential_${sequentialCount}`;
  sequentialCount++;
  return name;
}

/** A non-narrowing array check, for arguments from untyped JavaScript callers. */
export function isArrayValue(v: unknown): boolean {
  return Array.isArray(v);
}

export function isLayer(v: unknown): v is Layer {
  return typeof v === 'object' && v !== null && typeof (v as Layer).apply === 'function' && typeof (v as Layer).getConfig === 'function';
}

/** A plain options object (not tensor data: no array, typed array or Tensor), as passed by mistake in y's place. */
export function isOptionsObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  return !('dataSync' in v && 'shape' in v);
}

/** `fit`'s error when y is an options object (`fit(x, { epochs })`): y is missing. */
export function missingYError(y: object): Error {
  return new Error(
    `fit: y is missing: the second argument is an options object (keys: ${Object.keys(y).join(', ') || 'none'}), but x is tensor data, not a dataset; ` +
      'call fit(x, y, options) with tensors or arrays, or fit(dataset, options) with an iterable of { xs, ys } batches',
  );
}

/** A copy that later `Variable.assign` calls cannot change. */
export function snapshot(t: Tensor): Tensor {
  return makeTensor(t.dataSync(), t.shape, t.dtype);
}

/** The one tensor of a Sequential's x or y. */
export function oneTensor(op: string, x: BatchData | LayerInputs): Tensor {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new Error(`${op}: a Sequential model takes one tensor, got a list of ${x.length}`);
    return x[0] as Tensor;
  }
  return x as Tensor;
}

/** The model's input mask from `kwargs.mask` (a Sequential has one input), or undefined when none was given. */
export function firstMask(mask: CallKwargs['mask']): Tensor | null | undefined {
  return Array.isArray(mask) ? (mask[0] ?? null) : mask;
}

/** Check `compile`'s arguments for a Sequential; returns its metric list. */
export function checkCompileArgs(args: CompileArgs): readonly MetricIdentifier[] {
  if (typeof args !== 'object' || args === null) throw new Error('compile: expected { optimizer, loss, metrics? }');
  checkOptionKeys('compile', args, COMPILE_ARGS);
  if (args.optimizer === undefined) throw new Error("compile: 'optimizer' is required (a name such as 'adam', a config object or an Optimizer)");
  if (args.loss === undefined) throw new Error("compile: 'loss' is required (a name such as 'categoricalCrossentropy', a Loss or a function)");
  const metrics = args.metrics ?? [];
  if (!isArrayValue(metrics)) throw new Error(`compile: metrics must be an array, got ${typeof metrics}`);
  return metrics;
}

/** Give each layer of `stack` its slice of `weights` (in `getWeights` order), checking the count and every shape. */
export function setStackWeights(modelName: string, stack: readonly Layer[], weights: readonly Tensor[]): void {
  const total = stack.reduce((n, l) => n + l.weights.length, 0);
  if (weights.length !== total) {
    throw new Error(`setWeights: model '${modelName}' has ${total} weights, got ${weights.length} tensors`);
  }
  let offset = 0;
  for (const layer of stack) {
    const own = layer.weights;
    const slice = weights.slice(offset, offset + own.length);
    own.forEach((w, i) => {
      const given = slice[i]!;
      if (given.shape.length !== w.shape.length || given.shape.some((d, j) => d !== w.shape[j])) {
        throw new Error(`setWeights: weight '${w.name}' of layer '${layer.name}' has shape ${formatShape(w.shape)}, got ${formatShape(given.shape)}`);
      }
    });
    if (own.length > 0) layer.setWeights(slice);
    offset += own.length;
  }
}

/** The layers and name from the constructor's arguments (a list of layers, or `{ name, layers }`, plus `{ name }`). */
export function constructorArgs(layers: readonly Layer[] | SequentialArgs | undefined, args: { name?: string }): { list: readonly Layer[]; name: string | undefined } {
  let list: readonly Layer[] = [];
  let name = args.name;
  if (Array.isArray(layers)) list = layers as readonly Layer[];
  else if (layers !== undefined) {
    const cfg = layers as SequentialArgs;
    list = cfg.layers ?? [];
    name = cfg.name ?? name;
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new Error(`Sequential: name must be a non-empty string, got ${JSON.stringify(name)}`);
  return { list, name };
}

/** `build`'s input shape, checked: an array of non-negative integers or null. */
export function checkBuildShape(shape: LayerInputShapes): SymbolicShape {
  if (!Array.isArray(shape) || (shape as readonly unknown[]).some((d) => d !== null && (typeof d !== 'number' || !Number.isInteger(d) || d < 0))) {
    throw new Error(`build: inputShape must be an array of non-negative integers or null, got ${JSON.stringify(shape)}`);
  }
  return [...(shape as SymbolicShape)];
}

/** A layer of `stack` by name or by position (negative counts from the end). */
export function findLayer(modelName: string, stack: readonly Layer[], nameOrIndex: string | number): Layer {
  if (typeof nameOrIndex === 'number') {
    const i = nameOrIndex < 0 ? stack.length + nameOrIndex : nameOrIndex;
    const layer = Number.isInteger(i) ? stack[i] : undefined;
    if (!layer) throw new Error(`getLayer: index ${nameOrIndex} is out of range; model '${modelName}' has ${stack.length} layers`);
    return layer;
  }
  const layer = stack.find((l) => l.name === nameOrIndex);
  if (!layer) {
    throw new Error(`getLayer: no layer named '${nameOrIndex}' in model '${modelName}' (layers: ${stack.map((l) => l.name).join(', ') || 'none'})`);
  }
  return layer;
}
