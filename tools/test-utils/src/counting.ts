/** What `withHolderCounts` adds to a backend. */
export interface HolderCounts {
  /** Holders per storage (`dataId`); a storage with none is gone from the map. */
  readonly counts: Map<object, number>;
  retainData(dataId: object): void;
  disposeData(dataId: object): void;
  /** How many storages still have a holder, i.e. what a manual-memory backend could not free. */
  readonly live: number;
  /** Whether the storage of `t` still has a holder. */
  alive(t: { readonly dataId: object }): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base constructor takes any arguments
type Constructor<T = object> = new (...args: any[]) => T;

/**
 * A backend class (normally `CpuBackend`) plus the per-storage holder counting a manual-memory
 * backend such as WASM does, so that a test on the CPU can see which storages would be freed:
 * `class CountingBackend extends withHolderCounts(CpuBackend) {}`. The base is an argument so
 * that this package depends on no Descent package.
 */
export function withHolderCounts<B extends Constructor>(Base: B): B & Constructor<HolderCounts> {
  return class extends Base implements HolderCounts {
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
    alive(t: { readonly dataId: object }): boolean {
      return this.counts.has(t.dataId);
    }
  };
}
