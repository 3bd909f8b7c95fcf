import { withHolderCounts } from '@descent/test-utils';
import { CpuBackend } from '@descent/tensor';

/**
 * The CPU backend plus the holder counting a manual-memory backend does: `live` is how many
 * storages still have a holder, i.e. what a WASM backend could not free.
 */
export class CountingBackend extends withHolderCounts(CpuBackend) {}
