import type { DType, Tensor } from '@descent/tensor';
import { generatorFor, makeTensor } from '@descent/tensor';
import { checkFloat, checkNumber, checkSeed, Initializer } from './initializer.js';

/** Options of `Orthogonal`. */
export interface OrthogonalArgs {
  /** Factor applied to the orthogonal matrix (default 1). */
  gain?: number;
  /**
   * Seed of the generator, for the same values on every run; null or absent draws from the global
   * generator.
   */
  seed?: number | null;
}

/**
 * A random orthogonal matrix (Saxe et al., 2014) as Keras builds it: the shape is flattened to
 * `[prod(shape[:-1]), shape[-1]]`, a normal matrix of the taller orientation is QR-decomposed,
 * Q's columns are signed by diag(R) so the result is uniformly distributed, and a wide shape gets Qᵀ.
 */
export class Orthogonal extends Initializer {
  readonly className = 'Orthogonal';
  /** Factor applied to the orthogonal matrix. */
  readonly gain: number;
  /** The seed, or null for the global generator. */
  readonly seed: number | null;

  constructor(args: OrthogonalArgs = {}) {
    super();
    this.gain = checkNumber(this.className, 'gain', args.gain ?? 1);
    this.seed = checkSeed(this.className, args.seed);
  }

  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    checkFloat(this.className, dtype);
    if (shape.length < 2) {
      throw new Error(`Orthogonal: initializer needs a shape of rank >= 2, got [${shape.join(',')}]`);
    }
    let rows = 1;
    for (let i = 0; i < shape.length - 1; i++) rows *= shape[i]!;
    const cols = shape[shape.length - 1]!;
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const gen = generatorFor(this.seed);
    const a = new Float64Array(m * n);
    for (let i = 0; i < a.length; i++) a[i] = gen.nextNormal();
    const q = householderQ(a, m, n);
    const out = new Float32Array(rows * cols);
    // q is m×n row-major; a tall shape takes it as is, a wide one its transpose.
    if (rows >= cols) for (let i = 0; i < out.length; i++) out[i] = this.gain * q[i]!;
    else for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = this.gain * q[c * n + r]!;
    return makeTensor(out, [...shape], 'float32');
  }

  override getConfig(): Record<string, unknown> {
    return { gain: this.gain, seed: this.seed };
  }
}

/**
 * Thin Q (m×n, m ≥ n) of the QR decomposition of row-major `a` by Householder reflections in
 * float64, with each column multiplied by the sign of R's diagonal entry. `a` is overwritten.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs = new Float64Array(m * n); // reflector k lives in vs[k*m + k .. k*m + m)
  const rSign = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k]! * a[i * n + k]!;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k]!;
    // alpha takes the sign opposite to x0 so v = x − alpha·e never cancels.
    const alpha = x0 >= 0 ? -norm : norm;
    const base = k * m;
    let vnorm = 0;
    for (let i = k; i < m; i++) {
      const v = a[i * n + k]! - (i === k ? alpha : 0);
      vs[base + i] = v;
      vnorm += v * v;
    }
    vnorm = Math.sqrt(vnorm);
    rSign[k] = alpha < 0 ? -1 : 1;
    if (vnorm === 0) continue; // column already zero below the diagonal: the reflector is the identity
    for (let i = k; i < m; i++) vs[base + i] = vs[base + i]! / vnorm;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += vs[base + i]! * a[i * n + j]!;
      for (let i = k; i < m; i++) a[i * n + j] = a[i * n + j]! - 2 * vs[base + i]! * dot;
    }
  }
  // Q = H0·H1·…·H(n−1) applied to the first n columns of the identity, innermost reflector first.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const base = k * m;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += vs[base + i]! * q[i * n + j]!;
      if (dot === 0) continue;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - 2 * vs[base + i]! * dot;
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] = q[i * n + j]! * rSign[j]!;
  return q;
}
