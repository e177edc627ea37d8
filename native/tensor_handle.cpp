// The Tensor handle class and JS <-> IValue conversion.
#include "binding.h"

#include <cmath>

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

// ---------------------------------------------------------------- TensorHandle

Napi::Function TensorHandle::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<TensorHandle>::DefineClass(
      env, "TensorHandle",
      {
          InstanceAccessor<&TensorHandle::GetShape>("shape"),
          InstanceAccessor<&TensorHandle::GetStrides>("strides"),
          InstanceAccessor<&TensorHandle::GetIsContiguous>("isContiguous"),
          InstanceAccessor<&TensorHandle::GetDtype>("dtype"),
          InstanceAccessor<&TensorHandle::GetDevice>("device"),
          InstanceAccessor<&TensorHandle::GetRequiresGrad, &TensorHandle::SetRequiresGrad>("requiresGrad"),
          InstanceAccessor<&TensorHandle::GetGrad, &TensorHandle::SetGrad>("grad"),
          InstanceAccessor<&TensorHandle::GetIsLeaf>("isLeaf"),
          InstanceAccessor<&TensorHandle::GetGradFn>("gradFn"),
          InstanceAccessor<&TensorHandle::GetDisposed>("disposed"),
          InstanceMethod<&TensorHandle::Item>("item"),
          InstanceMethod<&TensorHandle::ToTypedArray>("toTypedArray"),
          InstanceMethod<&TensorHandle::Bytes>("bytes"),
          InstanceMethod<&TensorHandle::Backward>("backward"),
          InstanceMethod<&TensorHandle::RetainGrad>("retainGrad"),
          InstanceMethod<&TensorHandle::Dispose>("dispose"),
          InstanceMethod<&TensorHandle::IsSame>("isSame"),
      });
}

Napi::Value TensorHandle::Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* data = env.GetInstanceData<InstanceData>();
  return data->tensorClass.New({Napi::External<at::Tensor>::New(env, &t)});
}

bool TensorHandle::Is(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject()) return false;
  auto* data = env.GetInstanceData<InstanceData>();
  return v.As<Napi::Object>().InstanceOf(data->tensorClass.Value());
}

const at::Tensor& TensorHandle::TensorOf(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!Is(env, v)) throw Napi::TypeError::New(env, std::string(what) + " must be a Tensor");
  auto* h = Napi::ObjectWrap<TensorHandle>::Unwrap(v.As<Napi::Object>());
  if (h->disposed_) throw Napi::Error::New(env, std::string(what) + " was used after dispose()");
  return h->tensor_;
}

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "TensorHandle is made by nodetorch, not constructed directly");
  tensor_ = *info[0].As<Napi::External<at::Tensor>>().Data();
  reportedBytes_ = tensorBytes(tensor_);
  if (reportedBytes_) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), reportedBytes_);
}

void TensorHandle::Release(Napi::BasicEnv env) {
  if (reportedBytes_) Napi::MemoryManagement::AdjustExternalMemory(env, -reportedBytes_);
  reportedBytes_ = 0;
  tensor_ = at::Tensor();
  disposed_ = true;
}

void TensorHandle::Finalize(Napi::BasicEnv env) {
  Release(env);
}

#define TENSOR_OF(info) (TensorHandle::TensorOf((info).Env(), (info).This(), "this tensor"))

Napi::Value TensorHandle::GetShape(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  auto sizes = t.sizes();
  Napi::Array out = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return out;
}

Napi::Value TensorHandle::GetStrides(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  auto strides = t.strides();
  Napi::Array out = Napi::Array::New(info.Env(), strides.size());
  for (size_t i = 0; i < strides.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), static_cast<double>(strides[i])));
  return out;
}

Napi::Value TensorHandle::GetIsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), TENSOR_OF(info).is_contiguous());
}

Napi::Value TensorHandle::GetDtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(TENSOR_OF(info).scalar_type()));
}

Napi::Value TensorHandle::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), deviceName(TENSOR_OF(info).device()));
}

Napi::Value TensorHandle::GetRequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), TENSOR_OF(info).requires_grad());
}

void TensorHandle::SetRequiresGrad(const Napi::CallbackInfo& info, const Napi::Value& v) {
  if (!v.IsBoolean()) throw Napi::TypeError::New(info.Env(), "requiresGrad must be a boolean");
  guarded(info.Env(), [&] { TENSOR_OF(info).set_requires_grad(v.As<Napi::Boolean>().Value()); });
}

Napi::Value TensorHandle::GetGrad(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), TENSOR_OF(info).grad());
}

void TensorHandle::SetGrad(const Napi::CallbackInfo& info, const Napi::Value& v) {
  const auto& t = TENSOR_OF(info);
  if (v.IsNull() || v.IsUndefined()) {
    guarded(info.Env(), [&] { const_cast<at::Tensor&>(t).mutable_grad() = at::Tensor(); });
    return;
  }
  const auto& g = TensorOf(info.Env(), v, "grad");
  guarded(info.Env(), [&] {
    TORCH_CHECK(g.sizes() == t.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", t.sizes());
    TORCH_CHECK(g.device() == t.device(), "assigned grad is on ", g.device(), " but the tensor is on ", t.device());
    TORCH_CHECK(g.scalar_type() == t.scalar_type(), "assigned grad has dtype ", dtypeName(g.scalar_type()),
                " but the tensor has dtype ", dtypeName(t.scalar_type()));
    const_cast<at::Tensor&>(t).mutable_grad() = g;
  });
}

Napi::Value TensorHandle::GetIsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), TENSOR_OF(info).is_leaf());
}

Napi::Value TensorHandle::GetGradFn(const Napi::CallbackInfo& info) {
  const auto& fn = TENSOR_OF(info).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

Napi::Value TensorHandle::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

Napi::Value TensorHandle::Item(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  return guarded(info.Env(), [&]() -> Napi::Value {
    c10::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
    TORCH_CHECK(!s.isComplex(), "item() of a complex tensor is not supported");
    return Napi::Number::New(info.Env(), s.toDouble());
  });
}

Napi::Value TensorHandle::ToTypedArray(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  Napi::Env env = info.Env();
  at::Tensor host = guarded(env, [&] { return hostCopyForExport(t); });
  const size_t n = static_cast<size_t>(host.numel());
  const size_t bytes = n * host.element_size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buf.Data(), host.data_ptr(), bytes);
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
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, n, buf, 0, &out), Napi::Value());
  return Napi::Value(env, out);
}

Napi::Value TensorHandle::Bytes(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  Napi::Env env = info.Env();
  at::Tensor host = guarded(env, [&] { return hostContiguous(t); });
  return Napi::Buffer<char>::Copy(env, static_cast<const char*>(host.data_ptr()), host.numel() * host.element_size());
}

Napi::Value TensorHandle::Backward(const Napi::CallbackInfo& info) {
  // backward(gradient | null, retainGraph | undefined, createGraph)
  Napi::Env env = info.Env();
  const auto& t = TENSOR_OF(info);
  at::Tensor gradient;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) gradient = TensorOf(env, info[0], "gradient");
  const bool hasRetain = info.Length() > 1 && info[1].IsBoolean();
  const bool retain = hasRetain && info[1].As<Napi::Boolean>().Value();
  const bool create = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  guarded(env, [&] { backward(t, gradient, hasRetain, retain, create); });
  return env.Undefined();
}

Napi::Value TensorHandle::RetainGrad(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  guarded(info.Env(), [&] { t.retain_grad(); });
  return info.Env().Undefined();
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  if (!disposed_) Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorHandle::IsSame(const Napi::CallbackInfo& info) {
  const auto& t = TENSOR_OF(info);
  const auto& other = TensorOf(info.Env(), info[0], "other");
  return Napi::Boolean::New(info.Env(), t.is_same(other));
}

// ---------------------------------------------------------------- conversions

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
  if (!v.IsNumber()) badArg(env, schema, arg, "an integer", v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) badArg(env, schema, arg, "an integer", v);
  return static_cast<int64_t>(d);
}

c10::Scalar toScalar(Napi::Env env, const Napi::Value& v, const c10::FunctionSchema& schema, const c10::Argument& arg) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // Integers stay integers (as a Python int would), so int tensors keep their dtype.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0) return c10::Scalar(static_cast<int64_t>(d));
    return c10::Scalar(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    return c10::Scalar(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
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

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return TensorHandle::Wrap(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isScalar()) {
    c10::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
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
