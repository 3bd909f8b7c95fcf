import { wasmApi } from './wasm-api.js';

/** A minimal module whose one function runs `f32x4.relaxed_madd` on three constants. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x3e, 0x01, 0x3c, 0x00, // code section: one body of 60 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x1a, // drop
  0x0b, // end
]);

/** The same shape of module with `f32x4.add` of two constants (plain SIMD). */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x2c, 0x01, 0x2a, 0x00, // one body of 42 bytes
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0xe4, 0x01, // f32x4.add
  0x1a,
  0x0b,
]);

/** Which kernel build this engine runs: relaxed SIMD (FMA), plain SIMD, or none (stay on the CPU backend). */
export function detectFlavour(): 'relaxed' | 'simd' | null {
  const api = wasmApi();
  if (api === null || typeof api.validate !== 'function') return null;
  if (api.validate(RELAXED_PROBE)) return 'relaxed';
  if (api.validate(SIMD_PROBE)) return 'simd';
  return null;
}

/**
 * Whether this engine can make a shared `WebAssembly.Memory` (the kernels import one). Chromium makes
 * one on any page; posting it to a Web Worker (threads) needs a cross-origin-isolated page, which
 * `browserThreads` checks. Engines that refuse shared memory outside isolation stay on the CPU backend.
 */
export function sharedMemoryAvailable(): boolean {
  try {
    const api = wasmApi();
    if (api === null) return false;
    new api.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}
