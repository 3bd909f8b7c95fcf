// The training panel: settings, the worker's live progress and charts, and the model in use
// (the last trained or loaded one): draw a digit, save, download, load.
import type { LoadedModel } from '@descent/models';
import { browserFiles, fromMemory, loadModel } from '@descent/models';
import { list as optimizerList } from '@descent/optimizers';
import { tensor } from '@descent/tensor';
import type { LineChart } from '../charts.js';
import { lineChart } from '../charts.js';
import { button, el, field, numberInput, select } from '../dom.js';
import { COLORS } from '../race/contour.js';
import { drawPad } from './draw.js';
import type { BackendInfo, FromWorker, ModelKind, ToWorker, TrainRequest } from './protocol.js';

interface RunCurves {
  label: string;
  batchesPerEpoch: number;
  x: number[];
  loss: number[];
  acc: number[];
  ex: number[];
  valAcc: number[];
  valLoss: number[];
}

/** What the test hook reads. */
export interface TrainState {
  backend: BackendInfo | null;
  running: boolean;
  canResume: boolean;
  runs: RunCurves[];
  /** The last error the worker reported. */
  error: string | null;
  /** Description of the model in use, or null. */
  model: string | null;
  /** The model in use: its predicted probabilities for each row of 784 pixels. */
  predict(rows: readonly (readonly number[])[]): number[][];
  /** The probabilities shown for the drawn digit (null when nothing is drawn or no model). */
  drawn: number[] | null;
}

export interface TrainPanel {
  root: HTMLElement;
  state: TrainState;
  backendLine: HTMLElement;
  resize(): void;
}

export function trainPanel(): TrainPanel {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'descent-training' });
  const send = (m: ToWorker): void => worker.postMessage(m);
  let model: LoadedModel | null = null;
  let modelKind: ModelKind = 'mlp';
  const state: TrainState = {
    backend: null,
    running: false,
    canResume: false,
    runs: [],
    error: null,
    model: null,
    drawn: null,
    predict(rows) {
      if (model === null) throw new Error('predict: no model yet: train one or load one');
      const n = rows.length;
      const flat = new Float32Array(n * 784);
      rows.forEach((r, i) => flat.set(r, i * 784));
      const input = tensor(flat, modelKind === 'mlp' ? [n, 784] : [n, 28, 28, 1]);
      const probs = (model.predict(input) as { dataSync(): Float32Array }).dataSync();
      return Array.from({ length: n }, (_, i) => Array.from(probs.subarray(i * 10, i * 10 + 10)));
    },
  };

  const root = el('section', { id: 'train', 'aria-labelledby': 'train-title', class: 'panel' });
  const backendLine = el('p', { class: 'backend', role: 'status', text: 'Backend: starting the worker…' });
  root.append(
    el('h2', { id: 'train-title', text: 'Train a classifier' }),
    el('p', {
      class: 'lede',
      text: 'MNIST digits (8,000 to train, 2,000 to test) trained in a Web Worker with Sequential.fit. Tick several optimizers to compare them: they train one after another and their curves overlay.',
    }),
  );

  // Settings.
  const form = el('form', { class: 'train-form', 'aria-label': 'Training settings' });
  const kind = select(
    [
      ['mlp', 'MLP (784-128-10)'],
      ['cnn', 'CNN (2 conv + pool)'],
    ],
    'mlp',
    { name: 'model' },
  );
  const lr = numberInput(null, { name: 'learningRate', min: '0', placeholder: 'default' });
  const batch = numberInput(32, { name: 'batchSize', min: '1', step: '1' });
  const epochs = numberInput(2, { name: 'epochs', min: '1', step: '1' });
  const seed = numberInput(42, { name: 'seed', step: '1' });
  const dataUrl = el('input', { type: 'url', name: 'dataUrl', placeholder: 'bundled subset (mnist-subset/mnist.json)' });
  const optBox = el('fieldset', { class: 'optimizers' }, el('legend', { text: 'Optimizers (one run each)' }));
  for (const name of optimizerList()) {
    const box = el('input', { type: 'checkbox', name: 'optimizer', value: name });
    box.checked = name === 'adam';
    optBox.append(field(name, box));
  }
  const trainBtn = el('button', { type: 'submit', class: 'primary', text: 'Train' });
  const stopBtn = button('Stop', { disabled: '' });
  const resumeBtn = button('Resume', { disabled: '' });
  const progress = el('progress', { max: '1', value: '0', 'aria-label': 'Training progress' });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', text: 'Not trained yet.' });
  form.append(
    el('div', { class: 'row' }, field('Model', kind), field('Learning rate', lr), field('Batch size', batch), field('Epochs', epochs), field('Seed', seed)),
    optBox,
    el('div', { class: 'row' }, field('MNIST URL (folder of the 4 IDX files or a manifest)', dataUrl)),
    el('div', { class: 'row buttons' }, trainBtn, stopBtn, resumeBtn),
  );
  const lossHost = el('div', { class: 'chart' });
  const accHost = el('div', { class: 'chart' });
  root.append(form, progress, status, el('div', { class: 'charts' }, lossHost, accHost));
  let lossChart: LineChart | null = null;
  let accChart: LineChart | null = null;

  const drawCharts = (): void => {
    lossChart ??= lineChart(lossHost, { title: 'Training loss (running mean over the epoch, per batch)', x: 'epoch', y: 'loss', logY: true });
    accChart ??= lineChart(accHost, { title: 'Accuracy: training (running mean), test (dots) per epoch', x: 'epoch', y: 'accuracy' });
    lossChart.set(state.runs.map((r, i) => ({ label: r.label, color: COLORS[i % COLORS.length]!, xs: r.x, ys: r.loss })));
    accChart.set([
      ...state.runs.map((r, i) => ({ label: r.label, color: COLORS[i % COLORS.length]!, xs: r.x, ys: r.acc })),
      ...state.runs.map((r, i) => ({ label: `${r.label} (test)`, color: COLORS[i % COLORS.length]!, xs: r.ex, ys: r.valAcc, points: true, dash: true })),
    ]);
  };
  let chartQueued = false;
  const queueCharts = (): void => {
    if (chartQueued) return;
    chartQueued = true;
    requestAnimationFrame(() => {
      chartQueued = false;
      drawCharts();
    });
  };

  const setRunning = (running: boolean): void => {
    state.running = running;
    trainBtn.disabled = running;
    stopBtn.disabled = !running;
    resumeBtn.disabled = running || !state.canResume;
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const names = [...optBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    const rate = lr.value === '' ? null : Number(lr.value);
    const bs = Number(batch.value);
    const ep = Number(epochs.value);
    const problems: string[] = [];
    if (names.length === 0) problems.push('tick at least one optimizer');
    if (rate !== null && !(rate > 0)) problems.push(`learning rate must be a positive number, got ${lr.value}`);
    if (!Number.isInteger(bs) || bs < 1) problems.push(`batch size must be a positive integer, got ${batch.value}`);
    if (!Number.isInteger(ep) || ep < 1) problems.push(`epochs must be a positive integer, got ${epochs.value}`);
    if (problems.length > 0) {
      status.textContent = `Cannot train: ${problems.join('; ')}.`;
      return;
    }
    const req: TrainRequest = {
      type: 'train',
      model: kind.value as ModelKind,
      runs: names.map((optimizer) => ({ optimizer, learningRate: rate })),
      batchSize: bs,
      epochs: ep,
      dataUrl: new URL(dataUrl.value !== '' ? dataUrl.value : 'mnist-subset/mnist.json', document.baseURI).href,
      seed: Number(seed.value) || 0,
    };
    state.runs = [];
    state.error = null;
    state.canResume = false;
    setRunning(true);
    send(req);
  });
  stopBtn.addEventListener('click', () => {
    send({ type: 'stop' });
    status.textContent = 'Stopping after this batch (the epoch ends early and is evaluated)…';
  });
  resumeBtn.addEventListener('click', () => {
    state.canResume = false;
    setRunning(true);
    send({ type: 'resume' });
  });

  // The model in use: draw, probabilities, save/load.
  const modelLine = el('p', { class: 'model-line', role: 'status', text: 'No model yet: train one or load one.' });
  const pad = drawPad();
  const clear = button('Clear');
  const bars = el('ol', { class: 'probs', start: '0', 'aria-label': 'Predicted probability of each digit' });
  const barEls = Array.from({ length: 10 }, (_, d) => {
    const meter = el('meter', { min: '0', max: '1', value: '0', 'aria-label': `probability of ${d}` });
    const out = el('span', { class: 'p', text: '–' });
    bars.append(el('li', { 'data-digit': String(d) }, el('span', { class: 'd', text: String(d) }), meter, out));
    return { meter, out };
  });
  const verdict = el('p', { class: 'verdict', role: 'status', 'aria-live': 'polite' });
  const predictDrawn = (): void => {
    const px = pad.pixels();
    if (px === null || model === null) {
      state.drawn = null;
      verdict.textContent = model === null ? 'Train or load a model to see predictions.' : 'Draw a digit.';
      barEls.forEach((b) => {
        b.meter.value = 0;
        b.out.textContent = '–';
      });
      return;
    }
    const p = state.predict([Array.from(px)])[0]!;
    state.drawn = p;
    const best = p.indexOf(Math.max(...p));
    p.forEach((v, d) => {
      barEls[d]!.meter.value = v;
      barEls[d]!.out.textContent = `${(100 * v).toFixed(1)}%`;
    });
    verdict.textContent = `Looks like a ${best} (${(100 * p[best]!).toFixed(1)}%).`;
    verdict.dataset.digit = String(best);
  };
  pad.onStroke = predictDrawn;
  clear.addEventListener('click', () => {
    pad.clear();
    predictDrawn();
  });

  const saveName = el('input', { type: 'text', name: 'modelName', value: 'mnist' });
  const saveIdb = button('Save to IndexedDB');
  const download = button('Download (TF.js files)');
  const loadIdb = button('Load from IndexedDB');
  const modelUrl = el('input', { type: 'url', name: 'modelUrl', placeholder: 'https://…/model.json' });
  const loadUrl = button('Load model.json URL');
  const files = el('input', { type: 'file', name: 'modelFiles', multiple: '', accept: '.json,.bin' });
  const ioStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const useModel = (m: LoadedModel, what: string): void => {
    model = m;
    const shape = m.inputs[0]?.shape ?? [];
    modelKind = shape.length === 4 ? 'cnn' : 'mlp';
    state.model = what;
    modelLine.textContent = `Model in use: ${what} (${m.countParams()} parameters).`;
    predictDrawn();
  };
  const io = async (label: string, f: () => Promise<string>): Promise<void> => {
    ioStatus.textContent = `${label}…`;
    try {
      ioStatus.textContent = await f();
    } catch (err) {
      ioStatus.textContent = `${label} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  const needModel = (): LoadedModel => {
    if (model === null) throw new Error('no model yet: train one or load one');
    return model;
  };
  const nameOf = (): string => saveName.value.trim() || 'mnist';
  saveIdb.addEventListener('click', () =>
    void io('Saving', async () => {
      await needModel().save(`indexeddb://${nameOf()}`);
      return `Saved as indexeddb://${nameOf()}.`;
    }),
  );
  download.addEventListener('click', () =>
    void io('Downloading', async () => {
      await needModel().save(`downloads://${nameOf()}`);
      return `Downloaded ${nameOf()}.json and ${nameOf()}.weights.bin (TF.js layers-model format: tf.loadLayersModel reads them).`;
    }),
  );
  loadIdb.addEventListener('click', () =>
    void io('Loading', async () => {
      useModel(await loadModel(`indexeddb://${nameOf()}`), `indexeddb://${nameOf()}`);
      return `Loaded indexeddb://${nameOf()}.`;
    }),
  );
  loadUrl.addEventListener('click', () =>
    void io('Loading', async () => {
      if (modelUrl.value === '') throw new Error('give the URL of a model.json');
      const url = new URL(modelUrl.value, document.baseURI).href;
      useModel(await loadModel(url), url);
      return `Loaded ${url}.`;
    }),
  );
  files.addEventListener('change', () =>
    void io('Loading', async () => {
      const picked = [...(files.files ?? [])];
      const json = picked.filter((f) => f.name.endsWith('.json'));
      if (json.length !== 1) throw new Error(`pick one .json file and its weight files, got ${picked.map((f) => f.name).join(', ') || 'nothing'}`);
      useModel(await loadModel(browserFiles([json[0]!, ...picked.filter((f) => f !== json[0])])), json[0]!.name);
      return `Loaded ${json[0]!.name}.`;
    }),
  );

  root.append(
    el('h3', { text: 'Try the model' }),
    modelLine,
    el(
      'div',
      { class: 'try' },
      el('div', { class: 'pad-wrap' }, pad.canvas, clear),
      el('div', { class: 'pred' }, verdict, bars),
    ),
    el(
      'div',
      { class: 'io' },
      el('div', { class: 'row' }, field('Model name', saveName), saveIdb, loadIdb, download),
      el('div', { class: 'row' }, field('Model URL', modelUrl), loadUrl),
      el('div', { class: 'row' }, field('Load model files (model.json + weights)', files)),
      ioStatus,
    ),
  );

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case 'backend': {
        state.backend = m;
        const kindText =
          m.backend === 'wasm'
            ? `WebAssembly ${m.flavour === 'relaxed' ? 'relaxed SIMD (FMA)' : 'SIMD'}, ${m.threads > 1 ? `${m.threads} threads` : 'single thread'}`
            : `CPU (TypeScript)${m.loadError !== null ? `: the wasm kernels did not load (${m.loadError})` : ''}`;
        backendLine.textContent = `Training backend: ${kindText}${m.crossOriginIsolated ? '' : ' (page not cross-origin isolated: no threads)'}.`;
        backendLine.dataset.backend = m.backend;
        break;
      }
      case 'data':
        status.textContent = m.text;
        break;
      case 'runStart': {
        if (!m.resumed) state.runs[m.run] = { label: m.label, batchesPerEpoch: m.batchesPerEpoch, x: [], loss: [], acc: [], ex: [], valAcc: [], valLoss: [] };
        status.textContent = `${m.resumed ? 'Resuming' : 'Training'} ${m.label} (run ${m.run + 1})…`;
        break;
      }
      case 'batch': {
        const r = state.runs[m.run]!;
        const x = m.epoch + (m.batch + 1) / r.batchesPerEpoch;
        // A resumed epoch starts again from its first batch: drop the points it replaces.
        while (r.x.length > 0 && r.x[r.x.length - 1]! >= x) {
          r.x.pop();
          r.loss.pop();
          r.acc.pop();
        }
        r.x.push(x);
        r.loss.push(m.loss);
        r.acc.push(m.accuracy);
        progress.value = x / (Number(epochs.value) || 1);
        status.textContent = `${r.label}: epoch ${m.epoch + 1}, batch ${m.batch + 1}/${r.batchesPerEpoch}, loss ${m.loss.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)} (${m.ms.toFixed(1)} ms/batch)`;
        queueCharts();
        break;
      }
      case 'epoch': {
        const r = state.runs[m.run]!;
        r.ex.push(m.epoch + 1);
        r.valAcc.push(m.valAccuracy);
        r.valLoss.push(m.valLoss);
        queueCharts();
        break;
      }
      case 'model':
        void loadModel(fromMemory(m.artifacts)).then(
          (mm) => useModel(mm, `${m.label}, trained here`),
          (err: unknown) => (state.error = String(err)),
        );
        break;
      case 'runEnd': {
        const r = state.runs[m.run]!;
        const acc = r.valAcc[r.valAcc.length - 1];
        status.textContent = `${r.label}: ${m.stopped ? 'stopped' : 'done'} after ${m.epochsDone} epoch(s)${acc !== undefined ? `, test accuracy ${(100 * acc).toFixed(2)}%` : ''}.`;
        break;
      }
      case 'idle':
        state.canResume = m.canResume;
        setRunning(false);
        if (m.stopped && m.canResume) status.textContent += ' Resume goes on with the next epoch.';
        break;
      case 'error':
        state.error = m.message;
        status.textContent = `Error: ${m.message}`;
        break;
    }
  };
  worker.onerror = (e) => {
    state.error = e.message;
    status.textContent = `The training worker failed: ${e.message}`;
  };
  send({ type: 'init' });

  return {
    root,
    state,
    backendLine,
    resize: () => {
      lossChart?.resize();
      accChart?.resize();
    },
  };
}
