import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FileSinkFactory } from '../io/text-sink.js';

/** Opens a text file for CSVLogger: truncated, or appended to with `append`. */
export const openTextFile: FileSinkFactory = async (path, { append }) => {
  const full = resolve(path.replace(/^file:\/\//i, ''));
  await mkdir(dirname(full), { recursive: true });
  const fh = await open(full, append ? 'a' : 'w');
  const empty = (await fh.stat()).size === 0;
  return {
    empty,
    sink: {
      write: async (text: string) => {
        await fh.write(text);
      },
      close: () => fh.close(),
    },
  };
};
