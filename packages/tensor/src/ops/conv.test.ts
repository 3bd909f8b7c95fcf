import { describe, expect, it } from 'vitest';
import { expectClose as closeTo } from '@descent/test-utils';
import { runKernel } from '../engine.js';
import type { ConvAttrs } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import { conv1d, conv2d, conv2dTranspose } from './conv.js';
import { tensor } from './convert.js';
import { ones, zeros } from './creation.js';
import { randomUniform } from './random.js';

let seed = 100;
const rand = (shape: number[]): Tensor => randomUniform(shape, -1, 1, 'float32', seed++);

/** 0, 1, 2, … laid out in `shape`. */
function iota(shape: number[], start = 0): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => i + start), shape);
}

/** Direct convolution from the definition, in float64: seven nested loops, no im2col. */
function referenceConv(x: Tensor, f: Tensor, attrs: ConvAttrs): { shape: number[]; values: Float64Array } {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , o] = f.shape as [number, number, number, number];
  const [sh, sw] = attrs.strides;
  const [dh, dw] = attrs.dilations;
  const [pt, pb, pl, pr] = attrs.pad;
  const oh = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((w + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const xv = x.dataSync();
  const fv = f.dataSync();
  const out = new Float64Array(n * oh * ow * o);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let q = 0; q < o; q++) {
          let s = 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = i * sh - pt + ky * dh;
              const ix = j * sw - pl + kx * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ch = 0; ch < c; ch++) s += xv[((b * h + iy) * w + ix) * c + ch]! * fv[((ky * kw + kx) * c + ch) * o + q]!;
            }
          out[((b * oh + i) * ow + j) * o + q] = s;
        }
  return { shape: [n, oh, ow, o], values: out };
}

/** Within `tol`·(1 + |reference|), and of the reference's shape. */
const expectClose = (got: Tensor, ref: { shape: number[]; values: ArrayLike<number> }, tol = 1e-4): void => closeTo(got, ref, { atol: tol, rtol: tol });

function inner(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const av = a.dataSync();
  const bv = b.dataSync();
  let s = 0;
  for (let i = 0; i < av.length; i++) s += av[i]! * bv[i]!;
  return s;
}

describe('conv2d', () => {
  it('valid padding, stride 1 (hand-computed)', () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], filter = [[1,0],[0,1]] adds each pixel to its lower-right neighbour.
    const x = iota([1, 3, 3, 1], 1);
    const f = tensor([1, 0, 0, 1], [2, 2, 1, 1]);
    const y = conv2d(x, f, 1, 'valid');
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([6, 8, 12, 14]);
    expect(x.conv2d(f, 1, 'valid').shape).toEqual([1, 2, 2, 1]);
  });

  it("'same' padding sums 3×3 neighbourhoods (hand-computed)", () => {
    const y = conv2d(iota([1, 3, 3, 1], 1), ones([3, 3, 1, 1]), 1, 'same');
    expect(Array.from(y.dataSync())).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it("'same' with stride 2 puts the odd padding row at the bottom, as TF does (hand-computed)", () => {
    // in 4, k 3, s 2: out 2, total pad (2-1)·2 + 3 - 4 = 1 → top 0, bottom 1 (likewise left 0, right 1).
    const y = conv2d(iota([1, 4, 4, 1], 1), ones([3, 3, 1, 1]), 2, 'same');
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // rows 0-2 × cols 0-2; rows 0-2 × cols 2-3; rows 2-3 × cols 0-2; rows 2-3 × cols 2-3 of 1..16
    expect(Array.from(y.dataSync())).toEqual([54, 45, 72, 54]);
  });

  it('dilation spreads the filter taps (hand-computed)', () => {
    // 2×2 ones dilated by 2 on a 5×5 grid 0..24: out(i,j) = x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2].
    const y = conv2d(iota([1, 5, 5, 1]), ones([2, 2, 1, 1]), 1, 'valid', 2);
    expect(y.shape).toEqual([1, 3, 3, 1]);
    const v = Array.from(y.dataSync());
    expect(v[0]).toBe(0 + 2 + 10 + 12);
    expect(v[4]).toBe(6 + 8 + 16 + 18);
    expect(v[8]).toBe(12 + 14 + 22 + 24);
  });

  it('explicit and numeric padding (hand-computed)', () => {
    // One zero on each side of [[1,2],[3,4]], 2×2 ones filter, stride 1 → 3×3 window sums.
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const expected = [1, 3, 2, 4, 10, 6, 3, 7, 4];
    expect(Array.from(conv2d(x, ones([2, 2, 1, 1]), 1, 1).dataSync())).toEqual(expected);
    expect(Array.from(conv2d(x, ones([2, 2, 1, 1]), 1, [[1, 1], [1, 1]]).dataSync())).toEqual(expected);
    // Asymmetric: only a zero row on top → [[1,2],[4,6]] column-pair sums... out shape [2, 1].
    expect(Array.from(conv2d(x, ones([2, 2, 1, 1]), 1, [[1, 0], [0, 0]]).dataSync())).toEqual([3, 10]);
  });

  it('accepts unbatched rank-3 input', () => {
    const y = conv2d(iota([3, 3, 1], 1), ones([3, 3, 1, 1]), 1, 'same');
    expect(y.shape).toEqual([3, 3, 1]);
    expect(y.dataSync()[4]).toBe(45);
  });

  it('matches a direct reference for random shapes, strides, paddings and dilations', () => {
    const cases: { x: number[]; f: number[]; s: [number, number]; pad: Parameters<typeof conv2d>[3]; d: [number, number] }[] = [
      { x: [2, 7, 9, 3], f: [3, 3, 3, 5], s: [1, 1], pad: 'same', d: [1, 1] },
      { x: [1, 8, 7, 2], f: [3, 2, 2, 3], s: [2, 3], pad: 'same', d: [1, 1] },
      { x: [2, 9, 9, 4], f: [3, 3, 4, 6], s: [2, 2], pad: 'valid', d: [1, 1] },
      { x: [1, 11, 10, 2], f: [3, 3, 2, 3], s: [1, 1], pad: 'same', d: [2, 3] },
      { x: [1, 10, 10, 1], f: [2, 3, 1, 2], s: [3, 2], pad: 'same', d: [2, 2] },
      { x: [2, 5, 6, 3], f: [2, 2, 3, 4], s: [1, 2], pad: [[1, 2], [0, 3]], d: [1, 1] },
      { x: [3, 4, 5, 7], f: [1, 1, 7, 5], s: [1, 1], pad: 'valid', d: [1, 1] }, // pointwise fast path
      { x: [1, 6, 6, 3], f: [1, 1, 3, 2], s: [2, 2], pad: 'valid', d: [1, 1] },
      // 2·16·16 = 512 positions × K = 3·3·64 = 576 columns: more than one im2col chunk.
      { x: [2, 16, 16, 64], f: [3, 3, 64, 5], s: [1, 1], pad: 'same', d: [1, 1] },
    ];
    for (const { x, f, s, pad, d } of cases) {
      const tx = rand(x);
      const tf = rand(f);
      const y = conv2d(tx, tf, s, pad, d);
      const [pt, pb, pl, pr] = explicitPad(pad, x, f, s, d) as [number, number, number, number];
      expectClose(y, referenceConv(tx, tf, { strides: s, pad: [pt, pb, pl, pr], dilations: d }));
    }
  });

  it('rejects bad input with clear messages', () => {
    const x = zeros([1, 5, 5, 3]);
    expect(() => conv2d(x, zeros([3, 3, 4, 8]), 1, 'same')).toThrow(
      'conv2d: input has 3 channels but the filter expects 4 (x [1,5,5,3], filter [3,3,4,8])',
    );
    expect(() => conv2d(zeros([5, 5]), zeros([3, 3, 1, 1]), 1, 'same')).toThrow("conv2d: argument 'x' must be rank 4");
    expect(() => conv2d(x, zeros([3, 3, 3]), 1, 'same')).toThrow("conv2d: argument 'filter' must be rank 4");
    expect(() => conv2d(x, zeros([3, 3, 3, 1]), 0, 'same')).toThrow('conv2d: strides must be a positive integer or a pair of positive integers, got 0');
    expect(() => conv2d(x, zeros([3, 3, 3, 1]), 1, 'full' as never)).toThrow(
      `conv2d: pad must be 'same', 'valid', a non-negative integer or [[top, bottom], [left, right]], got "full"`,
    );
    expect(() => conv2d(x, zeros([3, 3, 3, 1]), 1, 'same', [1, 1.5] as never)).toThrow('conv2d: dilations must be');
    expect(() => conv2d(x, zeros([6, 3, 3, 1]), 1, 'valid')).toThrow('conv2d: the window height of 6 is larger than the padded input height of 5');
    expect(() => conv2d(x, zeros([3, 3, 3, 1]), 1, 'valid', 3)).toThrow(
      'conv2d: the window height of 3 (7 once dilated by 3) is larger than the padded input height of 5',
    );
    expect(() => conv2d(tensor([[[[1]]]], undefined, 'int32'), zeros([1, 1, 1, 1]), 1, 'valid')).toThrow(
      "conv2d: argument 'x' must be float32, got int32",
    );
  });
});

/** The same padding the op computes, written out from TF's rule for the reference. */
function explicitPad(pad: Parameters<typeof conv2d>[3], x: number[], f: number[], s: [number, number], d: [number, number]): number[] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (pad === 'same') {
    const out: number[] = [];
    for (const axis of [0, 1]) {
      const inSize = x[1 + axis]!;
      const total = Math.max((Math.ceil(inSize / s[axis]!) - 1) * s[axis]! + (f[axis]! - 1) * d[axis]! + 1 - inSize, 0);
      out.push(Math.floor(total / 2), total - Math.floor(total / 2));
    }
    return out;
  }
  return [pad[0][0], pad[0][1], pad[1][0], pad[1][1]];
}

describe('conv kernels: adjoint identities', () => {
  // <conv(x, f), dy> = <x, backpropInput(dy, f)> = <f, backpropFilter(x, dy)>: all three are the
  // same trilinear sum, so the backprops are right exactly when these agree.
  const cases: { x: number[]; f: number[]; attrs: ConvAttrs }[] = [
    { x: [2, 6, 7, 3], f: [3, 3, 3, 4], attrs: { strides: [1, 1], pad: [1, 1, 1, 1], dilations: [1, 1] } },
    { x: [1, 9, 8, 2], f: [3, 2, 2, 3], attrs: { strides: [2, 3], pad: [0, 1, 1, 0], dilations: [1, 1] } },
    { x: [2, 9, 10, 2], f: [2, 3, 2, 2], attrs: { strides: [1, 2], pad: [2, 1, 0, 2], dilations: [3, 2] } },
    { x: [3, 4, 5, 6], f: [1, 1, 6, 4], attrs: { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] } },
    { x: [2, 16, 16, 64], f: [3, 3, 64, 3], attrs: { strides: [1, 1], pad: [1, 1, 1, 1], dilations: [1, 1] } },
  ];
  for (const { x, f, attrs } of cases) {
    it(`x ${JSON.stringify(x)}, filter ${JSON.stringify(f)}, ${JSON.stringify(attrs)}`, () => {
      const tx = rand(x);
      const tf = rand(f);
      const y = runKernel('Conv2D', [tx, tf], attrs);
      const dy = rand([...y.shape]);
      const dx = runKernel('Conv2DBackpropInput', [dy, tf], { ...attrs, inputShape: x });
      const df = runKernel('Conv2DBackpropFilter', [tx, dy], { ...attrs, filterShape: f });
      expect(dx.shape).toEqual(x);
      expect(df.shape).toEqual(f);
      const lhs = inner(y, dy);
      const scale = 1 + Math.abs(lhs);
      expect(Math.abs(inner(tx, dx) - lhs) / scale).toBeLessThan(1e-4);
      expect(Math.abs(inner(tf, df) - lhs) / scale).toBeLessThan(1e-4);
    });
  }

  it('backprop kernels reject a dy of the wrong shape', () => {
    const attrs: ConvAttrs = { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] };
    expect(() => runKernel('Conv2DBackpropInput', [zeros([1, 3, 3, 2]), zeros([2, 2, 1, 2])], { ...attrs, inputShape: [1, 5, 5, 1] })).toThrow(
      "Conv2DBackpropInput: dy must have the convolution's output shape [1,4,4,2], got [1,3,3,2]",
    );
    expect(() => runKernel('Conv2DBackpropFilter', [zeros([1, 5, 5, 1]), zeros([1, 4, 4, 3])], { ...attrs, filterShape: [2, 2, 1, 2] })).toThrow(
      "Conv2DBackpropFilter: dy must have the convolution's output shape [1,4,4,2], got [1,4,4,3]",
    );
  });
});

describe('conv1d', () => {
  it('valid, same and causal padding (hand-computed)', () => {
    // x = [1, 2, 3, 4] (one channel), filter taps [1, 10]: y[i] = x[i] + 10·x[i+1].
    const x = tensor([1, 2, 3, 4], [1, 4, 1]);
    const f = tensor([1, 10], [2, 1, 1]);
    expect(Array.from(conv1d(x, f, 1, 'valid').dataSync())).toEqual([21, 32, 43]);
    // same: total pad 1 → left 0, right 1.
    expect(Array.from(conv1d(x, f, 1, 'same').dataSync())).toEqual([21, 32, 43, 4]);
    // causal: one zero on the left, y[i] = x[i-1] + 10·x[i].
    expect(Array.from(conv1d(x, f, 1, 'causal').dataSync())).toEqual([10, 21, 32, 43]);
    expect(Array.from(conv1d(x, f, 2, 'valid').dataSync())).toEqual([21, 43]);
    // explicit [2, 0]: padded [0, 0, 1, 2, 3, 4]
    expect(Array.from(conv1d(x, f, 1, [2, 0]).dataSync())).toEqual([0, 10, 21, 32, 43]);
    // dilation 2: y[i] = x[i] + 10·x[i+2]
    expect(Array.from(conv1d(x, f, 1, 'valid', 2).dataSync())).toEqual([31, 42]);
  });

  it('matches the 1-D definition for strides, dilations and paddings', () => {
    const xs = [0.5, -1, 2, 3, -0.25, 1.5, 4, -2, 1];
    const fs = [1, -2, 0.5];
    const x = tensor(xs, [1, 9, 1]);
    const f = tensor(fs, [3, 1, 1]);
    for (const [s, d, pad, left, right] of [
      // same with s 3, d 2 on width 9: total (3-1)·3 + (3-1)·2 + 1 - 9 = 2 → [1, 1]
      [1, 1, 'valid', 0, 0], [2, 1, 'valid', 0, 0], [1, 2, 'causal', 4, 0], [3, 2, 'same', 1, 1], [2, 1, [1, 3], 1, 3], [1, 3, 2, 2, 2],
    ] as const) {
      const got = conv1d(x, f, s, pad, d).reshape([-1]);
      expectClose(got, { shape: [conv1dRef(xs, fs, left, right, s, d).length], values: conv1dRef(xs, fs, left, right, s, d) }, 1e-6);
    }
  });

  it('matches conv2d on a height-1 view for random multichannel input, unbatched too', () => {
    const x = rand([2, 13, 3]);
    const f = rand([4, 3, 5]);
    const y = conv1d(x, f, 2, 'same', 1);
    const y2 = conv2d(x.reshape([2, 1, 13, 3]), f.reshape([1, 4, 3, 5]), [1, 2], 'same');
    expect(y.shape).toEqual([2, 7, 5]);
    expectClose(y, { shape: [2, 7, 5], values: y2.dataSync() }, 1e-6);
    const u = conv1d(x.slice([0, 0, 0], [1, 13, 3]).reshape([13, 3]), f, 2, 'same');
    expect(u.shape).toEqual([7, 5]);
    expectClose(u, { shape: [7, 5], values: y2.dataSync().slice(0, 35) }, 1e-6);
  });

  it('rejects bad input', () => {
    expect(() => conv1d(zeros([1, 4, 2]), zeros([2, 3, 1]))).toThrow('conv1d: input has 2 channels but the filter expects 3');
    expect(() => conv1d(zeros([1, 4, 2]), zeros([2, 2, 1]), 0)).toThrow('conv1d: stride must be a positive integer, got 0');
    expect(() => conv1d(zeros([1, 4, 2]), zeros([2, 2, 1]), 1, 'full' as never)).toThrow(
      "conv1d: pad must be 'same', 'valid', 'causal', a non-negative integer or [left, right], got \"full\"",
    );
    expect(() => conv1d(zeros([1, 1, 4, 2]), zeros([2, 2, 1]))).toThrow("conv1d: argument 'x' must be rank 3");
    expect(() => conv1d(zeros([1, 2, 2]), zeros([3, 2, 1]))).toThrow('conv1d: the window width of 3 is larger than the padded input width of 2');
  });
});

/** 1-D reference from the definition: y[i] = Σ_t x[i·s − left + t·d]·f[t] (zeros outside). */
function conv1dRef(x: number[], f: number[], left: number, right: number, s: number, d: number): number[] {
  const out: number[] = [];
  const span = (f.length - 1) * d + 1;
  for (let start = -left; start + span <= x.length + right; start += s) {
    let v = 0;
    f.forEach((w, t) => {
      v += (x[start + t * d] ?? 0) * w;
    });
    out.push(v);
  }
  return out;
}

describe('conv2dTranspose', () => {
  it('stride 2 scatters each pixel over a 2×2 block (hand-computed)', () => {
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = conv2dTranspose(x, ones([2, 2, 1, 1]), [1, 4, 4, 1], 2, 'valid');
    expect(y.toArray()).toEqual([[[[1], [1], [2], [2]], [[1], [1], [2], [2]], [[3], [3], [4], [4]], [[3], [3], [4], [4]]]]);
    expect(conv2dTranspose(x.reshape([2, 2, 1]), ones([2, 2, 1, 1]), [4, 4, 1], 2, 'valid').shape).toEqual([4, 4, 1]);
  });

  it('is the adjoint of conv2d for the same filter and options', () => {
    for (const [outShape, fShape, s, pad] of [
      [[2, 9, 8, 3], [3, 3, 3, 4], 2, 'same'],
      [[1, 8, 8, 2], [4, 4, 2, 3], 2, 'same'],
      [[1, 7, 6, 2], [3, 2, 2, 2], [1, 2], 'valid'],
    ] as const) {
      const z = rand([...outShape]);
      const f = rand([...fShape]);
      const y = conv2d(z, f, s, pad);
      const x = rand([...y.shape]);
      const t = conv2dTranspose(x, f, outShape, s, pad);
      expect(t.shape).toEqual(outShape);
      const lhs = inner(y, x);
      expect(Math.abs(inner(z, t) - lhs) / (1 + Math.abs(lhs))).toBeLessThan(1e-4);
    }
  });

  it('rejects inconsistent shapes', () => {
    const x = zeros([1, 2, 2, 3]);
    expect(() => conv2dTranspose(x, zeros([2, 2, 1, 4]), [1, 4, 4, 1], 2, 'valid')).toThrow(
      'conv2dTranspose: input has 3 channels but the filter [kh, kw, outChannels, inChannels] expects 4',
    );
    expect(() => conv2dTranspose(x, zeros([2, 2, 1, 3]), [1, 4, 4, 2], 2, 'valid')).toThrow(
      'conv2dTranspose: outputShape has 2 channels but the filter produces 1',
    );
    expect(() => conv2dTranspose(x, zeros([2, 2, 1, 3]), [1, 6, 6, 1], 2, 'valid')).toThrow(
      'conv2dTranspose: outputShape [1,6,6,1] does not match x [1,2,2,3]: a conv2d of it with strides [2,2] and pad "valid" gives height×width 3×3, but x has 2×2',
    );
    expect(() => conv2dTranspose(x, zeros([2, 2, 1, 3]), [2, 4, 4, 1], 2, 'valid')).toThrow(
      'conv2dTranspose: outputShape batch 2 differs from the input batch 1',
    );
    expect(() => conv2dTranspose(x, zeros([2, 2, 1, 3]), [4, 4] as never, 2, 'valid')).toThrow('conv2dTranspose: outputShape must be');
  });
});
