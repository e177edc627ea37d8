// Nothing a caller does aborts the process: workers terminated mid-call, and
// every native entry point walked with hostile arguments. Both run in child
// processes, so an abort shows up as a failed test with its output.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as torch from '../lib';

const DIST = path.join(__dirname, '..', 'dist', 'lib');
const SCRIPTED = path.join(__dirname, 'fixtures', 'py_small_scripted.pt');
const CHILDREN = path.join(__dirname, 'children');

function runChild(script: string, args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, [path.join(CHILDREN, script), DIST, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const tail = (s: string) => s.split('\n').filter((l) => !l.includes('Warning:')).slice(-15).join('\n');
  if (r.status !== 0) throw new Error(`child ${script} ${args.join(' ')} ended with ${r.status ?? r.signal}:\n${tail(r.stderr)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('terminating a worker inside a nodetorch call never kills the host', () => {
  test.each(['ops', 'loader0', 'loader2', 'jit'])('%s: 50 terminations, then the host computes', (kind) => {
    const r = runChild('terminate.js', [kind, '50', SCRIPTED]);
    expect(r.terminated).toBe(50);
    expect(r.sum).toBe(3);
  });

  test('in this process too: a worker terminated mid-loop, then more work here', async () => {
    for (let i = 0; i < 5; i++) {
      const w = new Worker(`const torch = require(${JSON.stringify(DIST)}); require('worker_threads').parentPort.postMessage(1); for (;;) torch.ones(10).sum();`, { eval: true });
      await new Promise((r) => w.once('message', r));
      await w.terminate();
    }
    expect(torch.ones(5).sum().item()).toBe(5);
  });
});

describe('every native entry point is guarded', () => {
  test('all exported functions, constructors, methods, getters and setters, with hostile arguments and receivers', () => {
    const r = runChild('hostile.js', [SCRIPTED]);
    expect(r.calls).toBeGreaterThan(20000);
    expect(r.threw).toBeGreaterThan(10000); // most hostile calls are refused with a JS error...
    expect(r.ok).toBe(8); // ...and the process still computes
  });

  test('a nested tensor (as TorchScript can return) reports a clear error for its shape', () => {
    const { callOp } = require('../lib/ops');
    const nested = callOp('aten::_nested_tensor_from_tensor_list', [torch.ones(2, 3), torch.ones(4, 3)]) as torch.Tensor;
    expect(() => nested.shape).toThrow(/NestedTensorImpl doesn't support sizes/);
  });

  test('an object made from a handle prototype is not taken for a handle', () => {
    const { native } = require('../lib/native');
    const fake = Object.create(native.TensorHandle.prototype);
    expect(() => torch.ones(2).add(new (torch.Tensor as unknown as new (h: unknown) => torch.Tensor)(fake))).toThrow();
    const getShape = Object.getOwnPropertyDescriptor(native.TensorHandle.prototype, 'shape')!.get!;
    const gen = new torch.Generator();
    expect(() => getShape.call(gen.handle)).toThrow(/Tensor method was called on another object/);
  });

  test('a prefetch thread given a 0-d order is refused before it starts', () => {
    const { native } = require('../lib/native');
    const program = new native.ProgramHandle({ numRegs: 1, numInputs: 1, results: [0], steps: [] });
    expect(() => new native.PrefetchHandle(program, [], torch.tensor(3).handle, 1, 1, 1)).toThrow(/order must be a 1-D integer tensor/);
  });
});
