/** Timing statistics of one measured function, in milliseconds per call. */
export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Calls per sample (short calls are repeated so a sample is long enough to time). */
  readonly callsPerSample: number;
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

/** Time `fn`: warm up, calibrate calls per sample, then take `samples` samples. */
export function measure(fn: () => void, options: MeasureOptions): Timing {
  const clock = options.clock ?? 'wall';
  for (let i = 0; i < options.warmup; i++) fn();
  let calls = 1;
  for (;;) {
    const t0 = now(clock);
    for (let i = 0; i < calls; i++) fn();
    const elapsed = now(clock) - t0;
    if (elapsed >= options.minSampleMs || calls >= 1 << 20) break;
    calls = Math.max(calls * 2, Math.ceil((calls * options.minSampleMs) / Math.max(elapsed, 1e-3)));
  }
  const perCall: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const t0 = now(clock);
    for (let i = 0; i < calls; i++) fn();
    perCall.push((now(clock) - t0) / calls);
  }
  perCall.sort((a, b) => a - b);
  const mid = perCall.length >> 1;
  const median = perCall.length % 2 === 1 ? perCall[mid]! : (perCall[mid - 1]! + perCall[mid]!) / 2;
  return { median, min: perCall[0]!, max: perCall[perCall.length - 1]!, samples: perCall.length, callsPerSample: calls };
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
