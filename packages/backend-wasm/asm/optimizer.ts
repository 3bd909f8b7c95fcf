// Fused optimizer updates: one pass over w, g and the slots instead of 3–12 element-wise kernels.
// Every step is the same float32 operation, in the same order and with the same float32 constants,
// as the op path (src/kernels/optimizer.ts rounds the constants), so on this backend the fused
// update equals the op path bit for bit, with one exception: subnormals are flushed (below). No FMA,
// not even in the relaxed build, for that reason.
// An output is either a fresh block or its own input's block (w' over w, m' over m, ...: the update in
// place, src/kernels/optimizer.ts); every loop reads each input element once, before it writes the
// outputs of that element, so both give the same floats.
//
// Flush to zero: a slot that decays by a constant factor each step while its gradient is 0 (a weight
// whose input is 0 throughout the batch) passes through float32's subnormal range, 2^-149 ≤ |x| <
// 2^-126, for ~150 steps at a decay of 0.9. x86 computes on subnormals in microcode, ~100× slower,
// and wasm has no flush-to-zero mode: on MNIST ~2.5% of the first layer's Adam m was subnormal from
// the fifth epoch on, and the update took 2–3× as long. So the fast-decaying slots — Adam's m, SGD's
// velocity, RMSprop's mean square, mean gradient and momentum — are stored as a zero of the same sign
// where they would be subnormal (what x86's FTZ mode, and so TensorFlow's CPU kernels, give), and
// Adam takes a step of +0 (w' = w) where |m'| < max(2^-126, 2^-126 / alpha) (where m' or m'·alpha
// would be subnormal). Adam's v (decay 0.999: ~70,000 zero-gradient steps from 1e-8 down to 2^-126)
// and Adagrad's accumulator (never decays) are stored as computed: checking them cost more per step
// than they would ever save. The op path keeps subnormals: the two differ only there (by less than
// 2^-126 in a slot, and by a step smaller than that in w).

/** The smallest normal float32, 2^-126. */
const MIN_NORMAL: f32 = 1.1754943508222875e-38;
/** All bits but the sign. */
const MAGNITUDE = 0x7fffffff;

/**
 * `x` with lanes whose magnitude is below `limit` (a positive bound) replaced by a zero of the same
 * sign; NaN and ±∞ kept. `magnitude` is i32x4.splat(MAGNITUDE), `limit` a splat (both hoisted by the caller).
 */
@inline function flushBelow(x: v128, limit: v128, magnitude: v128): v128 {
  return flushSized(x, v128.and(x, magnitude), limit, magnitude);
}

/** `flushBelow` for a caller that has `size` = `x & magnitude` already (and needs it again). */
@inline function flushSized(x: v128, size: v128, limit: v128, magnitude: v128): v128 {
  return v128.andnot(x, v128.and(f32x4.lt(size, limit), magnitude));
}

/** Scalar `flushBelow`. */
@inline function flushBelowF32(x: f32, limit: f32): f32 {
  return Mathf.abs(x) < limit ? reinterpret<f32>(reinterpret<u32>(x) & ~MAGNITUDE) : x;
}

export const SGD_PLAIN = 0, SGD_MOMENTUM = 1, SGD_NESTEROV = 2;

/** m' = m + (g−m)·c1; v' = v + (g²−v)·c2; w' = w − (m'·alpha)/(sqrt(v') + eps) (m' and the step flushed to zero below 2^-126: see the top). */
export function adamF32(
  w: usize, g: usize, m: usize, v: usize, wOut: usize, mOut: usize, vOut: usize, n: i32,
  c1: f32, c2: f32, alpha: f32, eps: f32,
): void {
  let i = 0;
  const c1v = f32x4.splat(c1);
  const c2v = f32x4.splat(c2);
  const av = f32x4.splat(alpha);
  const ev = f32x4.splat(eps);
  const normal = f32x4.splat(MIN_NORMAL);
  const magnitude = i32x4.splat(MAGNITUDE);
  // |m'| below this makes m'·alpha subnormal (or m' itself, flushed): the step is then +0 and w' = w.
  const stepLimit: f32 = alpha > 1 || alpha <= 0 ? MIN_NORMAL : <f32>(<f64>MIN_NORMAL / <f64>alpha);
  const stepLimitV = f32x4.splat(stepLimit);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = v128.load(m + o);
    const vi = v128.load(v + o);
    const m1 = f32x4.add(mi, f32x4.mul(f32x4.sub(gi, mi), c1v));
    const m1Size = v128.and(m1, magnitude);
    v128.store(mOut + o, flushSized(m1, m1Size, normal, magnitude));
    const v1 = f32x4.add(vi, f32x4.mul(f32x4.sub(f32x4.mul(gi, gi), vi), c2v));
    v128.store(vOut + o, v1);
    const mStep = v128.andnot(m1, f32x4.lt(m1Size, stepLimitV));
    const q = f32x4.div(f32x4.mul(mStep, av), f32x4.add(f32x4.sqrt(v1), ev));
    v128.store(wOut + o, f32x4.sub(v128.load(w + o), q));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o);
    const vi = load<f32>(v + o);
    const m1 = flushBelowF32(mi + (gi - mi) * c1, MIN_NORMAL);
    const v1 = vi + (gi * gi - vi) * c2;
    store<f32>(mOut + o, m1);
    store<f32>(vOut + o, v1);
    store<f32>(wOut + o, load<f32>(w + o) - (flushBelowF32(m1, stepLimit) * alpha) / (Mathf.sqrt(v1) + eps));
  }
}

/**
 * Range kernel (src/threads.ts): adamF32 over elements [start·block, end·block) ∩ [0, n) (`block` a
 * multiple of 4, so each element takes the path it takes in one call); the constants come as float32 bits.
 */
export function adamRange(
  start: i32, end: i32, work: usize, w: usize, g: usize, m: usize, v: usize, wOut: usize, mOut: usize, vOut: usize,
  n: i32, block: i32, c1Bits: i32, c2Bits: i32, alphaBits: i32, epsBits: i32,
): void {
  const i0 = start * block;
  const i1 = min(n, end * block);
  if (i1 <= i0) return;
  const o = <usize>i0 << 2;
  adamF32(w + o, g + o, m + o, v + o, wOut + o, mOut + o, vOut + o, i1 - i0,
    reinterpret<f32>(c1Bits), reinterpret<f32>(c2Bits), reinterpret<f32>(alphaBits), reinterpret<f32>(epsBits));
}

@inline function sgdLoop(mode: i32, w: usize, g: usize, v: usize, wOut: usize, vOut: usize, n: i32, learningRate: f32, mu: f32): void {
  let i = 0;
  const learningRateV = f32x4.splat(learningRate);
  const muv = f32x4.splat(mu);
  const normal = f32x4.splat(MIN_NORMAL);
  const magnitude = i32x4.splat(MAGNITUDE);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const step = f32x4.mul(v128.load(g + o), learningRateV);
    const wi = v128.load(w + o);
    if (mode == SGD_PLAIN) {
      v128.store(wOut + o, f32x4.sub(wi, step));
    } else {
      const v1 = flushBelow(f32x4.sub(f32x4.mul(v128.load(v + o), muv), step), normal, magnitude);
      v128.store(vOut + o, v1);
      if (mode == SGD_NESTEROV) v128.store(wOut + o, f32x4.sub(wi, f32x4.sub(step, f32x4.mul(v1, muv))));
      else v128.store(wOut + o, f32x4.add(wi, v1));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const step = load<f32>(g + o) * learningRate;
    const wi = load<f32>(w + o);
    if (mode == SGD_PLAIN) {
      store<f32>(wOut + o, wi - step);
    } else {
      const v1 = flushBelowF32(load<f32>(v + o) * mu - step, MIN_NORMAL);
      store<f32>(vOut + o, v1);
      if (mode == SGD_NESTEROV) store<f32>(wOut + o, wi - (step - v1 * mu));
      else store<f32>(wOut + o, wi + v1);
    }
  }
}

/** step = g·learningRate; plain w' = w − step; momentum v' = v·mu − step, w' = w + v'; nesterov w' = w − (step − v'·mu). */
export function sgdF32(mode: i32, w: usize, g: usize, v: usize, wOut: usize, vOut: usize, n: i32, learningRate: f32, mu: f32): void {
  if (mode == SGD_PLAIN) sgdLoop(SGD_PLAIN, w, g, v, wOut, vOut, n, learningRate, mu);
  else if (mode == SGD_NESTEROV) sgdLoop(SGD_NESTEROV, w, g, v, wOut, vOut, n, learningRate, mu);
  else sgdLoop(SGD_MOMENTUM, w, g, v, wOut, vOut, n, learningRate, mu);
}

@inline function rmspropLoop(
  hasMomentum: bool, centered: bool,
  w: usize, g: usize, v: usize, m: usize, a: usize, wOut: usize, vOut: usize, mOut: usize, aOut: usize, n: i32,
  learningRate: f32, rho: f32, c: f32, mu: f32, eps: f32,
): void {
  let i = 0;
  const learningRateV = f32x4.splat(learningRate);
  const rhov = f32x4.splat(rho);
  const cv = f32x4.splat(c);
  const muv = f32x4.splat(mu);
  const ev = f32x4.splat(eps);
  const normal = f32x4.splat(MIN_NORMAL);
  const magnitude = i32x4.splat(MAGNITUDE);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const v1 = flushBelow(f32x4.add(f32x4.mul(v128.load(v + o), rhov), f32x4.mul(f32x4.mul(gi, gi), cv)), normal, magnitude);
    v128.store(vOut + o, v1);
    let den: v128;
    if (centered) {
      const a1 = flushBelow(f32x4.add(f32x4.mul(v128.load(a + o), rhov), f32x4.mul(gi, cv)), normal, magnitude);
      v128.store(aOut + o, a1);
      den = f32x4.add(f32x4.sub(v1, f32x4.mul(a1, a1)), ev);
    } else {
      den = f32x4.add(v1, ev);
    }
    const inc = f32x4.div(f32x4.mul(gi, learningRateV), f32x4.sqrt(den));
    if (hasMomentum) {
      const m1 = flushBelow(f32x4.add(f32x4.mul(v128.load(m + o), muv), inc), normal, magnitude);
      v128.store(mOut + o, m1);
      v128.store(wOut + o, f32x4.sub(v128.load(w + o), m1));
    } else {
      v128.store(wOut + o, f32x4.sub(v128.load(w + o), inc));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const v1 = flushBelowF32(load<f32>(v + o) * rho + gi * gi * c, MIN_NORMAL);
    store<f32>(vOut + o, v1);
    let den: f32;
    if (centered) {
      const a1 = flushBelowF32(load<f32>(a + o) * rho + gi * c, MIN_NORMAL);
      store<f32>(aOut + o, a1);
      den = v1 - a1 * a1 + eps;
    } else {
      den = v1 + eps;
    }
    const inc = (gi * learningRate) / Mathf.sqrt(den);
    if (hasMomentum) {
      const m1 = flushBelowF32(load<f32>(m + o) * mu + inc, MIN_NORMAL);
      store<f32>(mOut + o, m1);
      store<f32>(wOut + o, load<f32>(w + o) - m1);
    } else {
      store<f32>(wOut + o, load<f32>(w + o) - inc);
    }
  }
}

/**
 * v' = v·rho + g²·c; centered a' = a·rho + g·c, den = v' − a'² + eps, else den = v' + eps;
 * inc = g·learningRate / sqrt(den); momentum m' = m·mu + inc, w' = w − m', else w' = w − inc.
 * `m`/`mOut` and `a`/`aOut` are read only when momentum/centered is on.
 */
export function rmspropF32(
  hasMomentum: bool, centered: bool,
  w: usize, g: usize, v: usize, m: usize, a: usize, wOut: usize, vOut: usize, mOut: usize, aOut: usize, n: i32,
  learningRate: f32, rho: f32, c: f32, mu: f32, eps: f32,
): void {
  if (hasMomentum) {
    if (centered) rmspropLoop(true, true, w, g, v, m, a, wOut, vOut, mOut, aOut, n, learningRate, rho, c, mu, eps);
    else rmspropLoop(true, false, w, g, v, m, a, wOut, vOut, mOut, aOut, n, learningRate, rho, c, mu, eps);
  } else if (centered) rmspropLoop(false, true, w, g, v, m, a, wOut, vOut, mOut, aOut, n, learningRate, rho, c, mu, eps);
  else rmspropLoop(false, false, w, g, v, m, a, wOut, vOut, mOut, aOut, n, learningRate, rho, c, mu, eps);
}

/** acc' = acc + g²; w' = w − (g·learningRate)/sqrt(acc' + eps). */
export function adagradF32(w: usize, g: usize, acc: usize, wOut: usize, accOut: usize, n: i32, learningRate: f32, eps: f32): void {
  let i = 0;
  const learningRateV = f32x4.splat(learningRate);
  const ev = f32x4.splat(eps);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const a1 = f32x4.add(v128.load(acc + o), f32x4.mul(gi, gi));
    v128.store(accOut + o, a1);
    const q = f32x4.div(f32x4.mul(gi, learningRateV), f32x4.sqrt(f32x4.add(a1, ev)));
    v128.store(wOut + o, f32x4.sub(v128.load(w + o), q));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const a1 = load<f32>(acc + o) + gi * gi;
    store<f32>(accOut + o, a1);
    store<f32>(wOut + o, load<f32>(w + o) - (gi * learningRate) / Mathf.sqrt(a1 + eps));
  }
}
