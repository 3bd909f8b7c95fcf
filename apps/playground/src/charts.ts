// Line charts on uPlot: canvas rendering and `setData` without rebuilding the chart, which is what
// live per-step updates need (tens of updates a second with thousands of points).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  label: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Points only (e.g. one value per epoch) instead of a line. */
  points?: boolean;
  dash?: boolean;
}

export interface LineChart {
  set(lines: readonly Line[]): void;
  resize(): void;
}

/** One x axis for all lines: the sorted union of their x values, with nulls where a line has none. */
export function align(lines: readonly Line[]): uPlot.AlignedData {
  const all = new Set<number>();
  for (const l of lines) for (let i = 0; i < l.xs.length; i++) all.add(l.xs[i]!);
  const xs = Float64Array.from([...all].sort((a, b) => a - b));
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const ys = lines.map((l) => {
    const out: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (let i = 0; i < l.xs.length; i++) {
      const y = l.ys[i]!;
      out[index.get(l.xs[i]!)!] = Number.isFinite(y) ? y : null;
    }
    return out;
  });
  return [xs, ...ys];
}

export function lineChart(host: HTMLElement, opts: { title: string; x: string; y: string; logY?: boolean; height?: number }): LineChart {
  let plot: uPlot | null = null;
  let signature = '';
  let last: readonly Line[] = [];
  const width = (): number => Math.max(260, host.clientWidth);
  const make = (lines: readonly Line[]): uPlot =>
    new uPlot(
      {
        title: opts.title,
        width: width(),
        height: opts.height ?? 240,
        scales: { x: { time: false }, y: opts.logY === true ? { distr: 3 } : {} },
        axes: [
          { label: opts.x },
          {
            label: opts.y,
            size: 60,
            // uPlot's default labels round small values on a log axis to 0: write powers of ten.
            ...(opts.logY === true ? { values: (_u: uPlot, splits: (number | null)[]) => splits.map((v) => (v === null || !Number.isFinite(v) ? '' : v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(0))) } : {}),
          },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        series: [
          { label: opts.x },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            spanGaps: true,
            ...(l.dash === true ? { dash: [6, 4] } : {}),
            ...(l.points === true ? { points: { show: true, size: 7, fill: l.color }, width: 1 } : { points: { show: false } }),
          })),
        ],
      },
      align(lines),
      host,
    );
  return {
    set(lines) {
      last = lines;
      const sig = lines.map((l) => `${l.label}|${l.color}|${l.points === true}|${l.dash === true}`).join('\n');
      if (plot === null || sig !== signature) {
        plot?.destroy();
        plot = make(lines);
        signature = sig;
      } else {
        plot.setData(align(lines));
      }
    },
    resize() {
      if (plot !== null) plot.setSize({ width: width(), height: opts.height ?? 240 });
      else if (last.length > 0) this.set(last);
    },
  };
}
