// Module hooks: what PyTorch's Module.__call__ does around forward (forward
// pre-hooks, forward hooks, full backward hooks), with removable handles.
//
// Backward hooks: the native side runs backward without calling back into
// JavaScript (on CUDA it runs on LibTorch's own threads), so a full backward
// hook runs after the native backward returns, from Tensor.backward(). When a
// module with backward hooks is called, its tensor inputs and outputs that
// require grad are replaced by aliases (as PyTorch's BackwardHookFunction does)
// whose gradients are retained: the aliases' gradients are exactly the
// gradients through the module (a skip connection around it is not included).
// The hooks then run in PyTorch's order (the order in which the engine reaches
// the modules' inputs, or their outputs when no input requires grad).
import { noGrad } from '../autograd';
import { argError } from '../errors';
import { native } from '../native';
import { callT } from '../ops';
import { Tensor } from '../tensor';

/** The hooks of one module (a symbol-keyed property, absent when there are none). */
export const HOOKS = Symbol('hooks');

type AnyFn = (...args: never[]) => unknown;
type HookKind = 'pre' | 'fwd' | 'bwd';
export type HookTable = Record<HookKind, Map<number, AnyFn>>;

interface Hooked {
  [HOOKS]?: HookTable;
  forward(...args: unknown[]): unknown;
}

let nextHookId = 0;

/** Returned by the register*Hook methods: `remove()` (or `using`) unregisters the hook. */
export class RemovableHandle {
  /** A number unique to this hook. */
  readonly id: number;
  #owner: Hooked | null;
  readonly #kind: HookKind;
  /** @internal */
  constructor(owner: Hooked, kind: HookKind, id: number) {
    this.#owner = owner;
    this.#kind = kind;
    this.id = id;
  }
  /** Unregisters the hook (a second call does nothing). */
  remove(): void {
    const owner = this.#owner;
    if (!owner) return;
    this.#owner = null;
    const table = owner[HOOKS];
    if (!table) return;
    table[this.#kind].delete(this.id);
    // No hooks left: back to the fast path (and to native programs inside a Sequential).
    if (!table.pre.size && !table.fwd.size && !table.bwd.size) owner[HOOKS] = undefined;
  }
  [Symbol.dispose](): void {
    this.remove();
  }
}

/** Adds a hook to a module's table (first, with `prepend`). */
export function addHook(owner: Hooked, kind: HookKind, hook: unknown, options: { prepend?: boolean } | undefined, what: string): RemovableHandle {
  if (typeof hook !== 'function') argError('hook', 'a function', hook);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) argError(`${what} options`, 'an object { prepend }', options);
  const { prepend = false, ...rest } = options ?? {};
  for (const k of Object.keys(rest)) {
    if (/^(with_?kwargs|always_?call)$/i.test(k)) throw new TypeError(`${what}: option '${k}' is not supported (keyword arguments do not exist here; only 'prepend' is)`);
    throw new TypeError(`${what}: unknown option '${k}' (did you mean 'prepend'?)`);
  }
  if (typeof prepend !== 'boolean') argError('prepend', 'a boolean', prepend);
  const table = (owner[HOOKS] ??= { pre: new Map(), fwd: new Map(), bwd: new Map() });
  const id = nextHookId++;
  if (prepend) table[kind] = new Map([[id, hook as AnyFn], ...table[kind]]);
  else table[kind].set(id, hook as AnyFn);
  return new RemovableHandle(owner, kind, id);
}

// ------------------------------------------------------------ __call__

/** module(...args) when the module has hooks: PyTorch's Module._call_impl. */
export function callWithHooks(m: Hooked, args: unknown[]): unknown {
  const table = m[HOOKS]!;
  for (const hook of [...table.pre.values()]) {
    const r = (hook as (m: unknown, a: unknown[]) => unknown)(m, args);
    if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
  }
  let record: PendingRecord | null = null;
  if (table.bwd.size && native.isGradEnabled()) [args, record] = setupInputs(m, [...table.bwd.values()], args);
  let out = m.forward(...args);
  for (const hook of [...table.fwd.values()]) {
    const r = (hook as (m: unknown, a: unknown[], o: unknown) => unknown)(m, args, out);
    if (r !== undefined && r !== null) out = r;
  }
  if (record) out = setupOutputs(record, out);
  return out;
}

// ------------------------------------------------------------ full backward hooks

interface PendingRecord {
  module: unknown;
  hooks: AnyFn[];
  /** One entry per argument: the alias standing for a tensor that requires grad, else null. */
  inputs: (Tensor | null)[];
  /** One entry per tensor output (in order): the alias when it requires grad, else null. */
  outputs: (Tensor | null)[];
  /** When the engine reaches this module: records fire in decreasing order of it. */
  order: number;
  /** Backward calls that did not reach this record. */
  skipped: number;
}

let clock = 0;
let pending: PendingRecord[] = [];
/** Records not reached by this many backward calls are dropped (their graphs were not backpropagated). */
const MAX_SKIPPED = 2;
/** At most this many records wait for a backward (forwards with grad enabled and no backward, e.g. evaluation outside noGrad). */
const MAX_PENDING = 4096;
let warnedDrop = false;

function alias(t: Tensor): Tensor {
  const a = callT('aten::alias', t);
  a.retainGrad();
  return a;
}

function setupInputs(module: unknown, hooks: AnyFn[], args: unknown[]): [unknown[], PendingRecord] {
  let any = false;
  const inputs: (Tensor | null)[] = [];
  const newArgs = args.map((a) => {
    if (a instanceof Tensor && a.requiresGrad) {
      any = true;
      const al = alias(a);
      inputs.push(al);
      return al;
    }
    inputs.push(null);
    return a;
  });
  // Modules whose inputs need no gradient fire when their outputs' gradients are computed.
  return [newArgs, { module, hooks, inputs, outputs: [], order: any ? clock++ : -1, skipped: 0 }];
}

function setupOutputs(record: PendingRecord, out: unknown): unknown {
  const wrap = (o: unknown): unknown => {
    if (!(o instanceof Tensor)) return o;
    if (!o.requiresGrad) {
      record.outputs.push(null);
      return o;
    }
    const al = alias(o);
    record.outputs.push(al);
    return al;
  };
  const result = Array.isArray(out) ? out.map(wrap) : wrap(out);
  if (!record.outputs.some((o) => o)) return out; // nothing to backpropagate: no hook (as in PyTorch)
  if (record.order < 0) record.order = clock++;
  pending.push(record);
  if (pending.length > MAX_PENDING) {
    pending.shift();
    if (!warnedDrop) {
      warnedDrop = true;
      process.emitWarning(
        `more than ${MAX_PENDING} module calls with full backward hooks are waiting for a backward(); the oldest are dropped (run forwards that are not backpropagated under torch.noGrad)`,
        'NodetorchWarning',
      );
    }
  }
  return result;
}

/** How many module calls wait for a backward to run their full backward hooks (for tests). */
export function pendingBackwardHookCalls(): number {
  return pending.length;
}

/**
 * Runs a native backward (`run`), then the full backward hooks of the module
 * calls it reached. Called by Tensor.backward(); costs nothing when no module
 * with backward hooks was called.
 */
export function runBackward(run: () => void, retainGraph: boolean | undefined): void {
  if (!pending.length) return run();
  const records = pending;
  // Gradients from earlier backward calls (retainGraph) are set aside, so that hooks see this call's.
  const stashed = new Map<Tensor, Tensor | null>();
  for (const r of records) {
    for (const t of [...r.inputs, ...r.outputs]) {
      if (!t || stashed.has(t)) continue;
      const g = t.grad;
      stashed.set(t, g);
      if (g) t.grad = null;
    }
  }
  const restore = () => {
    for (const [t, old] of stashed) {
      if (!old) continue;
      const g = t.grad;
      if (g) noGrad(() => old.add_(g));
      t.grad = old;
    }
  };
  try {
    run();
  } catch (e) {
    restore();
    throw e;
  }
  const fire: [PendingRecord, (Tensor | null)[], (Tensor | null)[]][] = [];
  const keep: PendingRecord[] = [];
  for (const r of records) {
    const gradOutput = r.outputs.map((t) => t && t.grad);
    if (gradOutput.some((g) => g)) {
      fire.push([r, r.inputs.map((t) => t && t.grad), gradOutput]);
      if (retainGraph) keep.push(r);
    } else if (++r.skipped < MAX_SKIPPED) {
      keep.push(r);
    }
  }
  restore();
  pending = keep; // module calls made by the hooks themselves are added after these
  fire.sort((a, b) => b[0].order - a[0].order);
  for (const [r, gradInput, gradOutput] of fire) {
    for (const hook of r.hooks) {
      const res = (hook as (m: unknown, gi: (Tensor | null)[], go: (Tensor | null)[]) => unknown)(r.module, [...gradInput], [...gradOutput]);
      if (res !== undefined && res !== null) {
        throw new Error(
          'a full backward hook returned a value: nodetorch runs backward hooks after the native backward has finished, so they cannot replace gradInput; ' +
            "return nothing (change parameters' .grad instead, or use a custom backward)",
        );
      }
    }
  }
}
