import { CpuBackend } from '@descent/tensor';

/**
 * The CPU backend plus the holder counting a manual-memory backend does: `live` is how many
 * storages still have a holder, i.e. what a WASM backend could not free.
 */
export class CountingBackend extends CpuBackend {
  readonly counts = new Map<object, number>();
  retainData(dataId: object): void {
    this.counts.set(dataId, (this.counts.get(dataId) ?? 0) + 1);
  }
  disposeData(dataId: object): void {
    const c = (this.counts.get(dataId) ?? 0) - 1;
    if (c <= 0) this.counts.delete(dataId);
    else this.counts.set(dataId, c);
  }
  get live(): number {
    return this.counts.size;
  }
}
