// The playground page: the optimizer race (main thread, CPU backend: two-number tensors, results
// identical on every machine) and in-browser training (a Web Worker on the wasm backend).
import './style.css';
import { el } from './dom.js';
import type { RacePanel, RaceState } from './race/view.js';
import { racePanel } from './race/view.js';
import type { TrainState } from './train/view.js';
import { trainPanel } from './train/view.js';

/** What the page exposes for its tests (and for curious users in the console). */
export interface PlaygroundHook {
  race: { state: RaceState; run: RacePanel['run'] };
  train: TrainState;
}

declare global {
  interface Window {
    __playground?: PlaygroundHook;
  }
}

const app = document.getElementById('app')!;
const race = racePanel();
const train = trainPanel();
app.append(
  el(
    'header',
    {},
    el('h1', { text: 'Descent playground' }),
    el(
      'nav',
      { 'aria-label': 'Sections' },
      el('a', { href: '#race', text: 'Optimizer race' }),
      el('a', { href: '#train', text: 'Train a classifier' }),
    ),
    train.backendLine,
  ),
  el('main', {}, race.root, train.root),
  el(
    'footer',
    {},
    el('p', {}, 'Everything on this page runs Descent itself: ', el('a', { href: 'https://github.com/descent-js/descent', text: 'github.com/descent-js/descent' }), '.'),
  ),
);

window.__playground = { race: { state: race.state, run: (opts) => race.run(opts) }, train: train.state };

let resizeQueued = false;
window.addEventListener('resize', () => {
  if (resizeQueued) return;
  resizeQueued = true;
  requestAnimationFrame(() => {
    resizeQueued = false;
    race.resize();
    train.resize();
  });
});

void race.run();
