// Casts between float32, int32 and bool (the `Cast` kernel, with the unary family in the other layers).

// JavaScript's ToInt32 (what Int32Array.set does): truncate, wrap modulo 2^32, NaN/±Infinity → 0.
function toInt32(v: f64): i32 {
  if (!isFinite(v)) return 0;
  const t = Math.trunc(v);
  if (Math.abs(t) < 2147483648) return <i32>t;
  let r = t % 4294967296;
  if (r < 0) r += 4294967296;
  if (r >= 2147483648) r -= 4294967296;
  return <i32>r;
}

/** Float32 → int32 (truncate toward zero, NaN → 0) and int32 → float32. */
export function castF32ToI32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<i32>(y + o, toInt32(<f64>v));
  }
}

export function castI32ToF32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>load<i32>(x + o));
  }
}

/** bool (u8) → float32/int32 (0 or 1), and float32/int32 → bool (nonzero; NaN counts as nonzero, as `!== 0` does). */
export function castBoolTo32(x: usize, y: usize, n: i32, toFloat: bool): void {
  let i = 0;
  // 16 bytes widened to four i32x4 (zero-extended, as the scalar u8 load is), converted when float.
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(x + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    let w0 = i32x4.extend_low_i16x8_u(lo);
    let w1 = i32x4.extend_high_i16x8_u(lo);
    let w2 = i32x4.extend_low_i16x8_u(hi);
    let w3 = i32x4.extend_high_i16x8_u(hi);
    if (toFloat) {
      w0 = f32x4.convert_i32x4_u(w0);
      w1 = f32x4.convert_i32x4_u(w1);
      w2 = f32x4.convert_i32x4_u(w2);
      w3 = f32x4.convert_i32x4_u(w3);
    }
    const o = y + (<usize>i << 2);
    v128.store(o, w0);
    v128.store(o, w1, 16);
    v128.store(o, w2, 32);
    v128.store(o, w3, 48);
  }
  if (toFloat) for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>load<u8>(x + <usize>i));
  else for (; i < n; i++) store<i32>(y + (<usize>i << 2), <i32>load<u8>(x + <usize>i));
}

export function cast32ToBool(x: usize, y: usize, n: i32, fromFloat: bool): void {
  if (fromFloat) for (let i = 0; i < n; i++) store<u8>(y + <usize>i, <u8>(load<f32>(x + (<usize>i << 2)) != 0));
  else for (let i = 0; i < n; i++) store<u8>(y + <usize>i, <u8>(load<i32>(x + (<usize>i << 2)) != 0));
}

// Range kernels (src/threads.ts RANGE_KERNELS) run the same loops over a slice of the units, so threads
// can split a large pass; each unit is computed exactly as the whole-array kernel computes it.

/** castBoolTo32 over elements [start·block, end·block) ∩ [0, n). */
export function castBoolRange(start: i32, end: i32, work: usize, x: usize, y: usize, n: i32, block: i32, toFloat: bool): void {
  const i0 = start * block;
  const i1 = min(n, end * block);
  if (i1 <= i0) return;
  castBoolTo32(x + <usize>i0, y + (<usize>i0 << 2), i1 - i0, toFloat);
}
