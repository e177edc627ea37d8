// Module entry: the functions lib/native.ts declares.
#include <torch/version.h>

#include <ATen/Parallel.h>

#include <cmath>

#include "binding.h"

namespace nodetorch {
// native/schemas.cpp
Napi::Value OperatorSchemas(const Napi::CallbackInfo& info);

namespace {

double numberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

// op(name, overload) -> operator id
Napi::Value Op(const Napi::CallbackInfo& info) {
  auto name = stringArg(info, 0, "name");
  auto overload = stringArg(info, 1, "overload");
  return Napi::Number::New(info.Env(), static_cast<double>(findOperator(name, overload)));
}

// schema(id) -> the operator's schema as text
Napi::Value Schema(const Napi::CallbackInfo& info) {
  auto id = static_cast<int64_t>(numberArg(info, 0, "id"));
  std::ostringstream s;
  s << operatorSchema(id);
  return Napi::String::New(info.Env(), s.str());
}

// call(id, ...args) -> result: positional arguments, undefined (or absent) for "use the default".
// The hot path of every operator: arguments are read straight from the call
// (no array), converted by the schema, and the operator is called boxed.
Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t id;
  if (info.Length() < 1 || !info[0].IsNumber() || !exactInt64(info[0].As<Napi::Number>().DoubleValue(), &id))
    throw Napi::TypeError::New(env, "id must be an operator id");
  if (auto fast = fastCall(id, info)) return *fast;
  const auto& schema = operatorSchema(id);
  const auto& formals = schema.arguments();
  const size_t given = info.Length() - 1;
  if (given > formals.size())
    throw Napi::TypeError::New(env, schema.name() + " takes at most " + std::to_string(formals.size()) + " arguments, got " +
                                        std::to_string(given));
  torch::jit::Stack stack;
  stack.reserve(std::max(formals.size(), schema.returns().size()));
  for (size_t i = 0; i < formals.size(); ++i) stack.push_back(toArgument(env, i < given ? info[i + 1] : env.Undefined(), formals[i], schema));
  // An operator that returns its input itself (in-place and out= operators,
  // `to` with nothing to change) hands back that argument's own handle, as
  // Python returns the same object.
  const c10::TensorImpl* written = nullptr;
  size_t writtenArg = 0;
  if (schema.returns().size() == 1 && schema.returns()[0].alias_info()) {
    for (size_t i = 0; i < formals.size() && i < given; ++i) {
      if (formals[i].alias_info() && stack[i].isTensor()) {
        written = stack[i].toTensor().unsafeGetTensorImpl();
        writtenArg = i;
        break;
      }
    }
  }
  callOperator(id, stack);
  if (stack.empty()) return env.Undefined();
  if (stack.size() == 1) {
    if (written && stack[0].isTensor() && stack[0].toTensor().unsafeGetTensorImpl() == written) return info[writtenArg + 1];
    return fromIValue(env, stack[0]);
  }
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); ++i) out.Set(i, fromIValue(env, stack[i]));
  return out;
}

// fromBuffer(typedArray, shape, dtype) -> a new tensor holding a copy
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsArray())
    throw Napi::TypeError::New(env, "fromBuffer(typedArray, shape, dtype)");
  auto ta = info[0].As<Napi::TypedArray>();
  auto shapeArr = info[1].As<Napi::Array>();
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < shapeArr.Length(); ++i) {
    Napi::Value d = shapeArr.Get(i);
    if (!d.IsNumber()) throw Napi::TypeError::New(env, "shape must hold integers");
    int64_t x;
    if (!exactInt64(d.As<Napi::Number>().DoubleValue(), &x)) throw Napi::TypeError::New(env, "shape must hold integers");
    shape.push_back(x);
  }
  auto dtype = stringArg(info, 2, "dtype");
  const uint8_t* bytes = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return TensorHandle::Wrap(env, tensorFromBytes(bytes, ta.ByteLength(), shape, parseDtype(dtype)));
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "enabled must be a boolean");
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// getRngState() -> the default CPU generator's state (uint8 tensor), as torch.get_rng_state().
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  at::Tensor state;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    state = at::Tensor(gen.get_state());
  }
  return TensorHandle::Wrap(info.Env(), state);
}

// setRngState(state): restores what getRngState() gave, as torch.set_rng_state().
Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  const at::Tensor& state = TensorHandle::TensorOf(info.Env(), info[0], "state");
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t seed;
  if (info.Length() > 0 && info[0].IsBigInt()) {
    bool lossless;
    seed = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, "seed must fit in 64 bits");
  } else {
    int64_t x;
    if (!exactInt64(numberArg(info, 0, "seed"), &x) || x < 0) throw Napi::RangeError::New(env, "seed must be a non-negative integer");
    seed = static_cast<uint64_t>(x);
  }
  at::manual_seed(seed);
  return env.Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const double n = numberArg(info, 0, "threads");
  if (!(n >= 1 && n <= 4096) || std::floor(n) != n) throw Napi::RangeError::New(info.Env(), "threads must be an integer from 1 to 4096");
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), cudaAvailable());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cudaDeviceCount()));
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  {
    const auto& cuda = loadCuda();
    Napi::Object o = Napi::Object::New(env);
    o.Set("libtorchVersion", TORCH_VERSION);
    o.Set("libtorchDir", libtorchDir());
    o.Set("cudaLibraryPresent", cuda.libraryPresent);
    o.Set("cudaLibraryLoaded", cuda.libraryLoaded);
    o.Set("cudaLoadError", cuda.loadError.empty() ? env.Null() : Napi::String::New(env, cuda.loadError));
    o.Set("cudaAvailable", cudaAvailable());
    o.Set("cudaDeviceCount", static_cast<double>(cudaDeviceCount()));
    o.Set("cudnnAvailable", cudnnAvailable());
    o.Set("numThreads", at::get_num_threads());
    o.Set("numInteropThreads", at::get_num_interop_threads());
    o.Set("parallelInfo", at::get_parallel_info());
    return o;
  }
}

// takeError() -> the error the last failed entry returned `failure` for (undefined if none), once.
Napi::Value TakeError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* data = env.GetInstanceData<InstanceData>();
  if (!data->pendingError) return env.Undefined();
  napi_value v;
  NAPI_THROW_IF_FAILED(env, napi_get_reference_value(env, data->pendingError, &v), Napi::Value());
  napi_delete_reference(env, data->pendingError);
  data->pendingError = nullptr;
  return Napi::Value(env, v);
}

// memoryStats() -> what this environment's handles hold, counted per storage.
Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& memory = env.GetInstanceData<InstanceData>()->memory;
  Napi::Object o = Napi::Object::New(env);
  o.Set("hostBytes", static_cast<double>(memory.hostBytes()));
  o.Set("deviceBytes", static_cast<double>(memory.deviceBytes()));
  o.Set("storages", static_cast<double>(memory.storages()));
  return o;
}

Napi::Value CudaEmptyCache(const Napi::CallbackInfo& info) {
  cudaEmptyCache();
  return info.Env().Undefined();
}

// setErrorClass(TorchError): the class native errors are thrown as, (message, kind) => Error.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "error class must be a function");
  auto* data = info.Env().GetInstanceData<InstanceData>();
  data->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  installCpuAllocator();
  auto* data = new InstanceData();
  env.SetInstanceData<InstanceData>(data);  // deleted with the environment (worker exit, reload)
  // Prefetch threads stopped by finalizers are joined at the latest when an environment ends.
  napi_add_env_cleanup_hook(env, [](void*) { reapStoppedThreads(); }, nullptr);
  TensorHandle::Export(env, exports);
  Napi::Function scriptClass = ScriptModuleHandle::DefineClass(env);
  data->scriptModuleClass = Napi::Persistent(scriptClass);
  exports.Set("ScriptModuleHandle", scriptClass);
  Napi::Function programClass = ProgramHandle::DefineClass(env);
  data->programClass = Napi::Persistent(programClass);
  exports.Set("ProgramHandle", programClass);
  exports.Set("PrefetchHandle", PrefetchHandle::DefineClass(env));
  exports.Set("EngineHandle", EngineHandle::DefineClass(env));
  Napi::Function generatorClass = GeneratorHandle::DefineClass(env);
  data->generatorClass = Napi::Persistent(generatorClass);
  exports.Set("GeneratorHandle", generatorClass);
  exports.Set("jitLoad", EntryFunction<JitLoad>(env, "jitLoad"));
  exports.Set("op", EntryFunction<Op>(env, "op"));
  exports.Set("schema", EntryFunction<Schema>(env, "schema"));
  exports.Set("operatorSchemas", EntryFunction<OperatorSchemas>(env, "operatorSchemas"));
  exports.Set("call", EntryFunction<Call>(env, "call"));
  exports.Set("fromBuffer", EntryFunction<FromBuffer>(env, "fromBuffer"));
  exports.Set("setGradEnabled", EntryFunction<SetGradEnabled>(env, "setGradEnabled"));
  exports.Set("isGradEnabled", EntryFunction<IsGradEnabled>(env, "isGradEnabled"));
  exports.Set("manualSeed", EntryFunction<ManualSeed>(env, "manualSeed"));
  exports.Set("getRngState", EntryFunction<GetRngState>(env, "getRngState"));
  exports.Set("setRngState", EntryFunction<SetRngState>(env, "setRngState"));
  exports.Set("setNumThreads", EntryFunction<SetNumThreads>(env, "setNumThreads"));
  exports.Set("getNumThreads", EntryFunction<GetNumThreads>(env, "getNumThreads"));
  exports.Set("cudaIsAvailable", EntryFunction<CudaIsAvailable>(env, "cudaIsAvailable"));
  exports.Set("cudaDeviceCount", EntryFunction<CudaDeviceCount>(env, "cudaDeviceCount"));
  exports.Set("config", EntryFunction<Config>(env, "config"));
  exports.Set("setErrorClass", EntryFunction<SetErrorClass>(env, "setErrorClass"));
  exports.Set("memoryStats", EntryFunction<MemoryStats>(env, "memoryStats"));
  exports.Set("takeError", EntryFunction<TakeError>(env, "takeError"));
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("nodetorchFailure", true);
  data->failure = Napi::Persistent(failure);
  exports.Set("failure", failure);
  exports.Set("cudaEmptyCache", EntryFunction<CudaEmptyCache>(env, "cudaEmptyCache"));
  return exports;
}

}  // namespace
}  // namespace nodetorch

static Napi::Object InitNodetorch(Napi::Env env, Napi::Object exports) {
  return nodetorch::Init(env, exports);
}

NODE_API_MODULE(nodetorch, InitNodetorch)
