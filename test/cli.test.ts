// The nodetorch command (bin/nodetorch.js, lib/cli.ts) as a user runs it, and vision.io.readImage.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import jpeg = require('jpeg-js');
import { PNG } from 'pngjs';
import * as torch from '../lib';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'nodetorch.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-cli-'));

function writePng(file: string, gray: number[], w: number, h: number): void {
  const png = new PNG({ width: w, height: h });
  gray.forEach((v, i) => png.data.set([v, v, v, 255], i * 4));
  fs.writeFileSync(file, PNG.sync.write(png));
}

describe('vision.io.readImage', () => {
  test('PNG: channels as in the file, gray by PIL’s luma, RGB', () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([40, 20, 10, 255, 200, 100, 50, 128]);
    const file = path.join(tmp, 'rgba.png');
    fs.writeFileSync(file, PNG.sync.write(png));
    const t = torch.vision.io.readImage(file);
    expect(t.dtype).toBe('uint8');
    expect(t.tolist()).toEqual([[[40, 200]], [[20, 100]], [[10, 50]], [[255, 128]]]);
    // PIL's L: (299 R + 587 G + 114 B) / 1000
    expect(torch.vision.io.readImage(file, { mode: 'gray' }).tolist()).toEqual([[[25, 124]]]);
    expect(torch.vision.io.readImage(file, { mode: 'rgb' }).shape).toEqual([3, 1, 2]);
    expect(torch.vision.io.readImage(file, { mode: 'grayAlpha' }).tolist()).toEqual([[[25, 124]], [[255, 128]]]);
  });
  test('JPEG: a gray JPEG reads as one channel, close to its pixels', () => {
    const w = 8;
    const h = 8;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([i * 4, i * 4, i * 4, 255], i * 4);
    const file = path.join(tmp, 'gray.jpg');
    fs.writeFileSync(file, jpeg.encode({ width: w, height: h, data }, 100).data);
    const t = torch.vision.io.readImage(file);
    expect(t.shape).toEqual([1, 8, 8]);
    const got = t.flatten().tolist() as number[];
    got.forEach((v, i) => expect(Math.abs(v - i * 4)).toBeLessThanOrEqual(4));
  });
  test('refusals', () => {
    const file = path.join(tmp, 'not-an-image.txt');
    fs.writeFileSync(file, 'hello');
    expect(() => torch.vision.io.readImage(file)).toThrow(/neither a PNG nor a JPEG/);
    expect(() => torch.vision.io.readImage(file, { mode: 'cmyk' as never })).toThrow(/mode/);
  });
});

describe('nodetorch CLI', () => {
  test('--help and help <command> document every option', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/train .*\n.*evaluate .*\n.*predict /);
    const train = cli('help', 'train');
    for (const o of ['--model', '--epochs', '--batch-size', '--lr', '--device', '--data', '--out', '--seed', '--limit', '--verbose']) expect(train.stdout).toContain(o);
    expect(cli('predict', '--help').stdout).toContain('--weights');
  });

  test('unknown commands and options are refused with a suggestion and exit code 2', () => {
    const bad = cli('train', '--model', 'net', '--epoch', '2');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--epoch' (did you mean '--epochs'?)");
    expect(cli('trian').stderr).toContain("did you mean 'train'?");
    const model = cli('train', '--model', 'lenet');
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/--model must be one of net, convnet, keras-cnn/);
    expect(cli('train', '--model', 'net', '--epochs', 'two').stderr).toMatch(/--epochs must be a non-negative integer/);
    expect(cli('evaluate', '--model', 'net').stderr).toMatch(/--weights FILE is needed/);
  });

  test('train (a quick run), then evaluate and predict with the saved weights', () => {
    const out = path.join(tmp, 'out');
    const train = cli('train', '--model', 'net', '--epochs', '1', '--limit', '20000', '--out', out, '--verbose', '2');
    expect(train.stderr).toBe('');
    expect(train.status).toBe(0);
    const accuracy = Number(/test: loss [\d.]+, accuracy ([\d.]+) %/.exec(train.stdout)![1]);
    expect(accuracy).toBeGreaterThan(85);
    expect(train.stdout).toMatch(/Epoch 1: Loss: [\d.]+, Test Accuracy: [\d.]+ %/);
    expect(train.stdout).toMatch(/ {3}macro avg/);
    for (const f of ['model.safetensors', 'model.json', 'report.html', 'report.png']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(meta.model).toBe('net');
    expect(meta.test.accuracy * 100).toBeCloseTo(accuracy, 1);
    expect(meta.engine).toMatch(/^native/);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<figure class="miss">/);

    const weights = path.join(out, 'model.safetensors');
    const ev = cli('evaluate', '--model', 'net', '--weights', weights);
    expect(ev.status).toBe(0);
    expect(Number(/accuracy ([\d.]+) %/.exec(ev.stdout)![1])).toBeCloseTo(accuracy, 2);
    const rows = ev.stdout.split('\n').filter((l) => /^( +\d+){10}$/.test(l));
    expect(rows.length).toBe(10);
    expect(rows.map((r) => r.trim().split(/ +/).map(Number).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0)).toBe(10000);

    // test images the trained model classifies right, as a user would save them: PNG, and a JPEG scaled up to 56×56
    const test = new torch.vision.datasets.MNIST('./data', { train: false });
    const files: string[] = [];
    const labels: number[] = [];
    for (const i of [0, 1, 2]) {
      const img = test.data.index(i).flatten().tolist() as number[];
      const f = path.join(tmp, `digit${i}.png`);
      writePng(f, img, 28, 28);
      files.push(f);
      labels.push(test.targets.index(i).item());
    }
    const big = new Uint8Array(56 * 56 * 4);
    const src = test.data.index(0).tolist() as number[][];
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) big.set([src[y >> 1][x >> 1], src[y >> 1][x >> 1], src[y >> 1][x >> 1], 255], (y * 56 + x) * 4);
    const jpg = path.join(tmp, 'digit0.jpg');
    fs.writeFileSync(jpg, jpeg.encode({ width: 56, height: 56, data: big }, 95).data);
    const pr = cli('predict', '--model', 'net', '--weights', weights, ...files, jpg);
    expect(pr.stderr).toBe('');
    expect(pr.status).toBe(0);
    const predicted = [...pr.stdout.matchAll(/: (\d) \(([\d.]+) %\)/g)].map((m) => Number(m[1]));
    expect(predicted).toEqual([...labels, labels[0]]);
    expect(cli('predict', '--model', 'net', '--weights', weights, path.join(tmp, 'missing.png')).stderr).toMatch(/no such file/);
  });
});
