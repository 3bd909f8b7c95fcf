import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

/** One point of a training curve. */
export interface CurvePoint {
  /** The line it belongs to: an optimizer name, or 'train'/'validation'. */
  series: string;
  epoch: number;
  /** 'loss' or 'accuracy'. */
  metric: 'loss' | 'accuracy';
  value: number;
}

/** A Vega-Lite spec with one panel per metric (loss, accuracy) and one line per series. */
export function curvesSpec(
  points: readonly CurvePoint[],
  title: string,
  axisTitles: { loss: string; accuracy: string } = { loss: 'loss', accuracy: 'accuracy' },
): TopLevelSpec {
  const panel = (metric: 'loss' | 'accuracy', yTitle: string) => ({
    width: 360,
    height: 240,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal' as const, title: null },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    data: { values: points.map((p) => ({ ...p })) },
    hconcat: [panel('loss', axisTitles.loss), panel('accuracy', axisTitles.accuracy)],
  };
}

/** Render a Vega-Lite spec to SVG text, headless (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterize SVG text to PNG bytes. */
export function svgToPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } });
  return resvg.render().asPng();
}
