// The race setup in the page's query string, so that a race can be shared as a link:
// ?fn=rosenbrock&p=a:1,b:10&start=-1.5,2&steps=500&seed=1&sched=cosine,100,0.5&r=sgd&r=momentum~learningRate:0.01~momentum:0.9
import type { FunctionName } from './functions.js';
import { FUNCTION_NAMES, FUNCTIONS, paramsOf } from './functions.js';
import type { RaceSetup } from './engine.js';
import type { RacerSpec, ScheduleKind } from './optimizers.js';
import { DEFAULT_SCHEDULE, PRESET_TUNING, SCHEDULE_KINDS } from './optimizers.js';

export const MAX_STEPS = 5000;

export function defaultSetup(fn: FunctionName = 'rosenbrock'): RaceSetup {
  const f = FUNCTIONS[fn];
  return {
    fn,
    params: paramsOf(f),
    start: [f.start[0], f.start[1]],
    steps: 500,
    seed: 1,
    racers: PRESET_TUNING.map((r) => ({ name: r.name, options: { ...r.options } })),
    schedule: { ...DEFAULT_SCHEDULE },
  };
}

function num(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

export function encodeRacer(r: RacerSpec): string {
  return [r.name, ...Object.entries(r.options).map(([k, v]) => `${k}:${String(v)}`)].join('~');
}

export function decodeRacer(s: string): RacerSpec | null {
  const [name, ...opts] = s.split('~');
  if (name === undefined || !/^[A-Za-z][\w-]*$/.test(name)) return null;
  const options: Record<string, number | boolean> = {};
  for (const o of opts) {
    const [k, v] = o.split(':');
    if (k === undefined || v === undefined || !/^[A-Za-z]\w*$/.test(k)) continue;
    if (v === 'true' || v === 'false') options[k] = v === 'true';
    else if (num(v) !== null) options[k] = num(v)!;
  }
  return { name, options };
}

/** The setup as query-string parameters. */
export function encodeSetup(s: RaceSetup): URLSearchParams {
  const q = new URLSearchParams();
  q.set('fn', s.fn);
  const params = Object.entries(s.params);
  if (params.length > 0) q.set('p', params.map(([k, v]) => `${k}:${v}`).join(','));
  q.set('start', `${s.start[0]},${s.start[1]}`);
  q.set('steps', String(s.steps));
  q.set('seed', String(s.seed));
  if (s.schedule.kind !== 'constant') q.set('sched', `${s.schedule.kind},${s.schedule.steps},${s.schedule.rate}`);
  for (const r of s.racers) q.append('r', encodeRacer(r));
  return q;
}

/** A setup from query-string parameters; anything missing or malformed takes its default. */
export function decodeSetup(q: URLSearchParams): RaceSetup {
  const fnName = q.get('fn');
  const fn: FunctionName = FUNCTION_NAMES.includes(fnName as FunctionName) ? (fnName as FunctionName) : 'rosenbrock';
  const setup = defaultSetup(fn);
  for (const pair of (q.get('p') ?? '').split(',')) {
    const [k, v] = pair.split(':');
    if (k !== undefined && k in setup.params && num(v) !== null) setup.params[k] = num(v)!;
  }
  const [sx, sy] = (q.get('start') ?? '').split(',');
  if (num(sx) !== null && num(sy) !== null) setup.start = [num(sx)!, num(sy)!];
  const steps = num(q.get('steps') ?? undefined);
  if (steps !== null && Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS) setup.steps = steps;
  const seed = num(q.get('seed') ?? undefined);
  if (seed !== null && Number.isInteger(seed)) setup.seed = seed;
  const [kind, sSteps, rate] = (q.get('sched') ?? '').split(',');
  if (SCHEDULE_KINDS.includes(kind as ScheduleKind) && num(sSteps) !== null && num(rate) !== null) {
    setup.schedule = { kind: kind as ScheduleKind, steps: num(sSteps)!, rate: num(rate)! };
  }
  const racers = q.getAll('r').map(decodeRacer).filter((r): r is RacerSpec => r !== null);
  if (racers.length > 0) setup.racers = racers;
  return setup;
}
