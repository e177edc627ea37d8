// Lazy layers (nn.LazyLinear, nn.LazyConv2d): the input size is inferred at the
// first call, as in PyTorch, so a model ported from Keras need not know the
// flattened size. Until then the parameters are UninitializedParameters
// (empty placeholders); the first call gives them their shapes (the same
// Parameter objects, so an optimizer made before keeps working) and draws
// their initial values exactly as the eager layer does, then the module
// becomes that layer (LazyLinear → Linear), as PyTorch's cls_to_become.
import { argError } from '../errors';
import { noGrad } from '../autograd';
import { empty } from '../creation';
import { Tensor } from '../tensor';
import { Conv2d, Linear } from './layers';
import { Module, Parameter } from './module';

/** A parameter whose shape is not known yet (a lazy layer before its first call): an empty placeholder. */
export class UninitializedParameter extends Parameter {
  constructor(requiresGrad = true) {
    super(empty(0), requiresGrad);
  }
}

const isOptions = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Python's calling rule: positional parameters in order, then a trailing options object accepting any of them by name. */
function bindArgs(what: string, names: string[], args: unknown[], required: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let positional = args;
  if (args.length && isOptions(args[args.length - 1])) {
    positional = args.slice(0, -1);
    const opts = args[args.length - 1] as Record<string, unknown>;
    for (const [k, v] of Object.entries(opts)) {
      if (!names.includes(k)) {
        const hint = names.find((n) => n === camel(k) || n.toLowerCase() === k.toLowerCase().replace(/_/g, ''));
        throw new TypeError(`${what}: unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ` (known: ${names.join(', ')})`}`);
      }
      if (v !== undefined) out[k] = v;
    }
  }
  if (positional.length > names.length) throw new TypeError(`${what}: takes at most ${names.length} positional arguments, got ${positional.length}`);
  positional.forEach((v, i) => {
    if (names[i] in out) throw new TypeError(`${what}: '${names[i]}' given both positionally and as an option`);
    if (v !== undefined) out[names[i]] = v;
  });
  for (const n of names.slice(0, required)) if (out[n] === undefined) throw new TypeError(`${what}: '${n}' is required`);
  return out;
}

/**
 * The part shared by the lazy layers: the placeholders and the switch to the
 * eager layer, made by `build(inSize)` (which draws its initial values).
 */
abstract class LazyModule extends Module<[Tensor], Tensor> {
  weight: Parameter = new UninitializedParameter();
  bias: Parameter | null = null;

  /** True until the first call (or a loaded state dict) gives the parameters their shapes. */
  hasUninitializedParams(): boolean {
    return this.weight instanceof UninitializedParameter;
  }
  /** The eager layer for an input size (drawing its initial values, as its constructor does). */
  protected abstract build(inSize: number): Module;
  /** The input size a call with `input` means. */
  protected abstract inSizeOf(input: Tensor): number;
  /** The input size a state dict's weight means. */
  protected abstract inSizeOfWeight(shape: number[]): number;

  /** Materialises the parameters for `input` (PyTorch's initialize_parameters) and becomes the eager layer. */
  initializeParameters(input: Tensor): void {
    if (!(input instanceof Tensor)) argError('input', 'a Tensor', input);
    if (this.hasUninitializedParams()) this.become(this.build(this.inSizeOf(input)));
  }
  private become(eager: Module): void {
    noGrad(() => {
      const self = this as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(eager)) {
        if (k === 'training') continue;
        const mine = self[k];
        if (v instanceof Parameter && mine instanceof Parameter) {
          // Keep the Parameter objects (an optimizer may hold them): new data, same device/dtype as the placeholder.
          mine.data = v.to(mine.device).to(mine.dtype);
          Object.setPrototypeOf(mine, Parameter.prototype);
        } else {
          self[k] = v;
        }
      }
    });
    Object.setPrototypeOf(this, Object.getPrototypeOf(eager));
  }
  forward(input: Tensor): Tensor {
    this.initializeParameters(input);
    if (this.forward === LazyModule.prototype.forward) throw new Error(`${this.constructor.name}: the parameters could not be initialised`);
    return this.forward(input); // the eager layer's forward now
  }
  /** @internal Called by Module.loadStateDict: a checkpoint's shapes materialise the layer (no forward needed). */
  materializeFromStateDict(stateDict: Record<string, Tensor>, prefix: string): void {
    const w = stateDict[`${prefix}weight`];
    if (!this.hasUninitializedParams() || !(w instanceof Tensor) || w.dim() < 2) return;
    this.become(this.build(this.inSizeOfWeight(w.shape)));
  }
  extraRepr(): string {
    return '<uninitialized>';
  }
}

/** nn.LazyLinear(outFeatures, bias = true): a Linear whose inFeatures is the last dimension of its first input. */
export class LazyLinear extends LazyModule {
  readonly outFeatures: number;
  constructor(outFeatures: number, bias?: boolean, options?: { outFeatures?: number; bias?: boolean });
  constructor(options: { outFeatures: number; bias?: boolean });
  constructor(...args: unknown[]) {
    super();
    const a = bindArgs('LazyLinear', ['outFeatures', 'bias'], args, 1);
    // Checked by Linear's own constructor too; here so that a mistake shows at once.
    const out = a.outFeatures;
    if (typeof out !== 'number' || !Number.isInteger(out) || out < 0) argError('outFeatures', 'an integer >= 0', out);
    if (a.bias !== undefined && typeof a.bias !== 'boolean') argError('bias', 'a boolean', a.bias);
    this.outFeatures = out as number;
    this.bias = a.bias === false ? null : new UninitializedParameter();
  }
  protected build(inSize: number): Module {
    return new Linear(inSize, this.outFeatures, { bias: this.bias !== null });
  }
  protected inSizeOf(input: Tensor): number {
    if (input.dim() < 1) throw new RangeError('LazyLinear: the input must have at least one dimension');
    return input.shape[input.dim() - 1];
  }
  protected inSizeOfWeight(shape: number[]): number {
    return shape[1];
  }
  extraRepr(): string {
    return `inFeatures=<uninitialized>, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

type Pair = number | [number, number];
export interface LazyConv2dOptions {
  outChannels?: number;
  kernelSize?: Pair;
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}
const CONV_ARGS = ['outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'];

/** nn.LazyConv2d(outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode): a Conv2d whose inChannels comes from its first input. */
export class LazyConv2d extends LazyModule {
  readonly outChannels: number;
  private readonly convOptions: Omit<LazyConv2dOptions, 'outChannels'>;
  constructor(outChannels: number, kernelSize: Pair, options?: Omit<LazyConv2dOptions, 'outChannels' | 'kernelSize'>);
  constructor(
    outChannels: number,
    kernelSize: Pair,
    stride?: Pair,
    padding?: Pair | 'valid' | 'same',
    dilation?: Pair,
    groups?: number,
    bias?: boolean,
    paddingMode?: LazyConv2dOptions['paddingMode'],
    options?: LazyConv2dOptions,
  );
  constructor(outChannels: number, options: LazyConv2dOptions);
  constructor(options: LazyConv2dOptions);
  constructor(...args: unknown[]) {
    super();
    const a = bindArgs('LazyConv2d', CONV_ARGS, args, 2) as LazyConv2dOptions;
    const out = a.outChannels;
    if (typeof out !== 'number' || !Number.isInteger(out) || out < 1) argError('outChannels', 'an integer >= 1', out);
    if (a.bias !== undefined && typeof a.bias !== 'boolean') argError('bias', 'a boolean', a.bias);
    this.outChannels = out as number;
    const { outChannels: _o, ...rest } = a;
    void _o;
    this.convOptions = rest;
    this.bias = a.bias === false ? null : new UninitializedParameter();
  }
  protected build(inSize: number): Module {
    const o = this.convOptions;
    return new Conv2d(inSize, this.outChannels, {
      kernelSize: o.kernelSize!,
      ...(o.stride !== undefined && { stride: o.stride }),
      ...(o.padding !== undefined && { padding: o.padding }),
      ...(o.dilation !== undefined && { dilation: o.dilation }),
      ...(o.groups !== undefined && { groups: o.groups }),
      ...(o.bias !== undefined && { bias: o.bias }),
      ...(o.paddingMode !== undefined && { paddingMode: o.paddingMode }),
    });
  }
  protected inSizeOf(input: Tensor): number {
    const d = input.dim();
    if (d !== 3 && d !== 4) throw new RangeError(`Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input of size: [${input.shape.join(', ')}]`);
    return input.shape[d === 4 ? 1 : 0];
  }
  protected inSizeOfWeight(shape: number[]): number {
    return shape[1] * (this.convOptions.groups ?? 1);
  }
  extraRepr(): string {
    return `<uninitialized>, ${this.outChannels}, kernelSize=${JSON.stringify(this.convOptions.kernelSize)}`;
  }
}
