// The contour plot: the function evaluated on a grid (with the same tensor ops the race
// differentiates), drawn as log-spaced colour bands, with each racer's path over it.
import { linspace } from '@descent/tensor';
import type { TestFunction } from './functions.js';
import type { Trajectory } from './engine.js';

export const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#008080', '#f032e6', '#9a6324', '#800000', '#000075', '#808000', '#46f0f0'];

const GRID = 160;
const BANDS = 24;

export interface ContourView {
  canvas: HTMLCanvasElement;
  fn: TestFunction;
  params: Record<string, number>;
  /** The background, cached per function and parameters. */
  background: ImageData | null;
  key: string;
}

/** Pixel ↔ function coordinates. */
export function toPixel(view: ContourView, x: number, y: number): [number, number] {
  const [x0, x1, y0, y1] = view.fn.domain;
  return [((x - x0) / (x1 - x0)) * view.canvas.width, (1 - (y - y0) / (y1 - y0)) * view.canvas.height];
}

export function fromPixel(view: ContourView, px: number, py: number): [number, number] {
  const [x0, x1, y0, y1] = view.fn.domain;
  return [x0 + (px / view.canvas.width) * (x1 - x0), y0 + (1 - py / view.canvas.height) * (y1 - y0)];
}

function background(view: ContourView): ImageData {
  const [x0, x1, y0, y1] = view.fn.domain;
  const xs = linspace(x0, x1, GRID).reshape([1, GRID]);
  const ys = linspace(y1, y0, GRID).reshape([GRID, 1]);
  const values = view.fn.f(xs.add(ys.mul(0)), ys.add(xs.mul(0)), view.params).dataSync();
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // Log-spaced levels above the grid's minimum: the valleys get as many bands as the walls.
  const scale = Math.log1p((hi - lo) / Math.max(1e-6, (hi - lo) * 1e-4));
  const level = (v: number): number => Math.log1p((v - lo) / Math.max(1e-6, (hi - lo) * 1e-4)) / scale;
  const { width, height } = view.canvas;
  const img = new ImageData(width, height);
  for (let py = 0; py < height; py++) {
    const gy = Math.min(GRID - 1, Math.floor((py / height) * GRID));
    for (let px = 0; px < width; px++) {
      const gx = Math.min(GRID - 1, Math.floor((px / width) * GRID));
      const t = level(values[gy * GRID + gx]!);
      const band = Math.floor(t * BANDS) / BANDS;
      // From deep blue (low) to pale yellow (high).
      const r = Math.round(30 + 225 * band);
      const g = Math.round(60 + 180 * band);
      const b = Math.round(140 + 40 * (1 - band));
      const i = 4 * (py * width + px);
      img.data[i] = r;
      img.data[i + 1] = g;
      img.data[i + 2] = b;
      img.data[i + 3] = 255;
    }
  }
  return img;
}

/** Draw the background, the minima, the start and each path up to `step`. */
export function drawContour(view: ContourView, trajectories: readonly Trajectory[], step: number, start: readonly [number, number]): void {
  const key = `${view.fn.name}|${JSON.stringify(view.params)}|${view.canvas.width}x${view.canvas.height}`;
  if (view.background === null || view.key !== key) {
    view.background = background(view);
    view.key = key;
  }
  const ctx = view.canvas.getContext('2d')!;
  ctx.putImageData(view.background, 0, 0);
  const unit = view.canvas.width / 480;
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#000';
  ctx.lineWidth = unit;
  for (const [mx, my] of view.fn.minima(view.params)) {
    const [px, py] = toPixel(view, mx, my);
    star(ctx, px, py, 7 * unit);
  }
  const [sx, sy] = toPixel(view, start[0], start[1]);
  ctx.beginPath();
  ctx.arc(sx, sy, 5 * unit, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  trajectories.forEach((t, i) => {
    const color = COLORS[i % COLORS.length]!;
    const n = Math.min(step + 1, t.points.length / 2);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * unit;
    ctx.beginPath();
    for (let k = 0; k < n; k++) {
      const [px, py] = toPixel(view, t.points[2 * k]!, t.points[2 * k + 1]!);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    const [hx, hy] = toPixel(view, t.points[2 * n - 2]!, t.points[2 * n - 1]!);
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(hx, hy, 4.5 * unit, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = unit;
    ctx.stroke();
  });
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = (i * Math.PI) / 5 - Math.PI / 2;
    const rr = i % 2 === 0 ? r : r / 2.4;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}
