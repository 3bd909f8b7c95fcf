import { bytesPerElement } from './dtype.js';
import { holdState, LOOSE, setHold } from './hold-state.js';
import type { Tensor } from './tensor.js';

// Eviction of loose tensors (memory.ts explains the memory model): the engine's clocks, the watched
// loose tensors and the sweep that asks their backend to move stale ones to host memory.

/** Kernel clock of a loose tensor's last use (creation or input to a kernel); absent or -1 when not watched. */
const USED_AT = Symbol('descent.usedAt');
/** Allocation clock (bytes) at a loose tensor's last use. */
const USED_AT_BYTES = Symbol('descent.usedAtBytes');
type Tracked = Tensor & { [USED_AT]?: number; [USED_AT_BYTES]?: number };

// Eviction policy for loose tensors. A loose tensor is stale when at least MIN_AGE kernels ran since
// its last use, at least twice its size was allocated since (so evicting a big, still-useful tensor
// costs at most half of what the computation itself allocated), and either AGE kernels ran or
// AGE_BYTES were allocated since. Sweeps run every SWEEP_KERNELS kernels or SWEEP_BYTES allocated.
// Measured choices: see packages/tensor/README.md, "Memory".
const MIN_AGE = 4;
const AGE = 64;
const AGE_BYTES = 64 * 2 ** 20;
const SWEEP_KERNELS = 16;
const SWEEP_BYTES = 8 * 2 ** 20;

/** Kernels run (and tensors written) so far. */
let clock = 0;
/** Bytes of tensor storage created so far. */
let allocated = 0;
let nextSweepClock = SWEEP_KERNELS;
let nextSweepBytes = SWEEP_BYTES;
/**
 * Loose tensors on a backend that can evict. Held strongly until evicted or no longer loose: a
 * WeakRef would not let the collector take them any sooner in the loops that matter (a WeakRef keeps
 * its target alive until the current job ends, and a synchronous loop is one job), and would keep
 * every evicted host copy alive until then too.
 */
const watched: Tensor[] = [];
let evictedCount = 0;

export function bytesOf(t: Tensor): number {
  return t.size * bytesPerElement(t.dtype);
}

/** A loose tensor was used now: note when, and watch it again if it had been evicted. */
function touch(t: Tensor): void {
  const tr = t as Tracked;
  const at = tr[USED_AT];
  if (at === undefined || at < 0) {
    if (t.backend.evictData === undefined) return;
    watched.push(t);
  }
  tr[USED_AT] = clock;
  tr[USED_AT_BYTES] = allocated;
}

/** `t` now belongs to user code: loose, known to its backend as such, and watched. */
export function makeLoose(t: Tensor): void {
  setHold(t, LOOSE);
  t.backend.unscopedData?.(t.dataId);
  touch(t);
}

/** Sweep when SWEEP_KERNELS kernels ran or SWEEP_BYTES were allocated since the last sweep. */
function sweepIfDue(): void {
  if (clock >= nextSweepClock || allocated >= nextSweepBytes) sweep();
}

/** Evict the loose tensors that have gone unused long enough; forget the ones no longer loose. */
function sweep(): void {
  nextSweepClock = clock + SWEEP_KERNELS;
  nextSweepBytes = allocated + SWEEP_BYTES;
  let kept = 0;
  for (let i = 0; i < watched.length; i++) {
    const t = watched[i] as Tracked;
    if (holdState(t) !== LOOSE) continue;
    const at = t[USED_AT] ?? -1;
    if (at < 0) continue;
    const age = clock - at;
    const since = allocated - (t[USED_AT_BYTES] ?? 0);
    if (age >= MIN_AGE && since >= 2 * bytesOf(t) && (age >= AGE || since >= AGE_BYTES)) {
      let evicted: boolean | void = false;
      try {
        evicted = t.backend.evictData?.(t.dataId);
      } catch {
        // No host memory for the copy: the tensor simply stays where it is. Eviction is an
        // optimisation of the caller's memory and must never fail the kernel that triggered it.
      }
      if (evicted === false) {
        watched[kept++] = t; // not moved (no host memory, or the backend keeps it: storage views read)
        continue;
      }
      t[USED_AT] = -1;
      evictedCount++;
      continue;
    }
    watched[kept++] = t;
  }
  watched.length = kept;
}

/**
 * Bookkeeping at the start of a kernel run (`runKernel`): count the run and mark the inputs used, so
 * the sweep never evicts them, then sweep if due. Call after `infoOn` moved the inputs.
 */
export function kernelStarting(list: readonly Tensor[]): void {
  clock++;
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (holdState(t) === LOOSE) touch(t);
  }
  sweepIfDue();
}

/** Bookkeeping before a tensor is written from host values (`makeTensor`): count it and sweep if due. */
export function writeStarting(): void {
  clock++;
  sweepIfDue();
}

/** Count `t`'s bytes as allocated now (every tensor the engine registers). */
export function countAllocation(t: Tensor): void {
  allocated += bytesOf(t);
}

/** The watched count, evictions and kernels run, for `engineMemoryInfo`. */
export function evictionInfo(): { watched: number; evicted: number; kernels: number } {
  return { watched: watched.length, evicted: evictedCount, kernels: clock };
}
