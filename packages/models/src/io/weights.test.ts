import { makeTensor, tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import type { WeightSpec } from './weights.js';
import { concatBuffers, decodeWeights, encodeWeights } from './weights.js';

describe('weights.bin encoding', () => {
  it('concatenates float32, int32 and bool values little-endian in manifest order', () => {
    const { specs, data } = encodeWeights([
      { name: 'a/kernel', tensor: tensor([[1.5, -2]]) },
      { name: 'a/flag', tensor: tensor([true, false, true]) },
      { name: 'a/count', tensor: tensor([7], [1], 'int32'), group: 'optimizer' },
    ]);
    expect(specs).toEqual([
      { name: 'a/kernel', shape: [1, 2], dtype: 'float32' },
      { name: 'a/flag', shape: [3], dtype: 'bool' },
      { name: 'a/count', shape: [1], dtype: 'int32', group: 'optimizer' },
    ]);
    // 2·4 + 3·1 + 1·4 bytes, no padding.
    expect(data.byteLength).toBe(15);
    const view = new DataView(data);
    expect(view.getFloat32(0, true)).toBe(1.5);
    expect(view.getFloat32(4, true)).toBe(-2);
    expect([view.getUint8(8), view.getUint8(9), view.getUint8(10)]).toEqual([1, 0, 1]);
    // The int32 after the 3 bool bytes is unaligned: decoding must copy, not view.
    expect(view.getInt32(11, true)).toBe(7);
    const decoded = decodeWeights(data, specs, 'test');
    expect(decoded.map((d) => d.tensor.toArray())).toEqual([[[1.5, -2]], [1, 0, 1], [7]]);
    expect(decoded.map((d) => d.tensor.dtype)).toEqual(['float32', 'bool', 'int32']);
  });

  it('joins shards in order', () => {
    const a = new Uint8Array([1, 2]).buffer;
    const b = new Uint8Array([3]).buffer;
    expect([...new Uint8Array(concatBuffers([a, b]))]).toEqual([1, 2, 3]);
  });

  it('decodes uint8/uint16 quantization as q·scale + min and float16 as half floats', () => {
    const buf = new ArrayBuffer(3 + 4 + 6);
    const v = new DataView(buf);
    [0, 10, 255].forEach((q, i) => v.setUint8(i, q));
    v.setUint16(3, 0, true);
    v.setUint16(5, 1000, true);
    // float16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800
    v.setUint16(7, 0x3c00, true);
    v.setUint16(9, 0xc000, true);
    v.setUint16(11, 0x3800, true);
    const specs: WeightSpec[] = [
      { name: 'q8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'q16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2 } },
      { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    const out = decodeWeights(buf, specs, 'q');
    expect(Array.from(out[0]!.tensor.dataSync())).toEqual([-1, 4, 126.5]);
    const q16 = out[1]!.tensor.dataSync();
    expect(q16[0]).toBeCloseTo(2, 6);
    expect(q16[1]).toBeCloseTo(3, 6);
    expect(Array.from(out[2]!.tensor.dataSync())).toEqual([1, -2, 0.5]);
  });

  it('names the source and the weight when the data is truncated, and rejects extra bytes', () => {
    const { specs, data } = encodeWeights([
      { name: 'd/kernel', tensor: makeTensor(new Float32Array(6), [2, 3], 'float32') },
      { name: 'd/bias', tensor: makeTensor(new Float32Array(3), [3], 'float32') },
    ]);
    expect(() => decodeWeights(data.slice(0, 30), specs, 'dir/weights.bin')).toThrow(
      /dir\/weights\.bin: weight data is truncated: it holds 30 bytes but the manifest needs 36; weight 'd\/bias' \[3\] float32 needs bytes 24\.\.36/,
    );
    expect(() => decodeWeights(concatBuffers([data, new ArrayBuffer(4)]), specs, 'w.bin')).toThrow(/w\.bin: weight data holds 40 bytes but the manifest describes only 36/);
    expect(() => decodeWeights(data, [{ name: 's', shape: [9], dtype: 'string' }], 'w.bin')).toThrow(/w\.bin: weight 's' has dtype "string" in the weights manifest; expected 'float32', 'int32' or 'bool'/);
  });
});
