// The optimizer-race panel: the setup form (function, start, steps, schedule, racers with their
// hyperparameters, presets), the contour plot with animated paths, the loss chart and a results table.
import { tensor as tensorOf } from '@descent/tensor';
import type { LineChart } from '../charts.js';
import { lineChart } from '../charts.js';
import { button, el, field, numberInput, select } from '../dom.js';
import type { ContourView } from './contour.js';
import { COLORS, drawContour, fromPixel } from './contour.js';
import type { RaceSetup, Trajectory } from './engine.js';
import { finalPoints, runRacer } from './engine.js';
import type { FunctionName } from './functions.js';
import { FUNCTION_NAMES, FUNCTIONS, paramsOf } from './functions.js';
import type { PresetName, RacerSpec, ScheduleKind } from './optimizers.js';
import { PRESETS, SCHEDULE_KINDS, editableDefaults, optimizerNames } from './optimizers.js';
import { MAX_STEPS, decodeSetup, encodeSetup } from './url.js';

const SCHEDULE_LABELS: Record<ScheduleKind, string> = {
  constant: 'constant',
  exponential: 'ExponentialDecay',
  cosine: 'CosineDecay',
  inverseTime: 'InverseTimeDecay',
  polynomial: 'PolynomialDecay',
};

const MAIN_OPTIONS = new Set(['learningRate', 'momentum', 'nesterov', 'rho', 'centered', 'beta1', 'beta2', 'amsgrad', 'initialAccumulatorValue']);

/** What the test hook and the page share about the last race. */
export interface RaceState {
  setup: RaceSetup;
  trajectories: Trajectory[];
  /** Animation finished (or skipped). */
  done: boolean;
}

export interface RacePanel {
  root: HTMLElement;
  state: RaceState;
  /** Run the current setup; resolves when the animation has finished. */
  run(opts?: { animate?: boolean }): Promise<void>;
  /** Replace the setup (as from a link) and show it in the form. */
  load(setup: RaceSetup): void;
  resize(): void;
}

export function racePanel(): RacePanel {
  let setup = decodeSetup(new URLSearchParams(location.search));
  const state: RaceState = { setup, trajectories: [], done: false };
  const root = el('section', { id: 'race', 'aria-labelledby': 'race-title', class: 'panel' });
  root.append(
    el('h2', { id: 'race-title', text: 'Optimizer race' }),
    el('p', {
      class: 'lede',
      text: 'Every racer starts at the white dot and follows gradients from @descent/autograd with steps from the real @descent/optimizers classes. Click the plot to move the start. The link holds the whole setup.',
    }),
  );
  const form = el('form', { class: 'race-form', 'aria-label': 'Race setup' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  const about = el('p', { class: 'about' });
  const fnSelect = select(FUNCTION_NAMES.map((n) => [n, FUNCTIONS[n].label] as const), setup.fn, { name: 'fn' });
  const paramBox = el('div', { class: 'row' });
  const startX = numberInput(setup.start[0], { name: 'startX' });
  const startY = numberInput(setup.start[1], { name: 'startY' });
  const steps = numberInput(setup.steps, { name: 'steps', min: '1', max: String(MAX_STEPS), step: '1' });
  const seed = numberInput(setup.seed, { name: 'seed', step: '1' });
  const schedKind = select(SCHEDULE_KINDS.map((k) => [k, SCHEDULE_LABELS[k]] as const), setup.schedule.kind, { name: 'schedule' });
  const schedSteps = numberInput(setup.schedule.steps, { name: 'decaySteps', min: '1', step: '1' });
  const schedRate = numberInput(setup.schedule.rate, { name: 'decayRate', min: '0' });
  const racersBox = el('div', { class: 'racers', role: 'group', 'aria-label': 'Racers' });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });

  const renderParams = (): void => {
    paramBox.replaceChildren();
    for (const p of FUNCTIONS[setup.fn].params) {
      const input = numberInput(setup.params[p.key] ?? p.default, { name: `param-${p.key}` });
      input.addEventListener('change', () => {
        const v = Number(input.value);
        if (input.value !== '' && Number.isFinite(v)) setup.params[p.key] = v;
        syncUrl();
      });
      paramBox.append(field(`${FUNCTIONS[setup.fn].label} ${p.label}`, input));
    }
    about.textContent = FUNCTIONS[setup.fn].about;
    seed.closest('.field')?.classList.toggle('hidden', FUNCTIONS[setup.fn].stochastic === undefined);
  };

  const racerRow = (spec: RacerSpec, index: number): HTMLElement => {
    const row = el('fieldset', { class: 'racer' });
    const color = COLORS[index % COLORS.length]!;
    const legend = el('legend', {}, el('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' }), `Racer ${index + 1}`);
    const name = select(optimizerNames().map((n) => [n, n] as const), spec.name, { name: `racer-${index}-name` });
    name.addEventListener('change', () => {
      setup.racers[index] = { name: name.value, options: {} };
      renderRacers();
      syncUrl();
    });
    row.append(legend, field('optimizer', name));
    const defaults = editableDefaults(spec.name);
    // The options people tune first stay in view; clipping, weight decay, ε and the rest fold away.
    const more = el('details', { class: 'more' }, el('summary', { text: 'More options' }));
    const moreBox = el('div', { class: 'row' });
    more.append(moreBox);
    for (const [key, def] of Object.entries(defaults)) {
      const target = MAIN_OPTIONS.has(key) ? row : moreBox;
      if (target === moreBox && spec.options[key] !== undefined) more.open = true;
      const given = spec.options[key];
      if (typeof def === 'boolean') {
        const box = el('input', { type: 'checkbox', name: `racer-${index}-${key}` });
        box.checked = typeof given === 'boolean' ? given : def;
        box.addEventListener('change', () => {
          if (box.checked === def) delete spec.options[key];
          else spec.options[key] = box.checked;
          syncUrl();
        });
        target.append(field(key, box));
      } else {
        const input = numberInput(typeof given === 'number' ? given : def, { name: `racer-${index}-${key}`, placeholder: def === null ? 'off' : String(def) });
        input.addEventListener('change', () => {
          const v = Number(input.value);
          if (input.value === '' || !Number.isFinite(v) || v === def) delete spec.options[key];
          else spec.options[key] = v;
          syncUrl();
        });
        target.append(field(key, input));
      }
    }
    const remove = button('Remove', { 'aria-label': `Remove racer ${index + 1} (${spec.name})`, class: 'small' });
    remove.addEventListener('click', () => {
      setup.racers.splice(index, 1);
      renderRacers();
      syncUrl();
    });
    row.append(remove);
    if (moreBox.childElementCount > 0) row.append(more);
    return row;
  };

  const renderRacers = (): void => {
    racersBox.replaceChildren(...setup.racers.map(racerRow));
  };

  const readForm = (): void => {
    const sx = Number(startX.value);
    const sy = Number(startY.value);
    if (startX.value !== '' && Number.isFinite(sx) && startY.value !== '' && Number.isFinite(sy)) setup.start = [sx, sy];
    const n = Number(steps.value);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_STEPS) setup.steps = n;
    const s = Number(seed.value);
    if (Number.isInteger(s)) setup.seed = s;
    setup.schedule = {
      kind: schedKind.value as ScheduleKind,
      steps: Math.max(1, Number(schedSteps.value) || setup.schedule.steps),
      rate: Number.isFinite(Number(schedRate.value)) ? Number(schedRate.value) : setup.schedule.rate,
    };
  };

  const syncUrl = (): void => {
    readForm();
    const q = encodeSetup(setup);
    history.replaceState(null, '', `${location.pathname}?${q.toString()}${location.hash}`);
  };

  fnSelect.addEventListener('change', () => {
    const fn = fnSelect.value as FunctionName;
    setup.fn = fn;
    setup.params = paramsOf(FUNCTIONS[fn]);
    setup.start = [FUNCTIONS[fn].start[0], FUNCTIONS[fn].start[1]];
    startX.value = String(setup.start[0]);
    startY.value = String(setup.start[1]);
    renderParams();
    syncUrl();
    void run();
  });
  for (const i of [startX, startY, steps, seed, schedKind, schedSteps, schedRate]) i.addEventListener('change', syncUrl);

  const add = button('Add optimizer', { class: 'small' });
  add.addEventListener('click', () => {
    setup.racers.push({ name: 'adam', options: {} });
    renderRacers();
    syncUrl();
    racersBox.querySelector<HTMLSelectElement>('fieldset:last-child select')?.focus();
  });
  const presetButtons = (Object.keys(PRESETS) as PresetName[]).map((p) => {
    const b = button(p === 'keras' ? 'Preset: Keras defaults' : 'Preset: tuning values', { class: 'small', 'data-preset': p });
    b.addEventListener('click', () => {
      setup.racers = PRESETS[p].map((r) => ({ name: r.name, options: { ...r.options } }));
      renderRacers();
      syncUrl();
    });
    return b;
  });
  const copy = button('Copy link', { class: 'small' });
  copy.addEventListener('click', () => {
    syncUrl();
    navigator.clipboard.writeText(location.href).then(
      () => (status.textContent = 'Link copied.'),
      () => (status.textContent = `Link: ${location.href}`),
    );
  });

  form.append(
    el(
      'div',
      { class: 'row' },
      field('Function', fnSelect),
      field('Start x', startX),
      field('Start y', startY),
      field('Steps', steps),
      field('Noise seed', seed),
    ),
    paramBox,
    about,
    el('div', { class: 'row' }, field('Learning-rate schedule', schedKind), field('decay steps', schedSteps), field('decay rate / final fraction', schedRate)),
    racersBox,
    el('div', { class: 'row buttons' }, add, ...presetButtons, copy, el('button', { type: 'submit', class: 'primary', text: 'Run race' })),
  );

  const canvas = el('canvas', { width: '480', height: '480', class: 'contour', role: 'img', 'aria-label': 'Contour plot with optimizer paths' });
  const view: ContourView = { canvas, fn: FUNCTIONS[setup.fn], params: setup.params, background: null, key: '' };
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const [x, y] = fromPixel(view, ((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height);
    startX.value = x.toFixed(3);
    startY.value = y.toFixed(3);
    syncUrl();
    void run();
  });
  const chartHost = el('div', { class: 'chart' });
  const results = el('table', { class: 'results' });
  const slider = el('input', { type: 'range', min: '0', max: String(setup.steps), value: '0', name: 'step' });
  const stepLabel = el('output', { for: 'race-step' });
  slider.id = 'race-step';
  slider.addEventListener('input', () => show(Number(slider.value)));
  root.append(
    form,
    status,
    el('div', { class: 'race-view' }, el('div', { class: 'plot' }, canvas, el('div', { class: 'row' }, field('Step', slider), stepLabel)), chartHost),
    el('div', { class: 'table-wrap' }, results),
  );
  let chart: LineChart | null = null;

  let fStar = 0;
  const show = (step: number): void => {
    view.fn = FUNCTIONS[setup.fn];
    view.params = paramsOf(view.fn, setup.params);
    drawContour(view, state.trajectories, step, setup.start);
    slider.value = String(step);
    stepLabel.textContent = `${step} / ${setup.steps}`;
    chart ??= lineChart(chartHost, { title: 'f(x, y) − f* per step (log scale)', x: 'step', y: 'f − f*', logY: true, height: 300 });
    chart.set(
      state.trajectories.map((t, i) => {
        const n = Math.min(step + 1, t.losses.length);
        const xs = new Float64Array(n);
        const ys = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          xs[k] = k;
          ys[k] = Math.max(1e-12, t.losses[k]! - fStar);
        }
        return { label: t.label, color: COLORS[i % COLORS.length]!, xs, ys };
      }),
    );
  };

  const renderResults = (): void => {
    const rows = finalPoints(state.trajectories).map((p, i) => {
      const t = state.trajectories[i]!;
      const loss = t.losses[t.losses.length - 1]!;
      const fate = t.error !== null ? t.error : t.divergedAt !== null ? `diverged at step ${t.divergedAt}` : `f − f* = ${(loss - fStar).toExponential(3)}`;
      return el(
        'tr',
        {},
        el('td', {}, el('span', { class: 'swatch', style: `background:${COLORS[i % COLORS.length]!}`, 'aria-hidden': 'true' }), p.label),
        el('td', { class: 'num', 'data-x': String(p.x), text: p.x.toFixed(5) }),
        el('td', { class: 'num', 'data-y': String(p.y), text: p.y.toFixed(5) }),
        el('td', { text: fate }),
      );
    });
    results.replaceChildren(
      el('caption', { text: 'Where each racer ended' }),
      el('thead', {}, el('tr', {}, el('th', { text: 'optimizer' }), el('th', { text: 'x' }), el('th', { text: 'y' }), el('th', { text: 'result' }))),
      el('tbody', {}, ...rows),
    );
  };

  let animation = 0;
  let runs = 0;
  const run = async (opts: { animate?: boolean } = {}): Promise<void> => {
    readForm();
    cancelAnimationFrame(animation);
    state.done = false;
    status.textContent = 'Racing…';
    await new Promise((r) => setTimeout(r, 0));
    const t0 = performance.now();
    const ticket = ++runs;
    const trajectories: Trajectory[] = [];
    for (const [i, spec] of setup.racers.entries()) {
      // One racer at a time, yielding in between, so a long race leaves the page responsive.
      if (i > 0) {
        status.textContent = `Racing… ${i} of ${setup.racers.length} done`;
        await new Promise((r) => setTimeout(r, 0));
        if (ticket !== runs) return; // a newer run started meanwhile
      }
      trajectories.push(runRacer(setup, spec));
    }
    state.trajectories = trajectories;
    state.setup = structuredClone(setup);
    const fn = FUNCTIONS[setup.fn];
    const params = paramsOf(fn, setup.params);
    fStar = Math.min(...fn.minima(params).map(([mx, my]) => fnValue(fn, mx, my, params)));
    status.textContent = `${setup.racers.length} optimizers × ${setup.steps} steps in ${(performance.now() - t0).toFixed(0)} ms.`;
    slider.max = String(setup.steps);
    renderResults();
    if (opts.animate === false || matchMedia('(prefers-reduced-motion: reduce)').matches) {
      show(setup.steps);
      state.done = true;
      return;
    }
    const duration = Math.min(4000, 8 * setup.steps);
    const began = performance.now();
    await new Promise<void>((resolve) => {
      const frame = (): void => {
        const k = Math.min(setup.steps, Math.round(((performance.now() - began) / duration) * setup.steps));
        show(k);
        if (k < setup.steps) animation = requestAnimationFrame(frame);
        else resolve();
      };
      animation = requestAnimationFrame(frame);
    });
    state.done = true;
  };

  const load = (s: RaceSetup): void => {
    setup = s;
    state.setup = s;
    fnSelect.value = s.fn;
    startX.value = String(s.start[0]);
    startY.value = String(s.start[1]);
    steps.value = String(s.steps);
    seed.value = String(s.seed);
    schedKind.value = s.schedule.kind;
    schedSteps.value = String(s.schedule.steps);
    schedRate.value = String(s.schedule.rate);
    renderParams();
    renderRacers();
    syncUrl();
  };

  renderParams();
  renderRacers();
  return {
    root,
    state,
    run,
    load,
    resize: () => chart?.resize(),
  };
}

function fnValue(fn: (typeof FUNCTIONS)[FunctionName], x: number, y: number, params: Record<string, number>): number {
  return fn.f(tensorOf(x), tensorOf(y), params).item();
}

