// TorchScript modules scripted in Python: forward, parameters, freezing by
// name, fine-tuning, and save() back (a file Python's torch.jit.load reads).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { decode, maxAbsDiff } from './helpers';

const FIX = path.join(__dirname, 'fixtures');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'py_small_expected.json'), 'utf8'));

describe('torch.jit', () => {
  test('a scripted module gives Python\'s outputs and exposes its parameters and buffers', () => {
    const m = torch.jit.load(path.join(FIX, 'py_small_scripted.pt'));
    m.eval();
    expect(m.methods).toContain('forward');
    const out = m.forward(decode(expected.probe)) as torch.Tensor;
    expect(maxAbsDiff(out, expected.output)).toBeLessThan(1e-5);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(Object.keys(m.stateDict())).toEqual(expect.arrayContaining(expected.keys));
  });

  test('freeze by name, fine-tune the rest, save, and load it back with the new weights', () => {
    const m = torch.jit.load(path.join(FIX, 'py_small_scripted.pt'));
    m.freeze(['conv', 'bn']);
    expect(m.trainableParameters().length).toBe(2); // fc.weight, fc.bias
    const convBefore = m.namedParameters()[0][1].clone();
    const fcBefore = m.namedParameters()[4][1].clone();
    const opt = new torch.optim.SGD(m.trainableParameters(), { lr: 0.1 });
    m.train();
    torch.manualSeed(0);
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const out = m.forward(torch.randn(8, 1, 10, 10)) as torch.Tensor;
      torch.F.crossEntropy(out, torch.randint(0, 3, [8])).backward();
      opt.step();
    }
    expect(m.namedParameters()[0][1].equal(convBefore)).toBe(true);
    expect(m.namedParameters()[4][1].equal(fcBefore)).toBe(false);
    m.eval();
    const probe = decode(expected.probe);
    const after = m.forward(probe) as torch.Tensor;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-jit-')), 'tuned.pt');
    m.save(file);
    const back = torch.jit.load(file).eval();
    expect((back.forward(probe) as torch.Tensor).equal(after)).toBe(true);
    expect(() => m.freeze('nothing.like.this')).toThrow(/no parameter matches 'nothing.like.this'/);
  });

  test('bad inputs to forward are TorchErrors', () => {
    const m = torch.jit.load(path.join(FIX, 'py_small_scripted.pt'));
    expect(() => m.forward(torch.ones(2, 3))).toThrow(torch.TorchError);
    expect(() => m.forward()).toThrow(/forward|argument|expected/i);
  });
});
