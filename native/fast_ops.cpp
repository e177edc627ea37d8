// Unboxed fast paths for the hottest operators. native.call() converts every
// argument by the schema into a boxed stack and calls the operator boxed; for
// the few operators a training loop or a script calls most, with the argument
// kinds they are nearly always given (tensors, a plain number, a shape), this
// calls the ATen function directly instead. Anything else — another argument
// kind, a disposed tensor, an option given — returns nothing, and the boxed
// path handles it (with its error messages). Both go through the dispatcher,
// so autograd, type promotion and devices are the same.
#include "binding.h"

#include <cstdlib>
#include <unordered_map>

namespace nodetorch {
namespace {

bool intList(Napi::Env env, const Napi::Value& v, int64_t* out, uint32_t* n);

// A live tensor argument, or null.
const at::Tensor* tensorArg(Napi::Env env, const Napi::Value& v) {
  auto* h = TensorHandle::TryOf(env, v);
  return h && !h->IsUnusable() ? &h->TensorChecked(env, "tensor") : nullptr;
}

// A JS number as the scalar operand of a binary operator: a wrapped-number
// tensor, as the boxed path and Python make it (integers stay integers).
bool numberArg(const Napi::Value& v, at::Tensor* out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  int64_t x;
  *out = exactInt64(d, &x) ? at::scalar_to_tensor(c10::Scalar(x)) : at::scalar_to_tensor(c10::Scalar(d));
  out->unsafeGetTensorImpl()->set_wrapped_number(true);
  return true;
}

// info: [id, self, other, alpha?]; alpha only when it is the number 1.
template <at::Tensor (*Op)(const at::Tensor&, const at::Tensor&)>
std::optional<Napi::Value> binary(const Napi::CallbackInfo& info, size_t maxArgs) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || info.Length() > maxArgs) return std::nullopt;
  if (info.Length() == 4 && !(info[3].IsNumber() && info[3].As<Napi::Number>().DoubleValue() == 1)) return std::nullopt;
  const at::Tensor* a = tensorArg(env, info[1]);
  if (!a) return std::nullopt;
  if (const at::Tensor* b = tensorArg(env, info[2])) return TensorHandle::Wrap(env, Op(*a, *b));
  at::Tensor scalar;
  if (!numberArg(info[2], &scalar)) return std::nullopt;
  return TensorHandle::Wrap(env, Op(*a, scalar));
}

at::Tensor addOp(const at::Tensor& a, const at::Tensor& b) { return at::add(a, b); }
at::Tensor subOp(const at::Tensor& a, const at::Tensor& b) { return at::sub(a, b); }
at::Tensor mulOp(const at::Tensor& a, const at::Tensor& b) { return at::mul(a, b); }
at::Tensor divOp(const at::Tensor& a, const at::Tensor& b) { return at::div(a, b); }
at::Tensor matmulOp(const at::Tensor& a, const at::Tensor& b) { return at::matmul(a, b); }

template <at::Tensor (*Op)(const at::Tensor&)>
std::optional<Napi::Value> unary(const Napi::CallbackInfo& info) {
  if (info.Length() != 2) return std::nullopt;
  const at::Tensor* a = tensorArg(info.Env(), info[1]);
  if (!a) return std::nullopt;
  return TensorHandle::Wrap(info.Env(), Op(*a));
}
at::Tensor reluOp(const at::Tensor& a) { return at::relu(a); }
at::Tensor sigmoidOp(const at::Tensor& a) { return at::sigmoid(a); }
at::Tensor tanhOp(const at::Tensor& a) { return at::tanh(a); }

// sum(self, dtype=None)
std::optional<Napi::Value> sumAll(const Napi::CallbackInfo& info) {
  if (info.Length() == 3 && !info[2].IsUndefined() && !info[2].IsNull()) return std::nullopt;
  if (info.Length() < 2 || info.Length() > 3) return std::nullopt;
  const at::Tensor* a = tensorArg(info.Env(), info[1]);
  if (!a) return std::nullopt;
  return TensorHandle::Wrap(info.Env(), at::sum(*a));
}

// view(self, size) / reshape(self, shape): a JS array of small integers.
template <bool Reshape>
std::optional<Napi::Value> shaped(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) return std::nullopt;
  const at::Tensor* a = tensorArg(env, info[1]);
  if (!a) return std::nullopt;
  int64_t dims[16];
  uint32_t n;
  if (!intList(env, info[2], dims, &n)) return std::nullopt;
  const c10::IntArrayRef size(dims, n);
  return TensorHandle::Wrap(env, Reshape ? at::reshape(*a, size) : a->view(size));
}

// An int[] argument given as a JS array of exact integers (at most 16), or nothing.
bool intList(Napi::Env env, const Napi::Value& v, int64_t* out, uint32_t* n) {
  if (!v.IsArray()) return false;
  auto arr = v.As<Napi::Array>();
  *n = arr.Length();
  if (*n > 16) return false;
  for (uint32_t i = 0; i < *n; ++i) {
    napi_value e;
    double d;
    if (napi_get_element(env, arr, i, &e) != napi_ok || napi_get_value_double(env, e, &d) != napi_ok || !exactInt64(d, &out[i]))
      return false;
  }
  return true;
}

// An int[2] argument: a pair, or one integer repeated (as the schema allows).
bool intPair(Napi::Env env, const Napi::Value& v, int64_t* out) {
  if (v.IsNumber()) {
    if (!exactInt64(v.As<Napi::Number>().DoubleValue(), &out[0])) return false;
    out[1] = out[0];
    return true;
  }
  uint32_t n;
  return intList(env, v, out, &n) && n == 2;
}

// conv2d(input, weight, bias?, stride[2], padding[2], dilation[2], groups), every argument given.
std::optional<Napi::Value> conv2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8 || !info[7].IsNumber()) return std::nullopt;
  const at::Tensor* input = tensorArg(env, info[1]);
  const at::Tensor* weight = tensorArg(env, info[2]);
  if (!input || !weight) return std::nullopt;
  std::optional<at::Tensor> bias;
  if (!info[3].IsNull()) {
    const at::Tensor* b = tensorArg(env, info[3]);
    if (!b) return std::nullopt;
    bias = *b;
  }
  int64_t stride[16], padding[16], dilation[16], groups;
  if (!intPair(env, info[4], stride) || !intPair(env, info[5], padding) || !intPair(env, info[6], dilation) ||
      !exactInt64(info[7].As<Napi::Number>().DoubleValue(), &groups))
    return std::nullopt;
  return TensorHandle::Wrap(env, at::conv2d(*input, *weight, bias, c10::IntArrayRef(stride, 2), c10::IntArrayRef(padding, 2),
                                            c10::IntArrayRef(dilation, 2), groups));
}

using Fast = std::optional<Napi::Value> (*)(const Napi::CallbackInfo&);
const std::unordered_map<std::string, Fast>& table() {
  static const auto* t = new std::unordered_map<std::string, Fast>{
      {"aten::add.Tensor", [](const Napi::CallbackInfo& i) { return binary<addOp>(i, 4); }},
      {"aten::sub.Tensor", [](const Napi::CallbackInfo& i) { return binary<subOp>(i, 4); }},
      {"aten::mul.Tensor", [](const Napi::CallbackInfo& i) { return binary<mulOp>(i, 3); }},
      {"aten::div.Tensor", [](const Napi::CallbackInfo& i) { return binary<divOp>(i, 3); }},
      {"aten::matmul", [](const Napi::CallbackInfo& i) -> std::optional<Napi::Value> {
         return tensorArg(i.Env(), i[2]) ? binary<matmulOp>(i, 3) : std::nullopt;
       }},
      {"aten::relu", &unary<reluOp>},
      {"aten::sigmoid", &unary<sigmoidOp>},
      {"aten::tanh", &unary<tanhOp>},
      {"aten::sum", &sumAll},
      {"aten::view", &shaped<false>},
      {"aten::reshape", &shaped<true>},
      {"aten::conv2d", &conv2d},
  };
  return *t;
}

}  // namespace

std::optional<Napi::Value> fastCall(int64_t id, const Napi::CallbackInfo& info) {
  // NODETORCH_FAST_OPS=0 turns the fast paths off (tests compare both paths).
  static const bool enabled = [] {
    const char* v = std::getenv("NODETORCH_FAST_OPS");
    return !(v && std::string(v) == "0");
  }();
  if (!enabled) return std::nullopt;
  // Per thread (each environment has its own), indexed by operator id; filled on first use.
  static thread_local std::vector<Fast> cache;
  static thread_local std::vector<bool> known;
  if (id < 0) return std::nullopt;
  const auto i = static_cast<size_t>(id);
  if (i >= known.size()) {
    known.resize(i + 1, false);
    cache.resize(i + 1, nullptr);
  }
  if (!known[i]) {
    const auto& schema = operatorSchema(id);
    auto it = table().find(schema.name() + (schema.overload_name().empty() ? "" : "." + schema.overload_name()));
    cache[i] = it == table().end() ? nullptr : it->second;
    known[i] = true;
  }
  return cache[i] ? cache[i](info) : std::nullopt;
}

}  // namespace nodetorch
