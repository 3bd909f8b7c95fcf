// Runs in the browser (bundled by esbuild in src/io.test.ts): the browser IO of @descent/models
// against the real IndexedDB, localStorage, downloads, fetch and File objects of Chromium. The test
// drives it step by step through `window.__io`, reloading the page between saving and loading.
import { Dense } from '@descent/layers';
import type { ModelArtifactsInfo, SaveResult } from '@descent/models';
import { browserFiles, http, listModels, loadModel, removeModel, Sequential } from '@descent/models';
import { randomNormal, setSeed, tensor } from '@descent/tensor';

/** What a step returns to the test: its value, or the message it failed with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface IOPage {
  /** Build and briefly train the seeded test model; returns its predictions on the fixed input. */
  makeModel(): Promise<number[]>;
  /** A model too big for localStorage's quota (Dense 2000→1000, 8,004,000 bytes of weights). */
  makeBigModel(): Outcome<number>;
  save(url: string): Promise<Outcome<SaveResult>>;
  /** Load `url` (a URL, or `http(url)` when `viaHttp`) and predict on the fixed input. */
  loadAndPredict(url: string, viaHttp?: boolean): Promise<Outcome<number[]>>;
  /** Load the files chosen in `<input id="files">` with browserFiles and predict. */
  loadFilesAndPredict(): Promise<Outcome<number[]>>;
  list(): Promise<Outcome<Record<string, ModelArtifactsInfo>>>;
  remove(url: string): Promise<Outcome<ModelArtifactsInfo>>;
  /** Our keys in localStorage. */
  storageKeys(): string[];
}

declare global {
  interface Window {
    __io?: IOPage;
  }
}

let model: Sequential | null = null;
const x = () => tensor(Array.from({ length: 4 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(i * 8 + j))));

async function outcome<T>(fn: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function predict(m: Sequential): number[] {
  return Array.from(m.predict(x()).dataSync());
}

window.__io = {
  async makeModel() {
    setSeed(123);
    const m = new Sequential([new Dense({ units: 16, activation: 'relu', inputShape: [8] }), new Dense({ units: 3, activation: 'softmax' })]);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const labels = Array.from({ length: 32 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]);
    await m.fit(randomNormal([32, 8]), tensor(labels), { epochs: 3, batchSize: 8, verbose: 0 });
    model = m;
    return predict(m);
  },
  makeBigModel() {
    try {
      model = new Sequential([new Dense({ units: 1000, inputShape: [2000] })]);
      return { ok: true, value: model.countParams() };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  },
  save: (url) => outcome(() => model!.save(url, { includeOptimizer: model!.optimizer !== null })),
  loadAndPredict: (url, viaHttp = false) => outcome(async () => predict(await loadModel(viaHttp ? http(url) : url))),
  loadFilesAndPredict: () =>
    outcome(async () => {
      const input = document.getElementById('files') as HTMLInputElement;
      return predict(await loadModel(browserFiles([...(input.files ?? [])])));
    }),
  list: () => outcome(() => listModels()),
  remove: (url) => outcome(() => removeModel(url)),
  storageKeys: () => Object.keys(localStorage).filter((k) => k.startsWith('descent_models/')),
};
