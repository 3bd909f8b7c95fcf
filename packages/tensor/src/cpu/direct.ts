import { getBackend } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { CpuBackend } from './backend.js';
import { floatsOf } from './storage.js';

/**
 * The float32 values behind `t` without a copy, when `t` lives on the active backend and that is a
 * CPU backend; null otherwise. For fused loops that replace many small ops on the CPU backend
 * (optimizer updates) while other backends keep the op path. The values must never be written:
 * tensors (and no-copy views of them) share them.
 */
export function cpuFloatsOf(t: Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || !(t.backend instanceof CpuBackend) || getBackend() !== t.backend) return null;
  return floatsOf(t);
}
