// Bad input of every kind must arrive as a JS exception with a useful message;
// none may abort the process (an abort here would take the jest worker down).
import * as torch from '../lib';

const { F, nn, optim } = torch;
const m = (r: number, c: number) => torch.ones(r, c);
const disposed = () => {
  const t = torch.ones(2);
  t.dispose();
  return t;
};

// [what, call, expected message, expected class]
const CASES: [string, () => unknown, RegExp, 'TorchError' | 'TypeError' | 'RangeError' | 'Error'][] = [
  ['matmul shape mismatch', () => m(2, 3).matmul(m(4, 5)), /cannot be multiplied \(2x3 and 4x5\)/, 'TorchError'],
  ['mm of a vector', () => torch.ones(3).mm(m(3, 3)), /must be a matrix/, 'TorchError'],
  ['bmm of matrices', () => m(2, 2).bmm(m(2, 2)), /batch1 must be a 3D tensor/, 'TorchError'],
  ['view to a wrong size', () => torch.ones(6).view(4, 2), /invalid for input of size 6/, 'TorchError'],
  ['view of a non-contiguous tensor', () => m(2, 3).t().view(6), /view size is not compatible/, 'TorchError'],
  ['reshape to a wrong size', () => torch.ones(6).reshape(5), /invalid for input of size 6/, 'TorchError'],
  ['view with two -1', () => torch.ones(6).view(-1, -1), /only one dimension can be inferred/, 'TorchError'],
  ['add of unbroadcastable shapes', () => torch.ones(3).add(torch.ones(4)), /must match the size of tensor b/, 'TorchError'],
  ['cat of mismatched shapes', () => torch.cat([m(2, 2), m(2, 3)]), /Sizes of tensors must match/, 'TorchError'],
  ['stack of mismatched shapes', () => torch.stack([torch.ones(2), torch.ones(3)]), /stack expects each tensor to be equal size/, 'TorchError'],
  ['cat of nothing', () => torch.cat([]), /expected a non-empty list of Tensors/, 'TorchError'],
  ['sum over a missing dim', () => m(2, 2).sum(5), /Dimension out of range/, 'TorchError'],
  ['transpose of a missing dim', () => m(2, 2).transpose(0, 5), /Dimension out of range/, 'TorchError'],
  ['select past the end', () => torch.ones(3).select(0, 3), /out of range/, 'TorchError'],
  ['narrow past the end', () => torch.ones(3).narrow(0, 2, 5), /exceeds dimension size/, 'TorchError'],
  ['indexSelect with a float index', () => torch.ones(3).indexSelect(0, torch.ones(1)), /Expected dtype int32 or int64 for index/, 'TorchError'],
  ['indexSelect out of range', () => torch.ones(3).indexSelect(0, torch.tensor([7])), /out of range/, 'TorchError'],
  ['unsqueeze of a missing dim', () => torch.ones(3).unsqueeze(10), /Dimension out of range/, 'TorchError'],
  ['permute with too few dims', () => m(2, 2).permute(0), /does not match the length of the desired ordering/, 'TorchError'],
  ['expand to an incompatible size', () => torch.ones(3).expand(4), /must match the existing size/, 'TorchError'],
  ['unknown dtype in a factory', () => torch.zeros(2, { dtype: 'float128' as torch.DType }), /dtype must be a dtype/, 'TypeError'],
  ['unknown dtype in tensor()', () => torch.tensor([1], { dtype: 'complex' as torch.DType }), /dtype must be a dtype/, 'TypeError'],
  ['unknown dtype in to()', () => torch.ones(1).to('float128' as torch.DType), /must be a device|a dtype/, 'TypeError'],
  ['unknown device', () => torch.zeros(2, { device: 'tpu' as torch.Device }), /device must be a device/, 'TypeError'],
  ['cuda without a GPU', () => torch.zeros(2, { device: 'cuda' }), /CUDA is not available/, 'Error'],
  ['cuda:1 without a GPU', () => torch.ones(2).to('cuda:1'), /CUDA is not available/, 'Error'],
  ['unknown option', () => torch.zeros(2, { dtpye: 'float32' } as unknown as torch.TensorOptions), /unknown option 'dtpye'/, 'TypeError'],
  ['NaN size', () => torch.zeros(NaN), /size\[0\] must be an integer, got number NaN/, 'TypeError'],
  ['negative size', () => torch.zeros(-1), /size\[0\] must be >= 0, got -1/, 'RangeError'],
  ['fractional size', () => torch.ones(2.5), /size\[0\] must be an integer, got number 2.5/, 'TypeError'],
  ['string size', () => torch.zeros('3' as unknown as number), /size\[0\] must be an integer, got the string "3"/, 'TypeError'],
  ['string fill value', () => torch.full([2], 'x' as unknown as number), /fillValue must be a number, bigint or boolean/, 'TypeError'],
  ['arange with step 0', () => torch.arange(0, 10, 0), /step must be nonzero/, 'RangeError'],
  ['linspace with negative steps', () => torch.linspace(0, 1, -1), /steps must be >= 0/, 'RangeError'],
  ['randint with high <= low', () => torch.randint(5, 2, [3]), /high \(2\) must be greater than low \(5\)/, 'RangeError'],
  ['a 10^15-element allocation', () => torch.empty(1e15), /can't allocate memory|out of memory/, 'TorchError'],
  ['a 10^15-element tensor by shape', () => torch.zeros(1e5, 1e5, 1e5), /can't allocate memory|out of memory|overflow/, 'TorchError'],
  ['ragged nested arrays', () => torch.tensor([[1, 2], [3]]), /ragged/, 'TypeError'],
  ['booleans mixed with numbers', () => torch.tensor([1, true] as unknown as number[]), /all numbers or all booleans/, 'TypeError'],
  ['strings as data', () => torch.tensor(['a'] as unknown as number[]), /data\[0\] must be a number, bigint or boolean, got the string "a"/, 'TypeError'],
  ['undefined as data', () => torch.tensor(undefined as unknown as number), /data must be a number, bigint or boolean, got undefined/, 'TypeError'],
  ['an unsupported typed array', () => torch.tensor(new Uint16Array(2)), /data must be a Float32Array/, 'TypeError'],
  ['typed array and shape disagree', () => torch.tensor(new Float32Array(5), { shape: [2, 3] }), /data has 20 bytes but shape \[2, 3\]/, 'TorchError'],
  ['use after dispose (op)', () => disposed().add(1), /aten::add: this Tensor \(self\) was used after dispose\(\)/, 'TorchError'],
  ['use after dispose (shape)', () => disposed().shape, /this Tensor was used after dispose\(\)/, 'TorchError'],
  ['use after dispose (as argument)', () => torch.ones(2).add(disposed()), /aten::add: the Tensor given as 'other' was used after dispose\(\)/, 'TorchError'],
  ['crossEntropy with int32 targets', () => torch.nn.functional.crossEntropy(torch.randn(3, 4), torch.tensor([1, 2, 0], { dtype: 'int32' })), /^crossEntropy: target must hold int64 class indices .*got int32 of shape \[3\].*PyTorch: expected scalar type Long but found Int/, 'TorchError'],
  ['nllLoss with float targets', () => torch.nn.functional.nllLoss(torch.randn(3, 4), torch.tensor([1.5, 2, 0])), /^nllLoss: target must hold int64 class indices; got float32 of shape \[3\].*PyTorch: expected scalar type Long but found Float/, 'TorchError'],
  ['a tensor list holding an array', () => torch.cat([[1, 2] as unknown as torch.Tensor]), /aten::cat: argument 'tensors\[0\]' must be a Tensor, got an array/, 'TypeError'],
  ['an array given to a Sequential', () => new torch.nn.Sequential(new torch.nn.Linear(2, 2))([1, 2] as unknown as torch.Tensor), /Sequential: input must be a Tensor .*got an array/, 'TypeError'],
  ['a typed array given to a layer', () => new torch.nn.Linear(2, 2)(new Float32Array(2) as unknown as torch.Tensor), /Linear: input must be a Tensor .*got a Float32Array/, 'TypeError'],
  ['backward of a tensor without grad', () => torch.ones(2).sum().backward(), /does not require grad/, 'TorchError'],
  ['backward of a non-scalar without gradient', () => torch.ones(2, { requiresGrad: true }).mul(2).backward(), /grad can be implicitly created only for scalar outputs/, 'TorchError'],
  ['requiresGrad on an integer tensor', () => torch.tensor([1, 2]).requiresGrad_(), /floating point/, 'TorchError'],
  ['item() of many elements', () => torch.ones(3).item(), /cannot be converted to Scalar/, 'TorchError'],
  ['grad of the wrong shape', () => { torch.ones(2, { requiresGrad: true }).grad = torch.ones(3); }, /assigned grad has shape \[3\]/, 'TorchError'],
  ['grad that is not a tensor', () => { torch.ones(2).grad = [1, 2] as unknown as torch.Tensor; }, /grad must be a Tensor or null/, 'TypeError'],
  ['Tensor constructed by hand', () => new torch.Tensor({} as never), /handle must be a native tensor handle/, 'TypeError'],
  ['clamp with no bounds', () => torch.ones(2).clamp(), /at least one of min and max/, 'TypeError'],
  ['add of a string', () => torch.ones(2).add('1' as unknown as number), /other must be a Tensor or a number/, 'TypeError'],
  ['eq with an object', () => torch.ones(2).eq({} as unknown as number), /other must be a Tensor or a number, got an object/, 'TypeError'],
  ['split into pieces of 0', () => torch.ones(4).split(0), /splitSize must be >= 1/, 'RangeError'],
  ['chunk into 0 pieces', () => torch.ones(4).chunk(0), /chunks must be >= 1/, 'RangeError'],
  ['conv2d with the wrong channel count', () => F.conv2d(torch.ones(1, 3, 8, 8), torch.ones(4, 1, 3, 3)), /expected input\[1, 3, 8, 8\] to have 1 channels/, 'TorchError'],
  ['max pool larger than the input', () => F.maxPool2d(torch.ones(1, 1, 2, 2), 5), /Output size is too small|pad should be at most half/, 'TorchError'],
  ['cross entropy target out of range', () => F.crossEntropy(torch.ones(2, 3), torch.tensor([0, 9])), /out of bounds/, 'TorchError'],
  ['nll loss with float targets', () => F.nllLoss(torch.ones(2, 3), torch.ones(2)), /expected scalar type Long|Float/, 'TorchError'],
  ['Linear on the wrong feature count', () => new nn.Linear(4, 2).forward(torch.ones(3, 5)), /cannot be multiplied \(3x5 and 4x2\)/, 'TorchError'],
  ['Conv2d with 0 channels', () => new nn.Conv2d(0, 1, { kernelSize: 3 }), /inChannels must be >= 1/, 'RangeError'],
  ['Conv2d without kernelSize', () => new nn.Conv2d(1, 1, {} as never), /nn.Conv2d: missing required argument 'kernelSize'/, 'TypeError'],
  ['SGD with a negative lr', () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: -1 }), /lr must be >= 0/, 'RangeError'],
  ['SGD with no parameters', () => new optim.SGD([], { lr: 0.1 }), /empty parameter list/, 'RangeError'],
  ['SGD with a non-leaf', () => new optim.SGD([torch.ones(1, { requiresGrad: true }).mul(2)]), /not a leaf/, 'TypeError'],
  ['DataLoader with batch size 0', () => new torch.data.DataLoader(new torch.data.TensorDataset(torch.ones(4)), { batchSize: 0 }), /batchSize must be >= 1/, 'RangeError'],
  ['DataLoader of a non-dataset', () => new torch.data.DataLoader({} as never), /dataset must be a Dataset/, 'TypeError'],
  ['MNIST with a numeric root', () => new torch.vision.datasets.MNIST(5 as unknown as string), /root must be a folder path/, 'TypeError'],
  ['Normalize with a zero std', () => torch.vision.transforms.Normalize([0.5], [0]), /std must not contain 0/, 'RangeError'],
  ['manualSeed(-1)', () => torch.manualSeed(-1), /seed must be a non-negative integer/, 'TypeError'],
  ['setNumThreads(0)', () => torch.setNumThreads(0), /threads must be an integer >= 1/, 'RangeError'],
  ['noGrad of a non-function', () => torch.noGrad(5 as unknown as () => void), /fn must be a function/, 'TypeError'],
];

describe('bad input never aborts', () => {
  test(`the corpus has at least 50 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  test.each(CASES)('%s', (_what, call, message, cls) => {
    let thrown: unknown;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeDefined();
    const err = thrown as Error;
    expect(err.message).toMatch(message);
    if (cls === 'TorchError') {
      expect(err).toBeInstanceOf(torch.TorchError);
      expect((err as torch.TorchError).kind).toMatch(/Error$/);
      expect(err.message).not.toMatch(/Exception raised from|frame #/); // the short message, no C++ backtrace
    } else {
      expect(err.name).toBe(cls);
    }
  });

  test('the library still works after every failure', () => {
    expect(torch.ones(2, 2).matmul(torch.ones(2, 2)).sum().item()).toBe(8);
  });
});
