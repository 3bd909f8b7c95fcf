import { readdirSync, rmdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Logs, Writer } from '@descent/models';
import { Callback } from '@descent/models';

/** Exit status of a program stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Standard output for the progress bar that remembers whether the last line it wrote is still
 * open (a bar being redrawn with `\r`), so an interrupt can end that line before it prints.
 */
export class LineTracker implements Writer {
  private open = false;

  constructor(private readonly out: { write(text: string): unknown; isTTY?: boolean; columns?: number } = process.stdout) {}

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }

  get columns(): number | undefined {
    return this.out.columns;
  }

  write(text: string): void {
    if (text.length > 0) this.open = !text.endsWith('\n');
    this.out.write(text);
  }

  /** Whether a line is open: the last text written did not end with a newline. */
  get lineOpen(): boolean {
    return this.open;
  }

  /** Write a newline if a line is open, so what comes next starts on a line of its own. */
  endLine(): void {
    if (this.open) this.write('\n');
  }
}

/** How far training got: what an interrupt reports. */
export interface ProgressState {
  /** The optimizer being trained, and its place in a comparison (1-based) when there are several. */
  optimizer: string;
  run: number;
  runs: number;
  epochs: number;
  /** Batches per epoch, once known. */
  steps: number | null;
  /** Epochs completed. */
  epochsDone: number;
  /** Batches done in the epoch under way (0 between epochs). */
  batchesDone: number;
  /** The newest loss and metrics: running means within the epoch, or the epoch's own at its end. */
  last: Logs;
}

/**
 * Follows training for the interrupt summary, and lets the event loop run about every 100 ms of
 * training, so a Ctrl-C is handled within a batch or two instead of at the end of an epoch.
 */
export class ProgressWatch extends Callback {
  state: ProgressState | null = null;
  private lastYield = 0;

  constructor(private readonly yieldEveryMs = 100) {
    super();
  }

  /** Call before each `fit`: the optimizer it trains, and its place in the run. */
  begin(optimizer: string, run = 1, runs = 1): void {
    this.state = { optimizer, run, runs, epochs: 0, steps: null, epochsDone: 0, batchesDone: 0, last: {} };
  }

  override onTrainBegin(): void {
    if (!this.state) throw new Error('ProgressWatch: call begin(optimizer) before fit');
    this.state.epochs = this.params.epochs;
    this.state.steps = this.params.steps;
    this.lastYield = performance.now();
  }

  override onEpochBegin(): void {
    this.state!.batchesDone = 0;
  }

  override onBatchEnd(batch: number, logs: Logs): Promise<void> | void {
    const state = this.state!;
    state.batchesDone = batch + 1;
    state.last = { ...logs };
    const now = performance.now();
    if (now - this.lastYield < this.yieldEveryMs) return;
    this.lastYield = now;
    // A macrotask, not a microtask: signal handlers run only when the event loop turns.
    return new Promise((done) => setImmediate(done));
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const state = this.state!;
    state.epochsDone = epoch + 1;
    if (state.steps === null) state.steps = state.batchesDone;
    state.batchesDone = 0;
    state.last = { ...logs };
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The one line printed on Ctrl-C: where training stopped and the last loss and accuracy. */
export function interruptSummary(state: ProgressState | null): string {
  if (state === null) return 'Interrupted before training started.';
  const which = state.runs > 1 ? `${state.optimizer} (run ${state.run} of ${state.runs})` : state.optimizer;
  if (state.epochs === 0) return `Interrupted before training ${which} started.`;
  let where: string;
  if (state.batchesDone > 0) {
    const of = state.steps === null ? '' : `/${state.steps}`;
    where = `in epoch ${state.epochsDone + 1}/${state.epochs} after ${state.batchesDone}${of} batches (${plural(state.epochsDone, 'epoch')} complete)`;
  } else {
    where = `after ${state.epochsDone}/${state.epochs} epochs`;
  }
  const values: string[] = [];
  const { loss, accuracy, val_loss: valLoss, val_accuracy: valAccuracy } = state.last;
  if (loss !== undefined) values.push(`loss ${loss.toFixed(4)}`);
  if (accuracy !== undefined) values.push(`accuracy ${(accuracy * 100).toFixed(2)}%`);
  if (valLoss !== undefined) values.push(`val_loss ${valLoss.toFixed(4)}`);
  if (valAccuracy !== undefined) values.push(`val_accuracy ${(valAccuracy * 100).toFixed(2)}%`);
  return `Interrupted: ${which} stopped ${where}${values.length > 0 ? `; last ${values.join(', ')}` : ''}.`;
}

/**
 * Remove `dir` and the parents of it up to `createdTop` (the first folder that `mkdir -p` made,
 * see OutDir), each only while it is empty: folders this run made and left empty go, nothing else.
 */
export function removeIfEmpty(dir: string, createdTop: string | undefined): void {
  if (createdTop === undefined) return;
  const top = resolve(createdTop);
  let current = resolve(dir);
  for (;;) {
    const rel = relative(top, current);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return;
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
    if (current === top) return;
    current = dirname(current);
  }
}

export interface InterruptContext {
  writer: LineTracker;
  watch: ProgressWatch;
  /** The output folder and the first folder this run created for it, once there is one. */
  out?: { dir: string; createdTop: string | undefined };
}

/**
 * On Ctrl-C: end the bar's open line, print the summary, remove the output folder if this run made
 * it and it is still empty, and exit with status 130. Returns a function that uninstalls the handler.
 */
export function handleInterrupts(context: InterruptContext, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onSigint = (): void => {
    // On a terminal the `^C` it echoes leaves the cursor mid-line even between bars: start afresh.
    if (context.writer.isTTY) context.writer.write('\n');
    else context.writer.endLine();
    context.writer.write(`${interruptSummary(context.watch.state)}\n`);
    if (context.out) removeIfEmpty(context.out.dir, context.out.createdTop);
    exit(INTERRUPTED_EXIT_CODE);
  };
  process.once('SIGINT', onSigint);
  return () => void process.off('SIGINT', onSigint);
}
