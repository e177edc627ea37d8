// The restricted unpickler alone on arbitrary bytes; storages are small real tensors
// (so that _rebuild_tensor_v2's checks and LibTorch's as_strided run too).
'use strict';
const { lib, expectClean, checkValue } = require('./common');
const { unpickle, TorchFileError } = lib('torchfile');
const { native } = lib('native');
const { Tensor } = lib('tensor');
const { ITEM_SIZE } = lib('dtype');

const storage = (ref) => {
  const numel = Math.min(ref.numel, 64);
  return new Tensor(native.fromBuffer(Buffer.alloc(numel * ITEM_SIZE[ref.dtype]), [numel], ref.dtype));
};

module.exports.fuzz = function (data) {
  const r = expectClean(() => unpickle(data, 'fuzz.pkl', storage), TorchFileError);
  if (r) checkValue(r.value, Tensor);
};
