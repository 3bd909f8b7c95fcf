/** Somewhere text can be appended to: a file (Node entry), a string buffer, a stream. */
export interface TextSink {
  /** Appends `text`; may return a promise that settles once it is written. */
  write(text: string): void | Promise<void>;
  /** Flushes and closes the sink, when it holds a resource. */
  close?(): void | Promise<void>;
}

/** Opens a file path for writing; `empty` says whether it has no content yet (decides CSV headers when appending). */
export type FileSinkFactory = (path: string, options: { append: boolean }) => Promise<{ sink: TextSink; empty: boolean }>;

let fileSinkFactory: FileSinkFactory | null = null;

/** Installed by `@descent/models/node`, so `new CSVLogger('log.csv')` can write files without the core importing `node:fs`. */
export function registerFileSinkFactory(factory: FileSinkFactory): void {
  fileSinkFactory = factory;
}

export async function openFileSink(op: string, path: string, append: boolean): Promise<{ sink: TextSink; empty: boolean }> {
  if (!fileSinkFactory) {
    throw new Error(`${op}: writing to the file '${path}' needs the Node entry: import '@descent/models/node' first, or pass a { write(text) } sink`);
  }
  return fileSinkFactory(path, { append });
}
