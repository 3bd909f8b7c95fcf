// Runs a race: every racer starts at the same point and takes `steps` steps of its optimizer, with
// gradients from @descent/autograd (`variableGrads`) and updates from the optimizer class itself
// (`applyGradients`). Nothing here knows any update rule.
import { variable, variableGrads } from '@descent/autograd';
import { tensor, unstack } from '@descent/tensor';
import type { FunctionName } from './functions.js';
import { FUNCTIONS, paramsOf } from './functions.js';
import type { RacerSpec, ScheduleSpec } from './optimizers.js';
import { DEFAULT_SCHEDULE, buildOptimizer, racerLabel } from './optimizers.js';

export interface RaceSetup {
  fn: FunctionName;
  /** Parameters of the function (missing ones take their defaults). */
  params: Record<string, number>;
  start: [number, number];
  steps: number;
  /** Seed of the noisy quadratic's gradient noise. */
  seed: number;
  racers: RacerSpec[];
  schedule: ScheduleSpec;
}

export interface Trajectory {
  label: string;
  spec: RacerSpec;
  /** x, y of the start and after each step: 2·(steps + 1) numbers, fewer if it diverged. */
  points: Float64Array;
  /** The noise-free value at each point. */
  losses: Float64Array;
  /** The step at which the point left the finite range (|x|, |y| > 1e6 or NaN), or null. */
  divergedAt: number | null;
  /** The optimizer's failure (bad hyperparameters), or null. */
  error: string | null;
}

/** Beyond this the run counts as diverged and stops (the contour view is a few units wide). */
const DIVERGED = 1e6;

/** One racer's run. */
export function runRacer(setup: RaceSetup, spec: RacerSpec): Trajectory {
  const fn = FUNCTIONS[setup.fn];
  const params = paramsOf(fn, setup.params);
  const label = racerLabel(spec);
  const points = new Float64Array(2 * (setup.steps + 1));
  const losses = new Float64Array(setup.steps + 1);
  const value = (px: number, py: number): number => fn.f(tensor(px), tensor(py), params).item();
  points[0] = setup.start[0];
  points[1] = setup.start[1];
  losses[0] = value(setup.start[0], setup.start[1]);
  let optimizer;
  try {
    optimizer = buildOptimizer(spec, setup.schedule ?? DEFAULT_SCHEDULE);
  } catch (err) {
    return { label, spec, points: points.subarray(0, 2), losses: losses.subarray(0, 1), divergedAt: null, error: (err as Error).message };
  }
  const p = variable(tensor([setup.start[0], setup.start[1]]));
  const loss = fn.stochastic;
  for (let step = 0; step < setup.steps; step++) {
    const { grads } = variableGrads(() => {
      const [x, y] = unstack(p);
      return loss !== undefined ? loss(x!, y!, params, setup.seed, step) : fn.f(x!, y!, params);
    }, [p]);
    optimizer.applyGradients(grads);
    const [px, py] = p.dataSync();
    if (!Number.isFinite(px) || !Number.isFinite(py) || Math.abs(px!) > DIVERGED || Math.abs(py!) > DIVERGED) {
      return { label, spec, points: points.subarray(0, 2 * (step + 1)), losses: losses.subarray(0, step + 1), divergedAt: step + 1, error: null };
    }
    points[2 * step + 2] = px!;
    points[2 * step + 3] = py!;
    losses[step + 1] = value(px!, py!);
  }
  return { label, spec, points, losses, divergedAt: null, error: null };
}

/** The last point of each racer (the test hook reports these). */
export function finalPoints(trajectories: readonly Trajectory[]): { label: string; x: number; y: number; steps: number; divergedAt: number | null }[] {
  return trajectories.map((t) => {
    const n = t.points.length / 2;
    return { label: t.label, x: t.points[2 * n - 2]!, y: t.points[2 * n - 1]!, steps: n - 1, divergedAt: t.divergedAt };
  });
}
