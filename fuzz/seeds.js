// Writes the seed corpora of the fuzz targets into fuzz/work/corpus/<target>/:
// the small files of test/fixtures (made by Python) and small valid files of every
// kind the readers take, made here (all dtypes, ZIP64 forced, deflated records,
// gzip, non-ASCII names, big integers).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { lib } = require('./targets/common');

const torch = lib('index');
const { writeTorchFile, readZipRecord, zipEntryNames, fileLimits } = lib('torchfile');
const FIX = path.join(__dirname, '..', 'test', 'fixtures');
const fixture = (name) => fs.readFileSync(path.join(FIX, name));

/** A copy of a zip with every record deflated (method 8), directory rewritten to match. */
function deflateZip(bytes) {
  const names = [];
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(eocd + 10);
  let p = bytes.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const n = bytes.readUInt16LE(p + 28);
    names.push(bytes.toString('utf8', p + 46, p + 46 + n));
    p += 46 + n + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
  }
  const local = [];
  const central = [];
  let offset = 0;
  for (const name of names) {
    const data = readZipRecord(bytes, name);
    const comp = zlib.deflateRawSync(data);
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(zlib.crc32(data), 14);
    h.writeUInt32LE(comp.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(zlib.crc32(data), 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    local.push(h, n, comp);
    central.push(c, n);
    offset += 30 + n.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

function idx(dtypeCode, shape, size) {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = Buffer.alloc(4 + 4 * shape.length);
  h[2] = dtypeCode;
  h[3] = shape.length;
  shape.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, Buffer.from(Array.from({ length: n * size }, (_, i) => (i * 37) & 0xff))]);
}

function seeds() {
  const objects = {
    dtypes: Object.fromEntries(['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'].map((d) => [d, torch.ones(2, { dtype: d })])),
    nested: { state: { 0: { step: 3, exp_avg: torch.zeros(2, 2) } }, param_groups: [{ lr: 0.5, params: [0], name: 'ü' }] },
    ints: { a: 2n ** 62n, b: -(2n ** 70n), c: 7, d: -1, e: 2 ** 40 },
    scalar: torch.tensor(3.5),
    view: torch.arange(12, { dtype: 'float32' }).view(3, 4).t(),
    empty: { e: torch.zeros(0), l: [], s: '' },
  };
  const pt = {};
  for (const [name, obj] of Object.entries(objects)) pt[`ours_${name}.pt`] = writeTorchFile(obj);
  const saved = fileLimits.zip64Threshold;
  fileLimits.zip64Threshold = 0; // every size, offset and count in ZIP64 fields
  pt['ours_zip64.pt'] = writeTorchFile(objects.nested);
  fileLimits.zip64Threshold = saved;
  for (const f of ['py_small_state_dict.pt', 'py_adam_state.pt', 'py_ints.pt', 'py_small_deflated.pt']) pt[f] = fixture(f);
  pt['ours_deflated.pt'] = deflateZip(pt['ours_dtypes.pt']);

  const pickles = {};
  for (const [name, bytes] of Object.entries(pt)) pickles[name.replace(/\.pt$/, '.pkl')] = readZipRecord(bytes, zipEntryNames(bytes).find((n) => n.endsWith('/data.pkl')));

  const st = { 'py_small.safetensors': fixture('py_small.safetensors'), 'py_unicode.safetensors': fixture('py_unicode.safetensors') };
  const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'nodetorch-seeds-'));
  try {
    const f = path.join(tmp, 'x.safetensors');
    torch.safetensors.saveFile({ 'a.名': torch.ones(2, 3), b: torch.tensor([1, 2, 3]), c: torch.zeros(0, { dtype: 'uint8' }) }, f, { k: 'v' });
    st['ours.safetensors'] = fs.readFileSync(f);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  // idx target: the first byte picks plain (even) or .gz (odd).
  const idxFiles = {
    u8: idx(0x08, [3, 2, 2], 1),
    i8: idx(0x09, [5], 1),
    i16: idx(0x0b, [2, 3], 2),
    i32: idx(0x0c, [4], 4),
    f32: idx(0x0d, [2, 1, 2], 4),
    f64: idx(0x0e, [1, 2], 8),
    labels: idx(0x08, [10], 1),
  };
  const idxSeeds = {};
  for (const [name, b] of Object.entries(idxFiles)) {
    idxSeeds[`${name}.plain`] = Buffer.concat([Buffer.from([0]), b]);
    idxSeeds[`${name}.gz`] = Buffer.concat([Buffer.from([1]), zlib.gzipSync(b)]);
  }
  return { 'torch-load': pt, safetensors: st, pickle: pickles, idx: idxSeeds };
}

/** Writes the seeds of `target` (all when omitted); returns the corpus folders. */
function writeSeeds(target) {
  const all = seeds();
  const out = {};
  for (const [t, files] of Object.entries(all)) {
    if (target && t !== target) continue;
    const dir = path.join(__dirname, 'work', 'corpus', t);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, `seed_${name}`), bytes);
    out[t] = dir;
  }
  return out;
}

module.exports = { writeSeeds, TARGETS: ['torch-load', 'safetensors', 'pickle', 'idx'] };
if (require.main === module) console.log(writeSeeds(process.argv[2]));
