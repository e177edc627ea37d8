// The `nodetorch` command: train, evaluate and predict with the seeds' MNIST
// models (lib/model/zoo.ts) on the bundled MNIST or the user's IDX files.
// Arguments are parsed with Node's util.parseArgs. See docs/cli.md.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as torch from './index';
import { suggestion } from './signature';
import { ZOO, ZooEntry } from './model/zoo';
import { saveReport } from './model/report';
import { classificationReport } from './model/metrics';

type Opts = Record<string, string | boolean | undefined>;
interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; help: string; default?: string }>;
  positionals?: string;
  run(o: Opts, positionals: string[]): Promise<void>;
}

const MODEL_HELP = `the model: ${Object.entries(ZOO).map(([k, v]) => `${k} (${v.description})`).join('; ')}`;
const common = {
  model: { type: 'string' as const, help: MODEL_HELP },
  device: { type: 'string' as const, help: "'cpu' or 'cuda'", default: 'cpu' },
  data: { type: 'string' as const, help: 'a folder with MNIST IDX files (raw or .gz); when it has none, the copy bundled with nodetorch is used', default: './data' },
  help: { type: 'boolean' as const, help: 'this help' },
};

function entry(o: Opts): [string, ZooEntry] {
  const name = String(o.model ?? '');
  const e = (ZOO as Record<string, ZooEntry>)[name];
  if (!e) throw new UsageError(`--model must be one of ${Object.keys(ZOO).join(', ')}${name ? `, got '${name}'${suggestion(name, Object.keys(ZOO))}` : ''}`);
  return [name, e];
}

function num(o: Opts, key: string, fallback: number, integer = true): number {
  if (o[key] === undefined) return fallback;
  const v = Number(o[key]);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < 0) throw new UsageError(`--${key} must be a non-negative ${integer ? 'integer' : 'number'}, got '${o[key]}'`);
  return v;
}

function device(o: Opts): torch.Device {
  const d = String(o.device ?? 'cpu');
  if (d !== 'cpu' && !d.startsWith('cuda')) throw new UsageError(`--device must be cpu or cuda, got '${d}'`);
  if (d.startsWith('cuda') && !torch.cuda.isAvailable()) throw new UsageError('--device cuda: no CUDA device is available to this LibTorch (see `npx nodetorch` docs/troubleshooting.md)');
  return d as torch.Device;
}

function transformOf(e: ZooEntry): torch.vision.transforms.Transform {
  const { transforms } = torch.vision;
  return e.normalize ? transforms.Compose([transforms.ToTensor(), transforms.Normalize([e.normalize[0]], [e.normalize[1]])]) : transforms.ToTensor();
}

function dataset(o: Opts, e: ZooEntry, train: boolean, limit = 0): torch.data.Dataset {
  const ds = new torch.vision.datasets.MNIST(String(o.data ?? './data'), { train, transform: transformOf(e) });
  return limit > 0 && limit < ds.length ? new torch.data.Subset(ds, Array.from({ length: limit }, (_, i) => i)) : ds;
}

function loadWeights(o: Opts, e: ZooEntry, dev: torch.Device): torch.nn.Module<[torch.Tensor], torch.Tensor> {
  if (typeof o.weights !== 'string') throw new UsageError('--weights FILE is needed (the model.safetensors that `nodetorch train` wrote)');
  const net = e.create();
  net.loadStateDict(torch.safetensors.loadFile(o.weights));
  return net.to(dev);
}

function probabilities(e: ZooEntry, out: torch.Tensor): torch.Tensor {
  return e.outputs === 'probabilities' ? out : e.outputs === 'logProbabilities' ? out.exp() : out.softmax(1);
}

async function train(o: Opts): Promise<void> {
  const [name, e] = entry(o);
  const dev = device(o);
  const epochs = num(o, 'epochs', e.epochs);
  const batchSize = num(o, 'batch-size', e.batchSize);
  const lr = num(o, 'lr', e.lr, false);
  const limit = num(o, 'limit', 0);
  const verbose = num(o, 'verbose', process.stdout.isTTY ? 1 : 2) as 0 | 1 | 2;
  const out = String(o.out ?? 'out');
  torch.manualSeed(num(o, 'seed', 1));
  const trainLoader = new torch.data.DataLoader(dataset(o, e, true, limit), { batchSize, shuffle: true, device: dev });
  const testSet = dataset(o, e, false);
  const testLoader = new torch.data.DataLoader(testSet, { batchSize: 1000, device: dev });
  const net = e.create().to(dev);
  const model = new torch.Model(net, { optimizer: e.optimizer(net.parameters(), lr), loss: e.loss, metrics: ['accuracy', 'precision', 'recall', 'f1'] });
  console.log(`training ${name} on MNIST (${trainLoader.dataset.length} images) for ${epochs} epoch(s), batch ${batchSize}, lr ${lr}, on ${dev}`);
  const history = await model.fit(trainLoader, {
    epochs,
    validationData: testLoader,
    verbose: verbose === 2 ? 0 : verbose,
    callbacks: verbose === 2 ? [epochLines()] : [],
  });
  const evaluation = await model.evaluate(testLoader, { verbose: 0 });
  const { logs } = evaluation;
  console.log(`test: loss ${logs.loss.toFixed(4)}, accuracy ${(100 * logs.accuracy).toFixed(2)} %, precision ${logs.precision.toFixed(4)}, recall ${logs.recall.toFixed(4)}, F1 ${logs.f1.toFixed(4)}`);
  process.stdout.write(classificationReport(evaluation.confusion!, { digits: 4 }));
  // the misclassified test images, for the report
  const outputs = await model.predict(testLoader);
  const targets = (testSet as torch.vision.datasets.MNIST).targets;
  const predicted = outputs.argmax(1).cpu();
  const wrong = (predicted.ne(targets).nonzero().flatten().tolist() as number[]).slice(0, 48);
  fs.mkdirSync(out, { recursive: true });
  model.save(path.join(out, 'model.safetensors'));
  const images = (testSet as torch.vision.datasets.MNIST).data;
  const pick = torch.tensor(wrong.length ? wrong : [0]);
  const report = {
    title: `nodetorch train --model ${name}`,
    history,
    evaluation,
    misclassified: { images: images.index(pick).narrow(0, 0, wrong.length || 0), labels: wrong.map((i) => targets.index(i).item()), predictions: wrong.map((i) => predicted.index(i).item()) },
  };
  saveReport(path.join(out, 'report.html'), report);
  saveReport(path.join(out, 'report.png'), report);
  fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify({ model: name, test: logs, epochs, batchSize, lr, device: dev, history: history.history, engine: model.engineReport.train }, null, 2) + '\n');
  console.log(`saved ${path.join(out, 'model.safetensors')}, ${path.join(out, 'model.json')}, ${path.join(out, 'report.html')} and report.png`);
}

function epochLines(): torch.Callback {
  let started = 0;
  return {
    onEpochBegin: () => void (started = performance.now()),
    onEpochEnd: (epoch, logs) =>
      console.log(`Epoch ${epoch + 1}: Loss: ${logs.loss.toFixed(6)}, Test Accuracy: ${(100 * logs.val_accuracy).toFixed(2)} % (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  };
}

async function evaluate(o: Opts): Promise<void> {
  const [name, e] = entry(o);
  const dev = device(o);
  const net = loadWeights(o, e, dev);
  const model = new torch.Model(net, { loss: e.loss, metrics: ['accuracy', 'precision', 'recall', 'f1'] });
  const loader = new torch.data.DataLoader(dataset(o, e, false), { batchSize: 1000, device: dev });
  const { logs, confusion } = await model.evaluate(loader, { verbose: 0 });
  console.log(`${name} on the MNIST test set: loss ${logs.loss.toFixed(4)}, accuracy ${(100 * logs.accuracy).toFixed(2)} %, precision ${logs.precision.toFixed(4)}, recall ${logs.recall.toFixed(4)}, F1 ${logs.f1.toFixed(4)}`);
  console.log('confusion matrix (rows: true digit, columns: predicted):');
  for (const row of confusion!) console.log(row.map((v) => String(v).padStart(5)).join(''));
  process.stdout.write(classificationReport(confusion!, { digits: 4 }));
}

async function predict(o: Opts, files: string[]): Promise<void> {
  const [, e] = entry(o);
  const dev = device(o);
  if (!files.length) throw new UsageError('predict needs one or more image files (PNG or JPEG)');
  const net = loadWeights(o, e, dev);
  const model = new torch.Model(net);
  const tf = torch.vision.transforms;
  for (const file of files) {
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    let img = torch.vision.io.readImage(file, { mode: 'gray' }); // [1, H, W] uint8
    if (img.shape[1] !== 28 || img.shape[2] !== 28) img = tf.Resize([28, 28])(img.to({ dtype: 'float32' })).round().clamp(0, 255).to({ dtype: 'uint8' }) as torch.Tensor;
    let x = img.to({ dtype: 'float32' }).div(255);
    if (e.normalize) x = x.sub(e.normalize[0]).div(e.normalize[1]);
    const out = await model.predict(x.unsqueeze(0).to({ device: dev }), { batchSize: 1 });
    const p = probabilities(e, out).squeeze(0).cpu().tolist() as number[];
    const digit = p.indexOf(Math.max(...p));
    console.log(`${file}: ${digit} (${(100 * p[digit]).toFixed(1)} %)  probabilities: ${p.map((v, i) => `${i}: ${v.toFixed(3)}`).join(' ')}`);
  }
}

const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'train a model on MNIST, print the test metrics, save the weights and a report',
    usage: 'nodetorch train --model net|convnet|keras-cnn [--epochs N] [--batch-size B] [--lr X] [--device cpu|cuda] [--data DIR] [--out DIR]',
    options: {
      ...common,
      epochs: { type: 'string', help: "epochs (default: the article's: net 10, convnet 10, keras-cnn 5)" },
      'batch-size': { type: 'string', help: "batch size (default: the article's: 64, 64, 32)" },
      lr: { type: 'string', help: "learning rate (default: the article's)" },
      out: { type: 'string', help: 'where model.safetensors, model.json, report.html and report.png go', default: 'out' },
      seed: { type: 'string', help: 'the random seed (torch.manualSeed)', default: '1' },
      limit: { type: 'string', help: 'train on the first N training images only (a quick run)' },
      verbose: { type: 'string', help: '0 silent, 1 progress bar, 2 one line per epoch (default: 1 on a terminal, else 2)' },
    },
    run: (o) => train(o),
  },
  evaluate: {
    summary: 'evaluate saved weights on the MNIST test set: loss, accuracy, precision, recall, F1, confusion matrix',
    usage: 'nodetorch evaluate --model NAME --weights FILE [--data DIR] [--device cpu|cuda]',
    options: { ...common, weights: { type: 'string', help: 'the model.safetensors that train wrote' } },
    run: (o) => evaluate(o),
  },
  predict: {
    summary: 'predict the digit in image files (PNG or JPEG; a white digit on black, as MNIST; resized to 28×28)',
    usage: 'nodetorch predict --model NAME --weights FILE image.png [image2.jpg ...]',
    options: { ...common, weights: { type: 'string', help: 'the model.safetensors that train wrote' } },
    positionals: 'image files',
    run: (o, p) => predict(o, p),
  },
};

class UsageError extends Error {}

function help(name?: string): string {
  if (name && COMMANDS[name]) {
    const c = COMMANDS[name];
    const lines = [`usage: ${c.usage}`, '', c.summary, '', 'options:'];
    for (const [k, v] of Object.entries(c.options)) lines.push(`  --${k}${v.type === 'string' ? ' VALUE' : ''}`.padEnd(24) + v.help + (v.default !== undefined ? ` (default ${v.default})` : ''));
    return lines.join('\n');
  }
  return [
    'usage: nodetorch <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(10)}${c.summary}`),
    '  help      help on a command: nodetorch help train',
    '',
    'Run `nodetorch <command> --help` for its options. docs/cli.md has examples.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 1;
  }
  if (name === 'help') {
    console.log(help(rest[0]));
    return 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new UsageError(`unknown command '${name}'${suggestion(name, [...Object.keys(COMMANDS), 'help'])}`);
    const options = Object.fromEntries(Object.entries(cmd.options).map(([k, v]) => [k, { type: v.type }]));
    for (const a of rest) {
      const m = /^--([^=]+)/.exec(a);
      if (m && !(m[1] in options)) throw new UsageError(`${name}: unknown option '--${m[1]}'${suggestion(m[1], Object.keys(cmd.options)).replace(/'([\w-]+)'/g, "'--$1'")}`);
    }
    const parsed = parseArgs({ args: rest, options, allowPositionals: cmd.positionals !== undefined, strict: true });
    const o = parsed.values as Opts;
    if (o.help) {
      console.log(help(name));
      return 0;
    }
    for (const [k, v] of Object.entries(cmd.options)) if (o[k] === undefined && v.default !== undefined) o[k] = v.default;
    await cmd.run(o, parsed.positionals);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`nodetorch: ${(e as Error).message}\n\n${help(cmd ? name : undefined)}`);
      return 2;
    }
    throw e;
  }
}
