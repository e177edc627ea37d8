import { argError } from './errors';
import { native } from './native';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  if (typeof fn !== 'function') argError('fn', 'a function', fn);
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    native.setGradEnabled(previous);
    throw e;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    // An async function: the mode holds until its promise settles (as a Python
    // context manager around awaits would).
    return Promise.resolve(result).finally(() => native.setGradEnabled(previous)) as T;
  }
  native.setGradEnabled(previous);
  return result;
}

/** Runs `fn` with gradient tracking off (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient tracking on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') argError('enabled', 'a boolean', enabled);
  native.setGradEnabled(enabled);
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}
