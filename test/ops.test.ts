// torch.ops.<ns>.<op>: every operator the dispatcher knows; the Tensor methods and
// torch.* functions generated from the schemas (lib/generated/, scripts/gen_ops.js);
// expected values from PyTorch (scripts/make_ops_fixtures.py -> test/fixtures/ops.json).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { native } from '../lib/native';
import { generatedMethodNames } from '../lib/generated/ops';
import { GENERATED, camelCase } from '../lib/ops_namespace';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require('../scripts/gen_ops.js') as {
  generate(o: { schemas: unknown[]; wanted: unknown; handMethods: Set<string>; handFunctions: Set<string>; version: string }): { ops: string; functions: string };
  handWritten(t: unknown): { handMethods: Set<string>; handFunctions: Set<string> };
};

const ROOT = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const E: Record<string, any> = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'ops.json'), 'utf8'));
const x = torch.tensor(E.x as number[][]);
const ints = torch.tensor(E.ints as number[]);
const idx = torch.tensor(E.idx as number[][]);
const mask = x.gt(4);

/** Values equal to PyTorch's within float32 rounding (exact for integers and booleans). */
function close(got: unknown, want: unknown): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got)).toBe(true);
    expect((got as unknown[]).length).toBe(want.length);
    want.forEach((w, i) => close((got as unknown[])[i], w));
  } else if (typeof want === 'number' && !Number.isInteger(want)) {
    expect(got as number).toBeCloseTo(want, 4);
  } else {
    expect(got).toEqual(want);
  }
}
const list = (t: torch.Tensor | torch.Tensor[] | Iterable<torch.Tensor>): unknown => (t instanceof torch.Tensor ? t.tolist() : Array.from(t, (v) => v.tolist()));

function libFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('native.operatorSchemas', () => {
  const schemas = torch.operatorSchemas();
  test('lists every aten overload the dispatcher has, structured', () => {
    const aten = schemas.filter((s) => s.name.startsWith('aten::'));
    expect(aten.length).toBeGreaterThan(2500);
    const topk = schemas.find((s) => s.name === 'aten::topk' && s.overloadName === '')!;
    expect(topk.arguments.map((a) => [a.name, a.type, a.hasDefault, a.kwargOnly])).toEqual([
      ['self', 'Tensor', false, false],
      ['k', 'SymInt', false, false],
      ['dim', 'int', true, false],
      ['largest', 'bool', true, false],
      ['sorted', 'bool', true, false],
    ]);
    expect(topk.arguments[2].default).toBe(-1);
    expect(topk.returns.map((r) => r.name)).toEqual(['values', 'indices']);
    expect(topk.isMutable).toBe(false);
    const addOut = schemas.find((s) => s.name === 'aten::add' && s.overloadName === 'out')!;
    expect(addOut.isMutable).toBe(true);
    expect(addOut.arguments.find((a) => a.name === 'out')).toMatchObject({ kwargOnly: true, isOut: true, isWrite: true, alias: '(a!)' });
    const pool = schemas.find((s) => s.name === 'aten::max_pool2d' && s.overloadName === '')!;
    expect(pool.arguments[1]).toMatchObject({ type: 'int[]', N: 2 });
    const sum = schemas.find((s) => s.name === 'aten::sum' && s.overloadName === '')!;
    expect(sum.arguments.find((a) => a.name === 'dtype')).toMatchObject({ type: 'ScalarType?', kwargOnly: true, default: null });
    // The overloads of a name in the order Python tries them (registration order).
    expect(schemas.filter((s) => s.name === 'aten::add').map((s) => s.overloadName)).toEqual(['Tensor', 'Scalar', 'out', 'Scalar_out']);
  });
});

describe('torch.ops', () => {
  test('by overload, by position and by name', () => {
    close(torch.ops.aten.add.Tensor(x, x, { alpha: 2 }).tolist(), E.ops_add_alpha);
    close((torch.ops.aten.sum.dim_IntList(x, [1], { keepdim: true }) as torch.Tensor).tolist(), E.ops_sum_dim);
    close((torch.ops.aten.sum.dim_IntList(x, { dim: [1], keepdim: true }) as torch.Tensor).tolist(), E.ops_sum_dim);
    expect(torch.ops.aten.max.default.schema).toBe('aten::max(Tensor self) -> Tensor');
    expect(torch.ops.aten.max.default.qualifiedName).toBe('aten::max');
  });

  test('a packet resolves the overload as Python does', () => {
    close((torch.ops.aten.add(x, 2) as torch.Tensor).tolist(), E.ops_add_scalar);
    expect(torch.ops.aten.add.resolve(x, 2)).toBe('aten::add.Tensor'); // a number may stand for a Tensor in add
    expect(torch.ops.aten.eq.resolve(x, 2)).toBe('aten::eq.Scalar'); // not in eq
    expect(torch.ops.aten.max.resolve(x)).toBe('aten::max');
    expect(torch.ops.aten.max.resolve(x, 1)).toBe('aten::max.dim');
    expect(torch.ops.aten.max.resolve(x, x)).toBe('aten::max.other');
    expect(torch.ops.aten.sort.resolve(x, { stable: true })).toBe('aten::sort.stable');
    close(list(torch.ops.aten.max(x, 1) as torch.Tensor[]), E.ops_max_dim);
    close(list(torch.ops.aten.topk(x, 1, { largest: false }) as torch.Tensor[]), E.ops_topk_kw);
    expect(torch.ops.aten.add.overloads()).toEqual(['Tensor', 'Scalar', 'out', 'Scalar_out']);
    expect('topk' in torch.ops.aten).toBe(true);
    expect('topkk' in torch.ops.aten).toBe(false);
    expect(Object.keys(torch.ops)).toContain('quantized');
  });

  test('errors name the argument and close matches', () => {
    expect(() => torch.ops.aten.topkk).toThrow(/no operator 'topkk'; did you mean 'topk'/);
    expect(() => torch.ops.aten.maskedFill).toThrow(/did you mean 'masked_fill'/);
    expect(() => torch.ops.aten.add.Tensr).toThrow(/no overload 'Tensr'; did you mean 'Tensor'/);
    expect(() => torch.ops.atne).toThrow(/no namespace 'atne'; did you mean 'aten'/);
    expect(() => torch.ops.aten.topk(x, 1, { keep_dim: true })).toThrow(TypeError);
    expect(() => torch.ops.aten.sum.dim_IntList(x, [1], { keep_dim: true })).toThrow(/unknown option 'keep_dim'/);
    expect(() => torch.ops.aten.max_pool2d(x, 2, { ceil_mode: true })).toThrow(/did you mean 'ceilMode'/);
    expect(() => torch.ops.aten.add(x, 'a')).toThrow(/no overload fits[\s\S]*aten::add.Tensor: argument 'other' must be Tensor, got the string "a"/);
    expect(() => torch.ops.aten.topk(x)).toThrow(/missing argument 'k'/);
    expect(() => torch.ops.aten.topk.default(x, 1, 0, true, true, 5)).toThrow(/takes 5 positional arguments, got 6/);
    // Errors from LibTorch itself stay TorchErrors.
    expect(() => torch.ops.aten.mm(x, x)).toThrow(torch.TorchError);
  });
});

describe('every operator named in lib/ resolves', () => {
  test("each 'aten::…' literal of lib/**/*.ts is in the dispatcher", () => {
    const names = new Set<string>();
    for (const f of libFiles(path.join(ROOT, 'lib'))) {
      // Code only: comments may mention example names.
      const code = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of code.matchAll(/['"`](aten::[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)['"`]/g)) names.add(m[1]);
    }
    expect(names.size).toBeGreaterThan(500);
    const missing: string[] = [];
    for (const q of names) {
      const dot = q.indexOf('.', 6);
      try {
        native.op(dot < 0 ? q : q.slice(0, dot), dot < 0 ? '' : q.slice(dot + 1));
      } catch {
        missing.push(q);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every generated method and function is attached and callable by its schemas', () => {
    expect(generatedMethodNames.length).toBeGreaterThan(250);
    const proto = torch.Tensor.prototype as unknown as Record<string, unknown>;
    for (const name of generatedMethodNames) {
      expect(typeof proto[name]).toBe('function');
      expect((proto[name] as Record<symbol, unknown>)[GENERATED]).toBe(true);
    }
    const fns = Object.entries(torch).filter(([, v]) => typeof v === 'function' && (v as unknown as Record<symbol, unknown>)[GENERATED]);
    expect(fns.length).toBeGreaterThan(290);
    const wanted = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'ops_wanted.json'), 'utf8')) as Record<string, { jsName?: string }>;
    const jsNames = new Set(Object.entries(wanted).map(([n, w]) => w.jsName ?? camelCase(n)));
    for (const [name] of fns) expect(jsNames.has(name)).toBe(true);
  });

  test('the generated files are what the generator makes from this LibTorch', () => {
    const wanted = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'ops_wanted.json'), 'utf8'));
    const { handMethods, handFunctions } = gen.handWritten(torch);
    const out = gen.generate({ schemas: native.operatorSchemas(), wanted, handMethods, handFunctions, version: native.config().libtorchVersion });
    for (const [file, text] of [
      ['ops.ts', out.ops],
      ['functions.ts', out.functions],
    ]) {
      const committed = fs.readFileSync(path.join(ROOT, 'lib', 'generated', file), 'utf8');
      if (committed !== text) throw new Error(`lib/generated/${file} differs from what the schemas give: run node scripts/gen_ops.js`);
    }
  });

  test('hand-written methods and functions win over generated ones', () => {
    expect((torch.Tensor.prototype.gather as unknown as Record<symbol, unknown>)[GENERATED]).toBeUndefined();
    expect((torch.where as unknown as Record<symbol, unknown>)[GENERATED]).toBeUndefined();
    expect((torch.Tensor.prototype.topk as unknown as Record<symbol, unknown>)[GENERATED]).toBe(true);
  });
});

describe('generated operators against PyTorch', () => {
  test('topk, sort, argsort', () => {
    const t = x.topk(2);
    close([t.values.tolist(), t.indices.tolist()], E.topk);
    const [v, i] = x.topk(2, { dim: 0, largest: false });
    close([v.tolist(), i.tolist()], E.topk_dim0_smallest);
    close(list(x.sort()), E.sort);
    close(list(x.sort(0, true)), E.sort_desc_dim0);
    close(list(torch.sort(ints, { stable: true })), E.sort_stable);
    close(x.argsort({ dim: 1, descending: true }).tolist(), E.argsort_desc);
  });

  test('bincount, maskedFill, gather, scatter, scatter_, scatterAdd', () => {
    close(torch.bincount(ints).tolist(), E.bincount);
    close(ints.bincount({ weights: torch.arange(7).float(), minlength: 10 }).tolist(), E.bincount_weights_minlength);
    close(x.maskedFill(mask, -1).tolist(), E.masked_fill);
    close(torch.gather(x, 1, idx).tolist(), E.gather);
    const src = x.narrow(1, 0, 2).contiguous();
    close(torch.zeros([3, 4]).scatter(1, idx, src).tolist(), E.scatter);
    close(torch.zeros([3, 4]).scatter(1, idx, 7).tolist(), E.scatter_value);
    const z = torch.zeros([3, 4]);
    expect(z.scatter_(1, idx, 7)).toBe(z); // in place: returns the same Tensor
    close(z.tolist(), E.scatter_value);
    close(torch.zeros([3, 4]).scatterAdd(1, idx, torch.ones([3, 2])).tolist(), E.scatter_add);
    const m = x.clone();
    expect(m.maskedFill_(mask, -1)).toBe(m);
    close(m.tolist(), E.masked_fill);
  });

  test('cumsum, cumprod, einsum, nonzero, unique', () => {
    close(x.cumsum(1).tolist(), E.cumsum);
    close(torch.cumsum(ints, 0).tolist(), E.cumsum_int_dtype);
    expect(`torch.${torch.cumsum(ints, 0, { dtype: 'float64' }).dtype}`).toBe(E.cumsum_float64);
    close(x.cumprod(0).tolist(), E.cumprod);
    close(torch.einsum('ij,kj->ik', [x, x]).tolist(), E.einsum_matmul);
    close(torch.einsum('ii', [x.narrow(1, 0, 3)]).item(), E.einsum_trace);
    close(mask.nonzero().tolist(), E.nonzero);
    close(torch.unique(ints).tolist(), E.unique);
    close(list(ints.unique({ returnInverse: true, returnCounts: true })), E.unique_all);
    close(list(torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), { dim: 0, returnCounts: true })), E.unique_dim);
    expect(() => torch.unique(ints, { return_counts: true } as never)).toThrow(/did you mean 'returnCounts'/);
  });

  test('where, clampMin, kthvalue, median, mode, logsumexp, aminmax, std', () => {
    close(torch.where(mask, x, 0).tolist(), E.where_scalar);
    close(x.where(mask, torch.fullLike(x, 10)).tolist(), E.where_method);
    close(x.clampMin(3).tolist(), E.clamp_min);
    close(list(x.kthvalue(2, 1)), E.kthvalue);
    close(list(x.median(1)), E.median_dim);
    close(list(torch.tensor([[1, 2, 2], [3, 3, 1]]).mode(1)), E.mode);
    close(x.logsumexp(1).tolist(), E.logsumexp);
    const mm = x.aminmax();
    close([mm.min.tolist(), mm.max.tolist()], E.aminmax);
    close(list(mm), E.aminmax);
    close(x.std(1).tolist(), E.std_dim);
    const sm = torch.stdMean(x, { dim: [0] });
    close(list(sm), E.std_mean);
  });

  test('shape and indexing helpers', () => {
    close(ints.narrow(0, 0, 3).repeatInterleave(2).tolist(), E.repeat_interleave);
    close(x.roll(1, 1).tolist(), E.roll);
    close(x.tril().tolist(), E.tril);
    close(x.triu(1).tolist(), E.triu_1);
    close(x.narrow(1, 0, 3).diag().tolist(), E.diag);
    close(x.narrow(0, 0, 1).narrow(1, 0, 2).repeat(2, 3).tolist(), E.repeat); // varargs int list
    close(torch.zeros([3, 4]).indexAdd(0, torch.tensor([0, 0, 2]), x).tolist(), E.index_add);
    close(x.maskedSelect(mask).tolist(), E.masked_select);
    close(x.norm().item(), E.norm);
    close(x.norm(1, 1).tolist(), E.norm_p1_dim);
    const nz = x.newZeros([2, 3]);
    expect([nz.shape, `torch.${nz.dtype}`]).toEqual(E.new_zeros);
    close(x.lerp(torch.zerosLike(x), 0.25).tolist(), E.lerp);
    close(x.addcmul(x, x, { value: 0.5 }).tolist(), E.addcmul);
    close(torch.isclose(x, x.add(1e-6)).tolist(), E.isclose);
    expect([x.isFloatingPoint(), ints.isFloatingPoint()]).toEqual(E.is_floating_point);
  });

  test('torch.* forms of nn.functional operators', () => {
    close(torch.maxPool2d(x.view(1, 1, 3, 4), 2).tolist(), E.max_pool2d);
    close(torch.maxPool2d(x.view(1, 1, 3, 4), 2, { stride: 1, ceilMode: true }).tolist(), E.max_pool2d_stride1_ceil);
    close(torch.avgPool1d(x.view(1, 3, 4), 2).tolist(), E.avg_pool1d);
    close(torch.logSoftmax(x, 1).tolist(), E.log_softmax);
  });

  test('the calling rule: unknown, snake_case and misplaced arguments are TypeErrors', () => {
    expect(() => x.topk(2, { keep_dim: true } as never)).toThrow(TypeError);
    expect(() => x.topk(2, { sorted_: true } as never)).toThrow(/unknown option 'sorted_'; did you mean 'sorted'/);
    expect(() => torch.maxPool2d(x.view(1, 1, 3, 4), 2, { ceil_mode: true } as never)).toThrow(/torch.maxPool2d \(aten::max_pool2d\): unknown option 'ceil_mode'; did you mean 'ceilMode'/);
    expect(() => x.sort({ stabl: true } as never)).toThrow(/Tensor.sort: unknown option 'stabl'; did you mean 'stable'/);
    expect(() => x.topk(2, 1, { dim: 0 })).toThrow(/argument 'dim' given twice/);
    expect(() => x.topk(1.5 as number)).toThrow(/argument 'k' must be SymInt, got number 1.5/);
    expect(() => (torch.topk as (...a: unknown[]) => unknown)(x)).toThrow(/torch.topk \(aten::topk\): missing argument 'k'/);
    expect(() => x.sort('a' as never)).toThrow(/Tensor.sort: no overload fits/);
  });
});
