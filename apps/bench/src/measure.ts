/** Timing statistics of one measured function, in milliseconds per call. */
export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Calls per sample (short calls are repeated so a sample is long enough to time). */
  readonly callsPerSample: number;
  /** Milliseconds per call of each sample, in the order taken (round by round for measureInterleaved). */
  readonly series: readonly number[];
}

export interface MeasureOptions {
  /** Untimed calls first, so the JIT has compiled the hot paths. */
  readonly warmup: number;
  /** Timed samples; the median is reported (the machine is shared and noisy). */
  readonly samples: number;
  /** Repeat the call within a sample until it lasts at least this long. */
  readonly minSampleMs: number;
  /**
   * 'wall' (default) times real elapsed time; 'cpu' times this process's CPU time, which on a
   * machine shared with other jobs approximates what a quiet machine would show.
   */
  readonly clock?: Clock;
}

export type Clock = 'wall' | 'cpu';

/** Milliseconds on the chosen clock. */
function now(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Calls per sample so that one sample lasts at least `minSampleMs` on `clock`. */
function calibrate(fn: () => void, clock: Clock, minSampleMs: number): number {
  let calls = 1;
  for (;;) {
    const elapsed = timeCalls(fn, calls, clock);
    if (elapsed >= minSampleMs || calls >= 1 << 20) return calls;
    calls = Math.max(calls * 2, Math.ceil((calls * minSampleMs) / Math.max(elapsed, 1e-3)));
  }
}

/** Milliseconds `calls` calls of `fn` take on `clock`. */
function timeCalls(fn: () => void, calls: number, clock: Clock): number {
  const t0 = now(clock);
  for (let i = 0; i < calls; i++) fn();
  return now(clock) - t0;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(perCall: number[], calls: number): Timing {
  return {
    median: medianOf(perCall),
    min: Math.min(...perCall),
    max: Math.max(...perCall),
    samples: perCall.length,
    callsPerSample: calls,
    series: perCall,
  };
}

/**
 * How many times faster `fast` ran than `slow`: the median over rounds of the ratio of their samples
 * taken in the same round of measureInterleaved. Each round's ratio cancels the machine's speed at
 * that moment, so this is steadier than the ratio of the two medians.
 */
export function pairedSpeedup(fast: Timing, slow: Timing): number {
  const n = Math.min(fast.series.length, slow.series.length);
  if (n === 0) throw new Error('pairedSpeedup: both timings need samples');
  return medianOf(Array.from({ length: n }, (_, i) => slow.series[i]! / fast.series[i]!));
}

/** Time `fn`: warm up, calibrate calls per sample, then take `samples` samples. */
export function measure(fn: () => void, options: MeasureOptions): Timing {
  const clock = options.clock ?? 'wall';
  for (let i = 0; i < options.warmup; i++) fn();
  const calls = calibrate(fn, clock, options.minSampleMs);
  const perCall: number[] = [];
  for (let s = 0; s < options.samples; s++) perCall.push(timeCalls(fn, calls, clock) / calls);
  return summarize(perCall, calls);
}

/** One contender of measureInterleaved. */
export interface Contender {
  readonly name: string;
  readonly fn: () => void;
  /** Runs before each of this contender's samples, untimed (switch the backend, the thread count…). */
  readonly before?: () => void | Promise<void>;
  /** Overrides the options' clock (multi-threaded contenders must use the wall clock). */
  readonly clock?: Clock;
}

/**
 * Time several contenders in rounds: each round takes one sample of every contender, back to back, in
 * an order that rotates from round to round. On a shared machine whose speed drifts over seconds (here
 * it halves for minutes at a time), timing one contender after the other would credit the drift to
 * whichever ran in the quiet part; interleaved, every contender sees the same mix of quiet and busy
 * moments, so the ratios of their medians stay fair.
 */
export async function measureInterleaved(contenders: readonly Contender[], options: MeasureOptions): Promise<Record<string, Timing>> {
  const clockOf = (c: Contender): Clock => c.clock ?? options.clock ?? 'wall';
  const calls: number[] = [];
  for (const c of contenders) {
    await c.before?.();
    for (let i = 0; i < options.warmup; i++) c.fn();
    calls.push(calibrate(c.fn, clockOf(c), options.minSampleMs));
  }
  const perCall = contenders.map((): number[] => []);
  for (let s = 0; s < options.samples; s++) {
    for (let j = 0; j < contenders.length; j++) {
      const i = (j + s) % contenders.length;
      const c = contenders[i]!;
      await c.before?.();
      perCall[i]!.push(timeCalls(c.fn, calls[i]!, clockOf(c)) / calls[i]!);
    }
  }
  const out: Record<string, Timing> = {};
  contenders.forEach((c, i) => (out[c.name] = summarize(perCall[i]!, calls[i]!)));
  return out;
}

/** Uniform values in [-1, 1) from a fixed-seed generator (mulberry32), so every run times the same data. */
export function seededFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
