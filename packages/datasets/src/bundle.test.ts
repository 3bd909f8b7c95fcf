import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The default entry must bundle for browsers: no `node:` module anywhere in its graph.
const src = dirname(fileURLToPath(import.meta.url));

async function bundleForBrowser(entry: string) {
  return build({
    // Input paths in the metafile are relative to the package folder.
    absWorkingDir: dirname(src),
    entryPoints: [join(src, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    conditions: ['@descent/source'],
  });
}

describe('platform neutrality', () => {
  it('the default entry bundles for the browser with no node: import', { timeout: 20_000 }, async () => {
    const result = await bundleForBrowser('index.ts');
    expect(result.errors).toEqual([]);
    const inputs = Object.entries(result.metafile.inputs);
    expect(inputs.map(([path]) => path)).toContain('src/mnist/index.ts');
    const nodeImports = inputs.flatMap(([path, input]) => input.imports.filter((i) => i.path.startsWith('node:')).map((i) => `${path} → ${i.path}`));
    expect(nodeImports).toEqual([]);
  });

  it('the Node entry does not (so the check above can fail)', { timeout: 20_000 }, async () => {
    await expect(bundleForBrowser('node/index.ts')).rejects.toThrow(/Could not resolve "node:/);
  });
});
