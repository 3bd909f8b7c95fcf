export type { AddWeightOptions, CallKwargs, InputSpec, LayerArgs, LayerInputs, LayerInputShapes, RegularizerId, WeightCheck } from './layer.js';
export { isShapeList, Layer, withWeightCheck } from './layer.js';
export type { OwnOptionKeys } from './options.js';
export { checkLayerOptions, layerOptions } from './options.js';
export { resetLayerNames, toSnakeCase, uniqueLayerName } from './naming.js';
export type { LayerClass, LayerClassName, LayerSpec } from './registry.js';
export { deserializeLayer, listLayers, registerLayer, serializeLayer } from './registry.js';
export type { PaddingMode, SymbolicShape } from './shape_utils.js';
export { convOutputLength, deconvOutputLength, formatSymbolic } from './shape_utils.js';
