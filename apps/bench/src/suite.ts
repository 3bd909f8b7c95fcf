import type { Clock } from './measure.js';

/** What every benchmark suite provides; main.ts runs the ones listed in suites/index.ts. */
export interface SuiteOptions {
  /** Smoke run: fewer sizes and samples, finishing in seconds. */
  readonly quick: boolean;
  /** Which clock timings use (see `measure`); wall-clock when absent. */
  readonly clock?: Clock;
  /** Python interpreter with PyTorch for the training suites (`--python`); looked for when absent. */
  readonly python?: string;
  /** Timed rounds of the training suites (`--rounds`); 7 (2 with `quick`) when absent. */
  readonly rounds?: number;
  /** Ids of the contenders the training suites run (`--contender`); all when absent. */
  readonly contenders?: readonly string[];
  /** Progress lines go here (stderr), so stdout stays a clean markdown report. */
  readonly log: (line: string) => void;
}

/** One table of results: a row per measured case, cells already formatted for display. */
export interface SuiteResult {
  readonly suite: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Raw numbers for `--json`, one record per row. */
  readonly records: readonly Record<string, number | string>[];
  /** Notes printed under the table (how it was measured). */
  readonly notes: readonly string[];
}

export interface Suite {
  /** Short name used on the command line (`--suite matmul`). */
  readonly name: string;
  readonly description: string;
  run(options: SuiteOptions): Promise<SuiteResult>;
}
