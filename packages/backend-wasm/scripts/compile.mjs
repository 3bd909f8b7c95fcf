// Shared by the build script and the on-demand loader: one AssemblyScript source, two builds.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(packageRoot, 'build');

/** Build flavours: plain SIMD (5×8 mul+add tile) and relaxed SIMD (6×8 FMA tile). */
export const FLAVOURS = {
  simd: ['--enable', 'simd'],
  relaxed: ['--enable', 'simd', '--enable', 'relaxed-simd'],
};

/**
 * Files outside asm/ that the kernels are compiled from: src/abi.ts holds the op codes asm/ imports
 * and the memory's page counts (read below), so a change there makes build/ stale too.
 */
export const SHARED_INPUTS = [join(packageRoot, 'src', 'abi.ts')];

/** An integer `export const NAME = <integer>` of src/abi.ts (the one source of the page counts). */
function abiConstant(name) {
  const text = readFileSync(SHARED_INPUTS[0], 'utf8');
  const match = new RegExp(`export const ${name} = (\\d+);`).exec(text);
  if (match === null) throw new Error(`backend-wasm: src/abi.ts must declare 'export const ${name} = <integer>;'`);
  return Number(match[1]);
}

/** Pages the imported shared memory starts with (src/abi.ts INITIAL_PAGES). */
export const INITIAL_PAGES = abiConstant('INITIAL_PAGES');
/** Pages of the shared memory's maximum (2 GiB; src/abi.ts MAX_PAGES): shared memories must declare one. */
export const MAX_PAGES = abiConstant('MAX_PAGES');

export function wasmPath(flavour) {
  return join(buildDir, `kernels-${flavour}.wasm`);
}

/** Whether a build output is missing or older than a file of asm/ or SHARED_INPUTS. */
export function isStale() {
  const asmDir = join(packageRoot, 'asm');
  let newest = 0;
  for (const name of readdirSync(asmDir)) newest = Math.max(newest, statSync(join(asmDir, name)).mtimeMs);
  for (const file of SHARED_INPUTS) newest = Math.max(newest, statSync(file).mtimeMs);
  return Object.keys(FLAVOURS).some((f) => !existsSync(wasmPath(f)) || statSync(wasmPath(f)).mtimeMs < newest);
}

/** Compile both flavours with the asc JS API; write them atomically (rename) so concurrent builds never see half a file. */
export async function compileKernels() {
  const asc = (await import('assemblyscript/asc')).default;
  mkdirSync(buildDir, { recursive: true });
  const written = [];
  for (const [flavour, features] of Object.entries(FLAVOURS)) {
    const outFile = wasmPath(flavour);
    let binary = null;
    const stderr = [];
    const { error } = await asc.main(
      [
        join(packageRoot, 'asm', 'index.ts'),
        '--outFile', 'out.wasm',
        '--runtime', 'stub',
        '-O3', '--noAssert',
        '--importMemory', '--sharedMemory', '--enable', 'threads',
        '--initialMemory', String(INITIAL_PAGES), '--maximumMemory', String(MAX_PAGES),
        ...features,
      ],
      {
        readFile: (name, baseDir) => {
          try {
            return readFileSync(join(baseDir, name), 'utf8');
          } catch {
            return null;
          }
        },
        writeFile: (name, contents) => {
          if (name.endsWith('.wasm')) binary = contents;
        },
        listFiles: () => [],
        stdout: { write: () => true },
        stderr: { write: (s) => { stderr.push(String(s)); return true; } },
      },
    );
    if (error || binary === null) throw new Error(`backend-wasm: compiling asm/ (${flavour}) failed: ${error?.message ?? 'no output'}\n${stderr.join('')}`);
    const tmp = `${outFile}.${process.pid}.tmp`;
    writeFileSync(tmp, binary);
    renameSync(tmp, outFile);
    written.push(`build/kernels-${flavour}.wasm (${binary.length} B)`);
  }
  return written;
}
