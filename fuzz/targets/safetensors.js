// The safetensors reader on arbitrary bytes.
'use strict';
const { lib, expectClean } = require('./common');
const { parseSafetensors, SafetensorsError } = lib('serialization');
const { Tensor } = lib('tensor');

module.exports.fuzz = function (data) {
  const res = expectClean(() => parseSafetensors(data, 'fuzz.safetensors'), SafetensorsError);
  if (!res) return;
  const r = res.value;
  for (const [name, t] of Object.entries(r.tensors)) {
    if (!(t instanceof Tensor)) throw new Error(`${name} is not a tensor`);
    void t.shape;
  }
  for (const v of Object.values(r.metadata)) if (typeof v !== 'string') throw new Error('metadata value is not a string');
};
