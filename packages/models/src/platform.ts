/**
 * Where progress text goes. `isTTY` true means the writer can redraw a line in place with `\r`;
 * `columns` is the terminal's width, which the progress bar's line never reaches (80 when unknown).
 */
export interface Writer {
  /** Writes `text` as is (no newline added). */
  write(text: string): void;
  /** Whether the writer is a terminal that can redraw a line with `\r`. */
  readonly isTTY?: boolean;
  /** Width of the terminal in columns, when known. */
  readonly columns?: number | undefined;
}

interface StdoutLike {
  write?: (text: string) => unknown;
  isTTY?: boolean;
  columns?: number;
}

// The core must run in browsers and workers too, so it looks for `process` through globalThis
// instead of importing anything from Node.
function stdout(): StdoutLike | undefined {
  const proc = (globalThis as { process?: { stdout?: StdoutLike } }).process;
  return proc?.stdout;
}

/** Whether standard output is an interactive terminal (decides `fit`'s default `verbose`). */
export function isInteractive(): boolean {
  return stdout()?.isTTY === true;
}

/** process.stdout when there is one; otherwise complete lines go to console.log. */
export function defaultWriter(): Writer {
  const out = stdout();
  if (out && typeof out.write === 'function') {
    const write = out.write.bind(out);
    return {
      write: (text: string) => {
        write(text);
      },
      isTTY: out.isTTY === true,
      // Read at every redraw: the terminal may be resized during training.
      get columns() {
        return out.columns;
      },
    };
  }
  let pending = '';
  return {
    write(text: string) {
      pending += text;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        console.log(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
    isTTY: false,
  };
}

/** Milliseconds from a monotonic clock where there is one. */
export function nowMs(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}
