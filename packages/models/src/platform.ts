/** Where progress text goes. `isTTY` true means the writer can redraw a line in place with `\r`. */
export interface Writer {
  write(text: string): void;
  readonly isTTY?: boolean;
}

interface StdoutLike {
  write?: (text: string) => unknown;
  isTTY?: boolean;
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
