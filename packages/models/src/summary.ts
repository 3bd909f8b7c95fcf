import type { Functional, Layer, SymbolicShape } from '@descent/layers';
import { formatValue } from './format.js';

/** Options of `summary`. */
export interface SummaryOptions {
  /** Where each line goes (default console.log). */
  printFn?: (line: string) => void;
  /** Total width of the table (default 65, as Keras). */
  lineLength?: number;
}

function shapeText(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function withCommas(n: number): string {
  return n.toLocaleString('en-US');
}

function sizeText(params: number): string {
  const bytes = params * 4;
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${bytes} B`;
}

function fit(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width - 1) + ' ' : text.padEnd(width);
}

/** The Keras table: one row per layer with its output shape and parameter count, then the totals. */
export function formatSummary(name: string, layers: readonly Layer[], outputShapes: readonly SymbolicShape[], options: SummaryOptions = {}): string[] {
  const width = options.lineLength ?? 65;
  if (!Number.isInteger(width) || width < 30) throw new Error(`summary: lineLength must be an integer ≥ 30, got ${formatValue(width)}`);
  const cols = [Math.floor(width * 0.45), Math.floor(width * 0.85), width];
  const row = (a: string, b: string, c: string): string =>
    (fit(a, cols[0]!) + fit(b, cols[1]! - cols[0]!) + fit(c, cols[2]! - cols[1]!)).trimEnd();
  const lines: string[] = [];
  lines.push(`Model: "${name}"`);
  lines.push('_'.repeat(width));
  lines.push(row(' Layer (type)', 'Output Shape', 'Param #'));
  lines.push('='.repeat(width));
  let trainable = 0;
  let nonTrainable = 0;
  layers.forEach((layer, i) => {
    const shape = outputShapes[i];
    lines.push(row(` ${layer.name} (${layer.className})`, shape ? shapeText(shape) : '?', withCommas(layer.countParams())));
    for (const w of layer.trainableWeights) trainable += w.size;
    for (const w of layer.nonTrainableWeights) nonTrainable += w.size;
    if (i < layers.length - 1) lines.push('');
  });
  lines.push(...totalLines(width, trainable, nonTrainable));
  return lines;
}

/** The closing rows of both tables: total, trainable and non-trainable parameter counts. */
function totalLines(width: number, trainable: number, nonTrainable: number): string[] {
  return [
    '='.repeat(width),
    `Total params: ${withCommas(trainable + nonTrainable)} (${sizeText(trainable + nonTrainable)})`,
    `Trainable params: ${withCommas(trainable)} (${sizeText(trainable)})`,
    `Non-trainable params: ${withCommas(nonTrainable)} (${sizeText(nonTrainable)})`,
    '_'.repeat(width),
  ];
}

/**
 * The Keras table of a graph model: one row per layer with its output shape, parameter count and
 * the "Connected to" column (`layer[node][tensor]` of each input; a layer called several times
 * lists each call's inputs), then the totals. Default width 98, as Keras uses for graphs.
 */
export function formatGraphSummary(model: Functional, options: SummaryOptions = {}): string[] {
  const width = options.lineLength ?? 98;
  if (!Number.isInteger(width) || width < 40) throw new Error(`summary: lineLength must be an integer ≥ 40, got ${formatValue(width)}`);
  const cols = [Math.floor(width * 0.33), Math.floor(width * 0.55), Math.floor(width * 0.67), width];
  const row = (a: string, b: string, c: string, d: string): string =>
    (fit(a, cols[0]!) + fit(b, cols[1]! - cols[0]!) + fit(c, cols[2]! - cols[1]!) + fit(d, cols[3]! - cols[2]!)).trimEnd();
  const lines: string[] = [];
  lines.push(`Model: "${model.name}"`);
  lines.push('_'.repeat(width));
  lines.push(row(' Layer (type)', 'Output Shape', 'Param #', 'Connected to'));
  lines.push('='.repeat(width));
  let trainable = 0;
  let nonTrainable = 0;
  const layers = model.layers;
  layers.forEach((layer, i) => {
    const nodes = model.layerNodes(layer);
    const shapes = nodes.map((n) => n.outputs.map((t) => shapeText(t.shape)).join(', '));
    const shape = [...new Set(shapes)].join(', ') || '?';
    const connected = nodes.flatMap((n) => n.inputs.map((t) => { const [name, node, index] = model.tensorKey(t); return `${name}[${node}][${index}]`; }));
    lines.push(row(` ${layer.name} (${layer.className})`, shape, withCommas(layer.countParams()), connected[0] ?? '-'));
    for (const more of connected.slice(1)) lines.push(row('', '', '', more));
    if (i < layers.length - 1) lines.push('');
  });
  for (const w of model.trainableWeights) trainable += w.size;
  for (const w of model.nonTrainableWeights) nonTrainable += w.size;
  lines.push(...totalLines(width, trainable, nonTrainable));
  return lines;
}
