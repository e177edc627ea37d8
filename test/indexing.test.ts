// Python's indexing, x[...] and x[...] = v, as x.index(...) and x.indexPut_(...),
// against PyTorch (fixtures from scripts/make_indexing_fixtures.py).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { callOp, callT } from '../lib/ops';
import { decode, Encoded } from './helpers';

type Item = { int: number; bigint?: boolean } | { none: true } | { ellipsis: true } | { bool: boolean } | { slice: (number | null)[] } | { str: string } | { tensor: Encoded } | { list: unknown[] };
type Value = { number: number } | { bool: boolean } | { int: number; bigint: true } | { tensor: Encoded };
interface Err {
  type: string;
  message: string;
}
interface GetCase {
  expr: string;
  base: string;
  items: Item[];
  out?: Encoded;
  view?: boolean;
  error?: Err;
}
interface SetCase {
  expr: string;
  base: string;
  tuple: boolean;
  items: Item[];
  value: Value;
  out?: Encoded;
  error?: Err;
}
interface GradCase {
  expr: string;
  items: Item[];
  tuple?: boolean;
  value?: Encoded;
  out: Encoded;
  grad: Encoded;
  valueGrad?: Encoded;
}
const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'indexing.json'), 'utf8')) as {
  torch: string;
  bases: Record<string, Encoded>;
  get: GetCase[];
  set: SetCase[];
  grad: GradCase[];
};

function item(it: Item): torch.IndexItem {
  if ('int' in it) return it.bigint ? BigInt(it.int) : it.int;
  if ('none' in it) return null;
  if ('ellipsis' in it) return '...';
  if ('bool' in it) return it.bool;
  if ('slice' in it) return torch.slice(it.slice[0], it.slice[1], it.slice[2]);
  if ('str' in it) return it.str;
  if ('tensor' in it) return decode(it.tensor);
  return it.list as torch.IndexItem;
}

function value(v: Value): torch.Tensor | number | bigint | boolean {
  if ('tensor' in v) return decode(v.tensor);
  if ('bool' in v) return v.bool;
  if ('bigint' in v) return BigInt(v.int);
  return v.number;
}

/** Fresh copies of the base tensors (decode() makes new storage each call). */
const base = (name: string) => decode(fixtures.bases[name]);

function values(t: torch.Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
}

function expectTensor(t: torch.Tensor, e: Encoded): void {
  expect({ shape: t.shape, dtype: t.dtype, data: values(t) }).toEqual({ shape: e.shape, dtype: e.dtype, data: e.data });
}

/** True when `y` views `x`'s storage: some offset into x's storage gives y exactly (is_set_to compares the storage). */
function sharesStorage(x: torch.Tensor, y: torch.Tensor): boolean {
  const storageElems = x.numel() + 64;
  for (let offset = 0; offset < storageElems; offset++) {
    let view: torch.Tensor;
    try {
      view = callT('aten::as_strided', x, y.shape, y.stride(), offset);
    } catch {
      return false; // y's geometry does not fit x's storage
    }
    if (callOp('aten::is_set_to', view, y)) return true;
  }
  return false;
}

function expectError(f: () => unknown, e: Err): void {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(torch.TorchError);
  expect({ kind: (thrown as torch.TorchError).kind, message: (thrown as Error).message }).toEqual({ kind: e.type, message: e.message });
}

describe('x.index(...) against PyTorch', () => {
  test(`fixtures come from torch ${fixtures.torch}: ${fixtures.get.length} expressions`, () => {
    expect(fixtures.torch.startsWith('2.11')).toBe(true);
    expect(fixtures.get.filter((c) => c.out).length).toBeGreaterThanOrEqual(150);
  });

  test.each(fixtures.get.filter((c) => c.out).map((c) => [c.expr, c] as const))('%s', (_, c) => {
    const x = base(c.base);
    const before = values(x);
    const y = x.index(...c.items.map(item));
    expectTensor(y, c.out!);
    // A view shares x's storage (basic indexing); advanced indexing copies.
    expect(sharesStorage(x, y)).toBe(c.view);
    if (y.numel() > 0) {
      // Behaviourally: writing into the result changes x exactly when it is a view.
      y.fill_(y.dtype === 'bool' ? false : -1);
      const changed = values(x).some((v, i) => v !== before[i]);
      expect(changed).toBe(c.view);
    }
  });

  test.each(fixtures.get.filter((c) => c.error).map((c) => [c.expr, c] as const))('%s throws as PyTorch does', (_, c) => {
    const x = base(c.base);
    expectError(() => x.index(...c.items.map(item)), c.error!);
  });
});

describe('x.indexPut_(...) against PyTorch', () => {
  test(`${fixtures.set.length} assignments`, () => {
    expect(fixtures.set.filter((c) => c.out).length).toBeGreaterThanOrEqual(30);
  });

  test.each(fixtures.set.filter((c) => c.out).map((c) => [c.expr, c] as const))('%s', (_, c) => {
    const x = base(c.base);
    const items = c.items.map(item);
    const r = x.indexPut_(c.tuple ? items : items[0], value(c.value));
    expect(r).toBe(x);
    expectTensor(x, c.out!);
  });

  test.each(fixtures.set.filter((c) => c.error).map((c) => [c.expr, c] as const))('%s throws as PyTorch does', (_, c) => {
    const x = base(c.base);
    const items = c.items.map(item);
    expectError(() => x.indexPut_(c.tuple ? items : items[0], value(c.value)), c.error!);
  });
});

describe('autograd through indexing, against PyTorch', () => {
  const g0 = () => torch.arange(24, { dtype: 'float64' }).reshape(2, 3, 4).div(8).requiresGrad_();
  const weights = (shape: number[]) => torch.arange(shape.reduce((a, b) => a * b, 1), { dtype: 'float64' }).reshape(shape).add(1);

  test.each(fixtures.grad.filter((c) => !c.value).map((c) => [c.expr, c] as const))('%s', (_, c) => {
    const g = g0();
    const y = g.index(...c.items.map(item));
    expectTensor(y.detach(), c.out);
    y.mul(weights(y.shape)).sum().backward();
    expectTensor(g.grad!, c.grad);
  });

  test.each(fixtures.grad.filter((c) => c.value).map((c) => [c.expr, c] as const))('%s', (_, c) => {
    const g = g0();
    const v = decode(c.value!).requiresGrad_();
    const cl = g.clone();
    const items = c.items.map(item);
    cl.indexPut_(c.tuple ? items : items[0], v.mul(2));
    expectTensor(cl.detach(), c.out);
    cl.mul(weights(cl.shape)).sum().backward();
    expectTensor(g.grad!, c.grad);
    expectTensor(v.grad!, c.valueGrad!);
  });
});

test('indexPut_ into a leaf that requires grad throws, as in PyTorch', () => {
  const w = torch.zeros(3).requiresGrad_();
  expect(() => w.indexPut_(0, 1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
  expect(() => w.indexPut_([[0, 1]], 1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
  torch.noGrad(() => w.indexPut_(0, 1));
  expect(w.tolist()).toEqual([1, 0, 0]);
});

describe('index items: the TypeScript forms', () => {
  const x = torch.arange(24).reshape(2, 3, 4);

  test("slice strings are Python's slice syntax; torch.slice(stop) is Python's slice(stop)", () => {
    expect(x.index(':', '1:3', '::2').equal(x.index(torch.slice(null), torch.slice(1, 3), torch.slice(null, null, 2)))).toBe(true);
    expect(torch.slice(3).toString()).toBe(':3');
    expect(torch.slice(1, null).toString()).toBe('1:');
    expect(torch.slice({ start: 1, step: 2 }).toString()).toBe('1::2');
    expect(torch.slice().toString()).toBe(':');
    expect(x.index(torch.slice(1)).shape).toEqual([1, 3, 4]);
    expect(x.index(torch.ellipsis, 0).equal(x.index('...', 0))).toBe(true);
  });

  test('bigint items and bounds', () => {
    expect(x.index(1n, -1n).tolist()).toEqual([20, 21, 22, 23]);
    expect(x.index(torch.slice(0n, 2n ** 80n)).shape).toEqual([2, 3, 4]);
    expectError(() => x.index(2n ** 70n), { type: 'IndexError', message: `index ${2n ** 70n} is out of bounds for dimension 0 with size 2` });
  });

  test('bad items are TypeErrors naming the position', () => {
    expect(() => x.index(0, 1.5)).toThrow(/^index item 1 must be an integer, a slice .*got number 1\.5$/);
    expect(() => x.index('a')).toThrow(TypeError);
    expect(() => x.index(0, '1:2:3:4')).toThrow(/index item 1 must be .*not '\.\.\.' nor a slice/);
    expect(() => x.index(undefined as unknown as number)).toThrow(/index item 0 must be .*got undefined/);
    expect(() => x.index({} as unknown as number)).toThrow(/index item 0 must be .*got an object/);
    expect(() => x.index([0, 0.5])).toThrow(/index item 0\[1\] must be an integer or a boolean/);
    expect(() => x.index([[0], [1, 2]])).toThrow(/index item 0\[1\] must be an array of length 1/);
    expect(() => torch.slice(0.5, 2)).toThrow(/slice start must be an integer or null, got number 0\.5/);
    expect(() => torch.slice({ begin: 1 } as never)).toThrow(/unknown option 'begin' \(did you mean 'start'\?\)/);
    expect(() => torch.slice({ stride: 1 } as never)).toThrow(/unknown option 'stride' \(expected start, stop, step\)/);
    expect(() => torch.slice(1, 2, 3, 4 as never)).toThrow(/slice expected at most 3 arguments, got 4/);
    expect(() => x.indexPut_(0, 'a' as unknown as number)).toThrow(/value must be a Tensor, a number, a bigint or a boolean/);
  });

  test('an array given to indexPut_ is the tuple of items; anything else one item', () => {
    const a = torch.zeros(3, 3);
    a.indexPut_([0, 2], 1); // a[0, 2] = 1
    a.indexPut_([[1, 2]], 5); // a[[1, 2]] = 5
    a.indexPut_(torch.tensor([false, false, true]), 7); // a[mask] = 7
    expect(a.tolist()).toEqual([
      [0, 0, 1],
      [5, 5, 5],
      [7, 7, 7],
    ]);
  });

  test('views are views: writing through x.index(...) changes x', () => {
    const a = torch.zeros(2, 3);
    a.index(1, '1:').fill_(4);
    a.index('...', 0).add_(1);
    expect(a.tolist()).toEqual([
      [1, 0, 0],
      [1, 4, 4],
    ]);
    a.index([0, 1]).fill_(9); // advanced: a copy
    expect(a.sum().item()).toBe(10);
  });
});
