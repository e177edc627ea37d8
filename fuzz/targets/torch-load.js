// torch.load's zip + pickle path on arbitrary bytes (the code torch.load runs after
// opening the file; the file is a ByteSource over the input).
'use strict';
const { lib, expectClean, checkValue } = require('./common');
const { readTorchFile, TorchFileError } = lib('torchfile');
const { detectFormat } = lib('serialization');
const { Tensor } = lib('tensor');

module.exports.fuzz = function (data) {
  detectFormat(data);
  const r = expectClean(() => readTorchFile(data, 'fuzz.pt', { maxInflatedBytes: 1 << 20 }), TorchFileError);
  if (r) checkValue(r.value, Tensor);
};
