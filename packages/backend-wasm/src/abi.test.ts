import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as abi from './abi.js';
import { BINARY, FLOAT_TEST, LOGICAL, PATCHES, REDUCE, SGD_MODE, UNARY } from './exports.js';
import { nodeHost, readKernelBytes } from './node/load.js';

// The JS side and the AssemblyScript side of the kernel ABI are compiled by different compilers;
// these tests fail as soon as the two disagree: the constants of src/abi.ts against the globals the
// compiled module exports, its memory import against the page counts, and the hand-written
// `KernelExports` interface against the functions asm/ exports (names, parameters, types).

const packageRoot = new URL('../', import.meta.url);

/** The parts of the WebAssembly JS API used here (its types ship only with the DOM lib, see wasm-api.ts). */
interface WasmJs {
  Module: (new (bytes: Uint8Array) => object) & { exports(module: object): { name: string; kind: string }[] };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => object;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmJs }).WebAssembly;

/** build/kernels-simd.wasm, rebuilt first when asm/ or src/abi.ts is newer (as the loader does). */
function simdBytes(): Uint8Array {
  const host = nodeHost();
  if (host === null) throw new Error('abi.test: needs Node');
  return readKernelBytes(host, new URL('build/kernels-simd.wasm', packageRoot), packageRoot);
}

/** The limits of the module's one import, its memory, read from the import section (id 2). */
function memoryImport(bytes: Uint8Array): { flags: number; initial: number; maximum: number } {
  let at = 8; // after the magic number and version
  const u32 = (): number => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = u32();
    if (id !== 2) {
      at += size;
      continue;
    }
    const count = u32();
    for (let name = 0; name < 2; name++) {
      const length = u32(); // the module name, then the field name
      at += length;
    }
    const kind = bytes[at++]!;
    if (count !== 1 || kind !== 2) throw new Error(`abi.test: the kernels should import one memory, got ${count} imports, the first of kind ${kind}`);
    const flags = bytes[at++]!;
    const initial = u32();
    const maximum = u32();
    return { flags, initial, maximum };
  }
  throw new Error('abi.test: no import section in the kernel module');
}

type Signature = { params: string[]; types: string[]; result: string };

function parse(path: string): ts.SourceFile {
  const url = new URL(path, packageRoot);
  return ts.createSourceFile(path, readFileSync(fileURLToPath(url), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** How an AssemblyScript type crosses into JS: every 32-bit and float type is a number, 64-bit ints a bigint. */
function jsType(asType: string): string {
  if (asType === 'void') return 'void';
  if (asType === 'i64' || asType === 'u64') return 'bigint';
  if (['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'f32', 'f64', 'bool', 'usize', 'isize'].includes(asType)) return 'number';
  throw new Error(`abi.test: no JS type known for the AssemblyScript type '${asType}'`);
}

/** Every function asm/index.ts exports (its own, and those of the files it `export *`s), by name. */
function asmExports(): Map<string, Signature> {
  const out = new Map<string, Signature>();
  const visit = (path: string): void => {
    for (const node of parse(path).statements) {
      if (ts.isExportDeclaration(node) && node.exportClause === undefined && node.moduleSpecifier !== undefined) {
        visit(`asm/${(node.moduleSpecifier as ts.StringLiteral).text.replace(/^\.\//, '')}.ts`);
      } else if (ts.isFunctionDeclaration(node) && node.name !== undefined &&
        node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        out.set(node.name.text, {
          params: node.parameters.map((p) => p.name.getText()),
          types: node.parameters.map((p) => jsType(p.type?.getText() ?? '?')),
          result: jsType(node.type?.getText() ?? 'void'),
        });
      }
    }
  };
  visit('asm/index.ts');
  return out;
}

/** The members of src/exports.ts `KernelExports`, by name. */
function declaredExports(): Map<string, Signature> {
  const out = new Map<string, Signature>();
  const decl = parse('src/exports.ts').statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'KernelExports',
  );
  if (decl === undefined) throw new Error('abi.test: src/exports.ts declares no KernelExports interface');
  for (const member of decl.members) {
    if (!ts.isMethodSignature(member)) throw new Error(`abi.test: KernelExports member '${member.getText()}' is not a method`);
    out.set(member.name.getText(), {
      params: member.parameters.map((p) => p.name.getText()),
      types: member.parameters.map((p) => p.type?.getText() ?? '?'),
      result: member.type?.getText() ?? '?',
    });
  }
  return out;
}

describe('src/abi.ts against the compiled kernels', () => {
  const bytes = simdBytes();
  const module = new wasm.Module(bytes);
  const instance = new wasm.Instance(module, {
    env: { memory: new wasm.Memory({ initial: abi.INITIAL_PAGES, maximum: abi.MAX_PAGES, shared: true }) },
  });

  it('every op code the module exports as a global has the value src/abi.ts gives it', () => {
    const globals = wasm.Module.exports(module).filter((e) => e.kind === 'global').map((e) => e.name);
    const codes = Object.keys(abi).filter((name) => !name.endsWith('_PAGES'));
    // Every constant is exported (asm/ re-exports those it imports), and nothing else.
    expect(globals.sort(), 'the globals asm/ exports must be the constants of src/abi.ts (add new ones there)').toEqual(codes.sort());
    for (const name of codes) {
      const global = instance.exports[name] as { value: number };
      expect([name, global.value], `asm/ and src/abi.ts disagree on ${name}`).toEqual([name, abi[name as keyof typeof abi]]);
    }
  });

  it('the imported memory is shared with the page counts of src/abi.ts', () => {
    // Limits flags 0x03: a maximum is present and the memory is shared.
    expect(memoryImport(bytes)).toEqual({ flags: 3, initial: abi.INITIAL_PAGES, maximum: abi.MAX_PAGES });
    expect(abi.MAX_PAGES * 65536).toBe(2 ** 31);
  });

  it('the tables of src/exports.ts name every code of src/abi.ts exactly once', () => {
    const codes = (prefix: string): number[] =>
      Object.entries(abi).filter(([name]) => name.startsWith(prefix)).map(([, v]) => v).sort((a, b) => a - b);
    const values = (table: Record<string, number>): number[] => Object.values(table).sort((a, b) => a - b);
    expect(values(UNARY)).toEqual(codes('U_'));
    expect(values({ ...BINARY, ...LOGICAL })).toEqual(codes('B_'));
    expect(values(FLOAT_TEST)).toEqual(codes('T_'));
    expect(values(REDUCE)).toEqual(codes('R_'));
    expect(values(SGD_MODE)).toEqual(codes('SGD_'));
    expect(values(PATCHES)).toEqual(codes('CONV_PATCHES'));
  });
});

describe('KernelExports against asm/', () => {
  const asm = asmExports();
  const declared = declaredExports();

  it('the source reader finds exactly the functions the compiled module exports', () => {
    const module = new wasm.Module(simdBytes());
    const compiled = wasm.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    expect([...asm.keys()].sort()).toEqual(compiled.sort());
  });

  it('declares every exported function and nothing else', () => {
    expect([...declared.keys()].sort(), 'src/exports.ts KernelExports must list the functions asm/ exports').toEqual([...asm.keys()].sort());
  });

  it('gives each function the parameters (names and JS types) and result of its asm declaration', () => {
    // One comparison of the whole table, so a failure lists every function that drifted.
    expect(Object.fromEntries(declared), 'KernelExports must copy the asm parameter names and types').toEqual(Object.fromEntries(asm));
  });
});
