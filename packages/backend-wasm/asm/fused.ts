// Range kernels of the fused bias + activation kernels (FusedConv2D's direct path and its pass after
// other products) and of the bias gradient (BiasAddGrad). The epilogue itself is in epilogue.ts.

import { convDirectRange } from './conv';
import { epilogueBlock } from './epilogue';

/**
 * Range kernel (src/threads.ts): convDirect for output rows [start, end) of the n·oh rows, each row's
 * bias + activation applied right after it is computed (ow·o floats, in L1).
 */
export function convDirectBiasRange(
  start: i32, end: i32, work: usize,
  x: usize, f: usize, out: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, o: i32, oh: i32, ow: i32, epi: usize,
): void {
  const rowFloats = ow * o;
  for (let r = start; r < end; r++) {
    convDirectRange(r, r + 1, work, x, f, out, n, h, w, c, kh, kw, o, oh, ow);
    epilogueBlock(epi, out + (<usize>(r * rowFloats) << 2), o, ow, o, 0);
  }
}

/**
 * Range kernel (src/threads.ts): bias + activation in place over rows [start·block, min(rows, end·block))
 * of a rows × c matrix (the output of a product the epilogue could not ride along with).
 */
export function biasActRange(start: i32, end: i32, work: usize, y: usize, rows: i32, c: i32, block: i32, epi: usize): void {
  const r0 = start * block;
  const r1 = min(rows, end * block);
  if (r1 > r0) epilogueBlock(epi, y + (<usize>(r0 * c) << 2), c, r1 - r0, c, 0);
}

/**
 * Range kernel (src/threads.ts): BiasAddGrad's partial sums. Block q (rows [q·block, …)) of dy
 * (rows × c) summed in row order into partials[q, :].
 */
export function biasGradPartialRange(start: i32, end: i32, work: usize, dy: usize, partials: usize, rows: i32, c: i32, block: i32): void {
  const rowBytes = <usize>c << 2;
  for (let q = start; q < end; q++) {
    const r0 = q * block;
    const r1 = min(rows, r0 + block);
    const dst = partials + <usize>q * rowBytes;
    memory.copy(dst, dy + <usize>r0 * rowBytes, rowBytes);
    for (let r = r0 + 1; r < r1; r++) {
      const src = dy + <usize>r * rowBytes;
      let j = 0;
      for (; j + 4 <= c; j += 4) {
        const o = <usize>j << 2;
        v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
      }
      for (; j < c; j++) {
        const o = <usize>j << 2;
        store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
      }
    }
  }
}

/** out[j] = 0 + partials[0, j] + partials[1, j] + … in block order (the CPU kernel's order). */
export function biasGradCombine(partials: usize, blocks: i32, c: i32, out: usize): void {
  const rowBytes = <usize>c << 2;
  memory.fill(out, 0, rowBytes);
  for (let q = 0; q < blocks; q++) {
    const src = partials + <usize>q * rowBytes;
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(src + o)));
    }
    for (; j < c; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(src + o));
    }
  }
}
