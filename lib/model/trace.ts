// Tracing a step into a program, as torch.jit.trace does: the step (forward and
// loss, written in TypeScript or made of built-in layers) runs once for real,
// and every operator it calls is written down, with the step's inputs and
// everything computed from them as registers and everything else (weights,
// buffers, constants) as constants held by reference. The program then runs
// natively (lib/model/engine.ts) with exactly the same operators and arguments.
//
// What a trace cannot see: control flow that depends on the data. A step that
// reads a traced tensor's values into JavaScript (item(), toArray(), a
// comparison's result used in an `if`) is refused, and every trace is made
// twice, on two batches, and used only when both give the same program.
import { isHandle, opName, setTraceHook, TraceHook } from '../ops';
import { NativeValue, ProgramArg, ProgramDescription, ProgramStep, TensorHandle } from '../native';
import { operatorSchemas } from '../ops_namespace';
import type { Tensor } from '../tensor';
import { sameProgram } from '../program';

// Operators whose non-tensor result depends only on shapes (a trace bakes them in, and a
// program is only reused for inputs of the shapes it was traced with).
// (Tensor.shape, dim() and numel() read the handle directly, not through an operator.)
const SHAPE_ONLY = new Set(['aten::size.int', 'aten::size.Dimname', 'aten::stride.int', 'aten::stride.Dimname', 'aten::sym_size.int', 'aten::sym_numel', 'aten::sym_stride.int']);

let returnCounts: Map<string, number> | null = null;
function numReturns(qualified: string): number | undefined {
  if (!returnCounts) {
    returnCounts = new Map();
    for (const s of operatorSchemas()) returnCounts.set(s.overloadName ? `${s.name}.${s.overloadName}` : s.name, s.returns.length);
  }
  return returnCounts.get(qualified);
}

/** A trace in progress. */
class Trace implements TraceHook {
  private readonly regs = new Map<object, number>();
  private readonly steps: ProgramStep[] = [];
  private numRegs = 0;
  /** Why this step cannot be traced (null while it can). */
  refusal: string | null = null;

  constructor(inputs: readonly Tensor[]) {
    for (const t of inputs) this.regs.set(t.handle, this.numRegs++);
  }

  private refuse(why: string): void {
    this.refusal ??= why;
  }

  private mapArg(a: NativeValue, uses: { any: boolean }): ProgramArg {
    if (isHandle(a)) {
      const r = this.regs.get(a);
      if (r === undefined) return a as ProgramArg;
      uses.any = true;
      return { $reg: r };
    }
    if (Array.isArray(a)) return a.map((x) => this.mapArg(x as NativeValue, uses));
    return a as ProgramArg;
  }

  record(id: number, args: readonly NativeValue[], result: NativeValue): void {
    if (this.refusal) return;
    const name = opName(id);
    const uses = { any: false };
    const mapped = args.map((a) => this.mapArg(a, uses));
    let results: NativeValue[];
    if (isHandle(result)) {
      results = [result];
    } else if (Array.isArray(result) && result.length > 0 && result.every(isHandle) && numReturns(name) === result.length) {
      results = result; // a tuple of tensors (max.dim, ...)
    } else {
      // A list of tensors, a number, a boolean: baked into the program as it is now.
      if (uses.any && !SHAPE_ONLY.has(name)) this.refuse(`${name} returns ${Array.isArray(result) ? 'a list' : 'a value'} computed from the data`);
      return;
    }
    const outs = results.map((h) => {
      this.regs.set(h as object, this.numRegs);
      return this.numRegs++;
    });
    this.steps.push({ op: id, args: mapped, outs, where: name });
  }

  read(h: TensorHandle): void {
    if (this.regs.has(h)) this.refuse("a tensor computed from the data was read into JavaScript (item(), toTypedArray(), tolist(), ...)");
  }

  finish(numInputs: number, results: readonly Tensor[]): ProgramDescription | null {
    const regs = results.map((t) => this.regs.get(t.handle));
    if (regs.some((r) => r === undefined)) {
      this.refuse('an output was not computed by operators from the inputs');
      return null;
    }
    return { numRegs: this.numRegs, numInputs, results: regs as number[], steps: this.steps };
  }
}

/** A traced run: its results (computed for real) and its program, or why there is none. */
export interface Traced<R> {
  results: R;
  program: ProgramDescription | null;
  refusal: string | null;
}

/**
 * Runs `fn(...inputs)` (which returns tensors) once, for real, and traces it.
 * The program takes `inputs` as its inputs and returns `fn`'s results.
 */
export function trace<R extends readonly Tensor[]>(inputs: readonly Tensor[], fn: () => R): Traced<R> {
  const t = new Trace(inputs);
  const previous = setTraceHook(t);
  let results: R;
  try {
    results = fn();
  } finally {
    setTraceHook(previous);
  }
  const program = t.refusal ? null : t.finish(inputs.length, results);
  return { results, program: t.refusal ? null : program, refusal: t.refusal };
}

/** Whether two traces of a step agree (the second trace's check: otherwise the step depends on the data). */
export function sameTrace(a: ProgramDescription, b: ProgramDescription): boolean {
  return sameProgram(a, b);
}
