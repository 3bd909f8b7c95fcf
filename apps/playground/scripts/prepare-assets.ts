// What the site needs before Vite can serve or build it: the wasm kernels of @descent/backend-wasm
// (built from its AssemblyScript when missing or stale) and the bundled MNIST subset as static files
// in public/mnist-subset/ (written once from the `mnist` package with @descent/datasets).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeMnistSubset } from '@descent/datasets/node';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export const SUBSET_DIR = here('../public/mnist-subset/');

export async function prepareAssets(log: (s: string) => void = () => {}): Promise<void> {
  const buildWasm = here('../node_modules/@descent/backend-wasm/scripts/build-wasm.mjs');
  execFileSync(process.execPath, [buildWasm, '--if-stale'], { stdio: 'pipe', timeout: 180_000 });
  if (!existsSync(`${SUBSET_DIR}mnist.json`)) {
    const manifest = await writeMnistSubset(SUBSET_DIR);
    log(`wrote the MNIST subset to ${SUBSET_DIR}: ${Object.values(manifest.files).map((f) => `${f.name} (${f.size} bytes)`).join(", ")}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await prepareAssets((s) => console.log(s));
}
