import type { DType, Tensor } from '@descent/tensor';
import type { Constraint } from '../constraints/index.js';
import type { Initializer } from '../initializers/index.js';
import type { getRegularizer, Regularizer } from '../regularizers/index.js';
import type { SymbolicShape } from './shape-utils.js';
import { formatSymbolic } from './shape-utils.js';
import type { SymbolicTensor } from './symbolic.js';

// The option, keyword and shape types of the Layer base (re-exported by layer.ts, where users import them).

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
