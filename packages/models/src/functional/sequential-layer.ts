import type { CallKwargs, LayerInputs, LayerInputShapes, SymbolicShape } from '@descent/layers';
import { isShapeList, Layer } from '@descent/layers';
import type { Tensor } from '@descent/tensor';
import type { Sequential } from '../sequential.js';

/**
 * A `Sequential` as a layer of a graph model, so `seq.apply(Input(...))` nests it (Keras and TF.js
 * nest a Sequential in a functional model). One per Sequential (see `sequentialLayer`): it owns no
 * weights of its own, the Sequential's layers are its sub-layers, so weights, freezing and saving
 * go through them. It disappears once `Sequential` is itself a `Model`.
 */
export class SequentialLayer extends Layer {
  static override className = 'Sequential';

  constructor(readonly model: Sequential) {
    super({ name: model.name });
    if (model.built) {
      this.built = true;
      this.builtInputShape = model.inputShape === null ? null : [...model.inputShape];
    }
  }

  protected override subLayers(): Layer[] {
    return this.model.layers;
  }

  override build(inputShape: LayerInputShapes): void {
    if (isShapeList(inputShape)) throw new Error(`Sequential '${this.name}': expects a single input tensor, got a list of ${inputShape.length}`);
    if (!this.model.built) this.model.build([null, ...inputShape.slice(1)]);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: LayerInputShapes): SymbolicShape {
    if (isShapeList(inputShape)) throw new Error(`Sequential '${this.name}': expects a single input tensor, got a list of ${inputShape.length}`);
    const shape = [...(this.model.outputShape ?? [])];
    if (shape.length > 0) shape[0] = inputShape[0] ?? null;
    return shape;
  }

  call(inputs: LayerInputs, kwargs: CallKwargs): Tensor {
    if (Array.isArray(inputs)) throw new Error(`Sequential '${this.name}': expects a single input tensor, got a list of ${inputs.length}`);
    this.model.checkInput('apply', inputs);
    return this.model.call(inputs, kwargs.training ?? false);
  }

  override getConfig(): Record<string, unknown> {
    return this.model.getConfig();
  }
}

const adapters = new WeakMap<Sequential, SequentialLayer>();

/** The one layer that stands for `model` in graph models. */
export function sequentialLayer(model: Sequential): SequentialLayer {
  let layer = adapters.get(model);
  if (layer === undefined) {
    layer = new SequentialLayer(model);
    adapters.set(model, layer);
  }
  return layer;
}
