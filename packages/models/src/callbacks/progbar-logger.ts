import type { Writer } from '../platform.js';
import { defaultWriter, nowMs } from '../platform.js';
import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import { fitProgressLine, formatEpochLine, formatProgressLine } from './progbar.js';
import { checkOptionKeys, optionNames } from '../training/options.js';

/** Options of `ProgbarLogger`. */
export interface ProgbarLoggerOptions {
  /** 1: progress bar, 2: one line per epoch. Default: fit's `verbose` (1 if fit was silent). */
  verbose?: 1 | 2;
  /** Where the text goes; default process.stdout (or console.log outside Node). */
  writer?: Writer;
  /** Minimum milliseconds between redraws of the bar on a TTY (default 50). */
  interval?: number;
  /** Clock in milliseconds (default performance.now); injectable for tests. */
  now?: () => number;
  /** Characters between the brackets (default 30); narrower where the terminal is. */
  width?: number;
}

/** Terminal width assumed when a TTY writer does not say (`columns` missing or not positive). */
const DEFAULT_COLUMNS = 80;

/** Per-epoch values shown by the bar; bookkeeping keys are left out. */
function entries(logs: Logs): [string, number][] {
  return Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size');
}

/**
 * The Keras progress bar. On a TTY (verbose 1) it redraws one line in place with `\r`, cut to fit
 * the writer's `columns` (shorter bar and fields, never wrapping); elsewhere it writes one full line
 * per epoch, so logs piped to a file stay readable.
 */
export class ProgbarLogger extends Callback {
  private readonly writer: Writer;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly width: number;
  private readonly verboseOption: 1 | 2 | undefined;
  private verbose: 1 | 2 = 1;
  private epochStart = 0;
  private seen = 0;
  private lastDraw = -Infinity;
  private lastWidth = 0;
  private knownSteps: number | null = null;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    checkOptionKeys('ProgbarLogger', options, PROGBAR_OPTIONS);
    if (options.verbose !== undefined && options.verbose !== 1 && options.verbose !== 2) {
      throw new Error(`ProgbarLogger: verbose must be 1 or 2, got ${String(options.verbose)}`);
    }
    this.verboseOption = options.verbose;
    this.writer = options.writer ?? defaultWriter();
    this.interval = options.interval ?? 50;
    this.now = options.now ?? nowMs;
    this.width = options.width ?? 30;
  }

  override onTrainBegin(): void {
    this.verbose = this.verboseOption ?? (this.params.verbose === 2 ? 2 : 1);
    this.knownSteps = this.params.steps;
  }

  override onEpochBegin(epoch: number): void {
    const title = `Epoch ${epoch + 1}/${this.params.epochs}`;
    this.writer.write(`${this.tty() ? title.slice(0, this.maxWidth()) : title}\n`);
    this.epochStart = this.now();
    this.seen = 0;
    this.lastDraw = -Infinity;
    this.lastWidth = 0;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.seen = batch + 1;
    if (this.verbose !== 1 || !this.tty()) return;
    const t = this.now();
    if (t - this.lastDraw < this.interval) return;
    this.lastDraw = t;
    this.redraw(this.line(logs, t, this.maxWidth()), false);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    const t = this.now();
    if (this.knownSteps === null) this.knownSteps = this.seen;
    if (this.verbose === 2) {
      this.writer.write(formatEpochLine({ current: this.seen, target: this.knownSteps, elapsed: (t - this.epochStart) / 1000, values: entries(logs) }) + '\n');
      return;
    }
    if (this.tty()) this.redraw(this.line(logs, t, this.maxWidth()), true);
    else this.writer.write(this.line(logs, t, null) + '\n');
  }

  private tty(): boolean {
    return this.writer.isTTY === true;
  }

  /**
   * Longest line for the terminal: one less than its width, since a character in the last column
   * makes some terminals wrap, and a wrapped line cannot be redrawn with `\r`.
   */
  private maxWidth(): number {
    const columns = this.writer.columns;
    const known = typeof columns === 'number' && Number.isFinite(columns) && columns >= 1;
    return Math.max(1, Math.floor(known ? columns : DEFAULT_COLUMNS) - 1);
  }

  private line(logs: Logs, t: number, maxWidth: number | null): string {
    const p = { current: this.seen, target: this.knownSteps, elapsed: (t - this.epochStart) / 1000, values: entries(logs), width: this.width };
    return maxWidth === null ? formatProgressLine(p) : fitProgressLine(p, maxWidth);
  }

  private redraw(line: string, final: boolean): void {
    // Pad with spaces so a shorter line fully covers the previous one (never past the terminal's
    // edge, which may have moved in since the last line was drawn).
    const cover = Math.min(this.lastWidth, this.maxWidth());
    const pad = cover > line.length ? ' '.repeat(cover - line.length) : '';
    this.lastWidth = line.length;
    this.writer.write(`\r${line}${pad}${final ? '\n' : ''}`);
  }
}

const PROGBAR_OPTIONS = optionNames<ProgbarLoggerOptions>({ verbose: true, writer: true, interval: true, now: true, width: true });
