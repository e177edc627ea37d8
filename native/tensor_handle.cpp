// The Tensor handle class and JS <-> IValue conversion.
#include "binding.h"

#include <cmath>
#include <cstring>

namespace nodetorch {

void throwTorchError(Napi::Env env, const std::string& message, const char* kind) {
  auto* data = env.GetInstanceData<InstanceData>();
  Napi::Value err;
  if (data && !data->errorClass.IsEmpty()) {
    err = data->errorClass.New({Napi::String::New(env, message), Napi::String::New(env, kind)});
  } else {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("kind", Napi::String::New(env, kind));
    err = e.Value();
  }
  throw Napi::Error(env, err);
}

// ---------------------------------------------------------------- type tags

namespace {
// Random 128-bit values, one per handle class; never change them within a process.
const napi_type_tag kTags[] = {
    {0x6e6f6465746f7263ULL, 0x6854656e736f7201ULL},  // Tensor
    {0x6e6f6465746f7263ULL, 0x68536372697074a2ULL},  // ScriptModule
    {0x6e6f6465746f7263ULL, 0x6850726f677261a3ULL},  // Program
    {0x6e6f6465746f7263ULL, 0x68507265666574a4ULL},  // Prefetch
    {0x6e6f6465746f7263ULL, 0x6847656e657261a5ULL},  // Generator
};
}  // namespace

void tagHandle(Napi::Env env, const Napi::Object& o, HandleKind kind) {
  o.TypeTag(&kTags[static_cast<int>(kind)]);
}

bool hasTag(Napi::Env env, const Napi::Value& v, HandleKind kind) {
  if (!v.IsObject()) return false;
  return v.As<Napi::Object>().CheckTypeTag(&kTags[static_cast<int>(kind)]);
}

// ---------------------------------------------------------------- MemoryAccount

void MemoryAccount::add(Napi::BasicEnv env, int64_t bytes, bool host) {
  if (!bytes) return;
  if (host) {
    hostBytes_ += bytes;
    Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  } else {
    deviceBytes_ += bytes;
  }
}

void MemoryAccount::hold(Napi::BasicEnv env, const at::Tensor& t, Hold* h) {
  TensorMemory m = tensorMemory(t);
  h->host = m.host;
  if (!m.storage) {
    h->ownBytes = m.bytes;
    add(env, m.bytes, m.host);
    return;
  }
  h->storage.emplace(m.storage);
  Entry& e = entries_[m.storage.get()];
  if (e.holders++ == 0) {
    e.bytes = m.bytes;
    e.host = m.host;
    add(env, m.bytes, m.host);
  }
}

void MemoryAccount::release(Napi::BasicEnv env, Hold* h) {
  if (h->storage) {
    auto it = entries_.find(h->storage->_unsafe_get_target());
    if (it != entries_.end() && --it->second.holders == 0) {
      add(env, -it->second.bytes, it->second.host);
      entries_.erase(it);
    }
    h->storage.reset();
  }
  add(env, -h->ownBytes, h->host);
  h->ownBytes = 0;
}

// ---------------------------------------------------------------- TensorHandle

Napi::Function TensorHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "TensorHandle",
                           {
                               Getter<&TensorHandle::GetShape>("shape"),
                               Getter<&TensorHandle::GetStrides>("strides"),
                               Getter<&TensorHandle::GetIsContiguous>("isContiguous"),
                               Getter<&TensorHandle::GetDtype>("dtype"),
                               Getter<&TensorHandle::GetDevice>("device"),
                               Accessor<&TensorHandle::GetRequiresGrad, &TensorHandle::SetRequiresGrad>("requiresGrad"),
                               Accessor<&TensorHandle::GetGrad, &TensorHandle::SetGrad>("grad"),
                               Getter<&TensorHandle::GetIsLeaf>("isLeaf"),
                               Getter<&TensorHandle::GetGradFn>("gradFn"),
                               Getter<&TensorHandle::GetDisposed>("disposed"),
                               Method<&TensorHandle::Item>("item"),
                               Method<&TensorHandle::ToTypedArray>("toTypedArray"),
                               Method<&TensorHandle::Bytes>("bytes"),
                               Method<&TensorHandle::Backward>("backward"),
                               Method<&TensorHandle::RetainGrad>("retainGrad"),
                               Method<&TensorHandle::Dispose>("dispose"),
                               Method<&TensorHandle::IsSame>("isSame"),
                               Method<&TensorHandle::SetData>("setData"),
                           });
}

Napi::Value TensorHandle::Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* data = env.GetInstanceData<InstanceData>();
  return data->tensorClass.New({Napi::External<at::Tensor>::New(env, &t)});
}

bool TensorHandle::Is(Napi::Env env, const Napi::Value& v) {
  return hasTag(env, v, HandleKind::Tensor);
}

const at::Tensor& TensorHandle::TensorOf(Napi::Env env, const Napi::Value& v, const char* what) {
  auto* h = Of(env, v, what);
  if (h->disposed_) throw Napi::Error::New(env, std::string(what) + " was used after dispose()");
  return h->tensor_;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "TensorHandle is made by nodetorch, not constructed directly");
  tensor_ = *info[0].As<Napi::External<at::Tensor>>().Data();
  info.Env().GetInstanceData<InstanceData>()->memory.hold(info.Env(), tensor_, &hold_);
}

void TensorHandle::Release(Napi::BasicEnv env) {
  if (auto* data = env.GetInstanceData<InstanceData>()) data->memory.release(env, &hold_);
  tensor_ = at::Tensor();
  disposed_ = true;
}

void TensorHandle::Finalize(Napi::BasicEnv env) {
  Release(env);
  if (gradRef_) {
    // Deleting a reference is not allowed during garbage collection: do it just after.
    env.PostFinalizer([](Napi::Env e, napi_ref* ref) { napi_delete_reference(e, *ref); delete ref; }, new napi_ref(gradRef_));
    gradRef_ = nullptr;
  }
}

const at::Tensor& TensorHandle::Self(const Napi::CallbackInfo& info) const {
  if (disposed_) throw Napi::Error::New(info.Env(), "this tensor was used after dispose()");
  return tensor_;
}

namespace {
Napi::Value intArray(Napi::Env env, c10::IntArrayRef values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(i, Napi::Number::New(env, static_cast<double>(values[i])));
  return out;
}
}  // namespace

Napi::Value TensorHandle::GetShape(const Napi::CallbackInfo& info) {
  return intArray(info.Env(), Self(info).sizes());
}

Napi::Value TensorHandle::GetStrides(const Napi::CallbackInfo& info) {
  return intArray(info.Env(), Self(info).strides());
}

Napi::Value TensorHandle::GetIsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Self(info).is_contiguous());
}

Napi::Value TensorHandle::GetDtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(Self(info).scalar_type()));
}

Napi::Value TensorHandle::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), deviceName(Self(info).device()));
}

Napi::Value TensorHandle::GetRequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Self(info).requires_grad());
}

void TensorHandle::SetRequiresGrad(const Napi::CallbackInfo& info, const Napi::Value& v) {
  if (!v.IsBoolean()) throw Napi::TypeError::New(info.Env(), "requiresGrad must be a boolean");
  Self(info).set_requires_grad(v.As<Napi::Boolean>().Value());
}

Napi::Value TensorHandle::GetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& grad = Self(info).grad();
  if (!grad.defined()) return env.Null();
  if (gradRef_) {
    napi_value cached = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_reference_value(env, gradRef_, &cached), Napi::Value());
    if (cached) {
      Napi::Value v(env, cached);
      auto* h = Of(env, v, "grad");
      if (!h->disposed_ && h->tensor_.is_same(grad)) return v;
    }
    napi_delete_reference(env, gradRef_);
    gradRef_ = nullptr;
  }
  Napi::Value v = Wrap(env, grad);
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, v, 0, &gradRef_), Napi::Value());
  return v;
}

void TensorHandle::SetGrad(const Napi::CallbackInfo& info, const Napi::Value& v) {
  const auto& t = Self(info);
  if (v.IsNull() || v.IsUndefined()) {
    const_cast<at::Tensor&>(t).mutable_grad() = at::Tensor();
    return;
  }
  const auto& g = TensorOf(info.Env(), v, "grad");
  TORCH_CHECK(g.sizes() == t.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", t.sizes());
  TORCH_CHECK(g.device() == t.device(), "assigned grad is on ", g.device(), " but the tensor is on ", t.device());
  TORCH_CHECK(g.scalar_type() == t.scalar_type(), "assigned grad has dtype ", dtypeName(g.scalar_type()),
              " but the tensor has dtype ", dtypeName(t.scalar_type()));
  const_cast<at::Tensor&>(t).mutable_grad() = g;
}

Napi::Value TensorHandle::GetIsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Self(info).is_leaf());
}

Napi::Value TensorHandle::GetGradFn(const Napi::CallbackInfo& info) {
  const auto& fn = Self(info).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

Napi::Value TensorHandle::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

// item(bigint?: boolean): a number (a boolean for bool tensors). An integer
// beyond 2^53 is not exactly a number: it is refused, unless `bigint` asks for
// every integer as a bigint.
Napi::Value TensorHandle::Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool asBigint = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
  c10::Scalar s = Self(info).item();
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  if (s.isIntegral(false)) {
    const int64_t v = s.toLong();
    if (asBigint) return Napi::BigInt::New(env, v);
    if (v > kMaxSafeInteger || v < -kMaxSafeInteger)
      throw Napi::RangeError::New(env, "item(): " + std::to_string(v) +
                                           " is beyond Number.MAX_SAFE_INTEGER and cannot be a number exactly; "
                                           "use item({ bigint: true })");
    return Napi::Number::New(env, static_cast<double>(v));
  }
  TORCH_CHECK(!s.isComplex(), "item() of a complex tensor is not supported");
  return Napi::Number::New(env, s.toDouble());
}

Napi::Value TensorHandle::ToTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor host = hostCopyForExport(Self(info));
  napi_typedarray_type type;
  switch (host.scalar_type()) {
    case c10::kFloat: type = napi_float32_array; break;
    case c10::kDouble: type = napi_float64_array; break;
    case c10::kLong: type = napi_bigint64_array; break;
    case c10::kInt: type = napi_int32_array; break;
    case c10::kShort: type = napi_int16_array; break;
    case c10::kChar: type = napi_int8_array; break;
    case c10::kByte: type = napi_uint8_array; break;
    default:
      throwTorchError(env, std::string("no typed array for dtype ") + dtypeName(host.scalar_type()), "TypeError");
  }
  const size_t n = static_cast<size_t>(host.numel());
  const size_t bytes = n * host.element_size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buf.Data(), host.data_ptr(), bytes);
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, n, buf, 0, &out), Napi::Value());
  return Napi::Value(env, out);
}

Napi::Value TensorHandle::Bytes(const Napi::CallbackInfo& info) {
  at::Tensor host = hostContiguous(Self(info));
  return Napi::Buffer<char>::Copy(info.Env(), static_cast<const char*>(host.data_ptr()), host.numel() * host.element_size());
}

Napi::Value TensorHandle::Backward(const Napi::CallbackInfo& info) {
  // backward(gradient | null, retainGraph | undefined, createGraph)
  Napi::Env env = info.Env();
  const auto& t = Self(info);
  at::Tensor gradient;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) gradient = TensorOf(env, info[0], "gradient");
  const bool hasRetain = info.Length() > 1 && info[1].IsBoolean();
  const bool retain = hasRetain && info[1].As<Napi::Boolean>().Value();
  const bool create = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  backward(t, gradient, hasRetain, retain, create);
  return env.Undefined();
}

Napi::Value TensorHandle::RetainGrad(const Napi::CallbackInfo& info) {
  Self(info).retain_grad();
  return info.Env().Undefined();
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  if (!disposed_) Release(info.Env());
  if (gradRef_) {
    napi_delete_reference(info.Env(), gradRef_);
    gradRef_ = nullptr;
  }
  return info.Env().Undefined();
}

Napi::Value TensorHandle::IsSame(const Napi::CallbackInfo& info) {
  const auto& t = Self(info);
  const auto& other = TensorOf(info.Env(), info[0], "other");
  return Napi::Boolean::New(info.Env(), t.is_same(other));
}

// setData(other): this tensor takes other's data (storage, dtype, device) and
// keeps its identity, as `param.data = other` does in PyTorch; every handle and
// program holding this tensor sees the new data.
Napi::Value TensorHandle::SetData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& t = Self(info);
  const auto& other = TensorOf(env, info[0], "data");
  const_cast<at::Tensor&>(t).set_data(other);
  auto& memory = env.GetInstanceData<InstanceData>()->memory;
  memory.release(env, &hold_);
  memory.hold(env, tensor_, &hold_);
  return env.Undefined();
}

// ---------------------------------------------------------------- conversions

// A JS number as an exact int64: integral and inside int64's range (2^53 and
// above are exact integers too, when the number holds one). Never wraps.
bool exactInt64(double d, int64_t* out) {
  if (!std::isfinite(d) || std::floor(d) != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

// A bigint as an int64, refused (never wrapped) beyond int64's range.
int64_t bigintToInt64(Napi::Env env, const Napi::Value& v, const std::string& what) {
  bool lossless = false;
  int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(env, what + ": " + v.ToString().Utf8Value() + "n is outside the int64 range");
  return x;
}

namespace {

[[noreturn]] void badArg(Napi::Env env, const c10::FunctionSchema& schema, const c10::Argument& arg,
                         const std::string& expected, const Napi::Value& got) {
  std::string what = "an object";
  if (got.IsNull()) what = "null";
  else if (got.IsUndefined()) what = "undefined";
  else if (got.IsArray()) what = "an array";
  else if (got.IsNumber()) what = "the number " + got.ToString().Utf8Value();
  else if (got.IsString()) what = "the string '" + got.As<Napi::String>().Utf8Value() + "'";
  else if (got.IsBoolean()) what = got.As<Napi::Boolean>().Value() ? "true" : "false";
  else if (got.IsBigInt()) what = "a bigint";
  else if (got.IsFunction()) what = "a function";
  throw Napi::TypeError::New(env, schema.name() + ": argument '" + arg.name() + "' must be " + expected + ", got " + what);
}

int64_t toInt(Napi::Env env, const Napi::Value& v, const c10::FunctionSchema& schema, const c10::Argument& arg) {
  if (v.IsBigInt()) return bigintToInt64(env, v, schema.name() + ": argument '" + arg.name() + "'");
  int64_t x;
  if (!v.IsNumber() || !exactInt64(v.As<Napi::Number>().DoubleValue(), &x)) badArg(env, schema, arg, "an integer", v);
  return x;
}

c10::Scalar toScalar(Napi::Env env, const Napi::Value& v, const c10::FunctionSchema& schema, const c10::Argument& arg) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    // Integers stay integers (as a Python int would), so int tensors keep their dtype.
    int64_t x;
    if (exactInt64(d, &x)) return c10::Scalar(x);
    return c10::Scalar(d);
  }
  if (v.IsBigInt()) return c10::Scalar(bigintToInt64(env, v, schema.name() + ": argument '" + arg.name() + "'"));
  badArg(env, schema, arg, "a number or boolean", v);
}

std::string toStr(Napi::Env env, const Napi::Value& v, const c10::FunctionSchema& schema, const c10::Argument& arg) {
  if (!v.IsString()) badArg(env, schema, arg, "a string", v);
  return v.As<Napi::String>().Utf8Value();
}

c10::IValue convert(Napi::Env env, const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg,
                    const c10::FunctionSchema& schema) {
  using K = c10::TypeKind;
  if (type->kind() == K::OptionalType) {
    if (v.IsNull() || v.IsUndefined()) return c10::IValue();
    return convert(env, v, type->castRaw<c10::OptionalType>()->getElementType(), arg, schema);
  }
  switch (type->kind()) {
    case K::TensorType: {
      if (TensorHandle::Is(env, v)) return TensorHandle::TensorOf(env, v, arg.name().c_str());
      // A number where a tensor goes is a "wrapped number", as in Python: it
      // takes part in type promotion like a scalar, not like a 0-d tensor.
      c10::Scalar s = toScalar(env, v, schema, arg);
      at::Tensor t = at::scalar_to_tensor(s);
      t.unsafeGetTensorImpl()->set_wrapped_number(true);
      return t;
    }
    case K::IntType:
    case K::SymIntType:
      return toInt(env, v, schema, arg);
    case K::FloatType:
    case K::SymFloatType:
      if (v.IsBigInt()) return static_cast<double>(bigintToInt64(env, v, schema.name() + ": argument '" + arg.name() + "'"));
      if (!v.IsNumber()) badArg(env, schema, arg, "a number", v);
      return v.As<Napi::Number>().DoubleValue();
    case K::BoolType:
    case K::SymBoolType:
      if (!v.IsBoolean()) badArg(env, schema, arg, "a boolean", v);
      return v.As<Napi::Boolean>().Value();
    case K::NumberType:
      return toScalar(env, v, schema, arg);
    case K::StringType:
      return toStr(env, v, schema, arg);
    case K::ScalarTypeType:
      return static_cast<int64_t>(parseDtype(toStr(env, v, schema, arg)));
    case K::LayoutType:
      return static_cast<int64_t>(parseLayout(toStr(env, v, schema, arg)));
    case K::MemoryFormatType:
      return static_cast<int64_t>(parseMemoryFormat(toStr(env, v, schema, arg)));
    case K::DeviceObjType:
      return parseDevice(toStr(env, v, schema, arg));
    case K::ListType: {
      const auto elem = type->castRaw<c10::ListType>()->getElementType();
      const auto ek = elem->kind();
      std::vector<Napi::Value> items;
      if (v.IsArray()) {
        auto arr = v.As<Napi::Array>();
        for (uint32_t i = 0; i < arr.Length(); ++i) items.push_back(arr.Get(i));
      } else if ((ek == K::IntType || ek == K::SymIntType) && v.IsNumber() && arg.N().has_value()) {
        // `int[2] kernel_size` takes a single int, repeated, as in Python.
        for (int64_t i = 0; i < *arg.N(); ++i) items.push_back(v);
      } else {
        badArg(env, schema, arg, "an array", v);
      }
      if (ek == K::IntType || ek == K::SymIntType) {
        std::vector<int64_t> out;
        for (auto& x : items) out.push_back(toInt(env, x, schema, arg));
        return out;
      }
      if (ek == K::FloatType) {
        std::vector<double> out;
        for (auto& x : items) {
          if (!x.IsNumber()) badArg(env, schema, arg, "an array of numbers", x);
          out.push_back(x.As<Napi::Number>().DoubleValue());
        }
        return out;
      }
      if (ek == K::BoolType) {
        c10::List<bool> out;
        for (auto& x : items) {
          if (!x.IsBoolean()) badArg(env, schema, arg, "an array of booleans", x);
          out.push_back(x.As<Napi::Boolean>().Value());
        }
        return out;
      }
      if (ek == K::TensorType) {
        std::vector<at::Tensor> out;
        for (auto& x : items) out.push_back(TensorHandle::TensorOf(env, x, arg.name().c_str()));
        return out;
      }
      if (ek == K::OptionalType && elem->castRaw<c10::OptionalType>()->getElementType()->kind() == K::TensorType) {
        c10::List<std::optional<at::Tensor>> out;
        for (auto& x : items) {
          if (x.IsNull() || x.IsUndefined()) out.push_back(std::nullopt);
          else out.push_back(TensorHandle::TensorOf(env, x, arg.name().c_str()));
        }
        return out;
      }
      if (ek == K::NumberType) {
        std::vector<c10::Scalar> out;
        for (auto& x : items) out.push_back(toScalar(env, x, schema, arg));
        return c10::IValue(out);
      }
      break;
    }
    case K::GeneratorType:
      if (GeneratorHandle::Is(env, v)) return GeneratorHandle::GeneratorOf(env, v);
      badArg(env, schema, arg, "a torch.Generator", v);
    default:
      break;
  }
  throw Napi::TypeError::New(env, schema.name() + ": argument '" + arg.name() + "' of type " + type->str() +
                                      " cannot be given from JavaScript");
}

}  // namespace

c10::IValue toIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const c10::FunctionSchema& schema) {
  return convert(env, v, arg.real_type(), arg, schema);
}

c10::IValue toArgument(Napi::Env env, const Napi::Value& v, const c10::Argument& formal, const c10::FunctionSchema& schema) {
  if (!v.IsUndefined()) return toIValue(env, v, formal, schema);
  if (formal.default_value()) return *formal.default_value();
  if (formal.real_type()->kind() == c10::TypeKind::OptionalType) return c10::IValue();
  throw Napi::TypeError::New(env, schema.name() + ": argument '" + formal.name() + "' is required");
}

// An int64 as a number when it is one exactly, else as a bigint.
Napi::Value intToJs(Napi::Env env, int64_t v) {
  if (v > kMaxSafeInteger || v < -kMaxSafeInteger) return Napi::BigInt::New(env, v);
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return TensorHandle::Wrap(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) return intToJs(env, v.toInt());
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isScalar()) {
    c10::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return intToJs(env, s.toLong());
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array out = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) out.Set(i, fromIValue(env, elems[i]));
    return out;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    Napi::Array out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) out.Set(i, fromIValue(env, list[i]));
    return out;
  }
  if (v.isGenericDict()) {
    Napi::Object out = Napi::Object::New(env);
    for (const auto& entry : v.toGenericDict()) {
      const auto& k = entry.key();
      std::string key = k.isString() ? k.toStringRef() : k.isInt() ? std::to_string(k.toInt()) : k.tagKind();
      out.Set(key, fromIValue(env, entry.value()));
    }
    return out;
  }
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  throw Napi::TypeError::New(env, std::string("cannot return a value of type ") + v.tagKind() + " to JavaScript");
}

}  // namespace nodetorch
