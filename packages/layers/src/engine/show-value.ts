// Error messages in this package show values with the one formatter of `@descent/tensor` (numbers as
// themselves, so NaN and Infinity print as `NaN`/`Infinity`; tensors and class instances named, never
// serialized); this module keeps the name the layers code imports.
export { showValue } from '@descent/tensor';
