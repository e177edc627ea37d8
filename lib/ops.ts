// Calls ATen operators by schema name through the native dispatcher.
import { GeneratorHandle, native, NativeValue, rawCall, TensorHandle } from './native';
import type { Tensor } from './tensor';
import { retryOutOfMemory } from './memory';

const ids = new Map<string, number>();
const names: string[] = [];

/** The id of 'aten::name.overload' (looked up once). */
export function opId(qualified: string): number {
  let id = ids.get(qualified);
  if (id === undefined) {
    const dot = qualified.indexOf('.', qualified.indexOf('::') + 2);
    const name = dot < 0 ? qualified : qualified.slice(0, dot);
    const overload = dot < 0 ? '' : qualified.slice(dot + 1);
    id = native.op(name, overload);
    ids.set(qualified, id);
    names[id] = qualified;
  }
  return id;
}

/** The schema name of an operator id opId gave ('aten::add.Tensor'). */
export function opName(id: number): string {
  return names[id] ?? `#${id}`;
}

/**
 * Told of every operator call while a forward is traced (lib/model/trace.ts),
 * and of every read of a tensor's values into JavaScript.
 */
export interface TraceHook {
  record(id: number, args: readonly NativeValue[], result: NativeValue): void;
  read(h: TensorHandle): void;
}
let traceHook: TraceHook | null = null;
/** Installs (or, with null, removes) the trace hook; returns the one it replaces. */
export function setTraceHook(hook: TraceHook | null): TraceHook | null {
  const old = traceHook;
  traceHook = hook;
  return old;
}
/** Tells the trace hook, if any, that a tensor's values are read into JavaScript. */
export function noteRead(h: TensorHandle): void {
  if (traceHook !== null) traceHook.read(h);
}
/** Whether a forward is being traced (layers then run eagerly, op by op). */
export function tracing(): boolean {
  return traceHook !== null;
}

/** What an operator argument can be on the TypeScript side. */
export type OpArg = Tensor | GeneratorLike | number | bigint | boolean | string | null | undefined | readonly OpArg[];
/** A torch.Generator (see generator.ts), passed to random operators. */
export interface GeneratorLike {
  readonly handle: GeneratorHandle;
}
export type OpResult = Tensor | number | bigint | boolean | string | null | OpResult[];

// Set by tensor.ts (breaks the import cycle): wraps a handle, unwraps a Tensor.
let wrapHandle: (h: TensorHandle) => Tensor;
let isTensor: (v: unknown) => v is Tensor;
export function registerTensorClass(wrap: (h: TensorHandle) => Tensor, is: (v: unknown) => v is Tensor): void {
  wrapHandle = wrap;
  isTensor = is;
}

export function toNative(v: OpArg): NativeValue {
  if (isTensor(v)) return v.handle;
  if (Array.isArray(v)) {
    // Lists of numbers (shapes, dims) go as they are; lists holding tensors are converted.
    for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null) return v.map(toNative);
    return v as NativeValue[];
  }
  if (v && typeof v === 'object' && (v as GeneratorLike).handle instanceof native.GeneratorHandle) return (v as GeneratorLike).handle;
  return v as NativeValue;
}

/**
 * Whether a value the addon returned is a tensor handle. Handles are Node-API
 * externals, the only objects the addon returns without a prototype.
 */
export function isHandle(v: unknown): v is TensorHandle {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null;
}

export function fromNative(v: NativeValue): OpResult {
  if (typeof v !== 'object' || v === null) return v as OpResult;
  if (Array.isArray(v)) return v.map(fromNative);
  if (Object.getPrototypeOf(v) === null) return wrapHandle(v as TensorHandle);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromNative(x as NativeValue)])) as unknown as OpResult;
}

/**
 * Calls the operator `id` with native arguments; on running out of memory,
 * collects garbage and tries once more. The hot path of every operator: the
 * unguarded call with the arguments spelled out (no spread, no wrapper), the
 * failure value checked here.
 */
export function invoke(id: number, args: NativeValue[]): NativeValue {
  let r: NativeValue;
  switch (args.length) {
    case 0: r = rawCall(id); break;
    case 1: r = rawCall(id, args[0]); break;
    case 2: r = rawCall(id, args[0], args[1]); break;
    case 3: r = rawCall(id, args[0], args[1], args[2]); break;
    case 4: r = rawCall(id, args[0], args[1], args[2], args[3]); break;
    case 5: r = rawCall(id, args[0], args[1], args[2], args[3], args[4]); break;
    case 6: r = rawCall(id, args[0], args[1], args[2], args[3], args[4], args[5]); break;
    case 7: r = rawCall(id, args[0], args[1], args[2], args[3], args[4], args[5], args[6]); break;
    case 8: r = rawCall(id, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]); break;
    default: r = rawCall(id, ...args);
  }
  if (r === (native.failure as unknown)) r = retryOutOfMemory(() => native.call(id, ...args), native.takeError());
  if (traceHook !== null) traceHook.record(id, args, r);
  return r;
}

function call(qualified: string, args: OpArg[]): OpResult {
  const id = opId(qualified);
  const first = args[0];
  for (let i = 0; i < args.length; i++) args[i] = toNative(args[i]) as OpArg;
  const r = invoke(id, args as NativeValue[]);
  // The operator returned its first argument itself (in place, or `to` with nothing to change): that Tensor.
  if (r === args[0] && r !== undefined && isTensor(first)) return first;
  return fromNative(r);
}

/**
 * A caller for one hot operator returning a tensor, for up to three arguments:
 * the operator is looked up once, and the call has no rest array, no spread
 * and no name lookup (tensor methods such as `relu` and `view` use it).
 */
export function tensorOp(qualified: string): (a: OpArg, b?: OpArg, c?: OpArg) => Tensor {
  let id = -1;
  return (a: OpArg, b?: OpArg, c?: OpArg): Tensor => {
    if (id < 0) id = opId(qualified);
    const x = toNative(a);
    let r: NativeValue;
    let args: NativeValue[] | undefined;
    if (c !== undefined) r = rawCall(id, x, toNative(b), toNative(c));
    else if (b !== undefined) r = rawCall(id, x, toNative(b));
    else r = rawCall(id, x);
    if (r === (native.failure as unknown)) {
      args = c !== undefined ? [x, toNative(b), toNative(c)] : b !== undefined ? [x, toNative(b)] : [x];
      r = retryOutOfMemory(() => native.call(id, ...args!), native.takeError());
    }
    if (traceHook !== null) traceHook.record(id, args ?? (c !== undefined ? [x, toNative(b), toNative(c)] : b !== undefined ? [x, toNative(b)] : [x]), r);
    if (r === x && isTensor(a)) return a;
    return fromNative(r) as Tensor;
  };
}

/** Calls `qualified` ('aten::add.Tensor') with positional arguments; undefined means the default. */
export function callOp(qualified: string, ...args: OpArg[]): OpResult {
  return call(qualified, args);
}

/** Calls an operator that returns one tensor. */
export function callT(qualified: string, ...args: OpArg[]): Tensor {
  return call(qualified, args) as Tensor;
}

/** PyTorch's reduction enum, as the ATen loss operators take it. */
export function reductionEnum(reduction: 'none' | 'mean' | 'sum' | undefined, name = 'reduction'): number {
  switch (reduction ?? 'mean') {
    case 'none':
      return 0;
    case 'mean':
      return 1;
    case 'sum':
      return 2;
    default:
      throw new TypeError(`${name} must be 'none', 'mean' or 'sum', got ${JSON.stringify(reduction)}`);
  }
}
