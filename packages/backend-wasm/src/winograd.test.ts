import type { ConvAttrs, TensorInfo } from '@descent/tensor';
import { CpuBackend } from '@descent/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { getWasmBackend } from './index.js';
import { winogradSettings } from './kernels/winograd.js';
import { seeded } from './test-utils/compare.js';

// Winograd F(2×2, 3×3) (asm/winograd.ts) and F(4×4, 3×3) (asm/winograd4.ts) against the CPU backend's convolution kernels.
//
// Error bound. With u = 2⁻²⁴ and γₖ = k·u / (1 − k·u), a float32 bilinear algorithm
// y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, summed over cin channels, satisfies (standard rounding-error analysis
// of sums and products, e.g. Higham, "Accuracy and Stability of Numerical Algorithms", §3)
//   |ŷ − y| ≤ γ_k · Y,   Y = |A|ᵀ[(|G| |g| |G|ᵀ) ⊙ (|Bᵀ| |d| |B|)]|A|  (summed over channels),
// where k counts the roundings on the longest path to one output: ≤ 4 in the filter transform (two
// levels of up to two additions; the ½ factors are exact), 2 in the input transform (one addition
// per level), cin in the product over channels (one multiply, cin − 1 additions in sequence) and 4 in
// the output transform (two additions per level): k = cin + 10. The CPU reference itself is within
// γ_(9·cin + 9) · S of the exact result, S = Σ |d|·|g| over the window (im2col + a float32 product,
// plus up to 9 col2im additions for the input gradient). So every element must satisfy
//   |winograd − cpu| ≤ γ_(cin + 10) · Y + γ_(9·cin + 9) · S,
// with Y and S evaluated here in float64 from the same inputs. Y is what the transforms' amplification
// costs: for F(2×2, 3×3) it is a few times S (the 1-D transform's largest coefficient is 2).

const U = 2 ** -24;
const gamma = (k: number): number => (k * U) / (1 - k * U);

const AT = [[1, 1, 1, 0], [0, 1, 1, 1]]; // |Aᵀ|
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]]; // |G|
const BT = [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]]; // |Bᵀ|
// F(4×4, 3×3) (asm/winograd4.ts), absolute values.
const AT4 = [[1, 1, 1, 1, 1, 0], [0, 1, 1, 2, 2, 0], [0, 1, 1, 4, 4, 0], [0, 1, 1, 8, 8, 1]];
const G4 = [[1 / 4, 0, 0], [1 / 6, 1 / 6, 1 / 6], [1 / 6, 1 / 6, 1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, 1 / 12, 1 / 6], [0, 0, 1]];
const BT4 = [[4, 0, 5, 0, 1, 0], [0, 4, 4, 1, 1, 0], [0, 4, 4, 1, 1, 0], [0, 2, 1, 2, 1, 0], [0, 2, 1, 2, 1, 0], [0, 4, 0, 5, 0, 1]];

/**
 * Roundings on the longest path to one output besides the cin − 1 additions and one multiply of the
 * product: F(2×2): 4 (filter) + 2 (input) + 4 (output) = 10, as above. F(4×4): the filter transform is
 * computed in float64 and rounded once (2, with the inexact sixths), each level of the input transform
 * has at most 3 roundings on a path (5·d₂ rounded, then two additions; 4· and 2· are exact) and each
 * level of the output transform at most 3 (additions; 2·, 4·, 8· exact): 2 + 6 + 6 = 14.
 */
const EXTRA_ROUNDINGS = { 2: 10, 4: 14 } as const;

/** |x[b, y, x, c]| of an [n, h, w, c] image, 0 outside it (the zero padding). */
function absImage(x: Float32Array, h: number, w: number, c: number): (b: number, y: number, xx: number, ch: number) => number {
  return (b, y, xx, ch) => (y < 0 || y >= h || xx < 0 || xx >= w ? 0 : Math.abs(x[((b * h + y) * w + xx) * c + ch]!));
}

/** |Bᵀ| |x| |B| of the a×a input tile at (y0, x0) of image b, per channel, into `dt` (a² values per channel). */
function absInputTile(
  xAbs: (b: number, y: number, xx: number, c: number) => number, bt: readonly (readonly number[])[], a: number,
  b: number, y0: number, x0: number, cr: number, dt: Float64Array,
): void {
  for (let c = 0; c < cr; c++) {
    for (let p = 0; p < a; p++) {
      for (let q = 0; q < a; q++) {
        let v = 0;
        for (let i = 0; i < a; i++) for (let j = 0; j < a; j++) v += bt[p]![i]! * xAbs(b, y0 + i, x0 + j, c) * bt[q]![j]!;
        dt[c * a * a + p * a + q] = v;
      }
    }
  }
}

/**
 * Per-output bound of |winograd − cpu| for the correlation out[b, y, x, k] = Σ d[b, y − pt + i, x − pl + j, c] ·
 * g(i, j, c, k) with zeros outside d ([n, h, w, cr]) and an output of oh × ow, computed with m×m output tiles.
 */
function bound(
  d: Float32Array, n: number, h: number, w: number, cr: number, g: (i: number, j: number, c: number, k: number) => number,
  co: number, oh: number, ow: number, pt: number, pl: number, m: 2 | 4 = 2,
): Float64Array {
  const [at4, g4, bt4] = m === 2 ? [AT, G, BT] : [AT4, G4, BT4];
  const a = m + 2;
  // |G| |g| |G|ᵀ per (c, k): a² values.
  const gt = new Float64Array(cr * co * a * a);
  const gAbs = new Float64Array(cr * co * 9);
  for (let c = 0; c < cr; c++) {
    for (let k = 0; k < co; k++) {
      const base = (c * co + k) * a * a;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) gAbs[(c * co + k) * 9 + i * 3 + j] = Math.abs(g(i, j, c, k));
      for (let p = 0; p < a; p++) {
        for (let q = 0; q < a; q++) {
          let s = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += g4[p]![i]! * gAbs[(c * co + k) * 9 + i * 3 + j]! * g4[q]![j]!;
          gt[base + p * a + q] = s;
        }
      }
    }
  }
  const at = absImage(d, h, w, cr);
  const out = new Float64Array(n * oh * ow * co);
  const dt = new Float64Array(a * a * cr);
  const roundings = EXTRA_ROUNDINGS[m];
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < Math.ceil(oh / m); ty++) {
      for (let tx = 0; tx < Math.ceil(ow / m); tx++) {
        absInputTile(at, bt4, a, b, m * ty - pt, m * tx - pl, cr, dt);
        for (let r = 0; r < m && m * ty + r < oh; r++) {
          for (let s = 0; s < m && m * tx + s < ow; s++) {
            const y = m * ty + r;
            const x = m * tx + s;
            for (let k = 0; k < co; k++) {
              let wino = 0;
              let direct = 0;
              for (let c = 0; c < cr; c++) {
                const gk = (c * co + k) * a * a;
                for (let p = 0; p < a; p++) {
                  for (let q = 0; q < a; q++) wino += at4[r]![p]! * at4[s]![q]! * gt[gk + p * a + q]! * dt[c * a * a + p * a + q]!;
                }
                for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) direct += at(b, y - pt + i, x - pl + j, c) * gAbs[(c * co + k) * 9 + i * 3 + j]!;
              }
              out[((b * oh + y) * ow + x) * co + k] = gamma(cr + roundings) * wino + gamma(9 * cr + 9) * direct;
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * Per-element bound of |winograd − cpu| for the filter gradient dW[i, j, c, k] = Σ x[b, y − pt + i, x − pl + j, c] ·
 * dy[b, y, x, k]: dW = Gᵀ [Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ)] G. Its longest rounding path besides the sum over
 * tiles (1 multiply, tiles − 1 additions, and at most 11 more adding the slabs): F(2×2): 2 (input
 * transform) + 2 (A dY Aᵀ) + 4 (Gᵀ · G); F(4×4): 6 + 6 + 1 (Gᵀ · G in float64, rounded once). The CPU
 * reference (patchesᵀ · dy) is within γ_(n·oh·ow) · S.
 */
function filterGradBound(
  x: Float32Array, dy: Float32Array, n: number, h: number, w: number, cr: number, co: number, oh: number, ow: number, pt: number, pl: number,
  m: 2 | 4,
): Float64Array {
  const [at4, g4, bt4] = m === 2 ? [AT, G, BT] : [AT4, G4, BT4];
  const a = m + 2;
  const th = Math.ceil(oh / m);
  const tw = Math.ceil(ow / m);
  const tiles = n * th * tw;
  const xAt = absImage(x, h, w, cr);
  const dyAt = (b: number, y: number, xx: number, k: number): number =>
    y >= oh || xx >= ow ? 0 : Math.abs(dy[((b * oh + y) * ow + xx) * co + k]!);
  const wino = new Float64Array(a * a * cr * co);
  const dt = new Float64Array(a * a * cr);
  const yt = new Float64Array(a * a * co);
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty < th; ty++) {
      for (let tx = 0; tx < tw; tx++) {
        absInputTile(xAt, bt4, a, b, m * ty - pt, m * tx - pl, cr, dt);
        for (let k = 0; k < co; k++) {
          for (let p = 0; p < a; p++) {
            for (let q = 0; q < a; q++) {
              let v = 0;
              for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) v += at4[r]![p]! * dyAt(b, m * ty + r, m * tx + s, k) * at4[s]![q]!;
              yt[k * a * a + p * a + q] = v;
            }
          }
        }
        for (let c = 0; c < cr; c++) {
          for (let k = 0; k < co; k++) for (let e = 0; e < a * a; e++) wino[(c * co + k) * a * a + e]! += dt[c * a * a + e]! * yt[k * a * a + e]!;
        }
      }
    }
  }
  const out = new Float64Array(9 * cr * co);
  const positions = n * oh * ow;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      for (let c = 0; c < cr; c++) {
        for (let k = 0; k < co; k++) {
          let amplified = 0;
          for (let p = 0; p < a; p++) for (let q = 0; q < a; q++) amplified += g4[p]![i]! * g4[q]![j]! * wino[(c * co + k) * a * a + p * a + q]!;
          let direct = 0;
          for (let b = 0; b < n; b++) {
            for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) direct += xAt(b, y - pt + i, xx - pl + j, c) * dyAt(b, y, xx, k);
          }
          out[((i * 3 + j) * cr + c) * co + k] = gamma(tiles + (m === 2 ? 20 : 25)) * amplified + gamma(positions) * direct;
        }
      }
    }
  }
  return out;
}

interface Case {
  label: string;
  n: number; h: number; w: number; cin: number; cout: number;
  /** Padding top, bottom, left, right ('valid': zeros; 'same' for 3×3: ones). */
  pad: [number, number, number, number];
  /** More tiles than one group (~40–100 tiles, what fits a thread's scratch): the threads split them. */
  threaded?: boolean;
}

const cases: Case[] = [
  { label: "the bench CNN's second layer, 'valid' (11×11 output: odd, not a multiple of the 2×2 tile)", n: 2, h: 13, w: 13, cin: 32, cout: 64, pad: [0, 0, 0, 0], threaded: true },
  { label: "'same', batch 1", n: 1, h: 8, w: 8, cin: 16, cout: 16, pad: [1, 1, 1, 1] },
  { label: "'same', odd rectangle, channels not multiples of 4 or 8", n: 2, h: 7, w: 10, cin: 19, cout: 21, pad: [1, 1, 1, 1] },
  { label: "'same', 9×9, channels not multiples of 4 or 8, several groups of tiles", n: 4, h: 9, w: 9, cin: 20, cout: 36, pad: [1, 1, 1, 1], threaded: true },
  { label: "'valid', 3×3 input (one output pixel), channels not multiples of 4", n: 2, h: 3, w: 3, cin: 17, cout: 18, pad: [0, 0, 0, 0] },
  { label: "'valid', 4×5 input, more output than input channels", n: 1, h: 4, w: 5, cin: 16, cout: 40, pad: [0, 0, 0, 0] },
  { label: 'asymmetric padding (TF same for an even input at stride 1 is symmetric; this is not)', n: 2, h: 9, w: 6, cin: 18, cout: 16, pad: [0, 2, 1, 0] },
];

describe('Winograd convolution', () => {
  const wasm = getWasmBackend();
  const cpu = new CpuBackend();
  const saved = { threads: wasm.numThreads, minRange: wasm.threadMinRangeWork, enabled: winogradSettings.enabled, tile: winogradSettings.tile };
  wasm.threadBackoff = false;
  afterAll(() => {
    wasm.threadBackoff = true;
    wasm.setNumThreads(saved.threads);
    wasm.threadMinRangeWork = saved.minRange;
    winogradSettings.enabled = saved.enabled;
    winogradSettings.tile = saved.tile;
  });

  type Kernel = (inputs: readonly TensorInfo[], attrs: object) => TensorInfo;
  const run = (b: typeof wasm | CpuBackend, kernel: 'Conv2D' | 'Conv2DBackpropInput' | 'Conv2DBackpropFilter', inputs: [Float32Array, number[]][], attrs: object): Float32Array => {
    const infos = inputs.map(([v, s]) => b.write(v.slice(), s, 'float32'));
    return b.read((b.kernels[kernel] as unknown as Kernel)(infos, attrs)) as Float32Array;
  };

  function check(actual: Float32Array, expected: Float32Array, limit: Float64Array, what: string): void {
    expect(actual.length, what).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      const err = Math.abs(actual[i]! - expected[i]!);
      if (!(err <= limit[i]!)) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} ± ${limit[i]}`);
      worst = Math.max(worst, err / limit[i]!);
    }
    expect(worst, what).toBeLessThanOrEqual(1);
  }

  for (const c of cases) {
    it(`${c.label}: forward, input and filter gradients (F(2×2) and F(4×4)) within the float32 bound, identical at 1, 2 and 3 threads`, async () => {
      const { n, h, w, cin, cout, pad } = c;
      const attrs: ConvAttrs = { strides: [1, 1], pad, dilations: [1, 1] };
      const oh = h + pad[0] + pad[1] - 2;
      const ow = w + pad[2] + pad[3] - 2;
      const x = seeded(n * h * w * cin, 11 + cin, -1, 1);
      const f = seeded(9 * cin * cout, 23 + cout, -1, 1);
      const dy = seeded(n * oh * ow * cout, 37 + h, -1, 1);
      const fwd = (): Float32Array => run(wasm, 'Conv2D', [[x, [n, h, w, cin]], [f, [3, 3, cin, cout]]], attrs);
      const back = (): Float32Array => run(wasm, 'Conv2DBackpropInput', [[dy, [n, oh, ow, cout]], [f, [3, 3, cin, cout]]], { ...attrs, inputShape: [n, h, w, cin] });

      const fwdLimit = (m: 2 | 4): Float64Array =>
        bound(x, n, h, w, cin, (i, j, ci, k) => f[((i * 3 + j) * cin + ci) * cout + k]!, cout, oh, ow, pad[0], pad[2], m);
      // dx[y, x, ci] = Σ dy[y + pt − i, x + pl − j, k] · f[i, j, ci, k]: a correlation of dy (padded 2 − pt, 2 − pl)
      // with the filter rotated by 180°, its channel axes swapped.
      const backLimit = (m: 2 | 4): Float64Array =>
        bound(dy, n, oh, ow, cout, (i, j, k, ci) => f[(((2 - i) * 3 + (2 - j)) * cin + ci) * cout + k]!, cin, h, w, 2 - pad[0], 2 - pad[2], m);
      const grad = (): Float32Array =>
        run(wasm, 'Conv2DBackpropFilter', [[x, [n, h, w, cin]], [dy, [n, oh, ow, cout]]], { ...attrs, filterShape: [3, 3, cin, cout] });
      const gradLimit = (m: 2 | 4): Float64Array => filterGradBound(x, dy, n, h, w, cin, cout, oh, ow, pad[0], pad[2], m);
      const cpuGrad = run(cpu, 'Conv2DBackpropFilter', [[x, [n, h, w, cin]], [dy, [n, oh, ow, cout]]], { ...attrs, filterShape: [3, 3, cin, cout] });
      const cpuFwd = run(cpu, 'Conv2D', [[x, [n, h, w, cin]], [f, [3, 3, cin, cout]]], attrs);
      const cpuBack = run(cpu, 'Conv2DBackpropInput', [[dy, [n, oh, ow, cout]], [f, [3, 3, cin, cout]]], { ...attrs, inputShape: [n, h, w, cin] });

      winogradSettings.enabled = true;
      wasm.threadMinRangeWork = 0;
      const results: Float32Array[][] = [];
      for (const m of [2, 4] as const) {
        winogradSettings.tile = m;
        wasm.setNumThreads(1);
        const single = [fwd(), back(), grad()];
        check(single[0]!, cpuFwd, fwdLimit(m), `F(${m}×${m}) forward`);
        check(single[1]!, cpuBack, backLimit(m), `F(${m}×${m}) input gradient`);
        check(single[2]!, cpuGrad, gradLimit(m), `F(${m}×${m}) filter gradient`);
        for (const threads of [2, 3]) {
          wasm.setNumThreads(threads);
          // Workers start asynchronously the first time (then park between thread counts).
          if (m === 2) await new Promise((resolve) => setTimeout(resolve, 300));
          const jobs = wasm.threadJobs;
          for (let rep = 0; rep < 2; rep++) {
            expect(fwd(), `F(${m}×${m}) forward, ${threads} threads`).toEqual(single[0]);
            expect(back(), `F(${m}×${m}) input gradient, ${threads} threads`).toEqual(single[1]);
            expect(grad(), `F(${m}×${m}) filter gradient, ${threads} threads`).toEqual(single[2]);
          }
          if (c.threaded === true) expect(wasm.threadJobs, `${threads} threads ran chunks`).toBeGreaterThan(jobs);
        }
        results.push(single);
      }
      winogradSettings.tile = 0;
      // The three paths (F(2×2), F(4×4), direct / implicit GEMM) round differently: each really is another computation.
      for (let i = 0; i < 3; i++) expect(results[1]![i]).not.toEqual(results[0]![i]);
      wasm.setNumThreads(1);
      winogradSettings.enabled = false;
      const other = fwd();
      winogradSettings.enabled = true;
      check(other, cpuFwd, fwdLimit(2), 'forward, without Winograd');
      expect(other).not.toEqual(results[0]![0]);
    });
  }

  it('leaves shallow, strided, dilated and non-3×3 convolutions to the other kernels', () => {
    // Results equal to the path with Winograd off, bit for bit: these shapes never take it.
    const shapes: [number[], number[], ConvAttrs][] = [
      [[2, 9, 9, 3], [3, 3, 3, 32], { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] }],
      [[2, 9, 9, 16], [3, 3, 16, 8], { strides: [1, 1], pad: [1, 1, 1, 1], dilations: [1, 1] }],
      [[2, 9, 9, 16], [3, 3, 16, 16], { strides: [2, 2], pad: [0, 0, 0, 0], dilations: [1, 1] }],
      [[2, 9, 9, 16], [3, 3, 16, 16], { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [2, 2] }],
      [[2, 9, 9, 16], [5, 5, 16, 16], { strides: [1, 1], pad: [0, 0, 0, 0], dilations: [1, 1] }],
    ];
    wasm.setNumThreads(1);
    for (const [xs, fs, attrs] of shapes) {
      const x = seeded(xs.reduce((a, b) => a * b), 5, -1, 1);
      const f = seeded(fs.reduce((a, b) => a * b), 6, -1, 1);
      winogradSettings.enabled = true;
      const on = run(wasm, 'Conv2D', [[x, xs], [f, fs]], attrs);
      winogradSettings.enabled = false;
      const off = run(wasm, 'Conv2D', [[x, xs], [f, fs]], attrs);
      winogradSettings.enabled = true;
      expect(on, `[${xs.join(',')}] * [${fs.join(',')}]`).toEqual(off);
    }
  });
});
