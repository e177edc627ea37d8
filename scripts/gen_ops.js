#!/usr/bin/env node
// Generates lib/generated/ops.ts (Tensor methods) and lib/generated/functions.ts
// (torch.* functions) from the operator schemas of the LibTorch this checkout is
// built against, for the operators listed in scripts/ops_wanted.json.
//
//   npx tsc -p tsconfig.json && node scripts/gen_ops.js   (then npx tsc again)
//
// Names already hand-written (Tensor.prototype, torch.* exports) are never
// generated. test/ops.test.ts regenerates in memory and compares byte for byte.
// See docs/operators.md.
'use strict';
const fs = require('fs');
const path = require('path');

const GENERATED = Symbol.for('nodetorch.generated');

const camelCase = (name) => {
  const lead = /^_*/.exec(name)[0];
  return lead + name.slice(lead.length).replace(/_+([a-zA-Z0-9])/g, (_, c) => c.toUpperCase());
};

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null ' +
    'return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval').split(' '),
);
const safeIdent = (n) => (RESERVED.has(n) ? `${n}_` : n);

const SCALAR = 'number | boolean | bigint';
const MEMORY_FORMATS = "'contiguous_format' | 'channels_last' | 'channels_last_3d' | 'preserve_format'";

/** The TypeScript type of an argument, or null when JavaScript cannot give it. */
function argType(type, N) {
  if (type.endsWith('?')) {
    const t = argType(type.slice(0, -1), N);
    return t === null ? null : `${t} | null`;
  }
  if (type.endsWith('[]')) {
    const elem = type.slice(0, -2);
    const e = argType(elem, undefined);
    if (e === null || elem.endsWith('[]')) return null;
    const list = /[|]/.test(e) ? `(${e})[]` : `${e}[]`;
    if ((elem === 'int' || elem === 'SymInt') && N !== undefined) return `number | ${list}`;
    return list;
  }
  switch (type) {
    case 'Tensor':
      return 'Tensor';
    case 'int':
    case 'SymInt':
    case 'float':
    case 'SymFloat':
      return 'number';
    case 'bool':
    case 'SymBool':
      return 'boolean';
    case 'Scalar':
      return SCALAR;
    case 'str':
      return 'string';
    case 'ScalarType':
      return 'DType';
    case 'Layout':
      return "'strided' | 'sparse_coo'";
    case 'MemoryFormat':
      return MEMORY_FORMATS;
    case 'Device':
      return 'Device';
    case 'Generator':
      return 'Generator';
    default:
      return null;
  }
}

/** The TypeScript type of one return value, or null. */
function returnType(type) {
  switch (type) {
    case 'Tensor':
      return 'Tensor';
    case 'Tensor?':
      return 'Tensor | null';
    case 'Tensor[]':
      return 'Tensor[]';
    case 'int':
    case 'SymInt':
    case 'float':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'Scalar':
      return SCALAR;
    case 'str':
      return 'string';
    default:
      return null;
  }
}

const isDimnameOverload = (s) =>
  /dimname|names|named/i.test(s.overloadName) || s.arguments.some((a) => /^dims?$/.test(a.name) && /^str(\[\])?\??$/.test(a.type.replace(/\[\d*\]/, '[]')));

/** Why an overload is left out of the generated API, or null. */
function skipReason(s, asMethod) {
  if (s.arguments.some((a) => a.isOut)) return 'out=';
  if (isDimnameOverload(s)) return 'Dimname';
  if (s.isVararg) return 'vararg';
  if (s.arguments.some((a) => argType(a.type, a.N) === null)) return 'argument type';
  if (s.returns.some((r) => returnType(r.type) === null)) return 'return type';
  if (asMethod) {
    const self = s.arguments.find((a) => a.name === 'self');
    if (!self || self.type !== 'Tensor') return 'no Tensor self';
  }
  return null;
}

/** [qualified, args, returns] as lib/ops_namespace.ts CompactSchema. */
function compact(s) {
  const qualified = s.overloadName ? `${s.name}.${s.overloadName}` : s.name;
  const args = s.arguments.map((a) => {
    const flags = (a.hasDefault ? 1 : 0) | (a.kwargOnly ? 2 : 0);
    return a.N !== undefined ? [a.name, a.type, flags, a.N] : [a.name, a.type, flags];
  });
  const returns = s.returns.map((r) => {
    let aliasOf = -1;
    if (r.isWrite && r.alias) aliasOf = s.arguments.findIndex((a) => a.alias === r.alias);
    return [r.name, r.type, aliasOf];
  });
  return [qualified, args, returns];
}

/** The TS result type of an overload. */
function resultType(s, asMethod) {
  const rets = s.returns;
  const self = s.arguments.findIndex((a) => a.name === 'self');
  const one = (r) => (asMethod && r.isWrite && r.alias && s.arguments[self] && s.arguments[self].alias === r.alias ? 'this' : returnType(r.type));
  if (rets.length === 0) return 'void';
  if (rets.length === 1) return one(rets[0]);
  if (rets.length === 2 && rets[0].name === 'values' && rets[1].name === 'indices') return 'ValuesIndices';
  const tuple = `[${rets.map(one).join(', ')}]`;
  if (rets.every((r) => r.name)) return `${tuple} & { readonly ${rets.map((r) => `${r.name}: ${one(r)}`).join('; readonly ')} }`;
  return tuple;
}

/** TS call signatures of one overload: every length of the positional prefix, each with a trailing options object. */
function signatures(s, asMethod) {
  const key = (a) => (!asMethod && a.name === 'self' ? 'input' : camelCase(a.name));
  const formals = s.arguments.filter((a) => !(asMethod && a.name === 'self'));
  const positional = formals.filter((a) => !a.kwargOnly);
  const isRequired = (a) => !a.hasDefault && !a.type.endsWith('?');
  let required = 0;
  positional.forEach((a, i) => {
    if (isRequired(a)) required = i + 1;
  });
  const kwRequired = formals.some((a) => a.kwargOnly && isRequired(a));
  const optionFields = formals
    .filter((a) => !(a.name === 'self'))
    .map((a) => `${/^[A-Za-z_$][\w$]*$/.test(key(a)) ? key(a) : JSON.stringify(key(a))}${a.kwargOnly && isRequired(a) ? '' : '?'}: ${argType(a.type, a.N)}`);
  const options = optionFields.length ? `options${kwRequired ? '' : '?'}: { ${optionFields.join('; ')} }` : null;
  const ret = resultType(s, asMethod);
  const out = [];
  for (let k = required; k <= positional.length; k++) {
    const params = positional.slice(0, k).map((a) => `${safeIdent(key(a))}: ${argType(a.type, a.N)}`);
    if (options) params.push(options);
    out.push(`(${params.join(', ')}): ${ret}`);
    if (kwRequired) break;
  }
  // `x.view(2, 3)`: Python's varargs form of a lone int-list argument.
  if (positional.length === 1 && /^(Sym)?[Ii]nt\[\]$/.test(positional[0].type) && !kwRequired) {
    out.push(`(...${safeIdent(key(positional[0]))}: number[]): ${ret}`);
  }
  return out;
}

const schemaDoc = (s) => s.schema.replace(/\*\//g, '*\\/');

/**
 * The two generated files, as text.
 * schemas: native.operatorSchemas(); wanted: scripts/ops_wanted.json;
 * handMethods / handFunctions: names that are hand-written; version: LibTorch's.
 */
function generate({ schemas, wanted, handMethods, handFunctions, version }) {
  const byName = new Map();
  for (const s of schemas) {
    if (!byName.has(s.name)) byName.set(s.name, []);
    byName.get(s.name).push(s);
  }
  const methods = [];
  const functions = [];
  const report = { methods: [], functions: [], handWrittenMethods: [], handWrittenFunctions: [], missing: [], noOverload: [] };
  for (const name of Object.keys(wanted).sort()) {
    if (name.startsWith('$')) continue;
    const want = wanted[name];
    const list = byName.get(`aten::${name}`);
    if (!list) {
      report.missing.push(name);
      continue;
    }
    const jsName = want.jsName || camelCase(name);
    for (const [asMethod, on, hand, into, rep, handRep] of [
      [true, want.method, handMethods, methods, report.methods, report.handWrittenMethods],
      [false, want.function, handFunctions, functions, report.functions, report.handWrittenFunctions],
    ]) {
      if (!on) continue;
      if (hand.has(jsName)) {
        handRep.push(jsName);
        continue;
      }
      const kept = list.filter((s) => skipReason(s, asMethod) === null);
      if (!kept.length) {
        report.noOverload.push(`${asMethod ? 'Tensor.' : 'torch.'}${jsName}`);
        continue;
      }
      into.push({ jsName, name, overloads: kept });
      rep.push(jsName);
    }
  }

  const header = (what) =>
    [
      `// Generated by scripts/gen_ops.js from the operator schemas of LibTorch ${version}: ${what}.`,
      '// Do not edit: change scripts/ops_wanted.json or the generator and run `node scripts/gen_ops.js`.',
      '/* eslint-disable */',
    ].join('\n');
  const table = (overloads) => `[\n${overloads.map((s) => `  ${JSON.stringify(compact(s))},`).join('\n')}\n]`;
  const sigBlock = (entry, asMethod, indent) => {
    const lines = [];
    const seen = new Set();
    for (const s of entry.overloads) {
      for (const sig of signatures(s, asMethod)) {
        if (seen.has(sig)) continue;
        seen.add(sig);
        lines.push(`${indent}/** \`${schemaDoc(s)}\` */`);
        lines.push(`${indent}${asMethod ? entry.jsName : ''}${sig};`);
      }
    }
    return lines.join('\n');
  };

  const opsText = [
    header(`${methods.length} Tensor methods`),
    "import { Tensor, ValuesIndices } from '../tensor';",
    "import type { DType, Device } from '../dtype';",
    "import type { Generator } from '../generator';",
    "import { CompactSchema, generatedMethod } from '../ops_namespace';",
    '',
    "declare module '../tensor' {",
    '  interface Tensor {',
    methods.map((m) => sigBlock(m, true, '    ')).join('\n'),
    '  }',
    '}',
    '',
    'const methods: [string, readonly CompactSchema[]][] = [',
    methods.map((m) => `  [${JSON.stringify(m.jsName)}, ${table(m.overloads).replace(/\n/g, '\n  ')}],`).join('\n'),
    '];',
    '',
    '// Never over a hand-written method (lib/tensor.ts).',
    'for (const [name, overloads] of methods) {',
    '  if (Object.prototype.hasOwnProperty.call(Tensor.prototype, name)) continue;',
    '  Object.defineProperty(Tensor.prototype, name, { value: generatedMethod(name, overloads), writable: true, configurable: true });',
    '}',
    '',
    '/** The names this file adds to Tensor.prototype. */',
    `export const generatedMethodNames: readonly string[] = methods.map((m) => m[0]);`,
    '',
  ].join('\n');

  const fnLines = [];
  const exportsAs = [];
  for (const f of functions) {
    const id = RESERVED.has(f.jsName) ? `${f.jsName}_` : f.jsName;
    fnLines.push(`const ${id}: {\n${sigBlock(f, false, '  ')}\n} = generatedFunction(${JSON.stringify(f.jsName)}, ${table(f.overloads)}) as never;`);
    exportsAs.push(id === f.jsName ? id : `${id} as ${f.jsName}`);
  }
  const functionsText = [
    header(`${functions.length} torch.* functions`),
    "import type { Tensor, ValuesIndices } from '../tensor';",
    "import type { DType, Device } from '../dtype';",
    "import type { Generator } from '../generator';",
    "import { generatedFunction } from '../ops_namespace';",
    '',
    fnLines.join('\n\n'),
    '',
    `export {\n${exportsAs.map((e) => `  ${e},`).join('\n')}\n};`,
    '',
  ].join('\n');
  return { ops: opsText, functions: functionsText, report };
}

/** Names hand-written in the built library: own Tensor.prototype members and torch.* exports not made by the generator. */
function handWritten(torch) {
  const proto = torch.Tensor.prototype;
  const handMethods = new Set(
    Object.getOwnPropertyNames(proto).filter((n) => {
      const d = Object.getOwnPropertyDescriptor(proto, n);
      return !(d && typeof d.value === 'function' && d.value[GENERATED]);
    }),
  );
  const handFunctions = new Set(Object.keys(torch).filter((n) => !(typeof torch[n] === 'function' && torch[n][GENERATED])));
  return { handMethods, handFunctions };
}

module.exports = { generate, handWritten, camelCase, GENERATED };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const torch = require(path.join(root, 'dist', 'lib'));
  const { native } = require(path.join(root, 'dist', 'lib', 'native'));
  const wanted = JSON.parse(fs.readFileSync(path.join(__dirname, 'ops_wanted.json'), 'utf8'));
  const { handMethods, handFunctions } = handWritten(torch);
  const out = generate({ schemas: native.operatorSchemas(), wanted, handMethods, handFunctions, version: native.config().libtorchVersion });
  const dir = path.join(root, 'lib', 'generated');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ops.ts'), out.ops);
  fs.writeFileSync(path.join(dir, 'functions.ts'), out.functions);
  const r = out.report;
  console.log(`lib/generated/ops.ts: ${r.methods.length} Tensor methods; lib/generated/functions.ts: ${r.functions.length} torch.* functions`);
  console.log(`hand-written, not generated: ${r.handWrittenMethods.length} methods, ${r.handWrittenFunctions.length} functions`);
  if (r.missing.length) console.log(`not in this LibTorch: ${r.missing.join(', ')}`);
  if (r.noOverload.length) console.log(`no overload JavaScript can call: ${r.noOverload.join(', ')}`);
  if (process.argv.includes('--report')) console.log(JSON.stringify(r, null, 1));
}
