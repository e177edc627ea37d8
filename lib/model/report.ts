// A training report from a History and an evaluation: one self-contained HTML
// page (inline SVG and CSS, images as data: URIs; no script, font or file it
// needs elsewhere) with the loss and metric curves for training and
// validation, the confusion matrix as a heat map, a grid of misclassified
// images with their true and predicted labels, and the evaluation's numbers;
// and the same charts as a PNG (drawn here into pixels, encoded by pngjs).
import * as path from 'path';
import { PNG } from 'pngjs';
import { noGrad } from '../autograd';
import { argError } from '../errors';
import { writeFileAtomic } from '../serialization';
import { Tensor } from '../tensor';
import { encodePng } from '../vision/utils';
import type { Evaluation, History } from './types';

export interface ReportInput {
  title?: string;
  history?: History;
  evaluation?: Evaluation;
  /** Names of the classes (default their indices). */
  classNames?: string[];
  /** Images the model got wrong: [N, H, W] or [N, 1, H, W] (any range: each is scaled to its min–max), and their labels. */
  misclassified?: { images: Tensor; labels: number[]; predictions: number[] };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const COLORS = { train: '#1f77b4', val: '#ff7f0e' };

/** The series to plot: one chart per log name (loss first), with its `val_` twin. */
function charts(history: History): { name: string; train: number[] | null; val: number[] | null }[] {
  const names = Object.keys(history.history).filter((k) => !k.startsWith('val_') && k !== 'lr');
  for (const k of Object.keys(history.history)) if (k.startsWith('val_') && !names.includes(k.slice(4))) names.push(k.slice(4));
  names.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
  return names.map((name) => ({ name, train: history.history[name] ?? null, val: history.history[`val_${name}`] ?? null }));
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Layout {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  x(i: number): number;
  y(v: number): number;
  yTicks: number[];
  epochs: number[];
}

function layout(epochs: number[], series: (number[] | null)[], w = 420, h = 260): Layout {
  const values = series.flatMap((s) => s ?? []).filter(Number.isFinite);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const [left, right, top, bottom] = [56, w - 14, 44, h - 40];
  const n = Math.max(1, epochs.length - 1);
  return {
    w, h, left, right, top, bottom, epochs,
    x: (i) => left + ((right - left) * i) / n,
    y: (v) => bottom - ((bottom - top) * (v - lo)) / (hi - lo),
    yTicks: niceTicks(lo, hi),
  };
}

function chartSvg(name: string, epochs: number[], train: number[] | null, val: number[] | null): string {
  const L = layout(epochs, [train, val]);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
  const parts: string[] = [];
  parts.push(`<svg class="chart" data-metric="${escapeHtml(name)}" xmlns="http://www.w3.org/2000/svg" width="${L.w}" height="${L.h}" viewBox="0 0 ${L.w} ${L.h}" role="img" aria-label="${escapeHtml(name)} per epoch">`);
  parts.push(`<text x="${L.w / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(name)}</text>`);
  for (const t of L.yTicks) {
    const y = L.y(t).toFixed(1);
    parts.push(`<line x1="${L.left}" x2="${L.right}" y1="${y}" y2="${y}" class="grid"/><text x="${L.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${fmt(t)}</text>`);
  }
  const every = Math.max(1, Math.ceil(epochs.length / 10));
  epochs.forEach((e, i) => {
    if (i % every === 0 || i === epochs.length - 1) parts.push(`<text x="${L.x(i).toFixed(1)}" y="${L.bottom + 16}" text-anchor="middle" class="tick">${e + 1}</text>`);
  });
  parts.push(`<line x1="${L.left}" x2="${L.left}" y1="${L.top}" y2="${L.bottom}" class="axis"/><line x1="${L.left}" x2="${L.right}" y1="${L.bottom}" y2="${L.bottom}" class="axis"/>`);
  parts.push(`<text x="${(L.left + L.right) / 2}" y="${L.h - 6}" text-anchor="middle" class="label">epoch</text>`);
  const line = (s: number[] | null, cls: 'train' | 'val') => {
    if (!s) return;
    const pts = s.map((v, i) => `${L.x(i).toFixed(1)},${L.y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="series ${cls}" fill="none" stroke="${COLORS[cls]}" stroke-width="2" points="${pts}"/>`);
    s.forEach((v, i) => parts.push(`<circle cx="${L.x(i).toFixed(1)}" cy="${L.y(v).toFixed(1)}" r="3" fill="${COLORS[cls]}"><title>${cls} ${escapeHtml(name)}, epoch ${epochs[i] + 1}: ${v}</title></circle>`));
  };
  line(train, 'train');
  line(val, 'val');
  let lx = L.left;
  for (const [cls, label] of [['train', 'training'], ['val', 'validation']] as const) {
    if ((cls === 'train' ? train : val) === null) continue;
    parts.push(`<rect x="${lx}" y="${L.top - 14}" width="12" height="3" fill="${COLORS[cls]}"/><text x="${lx + 16}" y="${L.top - 12}" class="legend" dominant-baseline="middle">${label}</text>`);
    lx += 80;
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A heat-map colour for a count: white to dark blue. */
function heat(f: number): [number, number, number] {
  const a = Math.max(0, Math.min(1, f));
  return [Math.round(255 - 222 * a), Math.round(255 - 153 * a), Math.round(255 - 75 * a)];
}

function confusionSvg(cm: number[][], names: string[]): string {
  const n = cm.length;
  const cell = Math.max(18, Math.min(44, Math.floor(440 / n)));
  const left = 70;
  const top = 40;
  const w = left + n * cell + 10;
  const h = top + n * cell + 40;
  const max = Math.max(1, ...cm.flat());
  const parts = [`<svg class="confusion" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="confusion matrix">`];
  parts.push(`<text x="${left + (n * cell) / 2}" y="14" text-anchor="middle" class="label">predicted</text>`);
  parts.push(`<text x="14" y="${top + (n * cell) / 2}" text-anchor="middle" class="label" transform="rotate(-90 14 ${top + (n * cell) / 2})">true</text>`);
  cm.forEach((row, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeHtml(names[i])}</text>`);
    row.forEach((v, j) => {
      const [r, g, b] = heat(v / max);
      const dark = v / max > 0.5;
      parts.push(`<rect class="cell" data-true="${i}" data-pred="${j}" x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ddd"/>`);
      parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2}" text-anchor="middle" dominant-baseline="middle" class="count" fill="${dark ? '#fff' : '#222'}">${v}</text>`);
    });
  });
  names.forEach((s, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle" class="tick">${escapeHtml(s)}</text>`));
  parts.push('</svg>');
  return parts.join('');
}

/** Images as [N, H, W] uint8, each scaled to its own min–max. */
function imagesU8(images: Tensor): Tensor {
  if (!(images instanceof Tensor)) argError('misclassified.images', 'a Tensor of images [N, H, W] or [N, 1, H, W]', images);
  return noGrad(() => {
    let x = images.detach().to({ device: 'cpu' });
    if (x.dim() === 4 && x.shape[1] === 1) x = x.squeeze(1);
    if (x.dim() !== 3) throw new RangeError(`misclassified.images must be [N, H, W] or [N, 1, H, W], got [${images.shape.join(', ')}]`);
    if (x.dtype === 'uint8') return x;
    x = x.to({ dtype: 'float32' });
    const flat = x.flatten(1);
    const lo = flat.amin(1).view(-1, 1, 1);
    const hi = flat.amax(1).view(-1, 1, 1);
    return x.sub(lo).div(hi.sub(lo).clampMin(1e-12)).mul(255).round().to({ dtype: 'uint8' });
  });
}

/** One grayscale image (an [H, W] tensor, or [1, H, W]; scaled to its min–max unless uint8) as a PNG. */
export function imageToPng(image: Tensor): Buffer {
  const u8 = imagesU8(image.dim() === 2 ? image.unsqueeze(0) : image.dim() === 3 && image.shape[0] === 1 ? image : image.unsqueeze(0));
  return encodePng(u8.narrow(0, 0, 1).squeeze(0).unsqueeze(2));
}

function checkInput(input: ReportInput): { names: string[] } {
  if (!input || typeof input !== 'object') argError('input', 'a report input { history, evaluation, misclassified, ... }', input);
  const m = input.misclassified;
  if (m) {
    if (!Array.isArray(m.labels) || !Array.isArray(m.predictions) || m.labels.length !== m.predictions.length || !(m.images instanceof Tensor) || m.images.shape[0] !== m.labels.length) {
      argError('misclassified', '{ images: [N, …], labels: N numbers, predictions: N numbers }', m);
    }
  }
  const n = input.evaluation?.confusion?.length ?? 0;
  const names = input.classNames ?? Array.from({ length: n }, (_, i) => String(i));
  if (input.classNames !== undefined && n && names.length !== n) argError('classNames', `${n} names (one per class)`, input.classNames);
  return { names };
}

/** The report as one self-contained HTML document. */
export function renderReport(input: ReportInput): string {
  const { names } = checkInput(input);
  const title = input.title ?? 'Training report';
  const body: string[] = [`<h1>${escapeHtml(title)}</h1>`];
  if (input.history && input.history.epoch.length) {
    body.push('<h2>Training</h2><div class="charts">');
    for (const c of charts(input.history)) body.push(chartSvg(c.name, input.history.epoch, c.train, c.val));
    body.push('</div>');
  }
  const ev = input.evaluation;
  if (ev) {
    body.push('<h2>Evaluation</h2><table class="logs"><tbody>');
    for (const [k, v] of Object.entries(ev.logs)) body.push(`<tr><th>${escapeHtml(k)}</th><td>${v.toFixed(4)}</td></tr>`);
    body.push('</tbody></table>');
    if (ev.confusion) body.push('<h3>Confusion matrix</h3>', confusionSvg(ev.confusion, names));
  }
  const m = input.misclassified;
  if (m && m.labels.length) {
    const u8 = imagesU8(m.images);
    body.push(`<h2>Misclassified (${m.labels.length})</h2><div class="grid">`);
    m.labels.forEach((label, i) => {
      const png = encodePng(u8.narrow(0, i, 1).squeeze(0).unsqueeze(2)).toString('base64');
      const name = (k: number) => escapeHtml(input.classNames?.[k] ?? String(k));
      body.push(`<figure class="miss"><img alt="true ${name(label)}, predicted ${name(m.predictions[i])}" src="data:image/png;base64,${png}"><figcaption>true ${name(label)} / pred ${name(m.predictions[i])}</figcaption></figure>`);
    });
    body.push('</div>');
  }
  const css = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #e5e5e5;border-radius:4px}
.title{font-size:14px;font-weight:600}.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#333}.legend{font-size:11px}
.grid line,line.grid{stroke:#eee}.axis{stroke:#999}.count{font-size:11px}
table.logs{border-collapse:collapse}table.logs th,table.logs td{padding:3px 12px;border-bottom:1px solid #eee;text-align:left;font-variant-numeric:tabular-nums}
div.grid{display:flex;flex-wrap:wrap;gap:8px}figure.miss{margin:0;text-align:center;font-size:11px}
figure.miss img{width:56px;height:56px;image-rendering:pixelated;border:1px solid #ccc;display:block}`;
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${css}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}

// ---------------------------------------------------------------- the PNG

class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4, 255);
  }
  set(x: number, y: number, [r, g, b]: [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.data[i] = r;
    this.data[i + 1] = g;
    this.data[i + 2] = b;
    this.data[i + 3] = 255;
  }
  rect(x: number, y: number, w: number, h: number, c: [number, number, number]): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, c);
  }
  line(x0: number, y0: number, x1: number, y1: number, c: [number, number, number], thick = 1): void {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= n; s++) {
      const x = x0 + ((x1 - x0) * s) / n;
      const y = y0 + ((y1 - y0) * s) / n;
      for (let d = -(thick >> 1); d <= thick >> 1; d++) {
        this.set(x, y + d, c);
        this.set(x + d, y, c);
      }
    }
  }
  blit(img: Uint8Array, w: number, h: number, x0: number, y0: number, scale: number): void {
    for (let y = 0; y < h * scale; y++) for (let x = 0; x < w * scale; x++) {
      const v = img[Math.floor(y / scale) * w + Math.floor(x / scale)];
      this.set(x0 + x, y0 + y, [v, v, v]);
    }
  }
}

const hex = (s: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) as [number, number, number];

/**
 * The report's charts as a PNG: the curves (training blue, validation
 * orange) one chart per metric with axes and grid lines, the confusion matrix
 * as a heat map, and the misclassified images. No text (the HTML has it).
 */
export function renderReportPng(input: ReportInput): Buffer {
  checkInput(input);
  const blocks: { w: number; h: number; draw: (c: Canvas, x: number, y: number) => void }[] = [];
  if (input.history && input.history.epoch.length) {
    for (const ch of charts(input.history)) {
      const L = layout(input.history.epoch, [ch.train, ch.val]);
      blocks.push({
        w: L.w, h: L.h,
        draw: (c, ox, oy) => {
          for (const t of L.yTicks) c.line(ox + L.left, oy + L.y(t), ox + L.right, oy + L.y(t), [235, 235, 235]);
          c.line(ox + L.left, oy + L.top, ox + L.left, oy + L.bottom, [150, 150, 150]);
          c.line(ox + L.left, oy + L.bottom, ox + L.right, oy + L.bottom, [150, 150, 150]);
          for (const [s, col] of [[ch.train, COLORS.train], [ch.val, COLORS.val]] as const) {
            if (!s) continue;
            for (let i = 1; i < s.length; i++) c.line(ox + L.x(i - 1), oy + L.y(s[i - 1]), ox + L.x(i), oy + L.y(s[i]), hex(col), 3);
            s.forEach((v, i) => c.rect(ox + L.x(i) - 2, oy + L.y(v) - 2, 5, 5, hex(col)));
          }
        },
      });
    }
  }
  const cm = input.evaluation?.confusion;
  if (cm) {
    const n = cm.length;
    const cell = Math.max(8, Math.min(32, Math.floor(320 / n)));
    const max = Math.max(1, ...cm.flat());
    blocks.push({
      w: n * cell + 20, h: n * cell + 20,
      draw: (c, ox, oy) => cm.forEach((row, i) => row.forEach((v, j) => c.rect(ox + 10 + j * cell, oy + 10 + i * cell, cell - 1, cell - 1, heat(v / max)))),
    });
  }
  const m = input.misclassified;
  if (m && m.labels.length) {
    const u8 = imagesU8(m.images);
    const [n, h, w] = u8.shape;
    const per = Math.max(1, Math.min(n, 12));
    const pixels = u8.contiguous().toTypedArray() as Uint8Array;
    blocks.push({
      w: per * (w * 2 + 6) + 10, h: Math.ceil(n / per) * (h * 2 + 6) + 10,
      draw: (c, ox, oy) => {
        for (let i = 0; i < n; i++) c.blit(pixels.subarray(i * h * w, (i + 1) * h * w), w, h, ox + 5 + (i % per) * (w * 2 + 6), oy + 5 + Math.floor(i / per) * (h * 2 + 6), 2);
      },
    });
  }
  if (!blocks.length) throw new RangeError('renderReportPng: nothing to draw (give history, evaluation or misclassified)');
  const width = Math.max(...blocks.map((b) => b.w));
  const height = blocks.reduce((a, b) => a + b.h + 10, 10);
  const canvas = new Canvas(width, height);
  let y = 10;
  for (const b of blocks) {
    b.draw(canvas, 0, y);
    y += b.h + 10;
  }
  const png = new PNG({ width, height });
  png.data = canvas.data;
  return PNG.sync.write(png, { colorType: 6 });
}

/** Writes the report as HTML or PNG, by the file's extension, atomically. */
export function saveReport(file: string, input: ReportInput): void {
  if (typeof file !== 'string' || !file) argError('file', 'a file path ending in .html or .png', file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') writeFileAtomic(file, Buffer.from(renderReport(input), 'utf8'));
  else if (ext === '.png') writeFileAtomic(file, renderReportPng(input));
  else throw new RangeError(`saveReport: name the file *.html or *.png, got ${JSON.stringify(file)}`);
}
