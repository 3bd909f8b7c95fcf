import type { TextSink } from '../io/text-sink.js';
import { openFileSink } from '../io/text-sink.js';
import type { Logs } from './callback.js';
import { Callback } from './callback.js';
import { checkOptionKeys, optionNames } from '../training/options.js';

/** Options of `CSVLogger`. */
export interface CSVLoggerOptions {
  /** Column separator (default ','). */
  separator?: string;
  /** Add to an existing file instead of overwriting it; the header is written only if the file is empty (default false). */
  append?: boolean;
}

function csvField(text: string, separator: string): string {
  return text.includes(separator) || text.includes('"') || text.includes('\n') ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Write one CSV row per epoch: `epoch` (0-based, as Keras) then the logged values in sorted
 * column order. The target is a file path (Node, after `import '@descent/models/node'`) or any
 * `{ write(text) }` sink.
 */
export class CSVLogger extends Callback {
  /** Column separator. */
  readonly separator: string;
  /** Whether rows are added to an existing file instead of overwriting it. */
  readonly append: boolean;
  private readonly target: string | TextSink;
  private sink: TextSink | null = null;
  private writeHeader = true;
  private keys: string[] | null = null;

  constructor(target: string | TextSink, options: CSVLoggerOptions = {}) {
    super();
    checkOptionKeys('CSVLogger', options, CSV_OPTIONS);
    if (typeof target !== 'string' && (typeof target !== 'object' || target === null || typeof target.write !== 'function')) {
      throw new Error('CSVLogger: expected a file path or an object with a write(text) method');
    }
    this.target = target;
    this.separator = options.separator ?? ',';
    this.append = options.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    if (typeof this.target === 'string') {
      const { sink, empty } = await openFileSink('CSVLogger', this.target, this.append);
      this.sink = sink;
      this.writeHeader = !this.append || empty;
    } else {
      this.sink = this.target;
      this.writeHeader = true;
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (!this.sink) return;
    const sep = this.separator;
    this.keys ??= Object.keys(logs).sort();
    let text = '';
    if (this.writeHeader) {
      text += ['epoch', ...this.keys].map((k) => csvField(k, sep)).join(sep) + '\n';
      this.writeHeader = false;
    }
    text += [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? '' : String(logs[k])))].join(sep) + '\n';
    await this.sink.write(text);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.sink && typeof this.target === 'string') await this.sink.close?.();
    this.sink = null;
  }
}

const CSV_OPTIONS = optionNames<CSVLoggerOptions>({ separator: true, append: true });
