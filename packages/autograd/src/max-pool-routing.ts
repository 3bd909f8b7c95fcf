import type { PoolAttrs, Tensor } from '@descent/tensor';
import { makeTensor } from '@descent/tensor';
import { concat, gather, num, reshape } from './kernel-ops.js';

/**
 * For every max-pool output element, the flat index into `x` of its window's first maximum
 * (windows scanned row by row, as the MaxPoolGrad kernel does); `x.size` for a window that lies
 * wholly in the padding.
 */
function argMaxIndices(x: Tensor, outShape: readonly number[], attrs: PoolAttrs): Int32Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [oh, ow] = [outShape[1]!, outShape[2]!];
  const [kh, kw] = attrs.filterSize;
  const [sh, sw] = attrs.strides;
  const top = attrs.pad[0];
  const left = attrs.pad[2];
  const xs = x.dataSync();
  const out = new Int32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ch = 0; ch < c; ch++) {
          let best = x.size;
          let bestValue = -Infinity;
          for (let r = 0; r < kh; r++) {
            const row = i * sh - top + r;
            if (row < 0 || row >= h) continue;
            for (let s = 0; s < kw; s++) {
              const col = j * sw - left + s;
              if (col < 0 || col >= w) continue;
              const idx = ((b * h + row) * w + col) * c + ch;
              const v = xs[idx]!;
              if (best === x.size || v > bestValue) {
                best = idx;
                bestValue = v;
              }
            }
          }
          out[o++] = best;
        }
      }
    }
  }
  return out;
}

/**
 * The adjoint of MaxPoolGrad with respect to its `dy`: each output element picks `dz` at its
 * window's arg-max. Built from Gather so that it is itself differentiable.
 */
export function gatherAtMaxima(dz: Tensor, x: Tensor, outShape: readonly number[], attrs: PoolAttrs): Tensor {
  const idx = makeTensor(argMaxIndices(x, outShape, attrs), [outShape.reduce((a, b) => a * b, 1)], 'int32');
  // One trailing zero serves windows that hold only padding.
  const flat = concat([reshape(dz, [dz.size]), reshape(num(0), [1])], 0);
  return reshape(gather(flat, idx, 0), outShape);
}
