// One calling rule (lib/signature.ts, lib/signatures.ts): Python's positional
// parameters are positional, and a trailing options object takes every
// parameter by its camelCase name. Each row: the Python call, then the same
// call positionally and with options in TypeScript; both must configure the
// same object. Then the refusals.
import * as torch from '../lib';
import { SIGNATURES } from '../lib/signatures';

const { nn, optim } = torch;
const { lrScheduler } = optim as unknown as { lrScheduler: Record<string, new (...a: unknown[]) => { getLastLr(): number[] }> };
const params = () => [torch.zeros(2, { requiresGrad: true })];
// A module's own fields (modules are callable functions: spread them), tensors by shape.
const layerConfig = (m: object) => JSON.parse(JSON.stringify({ ...m }, (k, v) => (v instanceof torch.Tensor ? v.shape : k === 'training' ? undefined : v)));
const optConfig = (o: { paramGroups: Record<string, unknown>[] }) => o.paramGroups.map(({ params: _p, ...rest }) => rest);
const schedule = (make: (o: optim.SGD) => { step(): void; getLastLr(): number[] }) => {
  const opt = new optim.SGD(params(), { lr: 1 });
  const s = make(opt);
  const lrs: number[] = [];
  for (let i = 0; i < 12; i++) {
    opt.step();
    s.step();
    lrs.push(s.getLastLr()[0]);
  }
  return lrs;
};
const image = () => torch.arange(8 * 8, { dtype: 'float32' }).reshape(1, 8, 8).div(64);
const transformed = (t: torch.vision.transforms.Transform) => {
  torch.manualSeed(3);
  return t(image()).tolist();
};
const x = torch.arange(24, { dtype: 'float32' }).reshape(2, 3, 4);
const ds = new torch.data.TensorDataset(torch.arange(10), torch.arange(10));
const batches = (dl: Iterable<torch.Tensor[]>) => [...dl].map((b) => b[0].tolist());

type Row = [python: string, positional: () => unknown, options: () => unknown, config: (v: never) => unknown];
const ROWS: Row[] = [
  ['nn.Linear(4, 2)', () => new nn.Linear(4, 2), () => new nn.Linear({ inFeatures: 4, outFeatures: 2 }), layerConfig],
  ['nn.Linear(4, 2, False)', () => new nn.Linear(4, 2, false), () => new nn.Linear(4, 2, { bias: false }), layerConfig],
  ['nn.Linear(4, 2, bias=True)', () => new nn.Linear(4, 2, true), () => new nn.Linear(4, 2, { bias: true }), layerConfig],
  ['nn.Conv2d(1, 32, 3)', () => new nn.Conv2d(1, 32, 3), () => new nn.Conv2d(1, 32, { kernelSize: 3 }), layerConfig],
  ['nn.Conv2d(1, 32, (3, 3))', () => new nn.Conv2d(1, 32, [3, 3]), () => new nn.Conv2d(1, 32, { kernelSize: [3, 3] }), layerConfig],
  ['nn.Conv2d(1, 32, 3, 1)', () => new nn.Conv2d(1, 32, 3, 1), () => new nn.Conv2d(1, 32, 3, { stride: 1 }), layerConfig],
  ['nn.Conv2d(1, 32, 3, 2, 1)', () => new nn.Conv2d(1, 32, 3, 2, 1), () => new nn.Conv2d(1, 32, { kernelSize: 3, stride: 2, padding: 1 }), layerConfig],
  ['nn.Conv2d(3, 6, 5, 1, 2, 1, 3)', () => new nn.Conv2d(3, 6, 5, 1, 2, 1, 3), () => new nn.Conv2d(3, 6, 5, { padding: 2, groups: 3 }), layerConfig],
  ['nn.Conv2d(1, 4, 3, 1, 0, 1, 1, False)', () => new nn.Conv2d(1, 4, 3, 1, 0, 1, 1, false), () => new nn.Conv2d(1, 4, 3, { bias: false }), layerConfig],
  ["nn.Conv2d(1, 4, 3, padding='same')", () => new nn.Conv2d(1, 4, 3, 1, 'same'), () => new nn.Conv2d(1, 4, 3, { padding: 'same' }), layerConfig],
  ["nn.Conv2d(1, 4, 3, 1, 1, 1, 1, True, 'reflect')", () => new nn.Conv2d(1, 4, 3, 1, 1, 1, 1, true, 'reflect'), () => new nn.Conv2d(1, 4, 3, { padding: 1, paddingMode: 'reflect' }), layerConfig],
  ['nn.MaxPool2d(2)', () => new nn.MaxPool2d(2), () => new nn.MaxPool2d({ kernelSize: 2 }), layerConfig],
  ['nn.MaxPool2d(3, 2)', () => new nn.MaxPool2d(3, 2), () => new nn.MaxPool2d(3, { stride: 2 }), layerConfig],
  ['nn.MaxPool2d(3, 2, 1)', () => new nn.MaxPool2d(3, 2, 1), () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), layerConfig],
  ['nn.MaxPool2d((2, 2), None, 0, 1)', () => new nn.MaxPool2d([2, 2], null, 0, 1), () => new nn.MaxPool2d([2, 2], { dilation: 1 }), layerConfig],
  ['nn.AvgPool2d(2)', () => new nn.AvgPool2d(2), () => new nn.AvgPool2d({ kernelSize: 2 }), layerConfig],
  ['nn.AvgPool2d(3, 1, 1)', () => new nn.AvgPool2d(3, 1, 1), () => new nn.AvgPool2d(3, { stride: 1, padding: 1 }), layerConfig],
  ['nn.AvgPool2d(2, ceil_mode=True)', () => new nn.AvgPool2d(2, null, 0, true), () => new nn.AvgPool2d(2, { ceilMode: true }), layerConfig],
  ['nn.Dropout(0.25)', () => new nn.Dropout(0.25), () => new nn.Dropout({ p: 0.25 }), layerConfig],
  ['nn.Dropout()', () => new nn.Dropout(), () => new nn.Dropout({}), layerConfig],
  ['nn.Dropout2d(0.1)', () => new nn.Dropout2d(0.1), () => new nn.Dropout2d({ p: 0.1 }), layerConfig],
  ['nn.CrossEntropyLoss()', () => new nn.CrossEntropyLoss(), () => new nn.CrossEntropyLoss({}), layerConfig],
  ['nn.CrossEntropyLoss(None, None, 0)', () => new nn.CrossEntropyLoss(null, null, 0), () => new nn.CrossEntropyLoss({ ignoreIndex: 0 }), layerConfig],
  ["nn.CrossEntropyLoss(label_smoothing=0.1)", () => new nn.CrossEntropyLoss(null, null, -100, null, 'mean', 0.1), () => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }), layerConfig],
  ["nn.NLLLoss(reduction='sum')", () => new nn.NLLLoss(null, null, -100, null, 'sum'), () => new nn.NLLLoss({ reduction: 'sum' }), layerConfig],
  ['nn.Flatten(0)', () => new nn.Flatten(0), () => new nn.Flatten({ startDim: 0 }), layerConfig],
  ['nn.LeakyReLU(0.2)', () => new nn.LeakyReLU(0.2), () => new nn.LeakyReLU({ negativeSlope: 0.2 }), layerConfig],
  ["nn.GELU('tanh')", () => new nn.GELU('tanh'), () => new nn.GELU({ approximate: 'tanh' }), layerConfig],
  ['nn.Softmax(1)', () => new nn.Softmax(1), () => new nn.Softmax({ dim: 1 }), layerConfig],
  ['nn.LogSoftmax(dim=1)', () => new nn.LogSoftmax(1), () => new nn.LogSoftmax({ dim: 1 }), layerConfig],
  ['nn.BatchNorm2d(8, 1e-3, 0.01)', () => new nn.BatchNorm2d(8, 1e-3, 0.01), () => new nn.BatchNorm2d(8, { eps: 1e-3, momentum: 0.01 }), layerConfig],
  ['nn.BatchNorm1d(4, affine=False)', () => new nn.BatchNorm1d(4, 1e-5, 0.1, false), () => new nn.BatchNorm1d({ numFeatures: 4, affine: false }), layerConfig],
  ['nn.LayerNorm((4, 5), 1e-6)', () => new nn.LayerNorm([4, 5], 1e-6), () => new nn.LayerNorm([4, 5], { eps: 1e-6 }), layerConfig],
  ['nn.GroupNorm(2, 8, 1e-6, False)', () => new nn.GroupNorm(2, 8, 1e-6, false), () => new nn.GroupNorm(2, 8, { eps: 1e-6, affine: false }), layerConfig],
  ['optim.SGD(p, 0.1)', () => new optim.SGD(params(), 0.1), () => new optim.SGD(params(), { lr: 0.1 }), optConfig],
  ['optim.SGD(p, 0.01, 0.9)', () => new optim.SGD(params(), 0.01, 0.9), () => new optim.SGD(params(), { lr: 0.01, momentum: 0.9 }), optConfig],
  ['optim.SGD(p, 0.01, 0.9, 0, 1e-4, True)', () => new optim.SGD(params(), 0.01, 0.9, 0, 1e-4, true), () => new optim.SGD(params(), { lr: 0.01, momentum: 0.9, weightDecay: 1e-4, nesterov: true }), optConfig],
  ['optim.SGD(p, lr=0.1, maximize=True)', () => new optim.SGD(params(), 0.1, { maximize: true }), () => new optim.SGD(params(), { lr: 0.1, maximize: true }), optConfig],
  ['optim.Adam(p, 1e-3)', () => new optim.Adam(params(), 1e-3), () => new optim.Adam(params(), { lr: 1e-3 }), optConfig],
  ['optim.Adam(p, 1e-3, (0.5, 0.9))', () => new optim.Adam(params(), 1e-3, [0.5, 0.9]), () => new optim.Adam(params(), { betas: [0.5, 0.9] }), optConfig],
  ['optim.Adam(p, 1e-3, (0.9, 0.999), 1e-6, 0, True)', () => new optim.Adam(params(), 1e-3, [0.9, 0.999], 1e-6, 0, true), () => new optim.Adam(params(), { eps: 1e-6, amsgrad: true }), optConfig],
  ['optim.AdamW(p, 1e-3, weight_decay=0.05)', () => new optim.AdamW(params(), 1e-3, [0.9, 0.999], 1e-8, 0.05), () => new optim.AdamW(params(), { weightDecay: 0.05 }), optConfig],
  ['optim.RMSprop(p, 0.01, 0.9)', () => new optim.RMSprop(params(), 0.01, 0.9), () => new optim.RMSprop(params(), { alpha: 0.9 }), optConfig],
  ['optim.Adagrad(p, 0.1, 0.01)', () => new optim.Adagrad(params(), 0.1, 0.01), () => new optim.Adagrad(params(), { lr: 0.1, lrDecay: 0.01 }), optConfig],
  ['optim.Adadelta(p, lr=1.0)', () => new optim.Adadelta(params(), 1.0), () => new optim.Adadelta(params(), { lr: 1.0 }), optConfig],
  ['optim.Adadelta(p, 1.0, 0.95)', () => new optim.Adadelta(params(), 1.0, 0.95), () => new optim.Adadelta(params(), { rho: 0.95 }), optConfig],
  ['optim.Adamax(p, 0.002)', () => new optim.Adamax(params(), 0.002), () => new optim.Adamax(params(), { lr: 0.002 }), optConfig],
  ['optim.NAdam(p, 0.002, momentum_decay=0.004)', () => new optim.NAdam(params(), 0.002, [0.9, 0.999], 1e-8, 0, 0.004), () => new optim.NAdam(params(), { momentumDecay: 0.004 }), optConfig],
  ['optim.RAdam(p, 0.001)', () => new optim.RAdam(params(), 0.001), () => new optim.RAdam(params(), { lr: 0.001 }), optConfig],
  ['optim.ASGD(p, 0.01, 1e-4, 0.75)', () => new optim.ASGD(params(), 0.01, 1e-4, 0.75), () => new optim.ASGD(params(), { lambd: 1e-4, alpha: 0.75 }), optConfig],
  ['optim.Rprop(p, 0.01, (0.4, 1.3))', () => new optim.Rprop(params(), 0.01, [0.4, 1.3]), () => new optim.Rprop(params(), { etas: [0.4, 1.3] }), optConfig],
  ['optim.LBFGS(p, 1, 10)', () => new optim.LBFGS(params(), 1, 10), () => new optim.LBFGS(params(), { maxIter: 10 }), optConfig],
  ['StepLR(opt, 7)', () => schedule((o) => new lrScheduler.StepLR(o, 7)), () => schedule((o) => new lrScheduler.StepLR(o, { stepSize: 7 })), (v) => v],
  ['StepLR(opt, 7, 0.1)', () => schedule((o) => new lrScheduler.StepLR(o, 7, 0.1)), () => schedule((o) => new lrScheduler.StepLR(o, { stepSize: 7, gamma: 0.1 })), (v) => v],
  ['StepLR(opt, step_size=3, gamma=0.5)', () => schedule((o) => new lrScheduler.StepLR(o, 3, 0.5)), () => schedule((o) => new lrScheduler.StepLR(o, 3, { gamma: 0.5 })), (v) => v],
  ['MultiStepLR(opt, [2, 5], 0.3)', () => schedule((o) => new lrScheduler.MultiStepLR(o, [2, 5], 0.3)), () => schedule((o) => new lrScheduler.MultiStepLR(o, { milestones: [2, 5], gamma: 0.3 })), (v) => v],
  ['ExponentialLR(opt, 0.9)', () => schedule((o) => new lrScheduler.ExponentialLR(o, 0.9)), () => schedule((o) => new lrScheduler.ExponentialLR(o, { gamma: 0.9 })), (v) => v],
  ['CosineAnnealingLR(opt, 10, 0.01)', () => schedule((o) => new lrScheduler.CosineAnnealingLR(o, 10, 0.01)), () => schedule((o) => new lrScheduler.CosineAnnealingLR(o, { tMax: 10, etaMin: 0.01 })), (v) => v],
  ['T.RandomAffine(10)', () => transformed(torch.vision.transforms.RandomAffine(10)), () => transformed(torch.vision.transforms.RandomAffine({ degrees: 10 })), (v) => v],
  ['T.RandomAffine(10, (0.1, 0.1))', () => transformed(torch.vision.transforms.RandomAffine(10, [0.1, 0.1])), () => transformed(torch.vision.transforms.RandomAffine({ degrees: 10, translate: [0.1, 0.1] })), (v) => v],
  ['T.RandomAffine(0, None, (0.8, 1.2))', () => transformed(torch.vision.transforms.RandomAffine(0, null, [0.8, 1.2])), () => transformed(torch.vision.transforms.RandomAffine(0, { scale: [0.8, 1.2] })), (v) => v],
  ['T.RandomRotation(15)', () => transformed(torch.vision.transforms.RandomRotation(15)), () => transformed(torch.vision.transforms.RandomRotation({ degrees: 15 })), (v) => v],
  ['T.Normalize((0.1307,), (0.3081,))', () => transformed(torch.vision.transforms.Normalize([0.1307], [0.3081])), () => transformed(torch.vision.transforms.Normalize({ mean: [0.1307], std: [0.3081] })), (v) => v],
  ['T.Resize(4)', () => transformed(torch.vision.transforms.Resize(4)), () => transformed(torch.vision.transforms.Resize({ size: 4 })), (v) => v],
  ["T.Resize(6, 'nearest')", () => transformed(torch.vision.transforms.Resize(6, 'nearest')), () => transformed(torch.vision.transforms.Resize(6, { interpolation: 'nearest' })), (v) => v],
  ['T.CenterCrop(4)', () => transformed(torch.vision.transforms.CenterCrop(4)), () => transformed(torch.vision.transforms.CenterCrop({ size: 4 })), (v) => v],
  ['T.RandomCrop(6, 1)', () => transformed(torch.vision.transforms.RandomCrop(6, 1)), () => transformed(torch.vision.transforms.RandomCrop(6, { padding: 1 })), (v) => v],
  ["T.Pad(2, 0, 'reflect')", () => transformed(torch.vision.transforms.Pad(2, 0, 'reflect')), () => transformed(torch.vision.transforms.Pad(2, { paddingMode: 'reflect' })), (v) => v],
  ['T.RandomResizedCrop(5, (0.5, 1.0))', () => transformed(torch.vision.transforms.RandomResizedCrop(5, [0.5, 1])), () => transformed(torch.vision.transforms.RandomResizedCrop(5, { scale: [0.5, 1] })), (v) => v],
  ['T.Grayscale(3)', () => transformed(torch.vision.transforms.Grayscale(3)), () => transformed(torch.vision.transforms.Grayscale({ numOutputChannels: 3 })), (v) => v],
  ['T.RandomHorizontalFlip(0.7)', () => transformed(torch.vision.transforms.RandomHorizontalFlip(0.7)), () => transformed(torch.vision.transforms.RandomHorizontalFlip({ p: 0.7 })), (v) => v],
  ['T.RandomErasing(1.0, (0.1, 0.2))', () => transformed(torch.vision.transforms.RandomErasing(1, [0.1, 0.2])), () => transformed(torch.vision.transforms.RandomErasing({ p: 1, scale: [0.1, 0.2] })), (v) => v],
  ['DataLoader(ds, 4)', () => batches(new torch.data.DataLoader(ds, 4) as Iterable<torch.Tensor[]>), () => batches(new torch.data.DataLoader(ds, { batchSize: 4 }) as Iterable<torch.Tensor[]>), (v) => v],
  ['DataLoader(ds, 3, False, drop_last=True)', () => batches(new torch.data.DataLoader(ds, 3, false, { dropLast: true }) as Iterable<torch.Tensor[]>), () => batches(new torch.data.DataLoader(ds, { batchSize: 3, dropLast: true }) as Iterable<torch.Tensor[]>), (v) => v],
  ['DataLoader(ds, 5, num_workers=4)', () => batches(new torch.data.DataLoader(ds, 5, false, { numWorkers: 4 }) as Iterable<torch.Tensor[]>), () => batches(new torch.data.DataLoader(ds, { batchSize: 5, numWorkers: 4 }) as Iterable<torch.Tensor[]>), (v) => v],
  ['x.sum(1, True)', () => x.sum(1, true).tolist(), () => x.sum({ dim: 1, keepdim: true }).tolist(), (v) => v],
  ['x.sum(1, keepdim=True)', () => x.sum(1, true).shape, () => x.sum(1, { keepdim: true }).shape, (v) => v],
  ['x.sum((0, 2))', () => x.sum([0, 2]).tolist(), () => x.sum({ dim: [0, 2] }).tolist(), (v) => v],
  ['x.mean(-1, True)', () => x.mean(-1, true).tolist(), () => x.mean({ dim: -1, keepdim: true }).tolist(), (v) => v],
  ['x.sum(dtype=torch.float64)', () => x.sum(null, { dtype: 'float64' }).dtype, () => x.sum({ dtype: 'float64' }).dtype, (v) => v],
];

describe('Python call → positional and options forms agree', () => {
  test.each(ROWS)('%s', (_python, positional, options, config) => {
    const a = config(positional() as never);
    const b = config(options() as never);
    expect(a).toEqual(b);
  });
  test('the table has at least 60 rows', () => expect(ROWS.length).toBeGreaterThanOrEqual(60));
});

describe('defaults are PyTorch 2.11 signatures', () => {
  test('the table was read from PyTorch (names in order, defaults)', () => {
    const sgd = SIGNATURES['optim.SGD'].map((p) => p.name);
    expect(sgd.slice(0, 6)).toEqual(['params', 'lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']);
    expect(SIGNATURES['nn.Conv2d'].map((p) => p.name).slice(0, 9)).toEqual(['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    expect(SIGNATURES['optim.SGD'].find((p) => p.name === 'maximize')).toMatchObject({ keywordOnly: true, default: false });
    expect(new optim.SGD(params()).paramGroups[0].lr).toBe((SIGNATURES['optim.SGD'][1] as { default: number }).default);
    expect(new nn.Dropout().p).toBe((SIGNATURES['nn.Dropout'][0] as { default: number }).default);
  });
});

describe('refusals name what is wrong', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['snake_case key', () => new nn.Conv2d(1, 2, { kernel_size: 3 } as never), /unknown option 'kernel_size' \(did you mean 'kernelSize'\? options are camelCase\)/],
    ['near miss', () => new optim.SGD(params(), { lr: 0.1, momentun: 0.9 } as never), /unknown option 'momentun' \(did you mean 'momentum'\?\)/],
    ['unknown key', () => new lrScheduler.StepLR(new optim.SGD(params()), { stepSize: 2, zzz: 1 }), /unknown option 'zzz' \(known: stepSize, gamma, lastEpoch\)/],
    ['both ways', () => new nn.Linear(4, 2, true, { bias: false } as never), /got multiple values for argument 'bias'/],
    ['missing required', () => new lrScheduler.StepLR(new optim.SGD(params())), /missing required argument 'stepSize'/],
    ['too many positionals', () => new nn.Dropout(0.1, false, 3 as never), /takes at most 2 positional arguments \(p, inplace\), got 3/],
    ['keyword-only given positionally', () => new optim.SGD(params(), 0.1, 0, 0, 0, false, true as never), /optim.SGD takes at most 5 positional arguments \(lr, momentum, dampening, weightDecay, nesterov\), got 6/],
    ['unsupported parameter', () => new nn.Linear(2, 2, true, { device: 'meta' } as never), /'device' is not supported/],
    ['kernelSize missing', () => new nn.Conv2d(1, 32, {} as never), /missing required argument 'kernelSize'/],
    ['reduction keys', () => x.sum(1, { keep_dim: true } as never), /unknown option 'keep_dim' \(did you mean 'keepdim'\?/],
    ['Softmax without dim', () => new nn.Softmax({} as never), /Softmax: dim is required/],
    ['DataLoader batch sampler', () => new torch.data.DataLoader(ds, { batchSampler: [] } as never), /'batchSampler' is not supported/],
  ];
  test.each(cases)('%s', (_name, fn, message) => {
    expect(fn).toThrow(TypeError);
    expect(fn).toThrow(message);
  });
});
