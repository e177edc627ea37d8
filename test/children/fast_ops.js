// Child process for fast_ops.test.ts: every operator that has an unboxed fast
// path (native/fast_ops.cpp), over dtypes and operand kinds, printed as JSON;
// the test runs it with NODETORCH_FAST_OPS=0 and without and compares.
// Usage: node fast_ops.js <dist/lib>
'use strict';
const torch = require(process.argv[2]);
const out = {};
const put = (k, f) => {
  try {
    const t = f();
    out[k] = { dtype: t.dtype, shape: t.shape, values: t.to('float64').flatten().tolist(), gradFn: t.gradFn };
  } catch (e) {
    out[k] = { error: `${e.name}: ${e.message}` };
  }
};
const bases = {
  f32: torch.tensor([[1.5, -2], [3, 0.25]]),
  f64: torch.tensor([[1.5, -2], [3, 0.25]], { dtype: 'float64' }),
  i64: torch.tensor([[1, -2], [3, 4]]),
  i32: torch.tensor([[1, -2], [3, 4]], { dtype: 'int32' }),
  u8: torch.tensor([[1, 2], [3, 4]], { dtype: 'uint8' }),
  bool: torch.tensor([[true, false], [true, true]]),
  grad: torch.tensor([[1.5, -2], [3, 0.25]], { requiresGrad: true }),
};
const others = { ...bases, int: 3, neg: -2, float: 2.5, big: 2 ** 40, row: torch.tensor([1, 2]) };
for (const [an, a] of Object.entries(bases)) {
  for (const [bn, b] of Object.entries(others)) {
    for (const op of ['add', 'sub', 'mul', 'div']) put(`${op}(${an},${bn})`, () => a[op](b));
    if (typeof b !== 'number') put(`matmul(${an},${bn})`, () => a.matmul(b));
  }
  for (const op of ['relu', 'sigmoid', 'tanh', 'sum']) put(`${op}(${an})`, () => a[op]());
  put(`view(${an})`, () => a.view(4));
  put(`view-1(${an})`, () => a.view(-1, 1));
  put(`reshape(${an})`, () => a.reshape(1, 4));
  put(`viewbad(${an})`, () => a.view(3));
}
const x = torch.arange(2 * 3 * 6 * 6, { dtype: 'float32' }).reshape(2, 3, 6, 6).div(100);
const w = torch.arange(4 * 3 * 3 * 3, { dtype: 'float32' }).reshape(4, 3, 3, 3).div(50);
put('conv2d', () => torch.nn.functional.conv2d(x, w));
put('conv2d bias stride', () => torch.nn.functional.conv2d(x, w, torch.ones(4), { stride: 2, padding: 1 }));
put('conv2d bad', () => torch.nn.functional.conv2d(x, torch.ones(4, 2, 3, 3)));
console.log(JSON.stringify(out));
