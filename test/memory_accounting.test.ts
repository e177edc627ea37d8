// Native memory is reported per storage, not per handle: views, detach(),
// Parameters and .grad reads that share a storage report its bytes once, so they
// do not make the garbage collector run for memory that does not exist.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as torch from '../lib';

const DIST = path.join(__dirname, '..', 'dist', 'lib');
const FIX = path.join(__dirname, 'fixtures');

/**
 * Runs `setup` then `body` in a child with --trace-gc and returns what it printed
 * last (JSON, from \`extra\`), with \`gcs\`: the garbage collections during \`body\`.
 */
function gcCount(setup: string, body: string): Record<string, number> {
  const script = `
    const torch = require(${JSON.stringify(DIST)});
    const extra = {};
    ${setup}
    console.log('--- begin');
    ${body}
    console.log('--- end');
    console.log(JSON.stringify(extra));
  `;
  const r = spawnSync(process.execPath, ['--trace-gc', '-e', script], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const during = lines.slice(lines.indexOf('--- begin'), lines.indexOf('--- end'));
  const gcs = during.filter((l) => /ms: (Scavenge|Mark-Compact|Mark-Sweep|Minor)/i.test(l)).length;
  return { ...JSON.parse(lines.filter((l) => l.startsWith('{')).pop()!), gcs };
}

describe('memory reported per storage', () => {
  test('20,000 expand() views of a 4-byte tensor to 2^28 elements cause almost no garbage collections', () => {
    // Reported per handle, each view claimed 1 GiB: 14,245 collections before this fix.
    const r = gcCount(
      `const base = torch.zeros(1);`,
      `for (let i = 0; i < 20000; i++) base.expand(2 ** 28);
       extra.hostBytes = torch.memoryStats().hostBytes;`,
    );
    console.log(`expand views: ${r.gcs} GCs`);
    expect(r.gcs).toBeLessThan(100);
    expect(r.hostBytes).toBeLessThan(2 ** 20);
  });

  test('20,000 reads of a 1 MiB .grad return one Tensor and cause no extra collections', () => {
    const r = gcCount(
      `const p = torch.zeros(262144, { requiresGrad: true });
       p.sum().backward();
       const first = p.grad;`,
      `let same = 0;
       for (let i = 0; i < 20000; i++) if (p.grad === first) same++;
       extra.same = same;`,
    );
    console.log(`grad reads: ${r.gcs} GCs`);
    expect(r.same).toBe(20000);
    expect(r.gcs).toBeLessThan(20);
  });

  test('views, detach() and Parameters of one storage count it once; the count drops when the last goes', () => {
    const before = torch.memoryStats();
    const t = torch.zeros(1000); // 4,000 bytes
    const mid = torch.memoryStats();
    expect(mid.hostBytes - before.hostBytes).toBe(4000);
    expect(mid.storages - before.storages).toBe(1);
    const views = [t.view(10, 100), t.detach(), t.narrow(0, 0, 10), new torch.nn.Parameter(t), t.expand(5, 1000)];
    expect(torch.memoryStats().hostBytes - before.hostBytes).toBe(4000);
    t.dispose();
    expect(torch.memoryStats().hostBytes - before.hostBytes).toBe(4000); // the views still hold it
    for (const v of views) v.dispose();
    expect(torch.memoryStats().hostBytes).toBe(before.hostBytes);
    expect(torch.memoryStats().storages).toBe(before.storages);
  });

  test('a new gradient after zeroGrad({ setToNone }) gives a new .grad Tensor', () => {
    const p = torch.ones(3, { requiresGrad: true });
    p.sum().backward();
    const g1 = p.grad!;
    p.sum().backward(); // accumulates in place: the same tensor
    expect(p.grad).toBe(g1);
    p.grad = null;
    p.mul(2).sum().backward();
    expect(p.grad).not.toBe(g1);
    expect(p.grad!.tolist()).toEqual([2, 2, 2]);
  });

  test('a ScriptModule reports what it holds and frees it on dispose()', () => {
    const x = torch.randn(2, 1, 10, 10);
    torch.collectGarbage(); // nothing collected while the test counts
    const before = torch.memoryStats().hostBytes;
    const m = torch.jit.load(path.join(FIX, 'py_small_scripted.pt'));
    const held = torch.memoryStats().hostBytes - before;
    const named = [...m.namedParameters(), ...m.namedBuffers()];
    const expected = named.reduce((s, [, t]) => s + t.numel() * t.elementSize(), 0);
    for (const [, t] of named) t.dispose();
    expect(held).toBe(expected);
    m.dispose();
    expect(m.disposed).toBe(true);
    expect(() => m.forward(x)).toThrow(/after dispose/);
    expect(torch.memoryStats().hostBytes).toBe(before);
  });

  test('a compiled program reports its constants once (shared with the Parameters) and frees them on dispose()', () => {
    const model = new torch.nn.Sequential(new torch.nn.Linear(100, 100), new torch.nn.ReLU());
    model.forward(torch.randn(2, 100));
    const stats = torch.memoryStats();
    const { native } = require('../lib/native');
    // A second compiled copy of the same program holds the same storages: no more bytes.
    const w = model.parameters()[0];
    const program = new native.ProgramHandle({
      numRegs: 2, numInputs: 1, results: [1],
      steps: [{ op: native.op('aten::linear', ''), args: [{ $reg: 0 }, w.handle, null], outs: [1], where: 'test' }],
    });
    expect(torch.memoryStats().hostBytes).toBe(stats.hostBytes);
    program.dispose();
    expect(() => program.run([torch.randn(1, 100).handle])).toThrow(/after dispose/);
  });
});

describe('Module.to() keeps its Parameters (param.data = …)', () => {
  test('an optimizer made before .to(float64) goes on training the model; identity kept; the old storage freed', () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.ReLU(), new torch.nn.Linear(3, 2));
    const params = model.parameters();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = torch.randn(8, 4);
    model.forward(x).sum().backward(); // gradients exist before the move, and move with it
    const before = torch.memoryStats().hostBytes;
    model.to('float64');
    const after = torch.memoryStats().hostBytes;
    const params2 = model.parameters();
    expect(params2.length).toBe(params.length);
    params2.forEach((p, i) => {
      expect(p).toBe(params[i]);
      expect(p.dtype).toBe('float64');
      expect(p.grad!.dtype).toBe('float64');
      expect(p.requiresGrad).toBe(true);
    });
    // 2 × (4·3 + 3 + 3·2 + 2) = 46 elements, + their gradients: float32 → float64 adds 4 bytes each, and no float32 copy stays.
    expect(after - before).toBe(46 * 2 * 4);
    const w0 = params[0].clone();
    optimizer.zeroGrad();
    model.forward(x.double()).sum().backward();
    optimizer.step();
    expect(params[0].sub(w0).abs().sum().item()).toBeGreaterThan(0);
  });
});
