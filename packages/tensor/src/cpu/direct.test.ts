import { describe, expect, it } from 'vitest';
import { registerBackend, removeBackend, setBackend } from '../engine.js';
import { tensor } from '../ops/convert.js';
import { CpuBackend } from './backend.js';
import { cpuFloatsOf } from './direct.js';

describe('cpuFloatsOf', () => {
  it('gives the float32 storage of a tensor on the active CPU backend, without a copy', () => {
    setBackend('cpu');
    const t = tensor([1, 2, 3]);
    const v = cpuFloatsOf(t);
    expect(v).toBeInstanceOf(Float32Array);
    expect(Array.from(v!)).toEqual([1, 2, 3]);
    expect(cpuFloatsOf(t)).toBe(v);
  });

  it('is null for other dtypes and for tensors that are not on the active backend', () => {
    setBackend('cpu');
    expect(cpuFloatsOf(tensor([1, 2], [2], 'int32'))).toBeNull();
    const onCpu = tensor([1, 2]);
    registerBackend('other-cpu', () => new CpuBackend(), 0);
    try {
      setBackend('other-cpu');
      expect(cpuFloatsOf(onCpu)).toBeNull();
    } finally {
      setBackend('cpu');
      removeBackend('other-cpu');
    }
  });
});
