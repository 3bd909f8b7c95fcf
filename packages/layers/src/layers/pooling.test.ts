import { gradCheck } from '@descent/autograd';
import { tensor } from '@descent/tensor';
import { describe, expect, it } from 'vitest';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from './pooling.js';
import { expectTensor, pseudo, pseudoTensor } from './test-utils/helpers.js';

/** Direct pooling from the definition; 'same' windows average over in-bounds values only (Keras). */
function refPool(x: number[], [n, h, w, c]: readonly [number, number, number, number], [ph, pw]: readonly [number, number], [sh, sw]: readonly [number, number], padding: string, kind: 'max' | 'avg') {
  const oh = padding === 'same' ? Math.ceil(h / sh) : Math.floor((h - ph) / sh) + 1;
  const ow = padding === 'same' ? Math.ceil(w / sw) : Math.floor((w - pw) / sw) + 1;
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * sh + ph - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * sw + pw - w, 0) / 2) : 0;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let q = 0; q < c; q++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let count = 0;
          for (let a = 0; a < ph; a++)
            for (let e = 0; e < pw; e++) {
              const y = i * sh + a - pt;
              const z = j * sw + e - pl;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              const v = x[((b * h + y) * w + z) * c + q]!;
              acc = kind === 'max' ? Math.max(acc, v) : acc + v;
              count++;
            }
          out.push(kind === 'max' ? acc : acc / count);
        }
  return { shape: [n, oh, ow, c], values: out };
}

describe('MaxPooling2D / AveragePooling2D', () => {
  it('hand-checked 4x4 input, 2x2 windows', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
    expectTensor(new MaxPooling2D().apply(x), [1, 2, 2, 1], [6, 8, 14, 16]);
    expectTensor(new AveragePooling2D().apply(x), [1, 2, 2, 1], [3.5, 5.5, 11.5, 13.5]);
    // 3x3 windows, stride 2, same: total padding (2−1)·2 + 3 − 4 = 1 per axis, all of it after the data
    expectTensor(new MaxPooling2D({ poolSize: 3, strides: 2, padding: 'same' }).apply(x), [1, 2, 2, 1], [11, 12, 15, 16]);
    // window rows 0..2 × cols 0..2 = mean of 1,2,3,5,6,7,9,10,11 = 6; bottom-right window covers rows 2..3 × cols 2..3
    expectTensor(new AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' }).apply(x), [1, 2, 2, 1], [6, 7.5, 12, 13.5]);
  });

  for (const kind of ['max', 'avg'] as const) {
    for (const [padding, pool, strides] of [['valid', [2, 2], [2, 2]], ['same', [2, 2], [2, 2]], ['valid', [3, 2], [1, 1]], ['same', [3, 3], [2, 1]], ['valid', [2, 3], [2, 1]]] as const) {
      it(`${kind} pool ${JSON.stringify(pool)}, strides ${JSON.stringify(strides)}, ${padding} matches the definition`, () => {
        const shape = [2, 5, 4, 3] as const;
        const x = pseudoTensor(shape, 31);
        const Cls = kind === 'max' ? MaxPooling2D : AveragePooling2D;
        const layer = new Cls({ poolSize: [...pool], strides: [...strides], padding });
        const ref = refPool(Array.from(x.dataSync()), shape, pool, strides, padding, kind);
        expectTensor(layer.apply(x), ref.shape, ref.values, 1e-5);
        expect(layer.computeOutputShape([null, 5, 4, 3])).toEqual([null, ...ref.shape.slice(1)]);
      });
    }
  }

  it('strides default to the pool size', () => {
    expect(new MaxPooling2D({ poolSize: 3 }).strides).toEqual([3, 3]);
  });

  it('gradients pass gradCheck', () => {
    const x = tensor(pseudo(2 * 4 * 4 * 2, 41).map((v, i) => v + i * 0.01), [2, 4, 4, 2]);
    gradCheck((t) => new MaxPooling2D({ padding: 'same', poolSize: 3, strides: 2 }).apply(t), [x]);
    gradCheck((t) => new AveragePooling2D({ padding: 'same', poolSize: 3, strides: 2 }).apply(t), [x]);
  });

  it('rejects wrong rank and bad options', () => {
    expect(() => new MaxPooling2D().apply(tensor([[1, 2]]))).toThrow(/MaxPooling2D: expected input of rank 4/);
    expect(() => new MaxPooling2D({ padding: 'causal' })).toThrow(/MaxPooling2D: padding must be one of/);
    expect(() => new AveragePooling2D({ poolSize: 0 })).toThrow(/poolSize must be a positive integer/);
  });
});

describe('MaxPooling1D / AveragePooling1D', () => {
  it('hand-checked', () => {
    const x = tensor([1, 5, 2, 4, 3], [1, 5, 1]);
    expectTensor(new MaxPooling1D().apply(x), [1, 2, 1], [5, 4]);
    expectTensor(new AveragePooling1D().apply(x), [1, 2, 1], [3, 3]);
    // same: 3 windows [1,5] [2,4] [3]
    expectTensor(new MaxPooling1D({ padding: 'same' }).apply(x), [1, 3, 1], [5, 4, 3]);
    expectTensor(new AveragePooling1D({ padding: 'same' }).apply(x), [1, 3, 1], [3, 3, 3]);
    expectTensor(new MaxPooling1D({ poolSize: 3, strides: 1 }).apply(x), [1, 3, 1], [5, 5, 4]);
    expect(new MaxPooling1D({ padding: 'same' }).computeOutputShape([null, 5, 1])).toEqual([null, 3, 1]);
  });

  for (const kind of ['max', 'avg'] as const) {
    for (const [padding, pool, stride] of [['valid', 2, 2], ['same', 3, 2], ['valid', 3, 1], ['same', 2, 1]] as const) {
      it(`${kind} pool ${pool}, stride ${stride}, ${padding} matches the definition`, () => {
        const x = pseudoTensor([2, 7, 3], 43);
        const Cls = kind === 'max' ? MaxPooling1D : AveragePooling1D;
        const ref = refPool(Array.from(x.dataSync()), [2, 1, 7, 3], [1, pool], [1, stride], padding, kind);
        expectTensor(new Cls({ poolSize: pool, strides: stride, padding }).apply(x), [2, ref.shape[2]!, 3], ref.values, 1e-5);
      });
    }
  }
});
