// Selecting parameters by name patterns, for freeze()/unfreeze().
import { argError } from '../errors';
import { Tensor } from '../tensor';

/**
 * Whether a dotted name matches a pattern: a module or parameter name matches
 * itself and everything below it ('conv1' matches 'conv1.weight'); '*' matches
 * any run of characters ('layer1.*', '*.bias').
 */
export function nameMatches(name: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '(\\..*)?$');
  return re.test(name);
}

export function checkPatterns(patterns: string | string[] | undefined): string[] | undefined {
  if (patterns === undefined) return undefined;
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) argError('patterns', 'a name pattern or an array of them', patterns);
  return list;
}

/** Sets requiresGrad on the named parameters matching `patterns` (all when none); throws when a pattern matches nothing. */
export function freezeByPatterns(named: [string, Tensor][], patterns: string | string[] | undefined, requiresGrad: boolean): [string, Tensor][] {
  const list = checkPatterns(patterns);
  const chosen = list ? named.filter(([n]) => list.some((p) => nameMatches(n, p))) : named;
  if (list) {
    for (const p of list) {
      if (!named.some(([n]) => nameMatches(n, p))) {
        throw new RangeError(`no parameter matches '${p}' (parameters: ${named.slice(0, 6).map(([n]) => n).join(', ')}${named.length > 6 ? ', …' : ''})`);
      }
    }
  }
  for (const [, t] of chosen) t.requiresGrad = requiresGrad;
  return chosen;
}
