import { writeFileSync } from 'node:fs';

/**
 * The shared half of the fuzz suites (issue 13): every fuzzed call must either succeed with a result
 * that passes a cheap property check, or throw an Error whose message starts with the name of the
 * function called and is none of the "unclear" kinds (engine TypeErrors, typed-array length errors,
 * stack overflows, `undefined` where a value belongs).
 *
 * Environment: `FUZZ_RUNS` raises numRuns (default 200); `FUZZ_SURVEY=1` records violations instead
 * of failing and prints them in `summary()`, with slow calls; `FUZZ_TRACE=file` writes each call
 * before it runs (to find a hang); `FUZZ_DEBUG=prop` prints every outcome of one property.
 */

/** Messages that are never a clear refusal, whatever function they come from. */
export const UNCLEAR_MESSAGES: readonly RegExp[] = [
  /Invalid typed array length/, /Maximum call stack size exceeded/, /Cannot read properties/, /is not a function/,
  /is not iterable/, /Cannot convert/, /\[object Object\]/, /Array buffer allocation failed/, /Invalid array length/,
];

/**
 * A known open defect: a violation of one of `props` matching `match` is counted under `id`
 * instead of failing, so a suite stays green while any new defect still fails.
 */
export interface KnownDefect {
  id: string;
  props: readonly string[];
  match: RegExp;
}

export interface FuzzHarnessOptions {
  /** Names the suite in the summary line (`FUZZ tensor numRuns=...`). */
  suite: string;
  /** Unclear messages beyond `UNCLEAR_MESSAGES`. */
  extraUnclear?: readonly RegExp[];
  knownDefects?: readonly KnownDefect[];
  /** Also accept a message that starts with `Name '` (a named instance: `Dense 'dense_1': ...`), not only `Name:`. */
  allowInstanceName?: boolean;
}

export interface FuzzHarness {
  /** numRuns: `FUZZ_RUNS` or 200. */
  readonly runs: number;
  /** The fixed fast-check seed of every suite. */
  readonly seed: number;
  /** `{ seed, numRuns }` for `fc.assert`. */
  readonly opts: { seed: number; numRuns: number };
  readonly survey: boolean;
  /** Success and error counts per property. */
  readonly stats: Record<string, { ok: number; err: number }>;
  /** The generated inputs of the property being run, for reports (set by `body` or directly). */
  current: unknown[];
  /** JSON of a value that keeps NaN, ±Infinity and undefined visible. */
  readonly show: (v: unknown) => string;
  /** Wraps a property body so its generated inputs are known to the reports. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fast-check hands each body its own tuple type
  readonly body: (fn: (...a: any[]) => void) => (...a: unknown[]) => void;
  /** Records a violation of `prop` (or counts a known defect); throws unless surveying. */
  violation(prop: string, what: string): void;
  /** Checks that `e`, thrown by `prop`, is a clear Error naming one of `names`. */
  checkError(prop: string, names: readonly string[], e: unknown): void;
  /** Runs `fn`: an error must be clear, a result must pass `check`. */
  oracle<T>(prop: string, names: readonly string[], fn: () => T, check: (r: T) => void): void;
  /** `oracle` for an async `fn`. */
  oracleAsync<T>(prop: string, names: readonly string[], fn: () => T | Promise<T>, check: (r: T) => void): Promise<void>;
  /** Prints the outcome counts (with `FUZZ_RUNS` or a survey) and, when surveying, every finding. */
  summary(): void;
}

export function fuzzHarness(options: FuzzHarnessOptions): FuzzHarness {
  const runs = Number(process.env.FUZZ_RUNS ?? 200);
  const seed = 20260613;
  const survey = process.env.FUZZ_SURVEY === '1';
  const trace = process.env.FUZZ_TRACE;
  const debug = process.env.FUZZ_DEBUG;
  const unclear = [...UNCLEAR_MESSAGES, ...(options.extraUnclear ?? [])];
  const knownDefects = options.knownDefects ?? [];
  const stats: Record<string, { ok: number; err: number }> = {};
  const findings = new Map<string, { count: number; example: string }>();
  const known: Record<string, number> = {};

  const show = (v: unknown): string => {
    try {
      const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x === undefined ? 'undefined' : x));
      return (s ?? String(v)).slice(0, 600);
    } catch {
      return String(v);
    }
  };

  const h: FuzzHarness = {
    runs,
    seed,
    opts: { seed, numRuns: runs },
    survey,
    stats,
    current: [],
    show,
    body: (fn) => (...a) => {
      h.current = a;
      fn(...a);
    },
    violation(prop, what) {
      const k = knownDefects.find((d) => d.props.includes(prop) && d.match.test(what));
      if (k) {
        known[k.id] = (known[k.id] ?? 0) + 1;
        return;
      }
      const key = `${prop}: ${what.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').slice(0, 140)}`;
      const f = findings.get(key);
      if (f) f.count++;
      else findings.set(key, { count: 1, example: `${prop}(${show(h.current)}) -> ${what}` });
      if (!survey) throw new Error(`${prop}(${show(h.current)}) -> ${what}`);
    },
    checkError(prop, names, e) {
      if (debug === prop) console.log('ERRDBG', (e as Error)?.message?.slice(0, 200), show(h.current).slice(0, 200));
      if (!(e instanceof Error)) return h.violation(prop, `threw a non-Error ${show(e)}`);
      const msg = e.message;
      if (unclear.some((re) => re.test(msg))) return h.violation(prop, `unclear ${e.name}: ${msg}`);
      const named = names.some((n) => msg.startsWith(`${n}:`) || (options.allowInstanceName === true && msg.startsWith(`${n} '`)));
      if (!named) h.violation(prop, `message does not name ${names.join('/')}: ${e.name}: ${msg}`);
    },
    oracle(prop, names, fn, check) {
      const s = (stats[prop] ??= { ok: 0, err: 0 });
      const t0 = performance.now();
      if (trace) writeFileSync(trace, `${prop}(${show(h.current)})`);
      let result;
      try {
        result = fn();
      } catch (e) {
        slow(prop, t0, 'threw');
        s.err++;
        return h.checkError(prop, names, e);
      }
      s.ok++;
      slow(prop, t0, 'ok');
      checkResult(prop, result, check);
    },
    async oracleAsync(prop, names, fn, check) {
      const s = (stats[prop] ??= { ok: 0, err: 0 });
      const t0 = performance.now();
      if (trace) writeFileSync(trace, `${prop}(${show(h.current)})`);
      let result;
      try {
        result = await fn();
      } catch (e) {
        slow(prop, t0, 'threw');
        s.err++;
        return h.checkError(prop, names, e);
      }
      s.ok++;
      slow(prop, t0, 'ok');
      checkResult(prop, result, check);
    },
    summary() {
      if (process.env.FUZZ_RUNS || survey) console.log(`FUZZ ${options.suite} numRuns=${runs} outcomes ${JSON.stringify(stats)} knownDefectHits ${JSON.stringify(known)}`);
      if (survey) for (const [k, f] of findings) console.log(`FINDING x${f.count} ${k}\n   e.g. ${f.example}`);
    },
  };

  function slow(prop: string, t0: number, outcome: string): void {
    if (survey && performance.now() - t0 > 30) console.log(`SLOW ${Math.round(performance.now() - t0)}ms ${prop}(${show(h.current)}) ${outcome}`);
  }
  function checkResult<T>(prop: string, result: T, check: (r: T) => void): void {
    if (debug === prop) console.log('OKDBG', show(h.current));
    try {
      check(result);
    } catch (e) {
      h.violation(prop, `succeeded with a bad result: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return h;
}
