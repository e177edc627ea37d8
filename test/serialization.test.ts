// Weights both ways: files Python wrote load here; files written here use
// PyTorch's formats (checked by reading them back, and in Python by
// scripts/check_roundtrip.py); malformed files throw clear errors.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { decode, maxAbsDiff } from './helpers';
import { writeZip } from '../lib/torchfile';

const { nn, F } = torch;
const FIX = path.join(__dirname, 'fixtures');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'py_small_expected.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-ser-'));

/** The fixture network, with torchvision-style field names matching Python's Small. */
class Small extends nn.Module {
  conv = new nn.Conv2d(1, 4, { kernelSize: 3 });
  bn = new nn.BatchNorm2d(4);
  fc = new nn.Linear(4 * 4 * 4, 3);
  forward(x: torch.Tensor): torch.Tensor {
    x = F.maxPool2d(F.relu(this.bn.forward(this.conv.forward(x))), 2);
    return this.fc.forward(x.flatten(1));
  }
}

describe('torch.load of files written by Python', () => {
  test('a state_dict (OrderedDict with _metadata) loads with PyTorch keys and gives PyTorch outputs', () => {
    const sd = torch.load(path.join(FIX, 'py_small_state_dict.pt')) as Record<string, torch.Tensor>;
    expect(Object.keys(sd)).toEqual(expected.keys);
    expect(sd['bn.num_batches_tracked'].dtype).toBe('int64');
    const m = new Small();
    expect(Object.keys(m.stateDict())).toEqual(expected.keys);
    const r = m.loadStateDict(sd);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    m.eval();
    expect(maxAbsDiff(m.forward(decode(expected.probe)), expected.output)).toBeLessThan(1e-5);
  });

  test('safetensors written by the Python package load the same tensors', () => {
    const st = torch.safetensors.loadFile(path.join(FIX, 'py_small.safetensors'));
    const pt = torch.load(path.join(FIX, 'py_small_state_dict.pt')) as Record<string, torch.Tensor>;
    expect(Object.keys(st).sort()).toEqual(Object.keys(pt).sort());
    for (const k of Object.keys(pt)) expect(st[k].equal(pt[k])).toBe(true);
    expect(torch.load(path.join(FIX, 'py_small.safetensors'))).toBeDefined(); // recognised by its bytes
  });

  test("an optimizer's state_dict loads into an optimizer here", () => {
    const sd = torch.load(path.join(FIX, 'py_adam_state.pt')) as torch.optim.OptimizerStateDict;
    const m = new Small();
    const opt = new torch.optim.Adam(m.parameters(), { lr: 0.5 });
    opt.loadStateDict(sd);
    expect(opt.paramGroups[0].lr).toBe(0.01);
    const first = m.parameters()[0];
    const st = opt.state.get(first)!;
    expect((st.expAvg as torch.Tensor).shape).toEqual(first.shape);
    expect((st.step as torch.Tensor).item()).toBe(1);
  });
});

describe('torch.save', () => {
  test('tensors, state dicts and plain data round-trip, with shared storage kept', () => {
    const base = torch.arange(12, { dtype: 'float32' });
    const obj = {
      w: torch.randn(3, 4),
      view: base.view(3, 4).t(), // non-contiguous view
      view2: base.narrow(0, 2, 5),
      half: torch.ones(2, { dtype: 'float16' }),
      bf: torch.ones(2, { dtype: 'bfloat16' }),
      ints: torch.tensor([1, 2, 3]),
      mask: torch.tensor([true, false]),
      lr: 0.5,
      epoch: 3,
      name: 'net',
      none: null,
      list: [1, 'two', torch.zeros(1)],
      nested: { state: { 0: { step: 2 } } },
    };
    const file = path.join(tmp, 'obj.pt');
    torch.save(obj, file);
    const back = torch.load(file) as typeof obj;
    expect(back.w.equal(obj.w)).toBe(true);
    expect(back.view.tolist()).toEqual(obj.view.tolist());
    expect(back.view2.tolist()).toEqual([2, 3, 4, 5, 6]);
    expect(back.half.dtype).toBe('float16');
    expect(back.bf.dtype).toBe('bfloat16');
    expect(back.ints.tolist()).toEqual([1, 2, 3]);
    expect(back.mask.tolist()).toEqual([true, false]);
    expect([back.lr, back.epoch, back.name, back.none]).toEqual([0.5, 3, 'net', null]);
    expect((back.list[2] as torch.Tensor).shape).toEqual([1]);
    expect(back.nested.state[0].step).toBe(2);
  });

  test('a model trained here saves and loads into a fresh model with equal outputs', () => {
    torch.manualSeed(1);
    const m = new Small();
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const x = torch.randn(4, 1, 10, 10);
    F.crossEntropy(m.forward(x), torch.tensor([0, 1, 2, 0])).backward();
    opt.step();
    m.eval();
    const file = path.join(tmp, 'small.pt');
    torch.save(m.stateDict(), file);
    const fresh = new Small();
    fresh.loadStateDict(torch.load(file) as Record<string, torch.Tensor>);
    fresh.eval();
    expect(fresh.forward(x).equal(m.forward(x))).toBe(true);
    const st = path.join(tmp, 'small.safetensors');
    torch.save(m.stateDict(), st);
    const fresh2 = new Small();
    fresh2.loadStateDict(torch.safetensors.loadFile(st));
    fresh2.eval();
    expect(fresh2.forward(x).equal(m.forward(x))).toBe(true);
  });

  test('saves are atomic: a failing save leaves the previous file intact and no temporary behind', () => {
    const file = path.join(tmp, 'atomic.pt');
    torch.save({ a: torch.ones(2) }, file);
    const before = fs.readFileSync(file);
    expect(() => torch.save({ a: torch.ones(2), bad: (() => 1) as unknown as number }, file)).toThrow(/torch.save: obj.bad/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('a killed save leaves the previous file intact', () => {
    const file = path.join(tmp, 'killed.pt');
    torch.save({ a: torch.ones(2) }, file);
    const before = fs.readFileSync(file);
    // A child saves a 200 MB state dict to the same path and is killed mid-write.
    const { spawn } = require('child_process') as typeof import('child_process');
    const dist = path.join(__dirname, '..', 'dist', 'lib');
    const child = spawn(process.execPath, ['-e', `const t=require(${JSON.stringify(dist)}); process.send ? 0 : 0; console.log('go'); t.save({ big: t.randn(50000000) }, ${JSON.stringify(file)});`]);
    return new Promise<void>((resolve) => {
      child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), 300));
      child.once('exit', () => {
        expect(fs.readFileSync(file).equals(before)).toBe(true);
        resolve();
      });
    });
  });
});

describe('malformed files throw clear errors', () => {
  const good = fs.readFileSync(path.join(FIX, 'py_small.safetensors'));
  const pt = fs.readFileSync(path.join(FIX, 'py_small_state_dict.pt'));
  const write = (name: string, bytes: Uint8Array) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, bytes);
    return f;
  };
  const header = (obj: unknown, data: Buffer, rawJson?: string) => {
    const json = Buffer.from(rawJson ?? JSON.stringify(obj));
    const n = Buffer.alloc(8);
    n.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([n, json, data]);
  };
  const CORPUS: [string, () => Uint8Array, RegExp][] = [
    ['safetensors truncated', () => good.subarray(0, good.length - 10), /10 bytes|ends at byte|belong to no tensor|larger than the file/],
    ['safetensors header longer than the file', () => Buffer.concat([Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]), /header length|neither/],
    ['safetensors bad JSON', () => header(null, Buffer.alloc(0), '{"a": {"dtype": "F32", '), /not valid JSON/],
    ['safetensors wrong dtype size', () => header({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)), /needs 12 bytes but its data_offsets span 8/],
    ['safetensors unknown dtype', () => header({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, Buffer.alloc(16)), /unsupported dtype "F128"/],
    ['safetensors overlapping ranges', () => header({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } }, Buffer.alloc(6)), /overlaps/],
    ['safetensors gap', () => header({ a: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } }, Buffer.alloc(4)), /gap of 2 unused bytes/],
    ['safetensors trailing bytes', () => header({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, Buffer.alloc(5)), /3 bytes after the last tensor/],
    ['safetensors duplicate names', () => header(null, Buffer.alloc(4), '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}'), /"a" appears twice/],
    ['safetensors negative shape', () => header({ a: { dtype: 'U8', shape: [-2], data_offsets: [0, 2] } }, Buffer.alloc(2)), /invalid shape/],
    ['safetensors offsets past the data', () => header({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, Buffer.alloc(2)), /ends at byte 8 of the data, which has 2/],
    ['.pt truncated', () => pt.subarray(0, pt.length - 100), /not a complete zip|truncated|damaged/],
    ['.pt cut in half', () => pt.subarray(0, pt.length >> 1), /not a complete zip|truncated|damaged|neither/],
    ['.pt with a corrupt pickle', () => {
      const b = Buffer.from(pt);
      const i = b.indexOf('data.pkl') + 8 + 100; // inside the pickle's bytes, past the local header
      b.fill(0xee, i, i + 40);
      return b;
    }, /data\.pkl|damaged|unsupported|memo|stack|refuses/],
    ['random bytes', () => Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251)), /neither a PyTorch file/],
    ['an empty file', () => Buffer.alloc(0), /neither a PyTorch file/],
    ['a legacy (pre-1.6) pickle', () => Buffer.from([0x80, 0x02, 0x8a, 0x0a]), /legacy \(pre-1.6\) format/],
  ];
  test.each(CORPUS)('%s', (name, bytes, message) => {
    const f = write(name.replace(/\W+/g, '_'), bytes());
    expect(() => torch.load(f)).toThrow(message);
  });

  test('a pickle that would call an arbitrary function is refused', () => {
    // GLOBAL os.system, then REDUCE: what torch.load(weights_only=True) refuses too.
    const pkl = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\n', 'latin1'), Buffer.from([0x58, 4, 0, 0, 0]), Buffer.from('echo'), Buffer.from([0x85, 0x52, 0x2e])]);
    const zipped = writeZip([['archive/data.pkl', pkl]]);
    expect(() => torch.load(write('evil.pt', zipped))).toThrow(/refuses to call os\.system/);
  });

  test('TorchScript files point to torch.jit.load, and the reverse', () => {
    expect(() => torch.load(path.join(FIX, 'py_small_scripted.pt'))).toThrow(/TorchScript module; load it with torch.jit.load/);
    expect(() => torch.jit.load(path.join(FIX, 'py_small_state_dict.pt'))).toThrow(/not a TorchScript module; load it with torch.load/);
    expect(() => torch.jit.load(write('bad_script.pt', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('constants.pkl'), Buffer.alloc(64)])))).toThrow(/bad_script/);
  });
});
