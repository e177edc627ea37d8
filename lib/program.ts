// Programs: a forward (or a batch pipeline) written once as a sequence of ATen
// operator calls against an Emitter. The eager emitter runs each call at once
// from JavaScript; the recorder writes them down as a straight-line program
// over registers that native code compiles and runs in one call (or on a
// native thread). Both run exactly the same operators with the same arguments,
// so their results are identical. See docs/architecture.md.
import { retryOutOfMemory } from './memory';
import { native, ProgramArg, ProgramDescription, ProgramHandle, ProgramReg, ProgramStep } from './native';
import { callOp, fromNative, opId, OpArg, toNative } from './ops';
import { Tensor } from './tensor';

/** A value a program computes: a tensor when eager, a register when recorded. */
export type Val = Tensor | ProgramReg;
export type EmitArg = OpArg | Val | readonly EmitArg[];

export interface Emitter {
  /** True when recording a program (a layer that cannot be recorded returns null from emit). */
  readonly recording: boolean;
  /** Names the layer or transform now emitting, for error messages. */
  where: string;
  /** Calls 'aten::name.overload'; returns its first output. */
  call(op: string, ...args: EmitArg[]): Val;
  /** Calls an operator with `n` outputs and returns them all. */
  callN(op: string, n: number, ...args: EmitArg[]): Val[];
  /** Fails unless `x` has one of `dims` dimensions; `message` says what was expected. */
  checkDim(x: Val, dims: number[], message: string): void;
}


/** Runs each call at once (a layer's forward called directly, or from a TypeScript forward). */
export const eager: Emitter = {
  recording: false,
  where: '',
  call(op, ...args) {
    const out = callOp(op, ...(args as OpArg[]));
    return (Array.isArray(out) ? out[0] : out) as Tensor;
  },
  callN(op, n, ...args) {
    return (callOp(op, ...(args as OpArg[])) as Tensor[]).slice(0, n);
  },
  checkDim(x, dims, message) {
    const d = (x as Tensor).dim();
    if (!dims.includes(d)) throw new RangeError(`${message}, got ${d}D input of shape [${(x as Tensor).shape.join(', ')}]`);
  },
};

function isReg(a: unknown): a is ProgramReg {
  return typeof a === 'object' && a !== null && typeof (a as ProgramReg).$reg === 'number' && !(a instanceof Tensor);
}

function recordArg(a: EmitArg): ProgramArg {
  if (isReg(a)) return a;
  if (Array.isArray(a)) return a.map(recordArg);
  return toNative(a as OpArg);
}

/** Writes calls down as a program; `input()` makes the program's inputs (in order, before any call). */
export class Recorder implements Emitter {
  readonly recording = true;
  where = '';
  private readonly steps: ProgramStep[] = [];
  private numRegs = 0;
  private numInputs = 0;

  /** A point to roll back to when a module turns out not to be recordable. */
  mark(): { steps: number; regs: number } {
    return { steps: this.steps.length, regs: this.numRegs };
  }
  rollback(m: { steps: number; regs: number }): void {
    this.steps.length = m.steps;
    this.numRegs = m.regs;
  }
  /** True when nothing has been called yet. */
  get empty(): boolean {
    return this.steps.length === 0;
  }
  input(): ProgramReg {
    if (this.steps.length) throw new Error('Recorder: inputs must come before calls');
    this.numInputs++;
    return { $reg: this.numRegs++ };
  }
  call(op: string, ...args: EmitArg[]): ProgramReg {
    return this.callN(op, 1, ...args)[0] as ProgramReg;
  }
  callN(op: string, n: number, ...args: EmitArg[]): ProgramReg[] {
    const outs = Array.from({ length: n }, () => this.numRegs++);
    this.steps.push({ op: opId(op), args: args.map(recordArg), outs, where: this.where });
    return outs.map(($reg) => ({ $reg }));
  }
  checkDim(x: Val, dims: number[], message: string): void {
    if (!isReg(x)) throw new TypeError('Recorder.checkDim: not a register');
    this.steps.push({ check: x.$reg, dims, where: `${this.where}: ${message}` });
  }
  /** The program returning `results`. */
  finish(results: Val[]): ProgramDescription {
    return { numRegs: this.numRegs, numInputs: this.numInputs, results: results.map((r) => (r as ProgramReg).$reg), steps: this.steps };
  }
}

function sameArg(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameArg(x, b[i]));
  if (isReg(a)) return isReg(b) && a.$reg === b.$reg;
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

/** True when two descriptions are the same program over the same tensors (so a compiled one can be reused). */
export function sameProgram(a: ProgramDescription, b: ProgramDescription): boolean {
  return (
    a.numRegs === b.numRegs &&
    a.numInputs === b.numInputs &&
    sameArg(a.results, b.results) &&
    a.steps.length === b.steps.length &&
    a.steps.every((s, i) => {
      const t = b.steps[i];
      if ('check' in s) return 'check' in t && s.check === t.check && sameArg(s.dims, t.dims) && s.where === t.where;
      return 'op' in t && s.op === t.op && s.where === t.where && sameArg(s.outs, t.outs) && sameArg(s.args, t.args);
    })
  );
}

/** A compiled program, recompiled only when its description changes (new weights, another mode). */
export class CachedProgram {
  private description: ProgramDescription | null = null;
  private handle: ProgramHandle | null = null;
  /** The compiled form of `d`. */
  compile(d: ProgramDescription): ProgramHandle {
    if (!this.handle || !this.description || !sameProgram(this.description, d)) {
      this.handle?.dispose(); // a prefetch thread still running it keeps its own reference
      this.handle = new native.ProgramHandle(d);
      this.description = d;
    }
    return this.handle;
  }
}

/** Runs a compiled program on this thread (autograd records it as usual). */
export function runProgram(handle: ProgramHandle, inputs: Tensor[]): Tensor[] {
  const handles = inputs.map((t) => t.handle);
  // A program that mutates state or draws random numbers is not run twice (its effects would repeat).
  const results = handle.repeatable ? retryOutOfMemory(() => handle.run(handles)) : handle.run(handles);
  return results.map((v) => fromNative(v) as Tensor);
}

/** Emits the copy of a CPU batch to `device` through pinned memory, non-blocking (as pin_memory + .to(non_blocking=True)). */
export function emitPinnedCopy(b: Emitter, x: Val, device: string): Val {
  return b.call('aten::_to_copy', b.call('aten::pin_memory', x), null, null, device, null, true);
}
