// The whole native surface, declared in one place, and the loader.
import * as fs from 'fs';
import * as path from 'path';

/**
 * A native tensor handle: one reference to an at::Tensor, made only by the
 * addon (a Node-API external: opaque, read through the `tensor*` functions).
 */
export interface TensorHandle {
  readonly __tensorHandle: unique symbol;
}

/** What this environment's handles hold, counted once per storage. */
export interface MemoryStats {
  /** CPU bytes (reported to V8 as external memory). */
  hostBytes: number;
  /** Device (CUDA) bytes: counted, not reported to V8. */
  deviceBytes: number;
  /** Distinct storages held. */
  storages: number;
}

export interface NativeConfig {
  libtorchVersion: string;
  libtorchDir: string;
  cudaLibraryPresent: boolean;
  cudaLibraryLoaded: boolean;
  cudaLoadError: string | null;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudnnAvailable: boolean;
  numThreads: number;
  numInteropThreads: number;
  parallelInfo: string;
}

/** A value an operator takes or returns (tensors travel as handles). */
export type NativeValue = TensorHandle | GeneratorHandle | number | bigint | boolean | string | null | undefined | NativeValue[];

export interface NativeBinding {
  /** Looks up an ATen operator by schema name and overload; returns an id for `call`. */
  op(name: string, overload: string): number;
  /** The operator's schema, as text. */
  schema(id: number): string;
  /** Every operator schema the dispatcher knows, structured (see lib/ops_namespace.ts, OperatorSchema). */
  operatorSchemas(): unknown[];
  /** Calls an operator through the dispatcher with positional arguments (undefined or absent = default). */
  call(id: number, ...args: NativeValue[]): NativeValue;
  tensorShape(h: TensorHandle): number[];
  tensorStrides(h: TensorHandle): number[];
  tensorIsContiguous(h: TensorHandle): boolean;
  tensorDtype(h: TensorHandle): string;
  tensorDevice(h: TensorHandle): string;
  tensorRequiresGrad(h: TensorHandle): boolean;
  tensorSetRequiresGrad(h: TensorHandle, v: boolean): void;
  /** The gradient's handle; `cached` itself when it is a handle of the same gradient. */
  tensorGrad(h: TensorHandle, cached?: TensorHandle): TensorHandle | null;
  tensorSetGrad(h: TensorHandle, g: TensorHandle | null): void;
  tensorIsLeaf(h: TensorHandle): boolean;
  tensorGradFn(h: TensorHandle): string | null;
  tensorDisposed(h: TensorHandle): boolean;
  /** A number (boolean for bool); an integer beyond 2^53 throws unless `bigint` (then every integer is a bigint). */
  tensorItem(h: TensorHandle, bigint?: boolean): number | bigint | boolean;
  tensorToTypedArray(h: TensorHandle): Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
  /** The raw bytes of a contiguous CPU copy, in the tensor's own dtype. */
  tensorBytes(h: TensorHandle): Buffer;
  tensorBackward(h: TensorHandle, gradient: TensorHandle | null, retainGraph: boolean | undefined, createGraph: boolean): void;
  tensorRetainGrad(h: TensorHandle): void;
  tensorDispose(h: TensorHandle): void;
  tensorIsSame(h: TensorHandle, other: TensorHandle): boolean;
  /** Takes other's data (storage, dtype, device), keeping this tensor's identity (`param.data = x`). */
  tensorSetData(h: TensorHandle, other: TensorHandle): void;
  /** While locked, every use of the tensor from JavaScript is refused (Model.fit's training thread owns it). */
  tensorSetLocked(h: TensorHandle, locked: boolean): void;
  fromBuffer(data: ArrayBufferView, shape: number[], dtype: string): TensorHandle;
  setGradEnabled(enabled: boolean): void;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  /** The default CPU generator's state (torch.get_rng_state()). */
  getRngState(): TensorHandle;
  setRngState(state: TensorHandle): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  config(): NativeConfig;
  setErrorClass(cls: new (message: string, kind: string) => Error): void;
  memoryStats(): MemoryStats;
  /** What a native entry returns when it failed; the error is then taken with takeError() (see guardBinding). */
  readonly failure: object;
  takeError(): unknown;
  /** Returns the CUDA caching allocator's free blocks to the driver (no-op without CUDA). */
  cudaEmptyCache(): void;
  ScriptModuleHandle: abstract new (...args: never[]) => ScriptModuleHandle;
  jitLoad(bytes: Uint8Array): ScriptModuleHandle;
  /** Compiles a program (see lib/program.ts). */
  ProgramHandle: new (description: ProgramDescription) => ProgramHandle;
  /** Runs a batch program over an epoch's index order on a native thread, `depth` batches ahead. */
  PrefetchHandle: new (program: ProgramHandle, inputs: NativeValue[], order: TensorHandle, batchSize: number, numBatches: number, depth: number) => PrefetchHandle;
  GeneratorHandle: new () => GeneratorHandle;
  EngineHandle: new (program: ProgramHandle, groups: EngineGroup[], options: { clipNorm: number; topk: number[]; confusion: boolean }) => EngineHandle;
}

/** A TorchScript module loaded by LibTorch. */
/** A register of a program: `{ $reg: n }`. */
export interface ProgramReg {
  readonly $reg: number;
}
export type ProgramArg = NativeValue | ProgramReg | ProgramArg[];
export type ProgramStep =
  | { op: number; args: ProgramArg[]; outs: number[]; where: string }
  | { check: number; dims: number[]; where: string };
export interface ProgramDescription {
  numRegs: number;
  numInputs: number;
  results: number[];
  steps: ProgramStep[];
}
export interface ProgramHandle {
  run(inputs: NativeValue[]): NativeValue[];
  /** Releases the program and the tensors among its constants. */
  dispose(): void;
  /** No step mutates in place or draws random numbers: it may run again after running out of memory. */
  readonly repeatable: boolean;
}
export interface PrefetchHandle {
  /** The next batch's results (blocking until it is ready), or null after the last. */
  next(): NativeValue[] | null;
  close(): void;
}
/** One optimizer parameter group as the native engine takes it (native/engine.cpp). */
export interface EngineGroup {
  kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
  amsgrad?: boolean;
  alpha?: number;
  centered?: boolean;
  lrDecay?: number;
  initialAccumulatorValue?: number;
  params: TensorHandle[];
  state: Partial<Record<EngineStateKey, TensorHandle>>[];
}
export type EngineStateKey = 'momentumBuffer' | 'expAvg' | 'expAvgSq' | 'maxExpAvgSq' | 'squareAvg' | 'gradAvg' | 'sum' | 'step';
/** The counts of a run so far (native/engine.cpp countsToJs). */
export interface EngineCounts {
  batches: number;
  count: number;
  lossSum: number;
  correct: number;
  numClasses: number;
  topkCorrect: Record<string, number>;
  /** numClasses² counts, row-major (rows the true class), or null. */
  confusion: number[] | null;
}
export type EngineEvent = 'progress' | 'batch' | 'done' | 'error';
/** A compiled step run batch after batch on a native thread (Model.fit). */
export interface EngineHandle {
  run(prefetcher: PrefetchHandle, numBatches: number, mode: 'train' | 'eval' | 'predict', sync: boolean,
      onEvent: (kind: EngineEvent, payload: EngineCounts | string, outputs: TensorHandle | null) => void): void;
  resume(): void;
  stop(): void;
  setLearningRates(lrs: number[]): void;
  paramState(): Partial<Record<EngineStateKey, TensorHandle>>[][];
}
export interface GeneratorHandle {
  manualSeed(seed: number | bigint): GeneratorHandle;
  seed(): bigint;
  initialSeed(): bigint;
  getState(): TensorHandle;
  setState(state: TensorHandle): GeneratorHandle;
}

export interface ScriptModuleHandle {
  forward(inputs: unknown[]): unknown;
  namedParameters(): [string, TensorHandle][];
  namedBuffers(): [string, TensorHandle][];
  train(on: boolean): void;
  to(device: string): void;
  save(): Buffer;
  dispose(): void;
  readonly training: boolean;
  readonly methods: string[];
  readonly disposed: boolean;
}

/** The package folder (holding package.json), from lib/ in a checkout or dist/lib/ when built. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
  }
}

const PKG_ROOT = packageRoot();

/** OMP_WAIT_POLICY in effect when LibTorch loaded (what torch.config() reports). */
export let openMpWaitPolicy = '';

/**
 * OpenMP's threads wait for work passively (sleeping) rather than spinning,
 * unless the user chose (OMP_WAIT_POLICY set, even empty) or opted out
 * (NODETORCH_OMP_WAIT_POLICY=keep). Spinning threads fight any other process for
 * the cores; measured in bench/busy_machine.ts and docs/benchmarks.md. libgomp
 * reads the variable once, when LibTorch loads, so it is set just for the load
 * and removed again (child processes do not inherit it).
 */
function withOpenMpDefaults<T>(loadAddon: () => T): T {
  const set = process.env.OMP_WAIT_POLICY === undefined && process.env.NODETORCH_OMP_WAIT_POLICY !== 'keep';
  openMpWaitPolicy = set ? 'PASSIVE (nodetorch default)' : (process.env.OMP_WAIT_POLICY ?? 'OpenMP default');
  if (set) process.env.OMP_WAIT_POLICY = 'PASSIVE';
  try {
    return loadAddon();
  } finally {
    if (set) delete process.env.OMP_WAIT_POLICY;
  }
}

function load(): NativeBinding {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return withOpenMpDefaults(() => require('node-gyp-build')(PKG_ROOT) as NativeBinding);
  } catch (err) {
    throw new Error(loadFailure(err as Error));
  }
}

/** One message: what was tried, what failed, how to fix it. */
function loadFailure(err: Error): string {
  const tried: string[] = [];
  const release = path.join(PKG_ROOT, 'build', 'Release', 'nodetorch.node');
  tried.push(`${release}: ${fs.existsSync(release) ? 'present' : 'missing'}`);
  // Prebuilds are per Node ABI (node.abi<N>.node): say which ABI each one is for.
  const abi = process.versions.modules;
  const prebuilds = path.join(PKG_ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
  let files: string[] = [];
  try {
    files = fs.readdirSync(prebuilds).filter((f) => f.endsWith('.node'));
  } catch {
    /* missing */
  }
  const describePrebuild = (f: string) => {
    const m = /\.abi(\d+)\./.exec(f);
    if (!m) return `${f} (no ABI tag)`;
    return m[1] === abi ? `${f} (this Node's ABI)` : `${f} (for Node ABI ${m[1]}, not this Node ${process.versions.node}'s ABI ${abi})`;
  };
  tried.push(`${prebuilds}: ${files.length ? files.map(describePrebuild).join(', ') : fs.existsSync(prebuilds) ? 'no .node file' : 'missing'}`);
  const link = path.join(PKG_ROOT, 'libtorch');
  let linkState: string;
  try {
    const target = fs.readlinkSync(link);
    linkState = `${link} -> ${target}${fs.existsSync(target) ? '' : ' (target missing)'}`;
  } catch {
    linkState = `${link}: missing (LibTorch was never located for this install)`;
  }
  tried.push(linkState);
  return [
    `nodetorch: the native addon could not be loaded: ${err.message.split('\n')[0]}`,
    'Tried:',
    ...tried.map((t) => `  - ${t}`),
    'To fix:',
    '  - run `npm rebuild nodetorch` (or `npm run build:native` in a checkout) to locate LibTorch and build the addon;',
    `  - a prebuild serves one Node ABI only (prebuilds/<platform>-<arch>/node.abi<N>.node); this Node needs node.abi${abi}.node (npm run prebuildify with this Node makes it);`,
    '  - or set LIBTORCH to a LibTorch folder (with include/ and lib/) and rebuild;',
    '  - see docs/troubleshooting.md.',
  ].join('\n');
}

/**
 * Native entries return `failure` instead of throwing (native/binding.h,
 * enter(): a throw from native code while garbage collection runs finalizers
 * is fatal on Node 20). Every exported function, method, getter and setter is
 * wrapped here once, so that the error is thrown from JavaScript.
 */
function guardBinding(b: NativeBinding): NativeBinding {
  const failure = b.failure;
  const failed = (): never => {
    throw b.takeError();
  };
  // `arguments`, not a rest parameter: V8 then passes them on without making an array.
  const wrap = (f: (...a: unknown[]) => unknown) =>
    function (this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const r = f.apply(this, arguments as unknown as unknown[]);
      return r === failure ? failed() : r;
    };
  const record = b as unknown as Record<string, unknown>;
  for (const [name, v] of Object.entries(record)) {
    if (typeof v !== 'function' || name === 'takeError') continue;
    if (!/^[A-Z]/.test(name)) {
      record[name] = wrap(v as (...a: unknown[]) => unknown);
      continue;
    }
    const proto = (v as { prototype: object }).prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      if (typeof d.value === 'function') {
        d.value = wrap(d.value);
      } else {
        if (d.get) d.get = wrap(d.get);
        if (d.set) {
          const set = d.set;
          d.set = function (this: unknown, value: unknown) {
            if ((set.call(this, value) as unknown) === failure) failed();
          };
        }
      }
      Object.defineProperty(proto, key, d);
    }
  }
  return b;
}

const loaded = load();
/**
 * The operator call as the addon exports it, before guardBinding wraps it: it
 * returns `failure` (then `native.takeError()` gives the error) instead of
 * throwing. Only lib/ops.ts's hot path uses it, to save the wrapper's cost.
 */
export const rawCall: NativeBinding['call'] = loaded.call;
export const native: NativeBinding = guardBinding(loaded);
