import { describe, expect, it } from 'vitest';
import { tensor } from './convert.js';
import { arange, zeros } from './creation.js';
import { bandPart, depthToSpace, diag, diagPart, meshgrid, mirrorPad, spaceToDepth, tril, triu } from './matrix.js';
import { randomUniform } from './random.js';

const m34 = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);

describe('bandPart, tril, triu', () => {
  it('hand values on a 3×4 matrix (TF band_part and NumPy tril/triu semantics)', () => {
    expect(bandPart(m34, 0, 0).toArray()).toEqual([[1, 0, 0, 0], [0, 6, 0, 0], [0, 0, 11, 0]]);
    expect(bandPart(m34, 1, 0).toArray()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [0, 10, 11, 0]]);
    expect(bandPart(m34, 0, -1).toArray()).toEqual([[1, 2, 3, 4], [0, 6, 7, 8], [0, 0, 11, 12]]);
    expect(bandPart(m34, -1, 1).toArray()).toEqual([[1, 2, 0, 0], [5, 6, 7, 0], [9, 10, 11, 12]]);
    expect(bandPart(m34, -1, -1).toArray()).toEqual(m34.toArray());
    expect(tril(m34).toArray()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]]);
    expect(tril(m34, -1).toArray()).toEqual([[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]]);
    expect(tril(m34, 1).toArray()).toEqual([[1, 2, 0, 0], [5, 6, 7, 0], [9, 10, 11, 12]]);
    expect(triu(m34).toArray()).toEqual([[1, 2, 3, 4], [0, 6, 7, 8], [0, 0, 11, 12]]);
    expect(triu(m34, 2).toArray()).toEqual([[0, 0, 3, 4], [0, 0, 0, 8], [0, 0, 0, 0]]);
    expect(triu(m34, -1).toArray()).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [0, 10, 11, 12]]);
  });

  it('applies per matrix of a batch and keeps the dtype (a causal mask from ones)', () => {
    const batch = randomUniform([2, 3, 3], -1, 1, 'float32', 1);
    const y = tril(batch);
    const b = batch.toArray() as number[][][];
    expect(y.toArray()).toEqual(b.map((mat) => mat.map((row, i) => row.map((v, j) => (j <= i ? v : 0)))));
    const causal = bandPart(tensor([[true, true, true], [true, true, true]]), -1, 0);
    expect(causal.dtype).toBe('bool');
    expect(causal.toArray()).toEqual([[1, 0, 0], [1, 1, 0]]);
    expect(triu(tensor([[1, 2], [3, 4]], undefined, 'int32')).dtype).toBe('int32');
  });

  it('refuses bad arguments', () => {
    expect(() => bandPart([1, 2], 0, 0)).toThrow('bandPart: expected x of rank ≥ 2 (a matrix or a batch of them), got shape [2]');
    expect(() => bandPart(m34, 0.5, 0)).toThrow('bandPart: numLower must be an integer, got 0.5');
    expect(() => tril(m34, '1' as never)).toThrow('tril: k must be an integer, got "1"');
  });
});

describe('meshgrid', () => {
  it("'xy' (default) and 'ij' indexing, as NumPy", () => {
    const [gx, gy] = meshgrid([1, 2, 3], [4, 5]);
    expect(gx!.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(gy!.toArray()).toEqual([[4, 4, 4], [5, 5, 5]]);
    const [ix, iy] = meshgrid([1, 2, 3], [4, 5], { indexing: 'ij' });
    expect(ix!.toArray()).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(iy!.toArray()).toEqual([[4, 5], [4, 5], [4, 5]]);
    const three = meshgrid([1, 2], [3, 4, 5], [6]);
    expect(three.map((t) => t.shape)).toEqual([[3, 2, 1], [3, 2, 1], [3, 2, 1]]);
    expect(three[2]!.toArray()).toEqual([[[6], [6]], [[6], [6]], [[6], [6]]]);
    expect(meshgrid([7, 8])[0]!.toArray()).toEqual([7, 8]);
    expect(meshgrid(tensor([1, 2], undefined, 'int32'), [0.5])[0]!.dtype).toBe('int32');
  });

  it('refuses bad options', () => {
    expect(() => meshgrid([1], [2], { indexing: 'yx' as never })).toThrow("meshgrid: indexing must be 'xy' or 'ij', got \"yx\"");
    expect(() => meshgrid([1], [2], { index: 'ij' } as never)).toThrow("meshgrid: unknown option 'index' (expected indexing)");
    expect(() => meshgrid([1], { indexing: 'ij' }, [2])).toThrow('meshgrid: options must be the last argument, got an object at position 1');
  });
});

describe('diag and diagPart', () => {
  it('hand values, rank 2k for rank-k input (TF semantics), inverse of each other', () => {
    expect(diag([1, 2, 3]).toArray()).toEqual([[1, 0, 0], [0, 2, 0], [0, 0, 3]]);
    const d = diag([[1, 2], [3, 4]]);
    expect(d.shape).toEqual([2, 2, 2, 2]);
    expect(d.toArray()).toEqual([[[[1, 0], [0, 0]], [[0, 2], [0, 0]]], [[[0, 0], [3, 0]], [[0, 0], [0, 4]]]]);
    expect(diagPart(d).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(diagPart(m34.slice([0, 0], [3, 3])).toArray()).toEqual([1, 6, 11]);
    expect(diag(tensor([true, false])).toArray()).toEqual([[1, 0], [0, 0]]);
    expect(diag(tensor([5], undefined, 'int32')).dtype).toBe('int32');
    expect(diag(zeros([0])).shape).toEqual([0, 0]);
  });

  it('refuses bad shapes', () => {
    expect(() => diag(3)).toThrow('diag: expected v of rank ≥ 1, got a scalar');
    expect(() => diagPart(m34)).toThrow('diagPart: expected x of shape [d1, …, dk, d1, …, dk] (even rank ≥ 2, second half equal to the first), got [3,4]');
    expect(() => diagPart([1, 2, 3])).toThrow(/diagPart: expected x of shape .* got \[3\]/);
  });
});

describe('mirrorPad', () => {
  it("hand values in 'reflect' and 'symmetric' modes (TF MirrorPad)", () => {
    expect(mirrorPad([1, 2, 3], [[2, 2]], 'reflect').toArray()).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(mirrorPad([1, 2, 3], [[2, 2]], 'symmetric').toArray()).toEqual([2, 1, 1, 2, 3, 3, 2]);
    expect(mirrorPad([1, 2, 3], [[3, 0]], 'symmetric').toArray()).toEqual([3, 2, 1, 1, 2, 3]);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(mirrorPad(x, [[1, 1], [2, 2]], 'reflect').toArray()).toEqual([
      [6, 5, 4, 5, 6, 5, 4],
      [3, 2, 1, 2, 3, 2, 1],
      [6, 5, 4, 5, 6, 5, 4],
      [3, 2, 1, 2, 3, 2, 1],
    ]);
    expect(mirrorPad(x, [[1, 1], [2, 2]], 'symmetric').toArray()).toEqual([
      [2, 1, 1, 2, 3, 3, 2],
      [2, 1, 1, 2, 3, 3, 2],
      [5, 4, 4, 5, 6, 6, 5],
      [5, 4, 4, 5, 6, 6, 5],
    ]);
    const same = mirrorPad(x, [[0, 0], [0, 0]], 'reflect');
    expect(same).not.toBe(x);
    expect(same.toArray()).toEqual(x.toArray());
  });

  it('refuses paddings too large for the mode and bad arguments', () => {
    expect(() => mirrorPad([1, 2, 3], [[3, 0]], 'reflect')).toThrow(
      "mirrorPad: paddings[0] = [3, 0] is too large for axis 0 of shape [3] in 'reflect' mode (at most 2 per side)",
    );
    expect(() => mirrorPad([1, 2, 3], [[0, 4]], 'symmetric')).toThrow(/at most 3 per side/);
    expect(() => mirrorPad([1, 2, 3], [[1, 1]], 'edge' as never)).toThrow("mirrorPad: mode must be 'reflect' or 'symmetric', got \"edge\"");
    expect(() => mirrorPad([1, 2, 3], [[1, 1], [0, 0]], 'reflect')).toThrow('mirrorPad: paddings must have one [before, after] pair per axis (1)');
    expect(() => mirrorPad([1, 2, 3], [[-1, 1]], 'reflect')).toThrow('mirrorPad: paddings[0] must be a pair of non-negative integers, got [-1,1]');
  });
});

describe('depthToSpace and spaceToDepth', () => {
  it('hand values (TF depth_to_space, NHWC): channel (i·b + j)·c + k goes to pixel offset (i, j)', () => {
    // [1, 1, 1, 4] → [1, 2, 2, 1]
    expect(depthToSpace(tensor([[[[1, 2, 3, 4]]]]), 2).toArray()).toEqual([[[[1], [2]], [[3], [4]]]]);
    // [1, 1, 1, 8] → [1, 2, 2, 2]: two output channels per pixel.
    expect(depthToSpace(tensor([[[[1, 2, 3, 4, 5, 6, 7, 8]]]]), 2).toArray()).toEqual([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]);
    // [1, 2, 2, 1] with distinct pixels → [1, 1, 1, 4]
    expect(spaceToDepth(tensor([[[[1], [2]], [[3], [4]]]]), 2).toArray()).toEqual([[[[1, 2, 3, 4]]]]);
    // The example of TF's space_to_depth documentation: [1, 4, 4, 1] → [1, 2, 2, 4].
    const tfDoc = tensor([[[[1], [2], [5], [6]], [[3], [4], [7], [8]], [[9], [10], [13], [14]], [[11], [12], [15], [16]]]]);
    const packed = [[[[1, 2, 3, 4], [5, 6, 7, 8]], [[9, 10, 11, 12], [13, 14, 15, 16]]]];
    expect(spaceToDepth(tfDoc, 2).toArray()).toEqual(packed);
    expect(depthToSpace(tensor(packed), 2).toArray()).toEqual(tfDoc.toArray());
    // Numbered row by row, each 2×2 block becomes one pixel's channels.
    expect(spaceToDepth(arange(1, 17).reshape([1, 4, 4, 1]), 2).toArray()).toEqual([[
      [[1, 2, 5, 6], [3, 4, 7, 8]],
      [[9, 10, 13, 14], [11, 12, 15, 16]],
    ]]);
  });

  it('are inverse to each other in both layouts, and NCHW agrees with NHWC transposed', () => {
    const x = randomUniform([2, 4, 6, 3], -1, 1, 'float32', 4);
    expect(depthToSpace(spaceToDepth(x, 2), 2).toArray()).toEqual(x.toArray());
    const deep = randomUniform([2, 3, 2, 18], -1, 1, 'float32', 5);
    expect(spaceToDepth(depthToSpace(deep, 3), 3).toArray()).toEqual(deep.toArray());
    const nchw = deep.transpose([0, 3, 1, 2]);
    expect(depthToSpace(nchw, 3, 'NCHW').toArray()).toEqual(depthToSpace(deep, 3).transpose([0, 3, 1, 2]).toArray());
    expect(spaceToDepth(x.transpose([0, 3, 1, 2]), 2, 'NCHW').toArray()).toEqual(spaceToDepth(x, 2).transpose([0, 3, 1, 2]).toArray());
  });

  it('refuses shapes the block does not divide and bad arguments', () => {
    expect(() => depthToSpace(zeros([1, 2, 2, 6]), 2)).toThrow(
      'depthToSpace: the channel dimension (6) of x [1,2,2,6] must be divisible by blockSize² = 4',
    );
    expect(() => spaceToDepth(zeros([1, 3, 4, 1]), 2)).toThrow(
      'spaceToDepth: the height (3) and width (4) of x [1,3,4,1] must be divisible by blockSize = 2',
    );
    expect(() => depthToSpace(zeros([2, 2, 4]), 2)).toThrow('depthToSpace: expected x of rank 4 (NHWC), got shape [2,2,4]');
    expect(() => depthToSpace(zeros([1, 1, 1, 4]), 1)).toThrow('depthToSpace: blockSize must be an integer ≥ 2, got 1');
    expect(() => spaceToDepth(zeros([1, 2, 2, 1]), 2, 'NWHC' as never)).toThrow("spaceToDepth: dataFormat must be 'NHWC' or 'NCHW', got \"NWHC\"");
  });
});
