import type { Context } from '../context.js';

/**
 * Winograd convolutions (asm/winograd.ts, with asm/winograd4.ts for 4×4 tiles): F(2×2, 3×3) does a 2×2 output tile with 16
 * multiplies per channel pair instead of 36, F(4×4, 3×3) a 4×4 tile with 36 instead of 144, as 16 (36)
 * packed matmuls of [tiles × cin]·[cin × cout] on the transformed filter. Used for 3×3, stride-1,
 * undilated convolutions and their input and filter gradients when both channel counts are at least
 * `minChannels`; shallow layers keep the direct and implicit-GEMM kernels.
 */
export const winogradSettings = {
  /** Whether eligible convolutions take the Winograd path (off: the direct / implicit-GEMM kernels). */
  enabled: true,
  /** Fewest input and output channels that take it (below, the transforms cost more than they save). */
  minChannels: 16,
  /**
   * Output tile of the products: 2 (F(2×2, 3×3)), 4 (F(4×4, 3×3): 36 multiplies per 4×4 tile, larger
   * rounding errors) or 0 (whichever needs fewer multiplies for the output size).
   */
  tile: 0 as 0 | 2 | 4,
};

/** The convolution geometry the dispatch in conv.ts has (fields as there). */
export interface WinogradGeometry {
  n: number; h: number; w: number; c: number; kh: number; kw: number; o: number;
  oh: number; ow: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number;
}

/** Floats of each thread's column scratch (asm/conv.ts COL_FLOATS) that holds a group's V and M. */
const COL_FLOATS = 1 << 16;
/** Fewest tiles per group, in tile rows of the matmul (cin + cout ≤ 409 in the SIMD build, 341 in the relaxed one). */
const MIN_GROUP_TILES = 2;

function eligible(g: WinogradGeometry): boolean {
  return winogradSettings.enabled && g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 &&
    g.c >= winogradSettings.minChannels && g.o >= winogradSettings.minChannels && g.n * g.oh * g.ow > 0;
}

/** Tiles per group so that V (P·group·cr floats) and M (P·group·co) fit the column scratch (P positions); 0 when too few fit. */
function groupTiles(ctx: Context, cr: number, co: number, positions = 16): number {
  const tile = ctx.k.matmulTileRows();
  const rows = Math.floor(COL_FLOATS / (positions * (cr + co)) / tile) * tile;
  return rows >= MIN_GROUP_TILES * tile ? rows : 0;
}

/** The output tile (2 or 4) for an oh × ow output and its tiles per group (0: no Winograd). */
function choose(ctx: Context, oh: number, ow: number, cr: number, co: number): { m: 2 | 4; group: number } {
  const group4 = groupTiles(ctx, cr, co, 36);
  const tiles = (m: number): number => Math.ceil(oh / m) * Math.ceil(ow / m);
  const want = winogradSettings.tile === 0 ? (tiles(4) * 36 < tiles(2) * 16 ? 4 : 2) : winogradSettings.tile;
  if (want === 4 && group4 > 0) return { m: 4, group: group4 };
  return { m: 2, group: groupTiles(ctx, cr, co) };
}

/**
 * out[n, oh, ow, co] = correlation of x[n, h, w, cr] (zero-padded pt rows above, pl columns left) with
 * a 3×3 filter `f` laid out [9][ca][cb]: [9][cr][co] (forward), or, with `flip`, [9][co][cr] read
 * rotated by 180° (the input gradient's). The threads split the output tiles.
 */
function run(
  ctx: Context, x: number, f: number, out: number, flip: boolean, m: 2 | 4, group: number,
  n: number, h: number, w: number, cr: number, oh: number, ow: number, co: number, pt: number, pl: number,
): void {
  const k = ctx.k;
  const positions = (m + 2) * (m + 2);
  const u = ctx.scratch(positions * cr * co * 4);
  const packedBytes = k.matmulPackedBBytes(co, cr);
  const packed = ctx.scratch(positions * packedBytes);
  try {
    if (flip) k.winogradFilter(f, u.ptr, co, cr, 1, m);
    else k.winogradFilter(f, u.ptr, cr, co, 0, m);
    // Position p of U is [cr][co] (forward) or [co][cr] (flipped): B element (depth i, column j) by strides.
    const sbk = flip ? 1 : co;
    const sbn = flip ? cr : 1;
    for (let p = 0; p < positions; p++) k.packMatrixB(u.ptr + p * cr * co * 4, sbk, sbn, co, cr, packed.ptr + p * packedBytes);
    const th = Math.ceil(oh / m);
    const tw = Math.ceil(ow / m);
    const geo = ctx.meta([[h, w, cr, oh, ow, co, pt, pl, th, tw, group, packedBytes, 0, 0, m]], 0);
    const tiles = n * th * tw;
    ctx.pool.range('winogradRange', tiles, group, tiles * positions * cr * co, [x, packed.ptr, out, geo], ctx.workPtr);
  } finally {
    ctx.free(packed);
    ctx.free(u);
  }
}

/** Conv2D forward by Winograd when it applies (returns false otherwise, having done nothing). */
export function winogradConv2d(ctx: Context, g: WinogradGeometry, x: number, f: number, out: number): boolean {
  if (!eligible(g)) return false;
  const { m, group } = choose(ctx, g.oh, g.ow, g.c, g.o);
  if (group === 0) return false;
  run(ctx, x, f, out, false, m, group, g.n, g.h, g.w, g.c, g.oh, g.ow, g.o, g.pt, g.pl);
  return true;
}

/**
 * Conv2DBackpropInput by Winograd when it applies: dx is the 3×3 correlation of dy, zero-padded by
 * 2 − pt rows above and 2 − pl columns left, with the filter rotated by 180° and its channel axes
 * swapped: dx[y, x, c] = Σ dy[y + pt − ky, x + pl − kx, o] · W[ky, kx, c, o].
 */
export function winogradConv2dInputGrad(ctx: Context, g: WinogradGeometry, dy: number, f: number, dx: number): boolean {
  if (!eligible(g)) return false;
  const { m, group } = choose(ctx, g.h, g.w, g.o, g.c);
  if (group === 0) return false;
  run(ctx, dy, f, dx, true, m, group, g.n, g.oh, g.ow, g.o, g.h, g.w, g.c, 2 - g.pt, 2 - g.pl);
  return true;
}

/** Upper bound on the filter gradient's slabs (each holds a partial dU of (m + 2)²·cin·cout floats). */
const MAX_SLABS = 12;

/**
 * Conv2DBackpropFilter by Winograd when it applies: dW = Gᵀ [Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ)] G, the sums
 * over tiles being products V_pᵀ·Ŷ_p, one per position p. The batch's tiles are cut into at most
 * MAX_SLABS slabs, whole groups each, by a rule that ignores the thread count; the threads take slabs,
 * each sums into its own partial, and the partials are added in slab order: the same result on any
 * number of threads.
 */
export function winogradConv2dFilterGrad(ctx: Context, g: WinogradGeometry, x: number, dy: number, dw: number): boolean {
  if (!eligible(g)) return false;
  const { m, group } = choose(ctx, g.oh, g.ow, g.c, g.o);
  if (group === 0) return false;
  const positions = (m + 2) * (m + 2);
  const th = Math.ceil(g.oh / m);
  const tw = Math.ceil(g.ow / m);
  const tiles = g.n * th * tw;
  const slab = group * Math.ceil(Math.ceil(tiles / MAX_SLABS) / group);
  const slabs = Math.ceil(tiles / slab);
  const partials = ctx.scratch(slabs * positions * g.c * g.o * 4);
  try {
    const geo = ctx.meta([[g.h, g.w, g.c, g.oh, g.ow, g.o, g.pt, g.pl, th, tw, group, 0, slab, tiles, m]], 0);
    ctx.pool.range('winogradFilterGradRange', slabs, 1, tiles * positions * g.c * g.o, [x, dy, partials.ptr, geo], ctx.workPtr);
    ctx.k.winogradFilterGradFinish(partials.ptr, slabs, dw, g.c, g.o, m);
  } finally {
    ctx.free(partials);
  }
  return true;
}
