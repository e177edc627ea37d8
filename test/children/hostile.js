// Child process for hardening.test.ts: calls every function, method, getter and
// setter the native addon exports with hostile arguments and receivers. Any
// failure must be a thrown JS error; the process must survive to print its tally.
// Usage: node hostile.js <dist/lib> <scripted.pt>
'use strict';
const [dist, scripted] = process.argv.slice(2);
const torch = require(dist);
const { native } = require(`${dist}/native`);
const { callOp } = require(`${dist}/ops`);

process.on('warning', () => {});
const h = (t) => t.handle;
const disposed = torch.ones(3);
disposed.dispose();
const tensors = {
  float: h(torch.randn(3, 4)),
  zeroD: h(torch.tensor(5)),
  zeroDFloat: h(torch.tensor(0.5)),
  int: h(torch.arange(6)),
  bool: h(torch.tensor([true, false])),
  empty: h(torch.empty(0)),
  disposed: h(disposed),
  nested: h(callOp('aten::_nested_tensor_from_tensor_list', [torch.ones(2, 3), torch.ones(4, 3)])),
  sparse: h(callOp('aten::to_sparse', torch.eye(3))),
  meta: h(callOp('aten::empty.memory_format', [2, 2], undefined, undefined, 'meta')),
  requiresGrad: h(torch.randn(2, { requiresGrad: true })),
  half: h(torch.ones(2, { dtype: 'float16' })),
};
const gen = new torch.Generator();
const program = new native.ProgramHandle({ numRegs: 2, numInputs: 1, results: [1], steps: [{ op: native.op('aten::relu', ''), args: [{ $reg: 0 }], outs: [1], where: 'test' }] });
const disposedProgram = new native.ProgramHandle({ numRegs: 1, numInputs: 1, results: [0], steps: [] });
disposedProgram.dispose();
const jit = native.jitLoad(require('fs').readFileSync(scripted));
const disposedJit = native.jitLoad(require('fs').readFileSync(scripted));
disposedJit.dispose();

const cyclic = [];
cyclic.push(cyclic);
const values = [
  undefined, null, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53 + 2, 1e300, -0, 2n ** 70n, -(2n ** 64n), 5n,
  '', 'float32', 'cuda', 'cuda:99', 'meta', 'nope', 'aten::add', true, false, Symbol('s'),
  [], [1, 2], [[1]], [null], ['x'], [1.5], [-1], [2 ** 40, 2 ** 40], cyclic, new Array(5),
  {}, { $reg: 0 }, { $reg: -5 }, { $reg: 'a' }, { numRegs: 1e9, numInputs: 0, results: [], steps: [] },
  { numRegs: 2, numInputs: 3, results: [0], steps: [] }, { numRegs: 1, numInputs: 0, results: [5], steps: [{}] },
  new Uint8Array(0), new Uint8Array([1, 2, 3]), new Float32Array(4), new BigInt64Array(2), Buffer.from('PK\x03\x04garbage'),
  () => 1, new Date(), Object.create(null), gen, gen.handle, program, jit,
  Object.create(native.ProgramHandle.prototype),
  Object.create(native.GeneratorHandle.prototype), Object.create(native.ScriptModuleHandle.prototype),
  ...Object.values(tensors),
];
const receivers = [
  ...Object.values(tensors), program, disposedProgram, jit, disposedJit, gen.handle,
  {}, Object.create(native.ScriptModuleHandle.prototype),
];

let calls = 0;
let threw = 0;
const trace = process.env.HOSTILE_TRACE === '1';
function attempt(fn) {
  calls++;
  if (trace) require('fs').writeSync(2, `${calls} ${fn.toString().slice(0, 80)}\n`);
  try {
    const r = fn();
    if (r && typeof r.then === 'function') r.catch(() => {});
  } catch (e) {
    threw++;
    if (!(e instanceof Error)) throw new Error(`a non-Error was thrown: ${String(e)}`);
  }
}
// Argument lists: each hostile value alone, in second place, and a few long mixes.
const argLists = [[]];
for (const v of values) argLists.push([v], [tensors.float, v], [v, v, v]);
for (let i = 0; i < 40; i++) argLists.push(Array.from({ length: 6 }, (_, k) => values[(i * 7 + k * 13) % values.length]));

// Module functions (those that change process-wide settings are given safe receivers only).
const skip = new Set(['setErrorClass', 'setNumThreads', 'manualSeed', 'setGradEnabled']);
for (const [name, fn] of Object.entries(native)) {
  if (typeof fn !== 'function' || /^[A-Z]/.test(name)) continue;
  if (name === 'tensorDispose' || name === 'tensorSetData') continue; // would change the receivers: below
  for (const args of argLists) {
    if (skip.has(name) && args.length && typeof args[0] === 'number' && args[0] > 0 && args[0] < 100) continue;
    if (skip.has(name) && args.length === 1 && (typeof args[0] === 'boolean' || typeof args[0] === 'function')) continue;
    attempt(() => fn(...args));
  }
}
torch.setGradEnabled(true);
torch.setNumThreads(2);
// Classes: construction, then every method, getter and setter on every receiver.
for (const [name, cls] of Object.entries(native)) {
  if (typeof cls !== 'function' || !/^[A-Z]/.test(name)) continue;
  for (const args of argLists) attempt(() => new cls(...args));
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    for (const recv of receivers) {
      if (d.get) attempt(() => d.get.call(recv));
      if (d.set) for (const v of values) attempt(() => d.set.call(recv, v));
      if (typeof d.value === 'function') {
        if (key === 'dispose' && Object.values(tensors).includes(recv)) continue; // keep receivers alive
        if (key === 'setData') continue; // exercised below with receivers it may change
        for (const args of argLists.slice(0, 60)) attempt(() => d.value.apply(recv, args));
      }
    }
  }
}
// setData and dispose on throwaway tensors with every hostile value.
for (const v of values) {
  const t = torch.ones(2).handle;
  attempt(() => native.tensorSetData(t, v));
  attempt(() => native.tensorSetData(v, t));
  attempt(() => native.tensorDispose(v));
}
// Prefetch with a 0-d order, a float order, and disposed/foreign programs.
for (const order of [tensors.zeroD, tensors.zeroDFloat, tensors.float, tensors.sparse, tensors.nested, tensors.meta]) {
  attempt(() => new native.PrefetchHandle(program, [], order, 1, 1, 1).next());
}
attempt(() => new native.PrefetchHandle(disposedProgram, [], tensors.int, 1, 1, 1));
attempt(() => new native.PrefetchHandle({}, [], tensors.int, 1, 1, 1));
// The process is still well: it computes, and reports what it did.
const ok = torch.ones(4).mul(2).sum().item();
console.log(JSON.stringify({ calls, threw, ok }));
