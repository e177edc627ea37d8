// The training report: its HTML (charts, heat map, misclassified images that decode back to the input
// pixels, escaping), its PNG, and the HTML in a real headless browser (Debian's chromium, driven by
// playwright-core): it renders without console errors and a screenshot shows the curves.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as torch from '../lib';
import { renderReport, renderReportPng, saveReport, ReportInput } from '../lib/model/report';
import { needs } from './optional';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-report-'));

function input(): ReportInput {
  const history = {
    epoch: [0, 1, 2, 3],
    history: { loss: [0.9, 0.5, 0.3, 0.25], val_loss: [0.7, 0.45, 0.35, 0.36], accuracy: [0.7, 0.85, 0.9, 0.93], val_accuracy: [0.75, 0.86, 0.88, 0.89], lr: [0.1, 0.1, 0.1, 0.1] },
  };
  const confusion = [[50, 2, 1], [3, 40, 7], [0, 5, 60]];
  torch.manualSeed(0);
  const images = torch.rand([5, 1, 8, 8]);
  return { title: 'Run <1> & "friends"', history, evaluation: { logs: { loss: 0.31, accuracy: 0.8606 }, confusion }, classNames: ['zero', 'one', 'two'], misclassified: { images, labels: [0, 1, 1, 2, 2], predictions: [1, 0, 2, 1, 1] } };
}

test('the HTML: one chart per metric with a point per epoch, the heat map’s counts, images that decode back, escaped text', () => {
  const inp = input();
  const html = renderReport(inp);
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/<script|src="http|href="http/); // self-contained
  expect([...html.matchAll(/<svg class="chart" data-metric="(\w+)"/g)].map((m) => m[1])).toEqual(['loss', 'accuracy']);
  const polylines = [...html.matchAll(/<polyline class="series (train|val)"[^>]* points="([^"]+)"/g)];
  expect(polylines.map((m) => m[1])).toEqual(['train', 'val', 'train', 'val']);
  for (const m of polylines) expect(m[2].split(' ').length).toBe(4);
  // lower loss is drawn lower: y grows downwards
  const ys = polylines[0][2].split(' ').map((p) => Number(p.split(',')[1]));
  expect(ys[0]).toBeLessThan(ys[3]);
  const cells = [...html.matchAll(/<rect class="cell" data-true="(\d)" data-pred="(\d)"[^>]*\/><text[^>]*>(\d+)<\/text>/g)];
  expect(cells.length).toBe(9);
  for (const [, i, j, v] of cells) expect(Number(v)).toBe(inp.evaluation!.confusion![Number(i)][Number(j)]);
  const imgs = [...html.matchAll(/<img alt="([^"]+)" src="data:image\/png;base64,([^"]+)">/g)];
  expect(imgs.map((m) => m[1])).toEqual(['true zero, predicted one', 'true one, predicted zero', 'true one, predicted two', 'true two, predicted one', 'true two, predicted one']);
  const first = PNG.sync.read(Buffer.from(imgs[0][2], 'base64'));
  expect([first.width, first.height]).toEqual([8, 8]);
  const x = inp.misclassified!.images.narrow(0, 0, 1).flatten();
  const scaled = x.sub(x.min()).div(x.max().sub(x.min())).mul(255).round().tolist() as number[];
  expect(Array.from({ length: 64 }, (_, k) => first.data[k * 4])).toEqual(scaled);
  expect(html).toContain('<title>Run &lt;1&gt; &amp; &quot;friends&quot;</title>');
  expect(html).not.toContain('Run <1>');
  expect(html).toMatch(/<th>accuracy<\/th><td>0\.8606<\/td>/);
});

test('the PNG: the charts’ curves in their colours, the heat map, the digits', () => {
  const png = PNG.sync.read(renderReportPng(input()));
  expect(png.width).toBeGreaterThan(300);
  let blue = 0;
  let orange = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r === 0x1f && g === 0x77 && b === 0xb4) blue++;
    if (r === 0xff && g === 0x7f && b === 0x0e) orange++;
  }
  expect(blue).toBeGreaterThan(100);
  expect(orange).toBeGreaterThan(100);
  expect(() => renderReportPng({})).toThrow(/nothing to draw/);
});

test('saveReport writes .html or .png, and refuses other names and bad input', () => {
  const dir = tmp();
  saveReport(path.join(dir, 'r.html'), input());
  saveReport(path.join(dir, 'r.png'), input());
  expect(fs.readFileSync(path.join(dir, 'r.html'), 'utf8')).toContain('<svg');
  expect(fs.readFileSync(path.join(dir, 'r.png')).subarray(1, 4).toString()).toBe('PNG');
  expect(() => saveReport(path.join(dir, 'r.pdf'), input())).toThrow(/\.html or \*\.png/);
  expect(() => renderReport({ ...input(), classNames: ['a'] })).toThrow(/classNames/);
  expect(() => renderReport({ misclassified: { images: torch.zeros([2, 8, 8]), labels: [1], predictions: [1] } })).toThrow(/misclassified/);
});

const chromium = process.env.NODETORCH_TEST_CHROMIUM ?? '/usr/bin/chromium';
needs({ what: `Chromium (${chromium})`, present: fs.existsSync(chromium), install: 'apt-get install chromium (or NODETORCH_TEST_CHROMIUM=/path/to/chrome)' })(
  'in Chromium: the report renders without errors, and a screenshot shows the curves',
  async () => {
    const { chromium: browserType } = await import('playwright-core');
    const dir = tmp();
    const file = path.join(dir, 'report.html');
    saveReport(file, input());
    const browser = await browserType.launch({ executablePath: chromium, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`);
      expect(await page.title()).toBe('Run <1> & "friends"');
      const chart = page.locator('svg.chart[data-metric="loss"]');
      const box = (await chart.boundingBox())!;
      expect(box.width).toBeGreaterThan(100);
      expect(box.height).toBeGreaterThan(100);
      expect(await page.locator('figure.miss img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))).toEqual([8, 8, 8, 8, 8]);
      const shot = PNG.sync.read(await chart.screenshot());
      // the curves' colours are on screen, in the chart
      let blue = 0;
      let orange = 0;
      for (let i = 0; i < shot.data.length; i += 4) {
        const [r, g, b] = [shot.data[i], shot.data[i + 1], shot.data[i + 2]];
        if (Math.abs(r - 0x1f) < 40 && Math.abs(g - 0x77) < 40 && Math.abs(b - 0xb4) < 40) blue++;
        if (Math.abs(r - 0xff) < 40 && Math.abs(g - 0x7f) < 40 && Math.abs(b - 0x0e) < 40) orange++;
      }
      expect(blue).toBeGreaterThan(200);
      expect(orange).toBeGreaterThan(200);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  },
);
