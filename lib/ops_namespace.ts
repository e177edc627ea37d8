// torch.ops.<namespace>.<name>[.<overload>]: every operator the dispatcher
// knows, called by its schema; and the overload resolution and argument
// binding that the generated methods and functions (lib/generated/) share.
// See docs/operators.md.
import { editDistance } from './signature';
import { native } from './native';
import { callOp, OpArg, OpResult } from './ops';
import { isTensor, Tensor, ValuesIndices } from './tensor';
import { checkDtype, isDtype } from './dtype';

// ------------------------------------------------------------------ schemas

/** One argument of an operator schema, as native.operatorSchemas() gives it. */
export interface SchemaArgument {
  /** The schema's (snake_case) name. */
  name: string;
  /** The type as the schema writes it: 'Tensor', 'int[]', 'Scalar?', ... */
  type: string;
  /** The fixed size of a list (`int[2]`), which a single number may stand for. */
  N?: number;
  hasDefault: boolean;
  /** The default, as the JS value that means it (dtypes by name). */
  default?: unknown;
  /** After `*` in the schema: given only by name, in the options object. */
  kwargOnly: boolean;
  /** An `out=` argument. */
  isOut?: boolean;
  /** Alias annotation, e.g. '(a!)'. */
  alias?: string;
  isWrite?: boolean;
}
export interface SchemaReturn {
  name: string;
  type: string;
  alias?: string;
  isWrite?: boolean;
}
/** An operator schema: what the dispatcher knows of one overload. */
export interface OperatorSchema {
  /** 'aten::topk' */
  name: string;
  /** '' for the default overload. */
  overloadName: string;
  arguments: SchemaArgument[];
  returns: SchemaReturn[];
  isMutable: boolean;
  isVararg: boolean;
  tags: string[];
  /** The schema as text. */
  schema: string;
}

let schemaList: OperatorSchema[] | undefined;
let byName: Map<string, OperatorSchema[]> | undefined;

/** Every operator schema the dispatcher of this LibTorch knows (read once, on first use). */
export function operatorSchemas(): readonly OperatorSchema[] {
  if (!schemaList) schemaList = native.operatorSchemas() as OperatorSchema[];
  return schemaList;
}

function schemasByName(): Map<string, OperatorSchema[]> {
  if (!byName) {
    byName = new Map();
    for (const s of operatorSchemas()) {
      let list = byName.get(s.name);
      if (!list) byName.set(s.name, (list = []));
      list.push(s);
    }
  }
  return byName;
}

/** snake_case → camelCase, keeping leading underscores: `kernel_size` → `kernelSize`. */
export function camelCase(name: string): string {
  const lead = /^_*/.exec(name)![0];
  return lead + name.slice(lead.length).replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

// ------------------------------------------------------------------ binding

/** What the binder needs of an argument (schemas and the generated tables both give it). */
export interface BindArg {
  name: string;
  /** The key of the options object: camelCase of the name. */
  key: string;
  type: string;
  N?: number;
  hasDefault: boolean;
  kwargOnly: boolean;
}
export interface BindSchema {
  /** The name callOp takes: aten::topk for the default overload, aten::max.dim for another. */
  qualified: string;
  args: BindArg[];
  /** A number may stand for a Tensor argument (Python allows it for add, sub, mul, div and a few more). */
  numbersAsTensors: boolean;
}

// Python lets a number stand for a Tensor argument when resolving the
// overloads of these operators only (torch.ops.aten.add(t, 2) is add.Tensor).
const NUMBERS_AS_TENSORS = new Set(
  ['add', 'sub', 'mul', 'div', 'divide', 'multiply', 'subtract', 'true_divide', 'floor_divide']
    .flatMap((n) => [n, `${n}_`])
    .concat(['to', '_to_copy', 'copy_', '_conj']),
);
export function allowsNumbersAsTensors(qualified: string): boolean {
  const m = /^aten::([^.]+)/.exec(qualified);
  return m !== null && NUMBERS_AS_TENSORS.has(m[1]);
}

export function isPlainOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isTensor(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const isInteger = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
const isScalar = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
const isGenerator = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && (v as { handle?: unknown }).handle instanceof native.GeneratorHandle;

/** Converts `v` to what the argument of `type` takes, or returns NO_MATCH. */
const NO_MATCH = Symbol('no match');
function convertValue(type: string, N: number | undefined, v: unknown, numbersAsTensors: boolean): unknown {
  if (type.endsWith('?')) {
    if (v === null) return null;
    return convertValue(type.slice(0, -1), N, v, numbersAsTensors);
  }
  if (type.endsWith('[]')) {
    const elem = type.slice(0, -2);
    let items: unknown[];
    if (Array.isArray(v)) items = v;
    else if ((elem === 'int' || elem === 'SymInt') && N !== undefined && isInteger(v)) return v;
    else return NO_MATCH;
    const out: unknown[] = [];
    for (const x of items) {
      const c = convertValue(elem, undefined, x, false);
      if (c === NO_MATCH) return NO_MATCH;
      out.push(c);
    }
    return out;
  }
  switch (type) {
    case 'Tensor':
      return isTensor(v) || (numbersAsTensors && isScalar(v)) ? v : NO_MATCH;
    case 'int':
    case 'SymInt':
      return isInteger(v) ? v : NO_MATCH;
    case 'float':
    case 'SymFloat':
      return typeof v === 'number' || typeof v === 'bigint' ? v : NO_MATCH;
    case 'bool':
    case 'SymBool':
      return typeof v === 'boolean' ? v : NO_MATCH;
    case 'Scalar':
      return isScalar(v) ? v : NO_MATCH;
    case 'str':
    case 'Layout':
    case 'MemoryFormat':
    case 'Device':
      return typeof v === 'string' ? v : NO_MATCH;
    case 'ScalarType':
      return isDtype(v) ? checkDtype('dtype', v) : NO_MATCH;
    case 'Generator':
      return isGenerator(v) ? v : NO_MATCH;
    default:
      return NO_MATCH; // a type JavaScript cannot give (Dimname lists are str, classes, Storage, Stream, Any...)
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (isTensor(v)) return 'a Tensor';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v)}`;
  if (typeof v === 'object') return isGenerator(v) ? 'a Generator' : 'an object';
  return `${typeof v} ${String(v)}`;
}


/** Up to three of `candidates` close to `name` (compared in snake_case and lower case). */
export function closeMatches(name: string, candidates: Iterable<string>): string[] {
  const norm = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const n = norm(name);
  const limit = Math.max(2, Math.floor(n.length / 3));
  const scored: [number, string][] = [];
  for (const c of candidates) {
    const cn = norm(c);
    const dist = cn === n ? 0 : Math.min(n.length, cn.length) >= 3 && (cn.startsWith(n) || n.startsWith(cn)) ? 1 : editDistance(n, cn);
    if (dist <= limit) scored.push([dist, c]);
  }
  return scored
    .sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1))
    .slice(0, 3)
    .map((x) => x[1]);
}

export class BindError extends TypeError {
  constructor(
    message: string,
    /** An unknown or misspelt option key: the whole call is wrong, whatever the overload. */
    readonly badKey = false,
  ) {
    super(message);
  }
}

/**
 * Binds JS arguments to a schema's positions: positional ones in order (the
 * method's receiver goes to the argument named `self`), then a trailing plain
 * object by camelCase name. Returns the values to call with (undefined = the
 * schema's default) or throws a BindError saying why they do not fit.
 */
export function bindArguments(s: BindSchema, given: readonly unknown[], options: Record<string, unknown> | undefined, self?: Tensor): unknown[] {
  const formals = s.args;
  const out: unknown[] = new Array(formals.length);
  const set: boolean[] = new Array(formals.length).fill(false);
  const positional: number[] = [];
  let selfIndex = -1;
  if (self !== undefined) {
    selfIndex = formals.findIndex((a) => a.name === 'self');
    if (selfIndex < 0) throw new BindError(`${s.qualified}: has no 'self' argument`);
    out[selfIndex] = self;
    set[selfIndex] = true;
  }
  for (let i = 0; i < formals.length; i++) if (!formals[i].kwargOnly && i !== selfIndex) positional.push(i);
  let args = given;
  // `x.view(2, 3)` for `view(SymInt[] size)`: Python's varargs int list.
  if (positional.length === 1 && args.length >= 1 && /^(Sym)?[Ii]nt\[\]/.test(formals[positional[0]].type) && args.every(isInteger)) args = [args];
  if (args.length > positional.length) {
    throw new BindError(`${s.qualified}: takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'}${self ? ' besides self' : ''}, got ${args.length}`);
  }
  for (let i = 0; i < args.length; i++) {
    out[positional[i]] = args[i];
    set[positional[i]] = args[i] !== undefined;
  }
  if (options) {
    for (const key of Object.keys(options)) {
      if (options[key] === undefined) continue;
      const i = formals.findIndex((a) => a.key === key);
      if (i < 0 || i === selfIndex) {
        const snake = formals.find((a) => a.name === key && a.key !== key);
        if (snake) throw new BindError(`${s.qualified}: unknown option '${key}'; did you mean '${snake.key}'?`, true);
        const near = closeMatches(key, formals.filter((_, j) => j !== selfIndex).map((a) => a.key));
        throw new BindError(`${s.qualified}: unknown option '${key}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''}`, true);
      }
      if (set[i]) throw new BindError(`${s.qualified}: argument '${formals[i].key}' given twice (by position and by name)`);
      out[i] = options[key];
      set[i] = true;
    }
  }
  for (let i = 0; i < formals.length; i++) {
    const a = formals[i];
    if (!set[i]) {
      out[i] = undefined;
      if (!a.hasDefault && !a.type.endsWith('?')) throw new BindError(`${s.qualified}: missing argument '${a.key}' (${a.type})`);
      continue;
    }
    const c = convertValue(a.type, a.N, out[i], s.numbersAsTensors);
    if (c === NO_MATCH) throw new BindError(`${s.qualified}: argument '${a.key}' must be ${a.type}${a.N ? ` (or one int for all ${a.N})` : ''}, got ${describe(out[i])}`);
    out[i] = c;
  }
  return out;
}

/**
 * Python's rule for a call without an overload name: the overloads in the
 * dispatcher's order, the first whose arguments fit. A number stands for a
 * Tensor argument in a first pass only where Python allows it; if nothing fits,
 * a second pass lets it (the dispatcher takes it as a wrapped number).
 */
export function resolveOverload<S extends BindSchema>(what: string, overloads: readonly S[], given: readonly unknown[], options: Record<string, unknown> | undefined, self?: Tensor): { schema: S; args: unknown[] } {
  const reasons: string[] = [];
  let allBadKeys = true;
  for (const pass of [false, true]) {
    for (const s of overloads) {
      if (pass && s.numbersAsTensors) continue;
      const schema = pass ? { ...s, numbersAsTensors: true } : s;
      try {
        return { schema, args: bindArguments(schema, given, options, self) };
      } catch (e) {
        if (!(e instanceof BindError)) throw e;
        if (!e.badKey) allBadKeys = false;
        if (!pass) reasons.push(`${s.qualified}: ${e.message.slice(s.qualified.length + 2)}`);
      }
    }
  }
  const prefix = overloads.length === 1 && what !== overloads[0].qualified ? `${what} (${overloads[0].qualified})` : what;
  if (allBadKeys && options) {
    // An option no overload knows: name it, with the closest keys of all overloads.
    const keys = new Set(overloads.flatMap((s) => s.args.filter((a) => !(self && a.name === 'self')).map((a) => a.key)));
    const snake = new Map(overloads.flatMap((s) => s.args.map((a) => [a.name, a.key] as const)));
    const bad = Object.keys(options).find((k) => options[k] !== undefined && !keys.has(k))!;
    const near = snake.has(bad) && snake.get(bad) !== bad ? [snake.get(bad)!] : closeMatches(bad, keys);
    throw new TypeError(`${prefix}: unknown option '${bad}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''}`);
  }
  if (overloads.length === 1) throw new TypeError(`${prefix}: ${reasons[0].slice(reasons[0].indexOf(': ') + 2)}`);
  throw new TypeError(`${what}: no overload fits these arguments:\n${reasons.map((r) => `  ${r}`).join('\n')}`);
}

function splitOptions(args: unknown[]): [unknown[], Record<string, unknown> | undefined] {
  if (args.length && isPlainOptions(args[args.length - 1])) return [args.slice(0, -1), args[args.length - 1] as Record<string, unknown>];
  return [args, undefined];
}

// ------------------------------------------------------------------ torch.ops

function bindSchemaOf(s: OperatorSchema): BindSchema {
  return {
    qualified: s.overloadName ? `${s.name}.${s.overloadName}` : s.name,
    args: s.arguments.map((a) => ({ name: a.name, key: camelCase(a.name), type: a.type, N: a.N, hasDefault: a.hasDefault, kwargOnly: a.kwargOnly })),
    numbersAsTensors: allowsNumbersAsTensors(s.name),
  };
}

/**
 * One overload: `torch.ops.aten.add.Tensor`. Callable; `.schema` is its schema as text. What it returns
 * depends on the schema (a Tensor, a number, an array for a tuple), so it is typed `any`, as in Python.
 */
export interface OpOverload {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (...args: unknown[]): any;
  readonly qualifiedName: string;
  readonly overloadName: string;
  readonly schema: string;
  readonly arguments: readonly SchemaArgument[];
  readonly returns: readonly SchemaReturn[];
}
interface OpPacketBase {
  /** Calls the first overload whose arguments fit, as Python's OpOverloadPacket. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (...args: unknown[]): any;
  readonly qualifiedName: string;
  /** The overload names, in the order they are tried ('default' for the unnamed one). */
  overloads(): string[];
  /** Which overload a call with these arguments would run (its qualified name), without running it. */
  resolve(...args: unknown[]): string;
}
/** All overloads of a name: `torch.ops.aten.add`; each overload is a property (`default` for the unnamed one). */
export type OpPacket = OpPacketBase & { readonly [overload: string]: OpOverload };
export type OpNamespace = { readonly [name: string]: OpPacket };

function callBound(schema: BindSchema, args: unknown[]): OpResult | undefined {
  return callOp(schema.qualified, ...(args as OpArg[]));
}

function makeOverload(s: OperatorSchema): OpOverload {
  const b = bindSchemaOf(s);
  // Given its overload explicitly, a number may stand for any Tensor argument.
  const lenient = { ...b, numbersAsTensors: true };
  const fn = (...all: unknown[]) => {
    const [args, options] = splitOptions(all);
    try {
      return callBound(lenient, bindArguments(lenient, args, options));
    } catch (e) {
      if (e instanceof BindError) throw new TypeError(e.message);
      throw e;
    }
  };
  Object.defineProperties(fn, {
    name: { value: b.qualified },
    qualifiedName: { value: b.qualified, enumerable: true },
    overloadName: { value: s.overloadName || 'default', enumerable: true },
    schema: { value: s.schema, enumerable: true },
    arguments: { value: s.arguments },
    returns: { value: s.returns },
  });
  return fn as unknown as OpOverload;
}

// Property reads that tools make on any object (promises, inspection, jest): never an operator.
const PASS_THROUGH = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect', '$$typeof', 'prototype', '__esModule', 'length', 'name', 'call', 'apply', 'bind', 'toString', 'valueOf']);

function makePacket(name: string, schemas: OperatorSchema[]): OpPacket {
  const overloads = new Map<string, OpOverload>();
  const names = schemas.map((s) => s.overloadName || 'default');
  const binds = schemas.map(bindSchemaOf);
  const overload = (o: string): OpOverload | undefined => {
    let f = overloads.get(o);
    if (!f) {
      const i = names.indexOf(o);
      if (i < 0) return undefined;
      overloads.set(o, (f = makeOverload(schemas[i])));
    }
    return f;
  };
  const packet = (...all: unknown[]) => {
    const [args, options] = splitOptions(all);
    const { schema, args: bound } = resolveOverload(name, binds, args, options);
    return callBound(schema, bound);
  };
  Object.defineProperty(packet, 'name', { value: name });
  const extra: Record<string, unknown> = {
    qualifiedName: name,
    overloads: () => [...names],
    resolve: (...all: unknown[]) => {
      const [args, options] = splitOptions(all);
      return resolveOverload(name, binds, args, options).schema.qualified;
    },
  };
  return new Proxy(packet, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || PASS_THROUGH.has(key)) return Reflect.get(target, key, receiver);
      if (key in extra) return extra[key];
      const f = overload(key);
      if (f) return f;
      const near = closeMatches(key, names);
      throw new TypeError(`${name} has no overload '${key}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''} (overloads: ${names.join(', ')})`);
    },
    has(_target, key) {
      return typeof key === 'string' && (names.includes(key) || key in extra);
    },
    ownKeys() {
      return [...Reflect.ownKeys(packet)];
    },
  }) as unknown as OpPacket;
}

const namespaces = new Map<string, OpNamespace>();

function makeNamespace(ns: string): OpNamespace {
  const packets = new Map<string, OpPacket>();
  const names = (): string[] => [...schemasByName().keys()].filter((n) => n.startsWith(`${ns}::`)).map((n) => n.slice(ns.length + 2));
  const target = Object.create(null) as Record<string, unknown>;
  const get = (key: string | symbol): OpPacket | undefined => {
      if (typeof key === 'symbol' || PASS_THROUGH.has(key)) return undefined;
      let p = packets.get(key);
      if (p) return p;
      const schemas = schemasByName().get(`${ns}::${key}`);
      if (!schemas) {
        const near = closeMatches(key, names());
        throw new TypeError(`torch.ops.${ns} has no operator '${key}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''}`);
      }
      packets.set(key, (p = makePacket(`${ns}::${key}`, schemas)));
      return p;
  };
  return new Proxy(target, {
    get: (_t, key) => get(key),
    has(_t, key) {
      return typeof key === 'string' && schemasByName().has(`${ns}::${key}`);
    },
    ownKeys() {
      return names();
    },
    getOwnPropertyDescriptor(_t, key) {
      if (typeof key !== 'string' || !schemasByName().has(`${ns}::${key}`)) return undefined;
      return { enumerable: true, configurable: true, value: get(key) };
    },
  }) as OpNamespace;
}

/**
 * `torch.ops`: every operator the dispatcher knows, by namespace —
 * `torch.ops.aten.topk(x, 2)`, `torch.ops.aten.add.Tensor(a, b, { alpha: 2 })`.
 */
function namespaceOf(key: string | symbol): OpNamespace | undefined {
    if (typeof key === 'symbol' || PASS_THROUGH.has(key)) return undefined;
    let n = namespaces.get(key);
    if (n) return n;
    const known = new Set(operatorSchemas().map((s) => s.name.slice(0, s.name.indexOf('::'))));
    if (!known.has(key)) {
      const near = closeMatches(key, known);
      throw new TypeError(`torch.ops has no namespace '${key}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''}`);
    }
    namespaces.set(key, (n = makeNamespace(key)));
    return n;
}
const hasNamespace = (key: string | symbol): boolean => typeof key === 'string' && operatorSchemas().some((s) => s.name.startsWith(`${key}::`));

export const ops = new Proxy(Object.create(null) as Record<string, OpNamespace>, {
  get: (_t, key) => namespaceOf(key),
  has: (_t, key) => hasNamespace(key),
  ownKeys() {
    return [...new Set(operatorSchemas().map((s) => s.name.slice(0, s.name.indexOf('::'))))];
  },
  getOwnPropertyDescriptor(_t, key) {
    if (typeof key !== 'string' || !hasNamespace(key)) return undefined;
    return { enumerable: true, configurable: true, value: namespaceOf(key) };
  },
}) as { readonly aten: OpNamespace; readonly [namespace: string]: OpNamespace };

// ------------------------------------------------------------------ generated methods and functions

/**
 * A schema as lib/generated/ files carry it: [qualified, args, returns], each
 * arg [name, type, flags, N?] (flags: 1 has a default, 2 keyword-only), each
 * return [name, type, index of the input it is (an in-place result) or -1].
 */
export type CompactArg = readonly [name: string, type: string, flags: number, N?: number];
export type CompactReturn = readonly [name: string, type: string, aliasOf: number];
export type CompactSchema = readonly [qualified: string, args: readonly CompactArg[], returns: readonly CompactReturn[]];

interface GenSchema extends BindSchema {
  returns: readonly CompactReturn[];
}

function expand(c: CompactSchema, isFunction: boolean): GenSchema {
  return {
    qualified: c[0],
    args: c[1].map(([name, type, flags, N]) => ({
      name,
      key: isFunction && name === 'self' ? 'input' : camelCase(name),
      type,
      N,
      hasDefault: (flags & 1) !== 0,
      kwargOnly: (flags & 2) !== 0,
    })),
    returns: c[2],
    numbersAsTensors: allowsNumbersAsTensors(c[0]),
  };
}

function shapeResult(s: GenSchema, bound: readonly unknown[], r: OpResult | undefined): unknown {
  const rets = s.returns;
  if (rets.length === 0) return undefined;
  const one = (i: number, v: unknown) => (rets[i][2] >= 0 ? bound[rets[i][2]] : v);
  if (rets.length === 1) return one(0, r);
  const list = (r as unknown[]).map((v, i) => one(i, v));
  if (rets.length === 2 && rets[0][0] === 'values' && rets[1][0] === 'indices') return new ValuesIndices(list[0] as Tensor, list[1] as Tensor);
  if (rets.every((x) => x[0] !== '')) rets.forEach((x, i) => Object.defineProperty(list, x[0], { value: list[i], enumerable: false }));
  return list;
}

/** Marks the methods and functions made here (scripts/gen_ops.js tells them from hand-written ones by it). */
export const GENERATED = Symbol.for('nodetorch.generated');

function makeGenerated(what: string, overloads: readonly CompactSchema[], isFunction: boolean) {
  let schemas: GenSchema[] | undefined;
  return (self: Tensor | undefined, all: unknown[]): unknown => {
    schemas ??= overloads.map((c) => expand(c, isFunction));
    const [args, options] = splitOptions(all);
    const { schema, args: bound } = resolveOverload(what, schemas, args, options, self);
    return shapeResult(schema, bound, callBound(schema, bound));
  };
}

/** A Tensor method from its schemas (lib/generated/ops.ts). */
export function generatedMethod(name: string, overloads: readonly CompactSchema[]): (this: Tensor, ...args: unknown[]) => unknown {
  const run = makeGenerated(`Tensor.${name}`, overloads, false);
  const method = {
    [name](this: Tensor, ...args: unknown[]) {
      if (!isTensor(this)) throw new TypeError(`Tensor.${name} was called on ${describe(this)}`);
      return run(this, args);
    },
  }[name];
  Object.defineProperty(method, GENERATED, { value: true });
  return method;
}

/** A torch.* function from its schemas (lib/generated/functions.ts). */
export function generatedFunction(name: string, overloads: readonly CompactSchema[]): (...args: unknown[]) => unknown {
  const run = makeGenerated(`torch.${name}`, overloads, true);
  const fn = { [name]: (...args: unknown[]) => run(undefined, args) }[name];
  Object.defineProperty(fn, GENERATED, { value: true });
  return fn;
}
