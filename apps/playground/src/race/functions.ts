// The 2-D test functions of the optimizer race, written with @descent/tensor ops so that
// @descent/autograd differentiates them (no hand-written gradients). `f(x, y)` works elementwise on
// tensors of any (broadcastable) shape: scalars during a race, a grid when drawing the contours.
import type { Tensor } from '@descent/tensor';
import { randomNormal, scalar } from '@descent/tensor';

export type FunctionName = 'rosenbrock' | 'beale' | 'himmelblau' | 'saddle' | 'illConditioned' | 'noisyQuadratic';

export const FUNCTION_NAMES: readonly FunctionName[] = ['rosenbrock', 'beale', 'himmelblau', 'saddle', 'illConditioned', 'noisyQuadratic'];

/** A parameter of a test function the user may edit (Rosenbrock's `b`, the noise's σ, …). */
export interface FunctionParam {
  key: string;
  label: string;
  default: number;
}

export interface TestFunction {
  name: FunctionName;
  label: string;
  /** One sentence for the page. */
  about: string;
  /** The view of the contour plot: [xMin, xMax] × [yMin, yMax]. */
  domain: readonly [number, number, number, number];
  start: readonly [number, number];
  /** Global minima, drawn as stars. */
  minima: (params: Readonly<Record<string, number>>) => readonly (readonly [number, number])[];
  params: readonly FunctionParam[];
  /** The noise-free value. */
  f(x: Tensor, y: Tensor, params: Readonly<Record<string, number>>): Tensor;
  /**
   * The value whose gradient a step follows: `f` itself, or for the stochastic function `f` plus a
   * seeded random linear term that changes every step (so its gradient is the true one plus noise).
   */
  stochastic?: (x: Tensor, y: Tensor, params: Readonly<Record<string, number>>, seed: number, step: number) => Tensor;
}

const sq = (t: Tensor): Tensor => t.square();

const rosenbrock: TestFunction = {
  name: 'rosenbrock',
  label: 'Rosenbrock',
  about:
    '(a − x)² + b·(y − x²)²: a curved, flat-bottomed valley. b = 10 here so that SGD at lr 0.01 survives; set b = 100 (the textbook value) to watch plain SGD and Momentum diverge at that rate.',
  domain: [-2, 2, -1, 3],
  start: [-1.5, 2],
  minima: (p) => [[p.a!, p.a! * p.a!]],
  params: [
    { key: 'a', label: 'a', default: 1 },
    { key: 'b', label: 'b', default: 10 },
  ],
  f: (x, y, p) => sq(scalar(p.a!).sub(x)).add(sq(y.sub(x.square())).mul(p.b!)),
};

const beale: TestFunction = {
  name: 'beale',
  label: 'Beale',
  about: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat plateaus and steep walls, minimum at (3, 0.5).',
  domain: [-4.5, 4.5, -4.5, 4.5],
  start: [1, 1.5],
  minima: () => [[3, 0.5]],
  params: [],
  f: (x, y) => {
    const y2 = y.square();
    const t1 = scalar(1.5).sub(x).add(x.mul(y));
    const t2 = scalar(2.25).sub(x).add(x.mul(y2));
    const t3 = scalar(2.625).sub(x).add(x.mul(y2.mul(y)));
    return sq(t1).add(sq(t2)).add(sq(t3));
  },
};

const himmelblau: TestFunction = {
  name: 'himmelblau',
  label: 'Himmelblau',
  about: '(x² + y − 11)² + (x + y² − 7)²: four equal minima; which one an optimizer finds depends on its path.',
  domain: [-5, 5, -5, 5],
  start: [-0.5, 0.5],
  minima: () => [
    [3, 2],
    [-2.805118, 3.131312],
    [-3.77931, -3.283186],
    [3.584428, -1.848126],
  ],
  params: [],
  f: (x, y) => sq(x.square().add(y).sub(11)).add(sq(x.add(y.square()).sub(7))),
};

const saddle: TestFunction = {
  name: 'saddle',
  label: 'Saddle',
  about:
    'x² − y² + y⁴/4: a saddle point at the origin between two minima at (0, ±√2). Starting almost on the ridge, optimizers must escape the saddle.',
  domain: [-2, 2, -2.5, 2.5],
  start: [-1.8, 0.001],
  minima: () => [
    [0, Math.SQRT2],
    [0, -Math.SQRT2],
  ],
  params: [],
  f: (x, y) => x.square().sub(y.square()).add(y.square().square().mul(0.25)),
};

const illConditioned: TestFunction = {
  name: 'illConditioned',
  label: 'Ill-conditioned quadratic',
  about:
    '½(u² + κ·v²) with u, v the axes turned by 45°: condition number κ. A rate small enough for the steep direction crawls along the shallow one.',
  domain: [-2, 2, -2, 2],
  start: [-1.8, -1],
  minima: () => [[0, 0]],
  params: [{ key: 'kappa', label: 'κ', default: 50 }],
  f: (x, y, p) => {
    const u = x.add(y).mul(Math.SQRT1_2);
    const v = x.sub(y).mul(Math.SQRT1_2);
    return u.square().add(v.square().mul(p.kappa!)).mul(0.5);
  },
};

const noisyQuadratic: TestFunction = {
  name: 'noisyQuadratic',
  label: 'Noisy quadratic',
  about:
    '½(x² + y²) whose gradient carries Gaussian noise of standard deviation σ, seeded, new at every step: stochastic gradients as in minibatch training. The chart shows the noise-free value.',
  domain: [-2, 2, -2, 2],
  start: [-1.5, 1.5],
  minima: () => [[0, 0]],
  params: [{ key: 'sigma', label: 'σ', default: 1 }],
  f: (x, y) => x.square().add(y.square()).mul(0.5),
  stochastic: (x, y, p, seed, step) => {
    // The noise of step `step` comes from its own seed, so a race is reproducible step by step.
    const [n1, n2] = randomNormal([2], 0, p.sigma ?? 1, 'float32', seed * 100_003 + step).dataSync();
    return x.square().add(y.square()).mul(0.5).add(x.mul(n1!)).add(y.mul(n2!));
  },
};

export const FUNCTIONS: Readonly<Record<FunctionName, TestFunction>> = { rosenbrock, beale, himmelblau, saddle, illConditioned, noisyQuadratic };

/** The function's parameters with defaults filled in. */
export function paramsOf(fn: TestFunction, given: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of fn.params) out[p.key] = given[p.key] ?? p.default;
  return out;
}
