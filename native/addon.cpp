// Module entry: the functions lib/native.ts declares.
#include <torch/version.h>

#include <ATen/Parallel.h>

#include "binding.h"

namespace nodetorch {
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
  return guarded(info.Env(), [&] { return Napi::Number::New(info.Env(), static_cast<double>(findOperator(name, overload))); });
}

// schema(id) -> the operator's schema as text
Napi::Value Schema(const Napi::CallbackInfo& info) {
  auto id = static_cast<int64_t>(numberArg(info, 0, "id"));
  return guarded(info.Env(), [&] {
    std::ostringstream s;
    s << operatorSchema(id);
    return Napi::String::New(info.Env(), s.str());
  });
}

// call(id, args) -> result: positional arguments, undefined for "use the default".
Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto id = static_cast<int64_t>(numberArg(info, 0, "id"));
  if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(env, "args must be an array");
  auto args = info[1].As<Napi::Array>();
  return guarded(env, [&]() -> Napi::Value {
    const auto& schema = operatorSchema(id);
    const auto& formals = schema.arguments();
    if (args.Length() > formals.size())
      throw Napi::TypeError::New(env, schema.name() + " takes at most " + std::to_string(formals.size()) +
                                          " arguments, got " + std::to_string(args.Length()));
    torch::jit::Stack stack;
    stack.reserve(formals.size());
    for (size_t i = 0; i < formals.size(); ++i)
      stack.push_back(toArgument(env, i < args.Length() ? args.Get(static_cast<uint32_t>(i)) : env.Undefined(), formals[i], schema));
    callOperator(id, stack);
    if (stack.empty()) return env.Undefined();
    if (stack.size() == 1) return fromIValue(env, stack[0]);
    Napi::Array out = Napi::Array::New(env, stack.size());
    for (size_t i = 0; i < stack.size(); ++i) out.Set(i, fromIValue(env, stack[i]));
    return out;
  });
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
    shape.push_back(d.As<Napi::Number>().Int64Value());
  }
  auto dtype = stringArg(info, 2, "dtype");
  const uint8_t* bytes = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return guarded(env, [&] { return TensorHandle::Wrap(env, tensorFromBytes(bytes, ta.ByteLength(), shape, parseDtype(dtype))); });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "enabled must be a boolean");
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  auto seed = numberArg(info, 0, "seed");
  guarded(info.Env(), [&] { at::manual_seed(static_cast<uint64_t>(seed)); });
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  auto n = static_cast<int>(numberArg(info, 0, "threads"));
  guarded(info.Env(), [&] { at::set_num_threads(n); });
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return Napi::Boolean::New(info.Env(), cudaAvailable()); });
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return Napi::Number::New(info.Env(), static_cast<double>(cudaDeviceCount())); });
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
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
  });
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
  Napi::Function tensorClass = TensorHandle::DefineClass(env);
  data->tensorClass = Napi::Persistent(tensorClass);
  exports.Set("TensorHandle", tensorClass);
  Napi::Function scriptClass = ScriptModuleHandle::DefineClass(env);
  data->scriptModuleClass = Napi::Persistent(scriptClass);
  exports.Set("ScriptModuleHandle", scriptClass);
  Napi::Function programClass = ProgramHandle::DefineClass(env);
  data->programClass = Napi::Persistent(programClass);
  exports.Set("ProgramHandle", programClass);
  exports.Set("PrefetchHandle", PrefetchHandle::DefineClass(env));
  Napi::Function generatorClass = GeneratorHandle::DefineClass(env);
  data->generatorClass = Napi::Persistent(generatorClass);
  exports.Set("GeneratorHandle", generatorClass);
  exports.Set("jitLoad", Napi::Function::New<JitLoad>(env, "jitLoad"));
  exports.Set("op", Napi::Function::New<Op>(env, "op"));
  exports.Set("schema", Napi::Function::New<Schema>(env, "schema"));
  exports.Set("call", Napi::Function::New<Call>(env, "call"));
  exports.Set("fromBuffer", Napi::Function::New<FromBuffer>(env, "fromBuffer"));
  exports.Set("setGradEnabled", Napi::Function::New<SetGradEnabled>(env, "setGradEnabled"));
  exports.Set("isGradEnabled", Napi::Function::New<IsGradEnabled>(env, "isGradEnabled"));
  exports.Set("manualSeed", Napi::Function::New<ManualSeed>(env, "manualSeed"));
  exports.Set("setNumThreads", Napi::Function::New<SetNumThreads>(env, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New<GetNumThreads>(env, "getNumThreads"));
  exports.Set("cudaIsAvailable", Napi::Function::New<CudaIsAvailable>(env, "cudaIsAvailable"));
  exports.Set("cudaDeviceCount", Napi::Function::New<CudaDeviceCount>(env, "cudaDeviceCount"));
  exports.Set("config", Napi::Function::New<Config>(env, "config"));
  exports.Set("setErrorClass", Napi::Function::New<SetErrorClass>(env, "setErrorClass"));
  return exports;
}

}  // namespace
}  // namespace nodetorch

static Napi::Object InitNodetorch(Napi::Env env, Napi::Object exports) {
  return nodetorch::Init(env, exports);
}

NODE_API_MODULE(nodetorch, InitNodetorch)
