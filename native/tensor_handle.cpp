// The Tensor handle class and JS <-> IValue conversion.
#include "binding.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <new>

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

napi_value failWith(Napi::Env env, const Napi::Error& e) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (!data || data->failure.IsEmpty()) {
    e.ThrowAsJavaScriptException();  // during Init, before lib/ has taken over errors
    return nullptr;
  }
  if (data->pendingError) napi_delete_reference(env, data->pendingError);
  data->pendingError = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, e.Value(), 1, &data->pendingError), nullptr);
  return data->failure.Value();
}

// ---------------------------------------------------------------- type tags

namespace {
// Random 128-bit values, one per handle class; never change them within a process.
const napi_type_tag kTags[] = {
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
  if (!host) {
    deviceBytes_ += bytes;
    return;
  }
  hostBytes_ += bytes;
  unreported_ += bytes;
  // V8 is told only when memory is taken, never while handles are released:
  // releases happen in finalizers, inside garbage collection, and Node 20's V8
  // fails a fatal check (CppHeap "marking_done_") when a later report finds
  // the incremental marking it disturbed. It is told in steps of kReportStep:
  // telling it per small tensor cost more than the operator, and it acts on megabytes.
  if (bytes > 0 && (unreported_ >= kReportStep || unreported_ <= -kReportStep)) {
    Napi::MemoryManagement::AdjustExternalMemory(env, unreported_);
    unreported_ = 0;
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

void TensorHandle::Export(Napi::Env env, Napi::Object exports) {

  struct Entry {
    const char* name;
    napi_callback cb;
  };
  const Entry entries[] = {
      {"tensorShape", &Call<&TensorHandle::GetShape>},
      {"tensorStrides", &Call<&TensorHandle::GetStrides>},
      {"tensorIsContiguous", &Call<&TensorHandle::GetIsContiguous>},
      {"tensorDtype", &Call<&TensorHandle::GetDtype>},
      {"tensorDevice", &Call<&TensorHandle::GetDevice>},
      {"tensorRequiresGrad", &Call<&TensorHandle::GetRequiresGrad>},
      {"tensorSetRequiresGrad", &Call<&TensorHandle::SetRequiresGrad>},
      {"tensorGrad", &Call<&TensorHandle::GetGrad>},
      {"tensorSetGrad", &Call<&TensorHandle::SetGrad>},
      {"tensorIsLeaf", &Call<&TensorHandle::GetIsLeaf>},
      {"tensorGradFn", &Call<&TensorHandle::GetGradFn>},
      {"tensorDisposed", &Call<&TensorHandle::GetDisposed>},
      {"tensorItem", &Call<&TensorHandle::Item>},
      {"tensorToTypedArray", &Call<&TensorHandle::ToTypedArray>},
      {"tensorBytes", &Call<&TensorHandle::Bytes>},
      {"tensorBackward", &Call<&TensorHandle::Backward>},
      {"tensorRetainGrad", &Call<&TensorHandle::RetainGrad>},
      {"tensorDispose", &Call<&TensorHandle::Dispose>},
      {"tensorIsSame", &Call<&TensorHandle::IsSame>},
      {"tensorSetData", &Call<&TensorHandle::SetData>},
      {"tensorSetLocked", &Call<&TensorHandle::SetLockedFromJs>},
  };
  for (const auto& e : entries) {
    napi_value fn;
    NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.cb, nullptr, &fn));
    exports.Set(e.name, Napi::Value(env, fn));
  }
}

TensorHandle::TensorHandle(Napi::BasicEnv env, at::Tensor t) : tensor_(std::move(t)) {
  env.GetInstanceData<InstanceData>()->memory.hold(env, tensor_, &hold_);
}

namespace {
// Tensor handles live in slots of per-thread chunks (each environment runs on
// its own thread, and its finalizers run there too): making and freeing one
// costs no malloc, and an external's pointer is known to be a tensor handle
// exactly when it is a live slot of this thread's chunks, so no registry is
// kept. Chunks are never freed: a pointer into one stays safe to test.
class HandlePool {
 public:
  static constexpr size_t kSlots = 4096;
  struct Slot {
    alignas(TensorHandle) unsigned char bytes[sizeof(TensorHandle)];
    Slot* next;  // in the free list
    bool live;
  };
  static HandlePool& local() {
    static thread_local HandlePool* pool = new HandlePool();  // never freed (see above)
    return *pool;
  }
  void* take() {
    if (!free_) grow();
    Slot* s = free_;
    free_ = s->next;
    s->live = true;
    return s->bytes;
  }
  void give(void* p) {
    Slot* s = reinterpret_cast<Slot*>(p);  // `bytes` is the slot's first member
    s->live = false;
    s->next = free_;
    free_ = s;
  }
  // Whether `p` is a live handle of this thread.
  bool owns(const void* p) const {
    const auto a = reinterpret_cast<uintptr_t>(p);
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), a,
                               [](uintptr_t x, const std::pair<uintptr_t, Slot*>& c) { return x < c.first; });
    if (it == chunks_.begin()) return false;
    --it;
    const uintptr_t offset = a - it->first;
    if (offset >= kSlots * sizeof(Slot) || offset % sizeof(Slot) != 0) return false;
    return it->second[offset / sizeof(Slot)].live;
  }

 private:
  void grow() {
    Slot* chunk = new Slot[kSlots];
    for (size_t i = 0; i < kSlots; ++i) {
      chunk[i].live = false;
      chunk[i].next = i + 1 < kSlots ? &chunk[i + 1] : free_;
    }
    free_ = chunk;
    const auto key = std::make_pair(reinterpret_cast<uintptr_t>(chunk), chunk);
    chunks_.insert(std::upper_bound(chunks_.begin(), chunks_.end(), key), key);
  }
  std::vector<std::pair<uintptr_t, Slot*>> chunks_;  // sorted by address
  Slot* free_ = nullptr;
};
static_assert(offsetof(HandlePool::Slot, bytes) == 0, "a handle's address is its slot's");
}  // namespace

Napi::Value TensorHandle::Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto& pool = HandlePool::local();
  void* slot = pool.take();
  TensorHandle* handle;
  try {
    handle = new (slot) TensorHandle(env, std::move(t));
  } catch (...) {
    pool.give(slot);
    throw;
  }
  napi_value v;
  if (napi_create_external(env, handle, &Finalized, nullptr, &v) != napi_ok) {
    handle->Release(env);
    handle->~TensorHandle();
    pool.give(slot);
    NAPI_THROW_IF_FAILED(env, napi_generic_failure, Napi::Value());
  }
  return Napi::Value(env, v);
}

void TensorHandle::Finalized(node_api_basic_env env, void* data, void*) {
  auto* h = static_cast<TensorHandle*>(data);
  Napi::BasicEnv e(env);
  h->Release(e);
  h->~TensorHandle();
  HandlePool::local().give(h);
}

TensorHandle* TensorHandle::TryOf(Napi::Env env, const Napi::Value& v) {
  napi_valuetype type;
  void* p = nullptr;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external || napi_get_value_external(env, v, &p) != napi_ok ||
      !HandlePool::local().owns(p))
    return nullptr;
  return static_cast<TensorHandle*>(p);
}

bool TensorHandle::Is(Napi::Env env, const Napi::Value& v) {
  return TryOf(env, v) != nullptr;
}

TensorHandle* TensorHandle::Of(Napi::Env env, const Napi::Value& v, const char* what) {
  if (auto* h = TryOf(env, v)) return h;
  throw Napi::TypeError::New(env, std::string(what) + " must be a Tensor");
}

namespace {
const char* kLockedMessage =
    " is being trained by Model.fit() on its native thread: read or change it from a callback (training waits for callbacks), "
    "or after fit() settles";
}

const at::Tensor& TensorHandle::TensorChecked(Napi::Env env, const char* what) const {
  if (disposed_) throwTorchError(env, std::string("the Tensor given as ") + what + " was used after dispose()", "RuntimeError");
  if (locked_) throwTorchError(env, std::string("the Tensor given as ") + what + kLockedMessage, "RuntimeError");
  return tensor_;
}

const at::Tensor& TensorHandle::TensorOf(Napi::Env env, const Napi::Value& v, const char* what) {
  return Of(env, v, what)->TensorChecked(env, what);
}

void TensorHandle::Release(Napi::BasicEnv env) {
  if (auto* data = env.GetInstanceData<InstanceData>()) data->memory.release(env, &hold_);
  tensor_ = at::Tensor();
  disposed_ = true;
}

const at::Tensor& TensorHandle::Self(const Napi::CallbackInfo& info) const {
  if (disposed_) throwTorchError(info.Env(), "this Tensor was used after dispose()", "RuntimeError");
  if (locked_) throwTorchError(info.Env(), std::string("this Tensor") + kLockedMessage, "RuntimeError");
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

Napi::Value TensorHandle::SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Value v = info[1];
  if (!v.IsBoolean()) throw Napi::TypeError::New(info.Env(), "requiresGrad must be a boolean");
  Self(info).set_requires_grad(v.As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

// grad(h, cached?): the gradient's handle, or `cached` itself when that is a
// handle of the same gradient (so a JS wrapper made for it can be kept).
Napi::Value TensorHandle::GetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& grad = Self(info).grad();
  if (!grad.defined()) return env.Null();
  if (info.Length() > 1) {
    auto* cached = TryOf(env, info[1]);
    if (cached && !cached->disposed_ && cached->tensor_.is_same(grad)) return info[1];
  }
  return Wrap(env, grad);
}

Napi::Value TensorHandle::SetGrad(const Napi::CallbackInfo& info) {
  Napi::Value v = info[1];
  const auto& t = Self(info);
  if (v.IsNull() || v.IsUndefined()) {
    const_cast<at::Tensor&>(t).mutable_grad() = at::Tensor();
    return info.Env().Undefined();
  }
  const auto& g = TensorOf(info.Env(), v, "grad");
  TORCH_CHECK(g.sizes() == t.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", t.sizes());
  TORCH_CHECK(g.device() == t.device(), "assigned grad is on ", g.device(), " but the tensor is on ", t.device());
  TORCH_CHECK(g.scalar_type() == t.scalar_type(), "assigned grad has dtype ", dtypeName(g.scalar_type()),
              " but the tensor has dtype ", dtypeName(t.scalar_type()));
  const_cast<at::Tensor&>(t).mutable_grad() = g;
  return info.Env().Undefined();
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
  const bool asBigint = info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
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
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) gradient = TensorOf(env, info[1], "gradient");
  const bool hasRetain = info.Length() > 2 && info[2].IsBoolean();
  const bool retain = hasRetain && info[2].As<Napi::Boolean>().Value();
  const bool create = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  backward(t, gradient, hasRetain, retain, create);
  return env.Undefined();
}

Napi::Value TensorHandle::RetainGrad(const Napi::CallbackInfo& info) {
  Self(info).retain_grad();
  return info.Env().Undefined();
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  if (locked_) Self(info);  // refused: the training thread is using it
  if (!disposed_) Release(info.Env());
  return info.Env().Undefined();
}

// tensorSetLocked(h, on): Model.fit locks its module's tensors while its native thread trains.
Napi::Value TensorHandle::SetLockedFromJs(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[1].IsBoolean()) throw Napi::TypeError::New(info.Env(), "tensorSetLocked(tensor, boolean)");
  locked_ = info[1].As<Napi::Boolean>().Value();
  return info.Env().Undefined();
}

Napi::Value TensorHandle::IsSame(const Napi::CallbackInfo& info) {
  const auto& t = Self(info);
  const auto& other = TensorOf(info.Env(), info[1], "other");
  return Napi::Boolean::New(info.Env(), t.is_same(other));
}

// setData(other): this tensor takes other's data (storage, dtype, device) and
// keeps its identity, as `param.data = other` does in PyTorch; every handle and
// program holding this tensor sees the new data.
Napi::Value TensorHandle::SetData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& t = Self(info);
  const auto& other = TensorOf(env, info[1], "data");
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

[[noreturn]] void badArgNamed(Napi::Env env, const c10::FunctionSchema& schema, const std::string& name,
                              const std::string& expected, const Napi::Value& got) {
  std::string what = "an object";
  if (got.IsNull()) what = "null";
  else if (got.IsUndefined()) what = "undefined";
  else if (got.IsArray()) what = "an array (make a Tensor with torch.tensor())";
  else if (got.IsTypedArray()) what = "a typed array (make a Tensor with torch.tensor())";
  else if (got.IsNumber()) what = "the number " + got.ToString().Utf8Value();
  else if (got.IsString()) what = "the string '" + got.As<Napi::String>().Utf8Value() + "'";
  else if (got.IsBoolean()) what = got.As<Napi::Boolean>().Value() ? "true" : "false";
  else if (got.IsBigInt()) what = "a bigint";
  else if (got.IsFunction()) what = "a function";
  throw Napi::TypeError::New(env, schema.name() + ": argument '" + name + "' must be " + expected + ", got " + what);
}

[[noreturn]] void badArg(Napi::Env env, const c10::FunctionSchema& schema, const c10::Argument& arg,
                         const std::string& expected, const Napi::Value& got) {
  badArgNamed(env, schema, arg.name(), expected, got);
}

// "aten::add: this Tensor (self) was used after dispose()", naming what the user holds.
[[noreturn]] void unusableArg(Napi::Env env, const c10::FunctionSchema& schema, const std::string& name, const TensorHandle* h) {
  throwTorchError(env,
                  schema.name() + ": " + (name == "self" ? std::string("this Tensor (self)") : "the Tensor given as '" + name + "'") +
                      (h->IsDisposed() ? " was used after dispose()" : kLockedMessage),
                  "RuntimeError");
}

// Element i of a Tensor[] argument, named as `tensors[i]` when it is not a live tensor.
const at::Tensor& listTensor(Napi::Env env, const Napi::Value& v, const c10::FunctionSchema& schema, const c10::Argument& arg,
                             size_t i) {
  const std::string name = arg.name() + "[" + std::to_string(i) + "]";
  auto* h = TensorHandle::TryOf(env, v);
  if (!h) badArgNamed(env, schema, name, "a Tensor", v);
  if (h->IsUnusable()) unusableArg(env, schema, name, h);
  return h->TensorChecked(env, name.c_str());
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
      if (auto* h = TensorHandle::TryOf(env, v)) {
        if (h->IsUnusable()) unusableArg(env, schema, arg.name(), h);
        return h->TensorChecked(env, arg.name().c_str());
      }
      if (!v.IsNumber() && !v.IsBoolean() && !v.IsBigInt()) badArg(env, schema, arg, "a Tensor", v);
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
        for (size_t i = 0; i < items.size(); ++i) out.push_back(listTensor(env, items[i], schema, arg, i));
        return out;
      }
      if (ek == K::OptionalType && elem->castRaw<c10::OptionalType>()->getElementType()->kind() == K::TensorType) {
        c10::List<std::optional<at::Tensor>> out;
        for (size_t i = 0; i < items.size(); ++i) {
          if (items[i].IsNull() || items[i].IsUndefined()) out.push_back(std::nullopt);
          else out.push_back(listTensor(env, items[i], schema, arg, i));
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
