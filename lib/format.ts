// PyTorch-like printing: tensor([[1., 2.], [3., 4.]], dtype=torch.float64, requires_grad=True)
import type { Tensor } from './tensor';

const SUMMARIZE_OVER = 1000; // PyTorch's default print threshold
const EDGE = 3;

function formatter(values: (number | bigint)[], isFloat: boolean, isBool: boolean): (v: number | bigint) => string {
  if (isBool) return (v) => (v ? 'True' : 'False');
  if (!isFloat) return (v) => String(v); // int64 elements are bigints: printed exactly
  return floatFormatter(values as number[]) as (v: number | bigint) => string;
}

function floatFormatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const allInt = finite.every((v) => Number.isInteger(v));
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (allInt) {
    if (max >= 1e8) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
    return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  }
  if (max / (min || 1) > 1000 || max > 1e8 || min < 1e-4) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

export function formatTensor(t: Tensor): string {
  if (t.disposed) return 'tensor(<disposed>)';
  const shape = t.shape;
  const dtype = t.dtype;
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const isBool = dtype === 'bool';
  const numel = t.numel();
  const summarize = numel > SUMMARIZE_OVER;
  const typed = t.toTypedArray();
  const flat: (number | bigint)[] = Array.from(typed as ArrayLike<number | bigint>);
  const strides: number[] = [];
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  // The indices shown along each dimension (the edges only, when summarizing).
  const shown = (d: number): (number | null)[] =>
    summarize && shape[d] > 2 * EDGE
      ? [...Array(EDGE).keys(), null, ...Array.from({ length: EDGE }, (_, i) => shape[d] - EDGE + i)]
      : [...Array(shape[d]).keys()];
  const visible: (number | bigint)[] = [];
  const collect = (d: number, offset: number) => {
    if (d === shape.length) return void visible.push(flat[offset]);
    for (const i of shown(d)) if (i !== null) collect(d + 1, offset + i * strides[d]);
  };
  collect(0, 0);
  const fmt = formatter(visible, isFloat, isBool);
  const width = Math.max(1, ...visible.map((v) => fmt(v).length));
  const pad = (s: string) => s.padStart(width);
  const indent = 'tensor('.length;
  const render = (d: number, offset: number): string => {
    if (d === shape.length) return pad(fmt(flat[offset]));
    const parts = shown(d).map((i) => (i === null ? (d === shape.length - 1 ? pad('...') : '...') : render(d + 1, offset + i * strides[d])));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = shape.length === 0 ? fmt(flat[0]) : render(0, 0);
  if (numel === 0) body = '[]';
  const extras: string[] = [];
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  const defaultDtype = dtype === 'float32' || dtype === 'int64' || dtype === 'bool';
  if (!defaultDtype || numel === 0) extras.push(`dtype=torch.${dtype}`);
  if (numel === 0 && shape.length > 1) extras.unshift(`size=(${shape.join(', ')})`);
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${[body, ...extras].join(', ')})`;
}
