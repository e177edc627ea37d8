// PyTorch's calling convention, once: Python's positional parameters are
// positional, and a trailing options object takes every parameter by its
// camelCase name (keyword-only ones only there). Constructors and functions
// declare their Python signature in SIGNATURES (lib/signatures.ts) and bind
// their arguments with bind(); unknown or snake_case keys are refused with
// "did you mean …".

/** One Python parameter, in Python's order. */
export interface Param {
  /** camelCase name (Python's snake_case name converted) */
  readonly name: string;
  /** Python's default; absent for a required parameter */
  readonly default?: unknown;
  /** after `*` in Python: only by name, in the options object */
  readonly keywordOnly?: boolean;
  /** the parameter itself takes a plain object, so a trailing object is not taken for options */
  readonly takesObject?: boolean;
}
export type Signature = readonly Param[];

/** A plain object (`{ ... }`), as an options object is: not an array, a Tensor or a class instance. */
export function isOptions(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const snakeToCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Levenshtein distance, ignoring case (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** " (did you mean 'x'?)" for a key close to a known one (snake_case maps to camelCase), else the known keys. */
export function suggestion(key: string, known: readonly string[]): string {
  const camel = snakeToCamel(key);
  if (camel !== key && known.includes(camel)) return ` (did you mean '${camel}'? options are camelCase)`;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(camel, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3))) return ` (did you mean '${best}'?)`;
  return known.length ? ` (known: ${known.join(', ')})` : '';
}

/** Refuses keys of `options` that are not in `known`, with "did you mean …". */
export function checkKeys(where: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}'${suggestion(k, known)}`);
  }
}

/**
 * Binds a call's arguments to `sig`: leading positional values, then an
 * optional trailing options object. `undefined` counts as not given; the
 * result holds every parameter (defaults filled in unless `fillDefaults` is
 * false, `null` kept as None).
 */
export function bind(where: string, sig: Signature, args: readonly unknown[], { fillDefaults = true } = {}): Record<string, unknown> {
  const positional = sig.filter((p) => !p.keywordOnly);
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let options: Record<string, unknown> | undefined;
  if (n > 0 && isOptions(args[n - 1]) && !(n - 1 < positional.length && positional[n - 1].takesObject)) {
    options = args[n - 1] as Record<string, unknown>;
    n--;
  }
  if (n > positional.length) {
    throw new TypeError(
      `${where} takes at most ${positional.length} positional argument${positional.length === 1 ? '' : 's'} (${positional.map((p) => p.name).join(', ')}), got ${n}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) if (args[i] !== undefined) out[positional[i].name] = args[i];
  if (options) {
    checkKeys(where, options, sig.map((p) => p.name));
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue;
      if (k in out) throw new TypeError(`${where}: got multiple values for argument '${k}' (positionally and in the options)`);
      out[k] = v;
    }
  }
  for (const p of sig) {
    if (p.name in out) continue;
    if (!fillDefaults && 'default' in p) continue;
    if (!('default' in p)) throw new TypeError(`${where}: missing required argument '${p.name}'`);
    out[p.name] = p.default;
  }
  return out;
}
