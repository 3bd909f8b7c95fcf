// The draw-a-digit pad: pointer strokes (mouse, pen, touch) on a black canvas, turned into a 28×28
// image the way MNIST's digits were made: the ink's bounding box scaled to fit 20×20, then placed
// so that its centre of mass sits at the centre of the 28×28 frame.
import { el } from '../dom.js';

export const PAD = 280;

export interface DrawPad {
  canvas: HTMLCanvasElement;
  clear(): void;
  /** 784 values in [0, 1], row-major; null when nothing is drawn. */
  pixels(): Float32Array | null;
  /** Called when a stroke ends. */
  onStroke: (() => void) | null;
}

export function drawPad(): DrawPad {
  const canvas = el('canvas', { width: String(PAD), height: String(PAD), class: 'pad', role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const pad: DrawPad = {
    canvas,
    clear() {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, PAD, PAD);
    },
    pixels: () => toMnist(canvas),
    onStroke: null,
  };
  pad.clear();
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * PAD, ((e.clientY - r.top) / r.height) * PAD];
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (last === null) return;
    const p = at(e);
    line(last, p);
    last = p;
  });
  const end = (): void => {
    if (last === null) return;
    last = null;
    pad.onStroke?.();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  function line(a: [number, number], b: [number, number]): void {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }
  return pad;
}

function toMnist(src: HTMLCanvasElement): Float32Array | null {
  const w = src.width;
  const h = src.height;
  const img = src.getContext('2d')!.getImageData(0, 0, w, h).data;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (img[4 * (y * w + x)]! > 20) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const small = document.createElement('canvas');
  small.width = 28;
  small.height = 28;
  const sctx = small.getContext('2d', { willReadFrequently: true })!;
  sctx.fillStyle = '#000';
  sctx.fillRect(0, 0, 28, 28);
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  const dw = bw * scale;
  const dh = bh * scale;
  sctx.drawImage(src, x0, y0, bw, bh, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const raw = sctx.getImageData(0, 0, 28, 28).data;
  const grey = new Float32Array(784);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 784; i++) {
    const v = raw[4 * i]! / 255;
    grey[i] = v;
    mass += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  // Shift (whole pixels) so the centre of mass lands on (13.5, 13.5)… as MNIST's centring did, to the nearest pixel.
  const dx = Math.round(13.5 - mx / mass);
  const dy = Math.round(13.5 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = grey[sy * 28 + sx]!;
    }
  }
  return out;
}
