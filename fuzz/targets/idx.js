// The IDX reader (readIdx and readIdxHeader) on arbitrary files: the first input byte
// picks a plain file or a .gz one, the rest is the file. Files go to a private folder
// (in /dev/shm when there is one).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { lib, expectClean } = require('./common');
const { readIdx, readIdxHeader, IdxFormatError } = lib('vision/idx');
const { Tensor } = lib('tensor');

const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const dir = fs.mkdtempSync(path.join(base, 'nodetorch-fuzz-idx-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const plain = path.join(dir, 'f-idx3-ubyte');
const gz = path.join(dir, 'f-idx3-ubyte.gz');

module.exports.fuzz = function (data) {
  if (data.length < 1) return;
  const file = data[0] & 1 ? gz : plain;
  fs.writeFileSync(file, data.subarray(1));
  const options = { maxBytes: 1 << 22 };
  const hr = expectClean(() => readIdxHeader(file, options), IdxFormatError);
  const tr = expectClean(() => readIdx(file, options), IdxFormatError);
  if (tr) {
    const t = tr.value;
    const h = hr && hr.value;
    if (!(t instanceof Tensor) || !h) throw new Error('readIdx gave a tensor but readIdxHeader refused the file');
    if (t.shape.join() !== h.shape.join() || t.dtype !== h.dtype) throw new Error(`header ${h.shape} ${h.dtype}, tensor ${t.shape} ${t.dtype}`);
  }
};
