// Shared by winograd.ts (F(2×2, 3×3) and the exported kernels) and winograd4.ts (F(4×4, 3×3)); neither
// this file nor winograd4.ts is exported from the module (asm/index.ts).

// Geometry words at `geo` (int32), written by src/kernels/winograd.ts.
export const GEO_H = 0; // input rows
export const GEO_W = 1; // input columns
export const GEO_CR = 2; // input channels (the products' depth)
export const GEO_OH = 3; // output rows
export const GEO_OW = 4; // output columns
export const GEO_CO = 5; // output channels
export const GEO_PT = 6; // rows of zero padding above (the input gradient's is 2 − the forward's)
export const GEO_PL = 7; // columns of zero padding on the left
export const GEO_TH = 8; // tile rows per image: ceil(oh / m) for m×m output tiles
export const GEO_TW = 9; // tile columns per image: ceil(ow / m)
export const GEO_GROUP = 10; // tiles per group ((m + 2)² · group · (cr + co) floats fit the column scratch)
export const GEO_PACKED = 11; // bytes of one position's packed U (matmulPackedBBytes(co, cr))
export const GEO_SLAB = 12; // filter gradient: tiles per slab (a multiple of the group)
export const GEO_TILES = 13; // filter gradient: tiles of the whole batch
export const GEO_M = 14; // output tile: 2 (F(2×2, 3×3), winograd.ts) or 4 (F(4×4, 3×3), winograd4.ts)

@inline export function geoAt(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

// Tiles are numbered image by image, then row by row: tile t is in image t / (th·tw), at tile row
// (t mod th·tw) / tw and tile column (t mod th·tw) mod tw; its m×m output block starts m times that.

/** Image of tile `tile`. */
@inline export function tileImage(geo: usize, tile: i32): i32 {
  return tile / (geoAt(geo, GEO_TH) * geoAt(geo, GEO_TW));
}

/** First output row of tile `tile`'s m×m block. */
@inline export function tileTop(geo: usize, tile: i32, m: i32): i32 {
  return m * ((tile % (geoAt(geo, GEO_TH) * geoAt(geo, GEO_TW))) / geoAt(geo, GEO_TW));
}

/** First output column of tile `tile`'s m×m block. */
@inline export function tileLeft(geo: usize, tile: i32, m: i32): i32 {
  return m * ((tile % (geoAt(geo, GEO_TH) * geoAt(geo, GEO_TW))) % geoAt(geo, GEO_TW));
}

/** Loads patch element (r, s): four channels (`wide`) or one in lane 0; zeros outside the input. */
@inline export function patch(p: usize, ok: bool, wide: bool): v128 {
  if (!ok) return f32x4.splat(0);
  return wide ? v128.load(p) : v128.load32_zero(p);
}

@inline export function put(p: usize, x: v128, wide: bool): void {
  if (wide) v128.store(p, x);
  else v128.store32_lane(p, x, 0);
}


@inline export function load4(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : v128.load32_zero(p);
}

/** Adds the filter gradient's slab partials (`floats` each) into the first, in slab order. */
export function sumSlabs(partials: usize, slabs: i32, floats: i32): void {
  const part = <usize>floats << 2;
  for (let s = 1; s < slabs; s++) {
    const src = partials + <usize>s * part;
    let i = 0;
    for (; i + 4 <= floats; i += 4) {
      const o = <usize>i << 2;
      v128.store(partials + o, f32x4.add(v128.load(partials + o), v128.load(src + o)));
    }
    for (; i < floats; i++) {
      const o = <usize>i << 2;
      store<f32>(partials + o, load<f32>(partials + o) + load<f32>(src + o));
    }
  }
}
