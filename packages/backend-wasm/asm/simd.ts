// Arithmetic shared by the product kernels (matmul.ts, matmul-sparse.ts, conv.ts); not exported from the
// module.

/** `c + a·b` per lane: fused (one rounding) in the relaxed build, a multiply then an add otherwise. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** `madd` on one float: the rounding a lane of `madd` gives, for the scalar tails of vector loops. */
@inline export function maddScalar(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}
