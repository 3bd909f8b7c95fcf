/** Somewhere text can be appended to: a file (Node entry), a string buffer, a stream. */
export interface TextSink {
  write(text: string): void | Promise<void>;
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
