/**
 * The float32 bit patterns of a tensor's values (anything with `dataSync()`) or of an array, so results
 * can be compared bit for bit — NaN payloads and −0 included — with `toEqual`.
 */
export function float32Bits(values: { dataSync(): ArrayLike<number> } | ArrayLike<number>): Uint32Array {
  const data = 'dataSync' in values ? values.dataSync() : values;
  return new Uint32Array(Float32Array.from(data).buffer);
}
